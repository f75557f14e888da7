// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the filesystem probes (lib/probe*.c) on a device's first bytes, as probe_fd reads them. */
#include "fuzz.h"
#include "probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct probe_result r;
	int fd = fuzz_memfd(data, size);

	if (fd < 0)
		return 0;
	if (probe_fd(fd, &r) == 0) {
		/* every field is a terminated string a status line can carry */
		if (strlen(r.type) >= sizeof(r.type) || strlen(r.label) >= sizeof(r.label) ||
		    strlen(r.uuid) >= sizeof(r.uuid))
			abort();
		probe_mount_type(r.type);
		probe_spec_match("LABEL=x", "sda1", &r);
	}
	close(fd);
	return 0;
}
