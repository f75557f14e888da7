// SPDX-License-Identifier: GPL-2.0
/* Check an ext2/3/4 persistence branch with e2fsck -p before it is mounted, and make new ones. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "live.h"
#include "log.h"
#include "spawn.h"

/* Where e2fsck may live in a layer (a Debian root has the dynamic one in /sbin). */
static const char *const layer_e2fsck[] = {
	"/sbin/e2fsck.static", "/usr/sbin/e2fsck.static", "/sbin/e2fsck", "/usr/sbin/e2fsck",
};

/* The ELF interpreter of a dynamic executable ("" for a static one); -errno if not ELF. */
static int elf_interp(const char *path, char *interp, size_t len)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i, err = 0;

	interp[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64) {
		close(fd);
		return -ENOEXEC;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (Elf64_Off)i * eh.e_phentsize)) !=
		    (ssize_t)sizeof(ph))
			break;
		if (ph.p_type == PT_INTERP) {
			if (ph.p_filesz == 0 || ph.p_filesz >= len) {
				err = -ENAMETOOLONG;
				break;
			}
			if (pread(fd, interp, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz)
				err = -EIO;
			interp[ph.p_filesz] = '\0';
			break;
		}
	}
	close(fd);
	return err;
}

/*
 * Find e2fsck: the initramfs' own (a static binary mkimage put there), else one in
 * the layers, top first. A dynamic one is run through its own layer's loader with
 * the layer's library directories, so that nothing of the layer must be chrooted.
 * Fills argv[0..n) and returns n, or 0 when there is none.
 */
static int find_e2fsck(const struct live_ctx *ctx, char bufs[][LIVE_PATH_MAX + 64],
		       const char **argv)
{
	char interp[128];
	size_t i, j;
	int n = 0;

	if (access(LIVE_E2FSCK, X_OK) == 0) {
		argv[n++] = LIVE_E2FSCK;
		return n;
	}
	for (i = ctx->nlayers; i-- > 0;) {
		const char *root = ctx->layers[i].mnt;

		for (j = 0; j < sizeof(layer_e2fsck) / sizeof(layer_e2fsck[0]); j++) {
			snprintf(bufs[0], sizeof(bufs[0]), "%s%s", root, layer_e2fsck[j]);
			if (access(bufs[0], X_OK) || elf_interp(bufs[0], interp, sizeof(interp)))
				continue;
			if (!*interp) {
				argv[n++] = bufs[0];
				return n;
			}
			snprintf(bufs[1], sizeof(bufs[1]), "%s%s", root, interp);
			if (access(bufs[1], X_OK))
				continue;
			snprintf(bufs[2], sizeof(bufs[2]),
				 "%s/lib/x86_64-linux-gnu:%s/usr/lib/x86_64-linux-gnu:%s/lib64:%s/lib:%s/usr/lib",
				 root, root, root, root, root);
			argv[n++] = bufs[1];
			argv[n++] = "--library-path";
			argv[n++] = bufs[2];
			argv[n++] = bufs[0];
			return n;
		}
	}
	return 0;
}

/* The last non-empty line of e2fsck's output, for the console. */
static const char *last_line(char *out)
{
	char *end = out + strlen(out);

	while (end > out && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		*--end = '\0';
	while (end > out && end[-1] != '\n')
		end--;
	return end;
}

int fsck_check(struct live_ctx *ctx, const char *dev, char *result, size_t len)
{
	char bufs[3][LIVE_PATH_MAX + 64];
	const char *argv[8];
	int n;

	n = find_e2fsck(ctx, bufs, argv);
	if (!n) {
		snprintf(result, len, "skipped: no e2fsck in the image or the layers");
		log_warn("persistence: %s not checked: no e2fsck in the initramfs or the layers "
			 "(livestack-mkimage initramfs --e2fsck adds one)", dev);
		return 0;
	}
	/* live.persist.ro: nothing is written, so nothing is repaired either */
	argv[n++] = ctx->cfg->persist_ro ? "-n" : "-p";
	argv[n++] = dev;
	argv[n] = NULL;
	log_info("persistence: checking %s (e2fsck %s)", dev, argv[n - 2]);
	return fsck_run(ctx, argv, dev, result, len);
}

/* Run the e2fsck of argv (its last word is dev) within live.helper.timeout=; host-tested. */
int fsck_run(const struct live_ctx *ctx, const char *const *argv, const char *dev, char *result,
	     size_t len)
{
	char out[2048];
	int rc;

	out[0] = '\0';
	rc = spawn_run_for(argv, NULL, out, sizeof(out), (unsigned)ctx->cfg->helper_timeout * 1000);
	if (*out)
		log_debug("e2fsck: %s", out);
	if (rc == -ETIMEDOUT) {
		/* killed in the middle of a repair: the filesystem is not used */
		snprintf(result, len, "e2fsck did not end within %d s (live.helper.timeout=): "
			 "killed, not used", ctx->cfg->helper_timeout);
		log_warn("persistence: %s: %s", dev, result);
		return -EUCLEAN;
	}
	if (rc < 0) {
		snprintf(result, len, "e2fsck did not run: %s", strerror(-rc));
		log_warn("persistence: e2fsck did not run: %s", strerror(-rc));
		return 0;
	}
	/* e2fsck(8): 0 clean, 1 errors corrected, 2 corrected (reboot), 4 left uncorrected,
	 * 8 operational error, 16 usage, 32 cancelled, 128 library error */
	if (ctx->cfg->persist_ro) {
		/* -n: 4 = problems found (or a journal to replay), left as they are */
		snprintf(result, len, "e2fsck -n exit %d: %s", rc, rc == 0 ? "clean" :
			 rc < 8 ? "problems found, not repaired (read-only), used read-only" :
			 "check failed, used read-only");
		log_info("persistence: %s: %s (%s)", dev, result, last_line(out));
		if (rc)
			log_warn("persistence: %s not repaired: live.persist.ro writes nothing; boot "
				 "once without it to let e2fsck repair it", dev);
		return 0;
	}
	snprintf(result, len, "e2fsck exit %d: %s%s", rc,
		 rc == 0 ? "clean" : rc < 4 ? "repaired" : "NOT REPAIRED, not used",
		 strstr(out, "recovering journal") ? ", journal recovered" : "");
	log_info("persistence: %s: %s (%s)", dev, result, last_line(out));
	return rc >= 4 ? -EUCLEAN : 0;
}

/* Make an ext filesystem on a new image file: e2fsprogs' mke2fs when the image has
 * it (ext4 with a journal), else busybox's (ext2, checked by e2fsck at every boot). */
int fsck_mkfs(const char *file, unsigned long long kib, const char *label, char *how, size_t len,
	      int timeout_s)
{
	char kb[32], out[1024];
	struct stat st;
	int rc;

	snprintf(kb, sizeof(kb), "%llu", kib);
	/* busybox's applet link has busybox's options: e2fsprogs' only when it is a file */
	if (lstat("/sbin/mke2fs", &st) == 0 && S_ISREG(st.st_mode) && access("/sbin/mke2fs", X_OK) == 0) {
		const char *argv[] = { "/sbin/mke2fs", "-q", "-F", "-t", "ext4", "-L", label, "-m", "0",
				       file, NULL };

		snprintf(how, len, "mke2fs -t ext4");
		rc = spawn_run_for(argv, NULL, out, sizeof(out), (unsigned)timeout_s * 1000);
	} else {
		/* 4 KiB blocks: a zram device's logical block size is 4096, and ext4
		 * refuses smaller blocks there (busybox picks 1024 for small sizes) */
		const char *argv[] = { LIVE_BUSYBOX, "mke2fs", "-F", "-b", "4096", "-m", "0", "-L",
				       label, file, kb, NULL };

		snprintf(how, len, "busybox mke2fs (ext2)");
		rc = spawn_run_for(argv, NULL, out, sizeof(out), (unsigned)timeout_s * 1000);
	}
	if (rc) {
		log_warn("persistence: %s on %s failed (%d): %s", how, file, rc, last_line(out));
		return rc < 0 ? rc : -EIO;
	}
	return 0;
}
