// SPDX-License-Identifier: GPL-2.0
/* Host tests of the union option builders (aufs br: and overlayfs lowerdir=) and layer listing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "live.h"

static void layer(struct live_layer *l, const char *name)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->mnt, sizeof(l->mnt), "/run/live/layers/%s", name);
}

TEST(union_aufs_top_layer_first)
{
	struct live_layer l[3];
	char buf[512];

	layer(&l[0], "10-base");
	layer(&l[1], "20-desktop");
	layer(&l[2], "30-extra");
	CHECK_EQ(union_build_aufs(buf, sizeof(buf), "/run/live/rw/upper", NULL, l, 3), 0);
	CHECK_STR(buf, "br:/run/live/rw/upper=rw:/run/live/layers/30-extra=rr:"
		  "/run/live/layers/20-desktop=rr:/run/live/layers/10-base=rr");
}

TEST(union_aufs_refuses_separators)
{
	struct live_layer l[1];
	char buf[512];

	layer(&l[0], "10-a:b");
	CHECK_EQ(union_build_aufs(buf, sizeof(buf), "/rw", NULL, l, 1), -EINVAL);
	layer(&l[0], "10-a,b");
	CHECK_EQ(union_build_aufs(buf, sizeof(buf), "/rw", NULL, l, 1), -EINVAL);
}

TEST(union_aufs_too_long)
{
	struct live_layer l[1];
	char buf[40];

	layer(&l[0], "10-base");
	CHECK_EQ(union_build_aufs(buf, sizeof(buf), "/run/live/rw/upper", NULL, l, 1), -ENAMETOOLONG);
}

TEST(union_overlay_order_and_escapes)
{
	struct live_layer l[2];
	char buf[512];

	layer(&l[0], "10-base");
	layer(&l[1], "20-a:b,c");
	CHECK_EQ(union_build_overlay(buf, sizeof(buf), "/u", "/w", NULL, l, 2), 0);
	CHECK_STR(buf, "lowerdir=/run/live/layers/20-a\\:b\\,c:/run/live/layers/10-base,"
		  "upperdir=/u,workdir=/w");
	CHECK_EQ(union_build_overlay(buf, sizeof(buf), "/u", "/w", NULL, l, 0), -EINVAL);
}

/* live.persist.ro: the persistence branch sits read-only under the RAM branch */
TEST(union_persist_ro_branch)
{
	struct live_layer l[2];
	char buf[512];

	layer(&l[0], "10-base");
	layer(&l[1], "20-desktop");
	CHECK_EQ(union_build_aufs(buf, sizeof(buf), "/run/live/rw/upper", "/run/live/persist-ro/upper",
				  l, 2), 0);
	CHECK_STR(buf, "br:/run/live/rw/upper=rw:/run/live/persist-ro/upper=ro+wh:"
		  "/run/live/layers/20-desktop=rr:/run/live/layers/10-base=rr");
	CHECK_EQ(union_build_aufs(buf, sizeof(buf), "/rw", "", l, 1), 0);
	CHECK_STR(buf, "br:/rw=rw:/run/live/layers/10-base=rr");
	CHECK_EQ(union_build_aufs(buf, sizeof(buf), "/rw", "/p:x", l, 1), -EINVAL);
	CHECK_EQ(union_build_overlay(buf, sizeof(buf), "/u", "/w", "/p,ro", l, 2), 0);
	CHECK_STR(buf, "lowerdir=/p\\,ro:/run/live/layers/20-desktop:/run/live/layers/10-base,"
		  "upperdir=/u,workdir=/w");
}

static void touch(const char *dir, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f)
		fclose(f);
}

TEST(layers_sorted_selected_and_filtered)
{
	char dir[] = "/tmp/livestack-layers-XXXXXX";
	struct live_layer l[8];
	size_t n = 0;

	CHECK(mkdtemp(dir) != NULL);
	touch(dir, "20-desktop.squashfs");
	touch(dir, "10-base.squashfs");
	touch(dir, "notes.txt");
	touch(dir, ".squashfs");
	touch(dir, "30-extra.squashfs");
	CHECK_EQ(layers_list(dir, "", l, 8, &n), 0);
	CHECK_EQ(n, 3);
	CHECK_STR(l[0].name, "10-base");
	CHECK_STR(l[1].name, "20-desktop");
	CHECK_STR(l[2].name, "30-extra");
	CHECK_STR(l[2].mnt, "/run/live/layers/30-extra");
	CHECK_EQ(layers_list(dir, "30-extra,10-base", l, 8, &n), 0);
	CHECK_EQ(n, 2);
	CHECK_STR(l[0].name, "10-base");
	/* a selected layer that is not there is an error, not a silent skip */
	CHECK_EQ(layers_list(dir, "10-base,99-missing", l, 8, &n), -ENOENT);
	CHECK_EQ(layers_list(dir, "", l, 2, &n), -E2BIG);
	CHECK_EQ(layers_list("/nonexistent-livestack", "", l, 8, &n), -ENOENT);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		CHECK_EQ(system(cmd), 0);
	}
}

/* a layer file whose name is too long for /init is named on stderr, not skipped silently */
TEST(layers_long_name_warned)
{
	char dir[] = "/tmp/livestack-layers-XXXXXX", log[] = "/tmp/livestack-log-XXXXXX";
	char name[128], buf[1024] = "", cmd[600];
	struct live_layer l[4];
	size_t n = 0;
	int fd, saved;
	ssize_t got;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(name, sizeof(name), "10-%070d.squashfs", 0);
	touch(dir, name);
	touch(dir, "20-ok.squashfs");
	fd = mkstemp(log);
	CHECK(fd >= 0);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	CHECK_EQ(layers_list(dir, "", l, 4, &n), 0);
	dup2(saved, STDERR_FILENO);
	close(saved);
	CHECK_EQ(n, 1);
	CHECK_STR(l[0].name, "20-ok");
	got = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[got > 0 ? got : 0] = '\0';
	close(fd);
	unlink(log);
	CHECK(strstr(buf, name) != NULL);
	CHECK(strstr(buf, "a layer name has at most 63 characters: not used") != NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_EQ(system(cmd), 0);
}

TEST(layers_dracut_squashfs_img)
{
	char dir[] = "/tmp/livestack-dracut-XXXXXX", cmd[600];
	struct live_layer l[4];
	size_t n = 0;

	CHECK(mkdtemp(dir) != NULL);
	touch(dir, "squashfs.img");
	touch(dir, "osmin.img");
	CHECK_EQ(layers_list(dir, "", l, 4, &n), 0);
	CHECK_EQ(n, 1);
	CHECK_STR(l[0].name, "squashfs");
	CHECK(strstr(l[0].image, "/squashfs.img") != NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_EQ(system(cmd), 0);
}

TEST(layers_image_name_skip_optional)
{
	char dir[] = "/tmp/livestack-sel-XXXXXX", sub[64], cmd[600];
	struct live_cfg o;
	struct live_layer l[8];
	size_t n = 0;

	CHECK(mkdtemp(dir) != NULL);
	touch(dir, "KNOPPIX");
	touch(dir, "KNOPPIX1");
	touch(dir, "KNOPPIX2");
	touch(dir, "KNOPPIXa");
	touch(dir, "KNOPPIX.md5");
	touch(dir, "10-base.squashfs");
	touch(dir, "20-kde.xzm");
	touch(dir, "30-devel.squashfs");
	snprintf(sub, sizeof(sub), "%s/optional", dir);
	CHECK_EQ(mkdir(sub, 0755), 0);
	touch(sub, "50-firefox.xzm");
	touch(sub, "60-gimp.xzm");
	cmdline_defaults(&o);
	CHECK_STR(layers_pattern(o.image), "*.squashfs");
	/* Knoppix: the image and its numbered add-ons, nothing else */
	snprintf(o.image, sizeof(o.image), "KNOPPIX");
	CHECK_EQ(layers_opts(dir, &o, o.image, l, 8, &n), 0);
	CHECK_EQ(n, 3);
	CHECK_STR(l[0].name, "KNOPPIX");
	CHECK_STR(l[2].name, "KNOPPIX2");
	CHECK_STR(layers_pattern(o.image), "KNOPPIX");
	/* an image name with a dot: that file only, named without .img/.squashfs/.sfs */
	touch(dir, "fedora.img");
	snprintf(o.image, sizeof(o.image), "fedora.img");
	CHECK_EQ(layers_opts(dir, &o, o.image, l, 8, &n), 0);
	CHECK_EQ(n, 1);
	CHECK_STR(l[0].name, "fedora");
	/* Porteus: *.xzm are layers; noload= skips by substring; load= adds from optional/ */
	o.image[0] = '\0';
	snprintf(o.layers_skip, sizeof(o.layers_skip), "kde,devel");
	snprintf(o.layers_optional, sizeof(o.layers_optional), "firefox");
	CHECK_EQ(layers_opts(dir, &o, o.image, l, 8, &n), 0);
	CHECK_EQ(n, 2);
	CHECK_STR(l[0].name, "10-base");
	CHECK_STR(l[1].name, "50-firefox");
	CHECK(strstr(l[1].image, "/optional/50-firefox.xzm") != NULL);
	o.layers_skip[0] = o.layers_optional[0] = '\0';
	CHECK_EQ(layers_opts(dir, &o, o.image, l, 8, &n), 0);
	CHECK_EQ(n, 3);
	CHECK_STR(l[1].name, "20-kde");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_EQ(system(cmd), 0);
}

int main(void)
{
	RUN(union_aufs_top_layer_first);
	RUN(union_aufs_refuses_separators);
	RUN(union_aufs_too_long);
	RUN(union_overlay_order_and_escapes);
	RUN(union_persist_ro_branch);
	RUN(layers_sorted_selected_and_filtered);
	RUN(layers_long_name_warned);
	RUN(layers_dracut_squashfs_img);
	RUN(layers_image_name_skip_optional);
	return HARNESS_END();
}
