// SPDX-License-Identifier: GPL-2.0
/* `livestack-mkimage squashfs`: a reproducible squashfs layer from a directory (mksquashfs). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mkimage.h"

static const char usage_text[] =
	"usage: " MK_PROG " squashfs ROOTDIR OUT [--comp zstd|xz]\n"
	"  every file owned by root, every time set to SOURCE_DATE_EPOCH (default 0)\n";

int squashfs_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "comp", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *comp = "zstd", *root, *out;
	char tmp[MK_PATH_MAX], epoch[16];
	struct stat st;
	int c, fd;

	mk_getopt_reset();
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': comp = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return mk_usage("squashfs", usage_text, argc, argv);
		}
	}
	if (argc - optind != 2) {
		mk_err("squashfs: ROOTDIR and OUT, nothing else (%d given)", argc - optind);
		fputs(usage_text, stderr);
		return MK_EUSAGE;
	}
	root = argv[optind];
	out = argv[optind + 1];
	if (strcmp(comp, "zstd") != 0 && strcmp(comp, "xz") != 0) {
		mk_err("squashfs: --comp %s: use zstd or xz (what the kernel's squashfs reads)", comp);
		return MK_EUSAGE;
	}
	if (stat(root, &st) < 0) {
		mk_err("squashfs: root directory %s: %s", root, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		mk_err("squashfs: root directory %s: not a directory", root);
		return -1;
	}
	fd = mk_tmp_beside(out, tmp, sizeof(tmp));
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(epoch, sizeof(epoch), "%u", (unsigned)mk_epoch());
	/* mksquashfs >= 4.5 refuses SOURCE_DATE_EPOCH together with the explicit flags */
	unsetenv("SOURCE_DATE_EPOCH");
	{
		/* mksquashfs sorts directory entries itself; -noappend overwrites the temp file */
		const char *argv_z[] = { "mksquashfs", root, tmp, "-noappend", "-all-root",
					 "-mkfs-time", epoch, "-all-time", epoch, "-no-progress",
					 "-quiet", "-comp", comp, "-Xcompression-level", "19", NULL };
		const char *argv_x[] = { "mksquashfs", root, tmp, "-noappend", "-all-root",
					 "-mkfs-time", epoch, "-all-time", epoch, "-no-progress",
					 "-quiet", "-comp", comp, "-Xbcj", "x86", NULL };

		if (mk_run(strcmp(comp, "zstd") == 0 ? argv_z : argv_x)) {
			unlink(tmp);
			return -1;
		}
	}
	if (mk_commit(tmp, out, 0644))
		return -1;
	mk_info("squashfs %s: %lld bytes (%s) from %s", out, (long long)mk_file_size(out), comp, root);
	return 0;
}
