// SPDX-License-Identifier: GPL-2.0
/* lib/probe on input that holds no filesystem (empty, tiny, missing, a directory), and its
 * pure helpers: the device spec matcher and the mount type of a probed format. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fileio.h"
#include "harness.h"
#include "probe.h"

static char tmpdir[256];

static void tmp_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", tmpdir, name);
}

/* LEN bytes of BUF, then zeros up to SIZE bytes */
static int write_file(const char *path, const void *buf, size_t len, off_t size)
{
	return file_write_atomic(path, len ? buf : "", len, 0644) || truncate(path, size) ? -1 : 0;
}

TEST(probe_zero_image_is_enoent)
{
	struct probe_result r;
	char img[300];

	tmp_path(img, sizeof(img), "zero.img");
	CHECK_EQ(write_file(img, NULL, 0, 4 << 20), 0);
	CHECK_EQ(probe_path(img, &r), -ENOENT);
	CHECK_STR(r.type, "");
}

TEST(probe_tiny_file_is_enoent)
{
	struct probe_result r;
	char img[300];

	tmp_path(img, sizeof(img), "tiny.img");
	CHECK_EQ(write_file(img, "LUKS\xba\xbe\0\2", 8, 1000), 0);
	CHECK_EQ(probe_path(img, &r), -ENOENT);
}

TEST(probe_missing_path_is_enoent)
{
	struct probe_result r;
	char img[300];

	tmp_path(img, sizeof(img), "no/such/device");
	CHECK_EQ(probe_path(img, &r), -ENOENT);
	CHECK_EQ(probe_path("", &r), -ENOENT);
}

TEST(probe_directory_is_an_error)
{
	struct probe_result r;
	int err = probe_path(tmpdir, &r);

	/* reading a directory fails (EISDIR), which is not "no filesystem" */
	CHECK(err < 0);
	CHECK(err != -ENOENT);
}

TEST(probe_spec_match_forms)
{
	/* live.media=, live.persist= and live.todisk= name devices the same way */
	struct probe_result fs = { .type = "ext4", .label = "persistence",
				   .uuid = "3e6be9de-8139-11d1-9106-a43f08d823a6" };

	CHECK(probe_spec_match("/dev/sdb1", "sdb1", &fs));
	CHECK(!probe_spec_match("/dev/sdb", "sdb1", &fs));
	CHECK(probe_spec_match("LABEL=persistence", "sdb1", &fs));
	CHECK(!probe_spec_match("LABEL=Persistence", "sdb1", &fs));
	CHECK(probe_spec_match("UUID=3E6BE9DE-8139-11D1-9106-A43F08D823A6", "sdb1", &fs));
	CHECK(!probe_spec_match("UUID=", "sdb1", &(struct probe_result){ .type = "vfat" }));
	CHECK(!probe_spec_match("sdb1", "sdb1", &fs));
}

TEST(probe_mount_type_maps_ntfs)
{
	CHECK_STR(probe_mount_type("ntfs"), "ntfs3");
	CHECK_STR(probe_mount_type("crypto_LUKS"), "");
	CHECK_STR(probe_mount_type("vfat"), "vfat");
	CHECK_STR(probe_mount_type("ext2"), "ext4");
	CHECK_STR(probe_mount_type("ext3"), "ext4");
}

int main(void)
{
	const char *t = getenv("TMPDIR");
	int fails;

	snprintf(tmpdir, sizeof(tmpdir), "%s/livestack-probe-input.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(probe_zero_image_is_enoent);
	RUN(probe_tiny_file_is_enoent);
	RUN(probe_missing_path_is_enoent);
	RUN(probe_directory_is_an_error);
	RUN(probe_spec_match_forms);
	RUN(probe_mount_type_maps_ntfs);
	fails = HARNESS_END();
	for (size_t i = 0; i < 2; i++) {
		char img[300];

		tmp_path(img, sizeof(img), i ? "tiny.img" : "zero.img");
		unlink(img);
	}
	rmdir(tmpdir);
	return fails;
}
