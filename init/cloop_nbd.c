// SPDX-License-Identifier: GPL-2.0
/*
 * Knoppix's cloop layers (KNOPPIX/KNOPPIX): the kernel has no cloop driver, so /init
 * checks the image (lib/cloop.c) and serves it read-only as /dev/nbdN through a
 * socketpair: one helper process, forked before switch_root, decompresses the blocks
 * the kernel asks for (one thread sits in NBD_DO_IT, the other answers). The block
 * device then mounts as whatever filesystem is inside (iso9660 on Knoppix).
 *
 * The helper keeps running in the live system, as the root filesystem's storage
 * daemon: its argv[0] starts with '@' (systemd's shutdown leaves such processes
 * alone), its OOM score is -1000, it keeps open only the image, the socket, the nbd
 * device, /dev/null and /dev/kmsg (devtmpfs), its cwd is the rootfs' / (never freed
 * anyway). What it keeps of the initramfs is /init's own code (a forked /init,
 * ~280 KB: the price of one binary); the decoder's cache is 1 MiB.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cloop.h"
#include "fileio.h"
#include "live.h"
#include "log.h"
#include "probe.h"

/* include/uapi/linux/nbd.h */
#define NBD_SET_SOCK		0xab00
#define NBD_SET_BLKSIZE		0xab01
#define NBD_DO_IT		0xab03
#define NBD_CLEAR_SOCK		0xab04
#define NBD_SET_SIZE_BLOCKS	0xab07
#define NBD_DISCONNECT		0xab08
#define NBD_SET_FLAGS		0xab0a
#define NBD_FLAG_HAS_FLAGS	(1 << 0)
#define NBD_FLAG_READ_ONLY	(1 << 1)
#define NBD_REQUEST_MAGIC	0x25609513
#define NBD_REPLY_MAGIC		0x67446698
#define NBD_CMD_READ		0
#define NBD_CMD_WRITE		1
#define NBD_CMD_DISC		2

#define NBD_MAX_DEV		16	/* the module's default nbds_max */
#define SECTOR			512
#define CACHE_BYTES		(1u << 20)
#define REPLY_BUF_MAX		(4u << 20)

struct server {
	struct cloop img;
	int sock, nbd;
	uint8_t **cache;		/* decompressed blocks, round robin */
	int64_t *cached;		/* their numbers, -1 for none */
	unsigned ncache, next;
	uint8_t *reply;			/* a whole READ reply, up to REPLY_BUF_MAX */
	unsigned warned;
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int io_full(int fd, void *buf, size_t len, bool wr)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = wr ? write(fd, (char *)buf + done, len - done)
			       : read(fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		done += (size_t)n;
	}
	return 0;
}

/* Block n, decompressed (from the cache when there), or NULL. */
static const uint8_t *block(struct server *s, uint32_t n)
{
	unsigned i, slot;

	for (i = 0; i < s->ncache; i++)
		if (s->cached[i] == n)
			return s->cache[i];
	slot = s->next++ % s->ncache;
	s->cached[slot] = -1;
	if (cloop_read_block(&s->img, n, s->cache[slot])) {
		if (s->warned++ < 5)
			log_warn("cloop: %s", s->img.err);
		return NULL;
	}
	s->cached[slot] = n;
	return s->cache[slot];
}

/* Copy [from, from + len) of the image into out (or send it on the socket); 0/-EIO/-EPIPE. */
static int copy_range(struct server *s, uint64_t from, uint32_t len, uint8_t *out)
{
	uint32_t bs = s->img.block_size;

	while (len) {
		uint32_t off = (uint32_t)(from % bs), n = bs - off < len ? bs - off : len;
		const uint8_t *b = block(s, (uint32_t)(from / bs));

		if (!b)
			return -EIO;
		if (out) {
			memcpy(out, b + off, n);
			out += n;
		} else if (io_full(s->sock, (void *)(b + off), n, true)) {
			return -EPIPE;
		}
		from += n;
		len -= n;
	}
	return 0;
}

static int reply(struct server *s, const uint8_t *handle, uint32_t error)
{
	uint8_t r[16];

	put32(r, NBD_REPLY_MAGIC);
	put32(r + 4, error);
	memcpy(r + 8, handle, 8);
	return io_full(s->sock, r, sizeof(r), true);
}

/* Answer requests until the kernel disconnects. */
static void serve(struct server *s)
{
	uint64_t size = cloop_size(&s->img);
	uint8_t rq[28], junk[4096];

	while (!io_full(s->sock, rq, sizeof(rq), false)) {
		uint32_t type = get32(rq + 4) & 0xffff, len = get32(rq + 24);
		uint64_t from = (uint64_t)get32(rq + 16) << 32 | get32(rq + 20);
		const uint8_t *h = rq + 8;

		if (get32(rq) != NBD_REQUEST_MAGIC)
			break;
		if (type == NBD_CMD_DISC)
			break;
		if (type == NBD_CMD_WRITE) {	/* read-only: take the data, refuse */
			while (len) {
				uint32_t n = len < sizeof(junk) ? len : sizeof(junk);

				if (io_full(s->sock, junk, n, false))
					return;
				len -= n;
			}
			if (reply(s, h, EPERM))
				return;
			continue;
		}
		if (type != NBD_CMD_READ || from > size || len > size - from) {
			if (reply(s, h, EINVAL))
				return;
			continue;
		}
		if (len <= REPLY_BUF_MAX) {	/* decoded whole first: an error can be said */
			int err = copy_range(s, from, len, s->reply);

			if (reply(s, h, err ? EIO : 0) || (!err && io_full(s->sock, s->reply, len, true)))
				return;
			continue;
		}
		/* larger than the buffer: streamed; a bad block ends the connection */
		if (reply(s, h, 0) || copy_range(s, from, len, NULL))
			return;
	}
}

static void *do_it(void *arg)
{
	struct server *s = arg;

	ioctl(s->nbd, NBD_DO_IT);
	ioctl(s->nbd, NBD_CLEAR_SOCK);
	shutdown(s->sock, SHUT_RDWR);	/* the kernel let go: the server ends too */
	return NULL;
}

/* Close every fd but the ones the helper needs (the initramfs is not kept open). */
static void close_others(const int *keep, size_t nkeep)
{
	int fd, max = (int)sysconf(_SC_OPEN_MAX);
	size_t i;

	for (fd = 3; fd < max && fd < 4096; fd++) {
		for (i = 0; i < nkeep && keep[i] != fd; i++)
			;
		if (i == nkeep)
			close(fd);
	}
}

/*
 * argv[0] "@cloop-nbdN LAYER" (what systemd's shutdown looks at), comm "cloop-nbdN".
 * Written over /init's own argument strings, setproctitle style: when the title is
 * longer than them it runs on into the environment's (contiguous on the stack; the
 * helper needs no environment), and the kernel then reads /proc/PID/cmdline up to the
 * first NUL. PR_SET_MM would need CAP_SYS_RESOURCE and a kernel that allows it.
 */
static void name_helper(const char *dev, const char *layer)
{
	const char *base = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
	char title[96], comm[16], buf[4096];
	ssize_t argl, envl;
	size_t room;
	int n;

	snprintf(comm, sizeof(comm), "cloop-%s", base);
	prctl(PR_SET_NAME, comm, 0, 0, 0);
	n = snprintf(title, sizeof(title), "@cloop-%s %s", base, layer);
	argl = file_read("/proc/self/cmdline", buf, sizeof(buf));
	envl = file_read("/proc/self/environ", buf, sizeof(buf));
	if (!program_invocation_name || argl <= 0)
		return;
	room = (size_t)argl + (envl > 0 ? (size_t)envl : 0);
	if (n <= 0 || (size_t)n + 1 > room) {
		program_invocation_name[0] = '@';
		return;
	}
	clearenv();
	memset(program_invocation_name, 0, room);
	memcpy(program_invocation_name, title, (size_t)n);
}

static int helper(struct server *s, const char *dev, const char *layer)
{
	int keep[3] = { s->img.fd, s->sock, s->nbd }, fd;
	pthread_t t;
	unsigned i;

	setsid();
	log_setup(false, true, false);	/* reopened below, after the other fds are gone */
	close_others(keep, 3);
	fd = open("/dev/null", O_RDWR);	/* devtmpfs: moves into the new root */
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);	/* not the initramfs' /dev/console */
		if (fd > 2)
			close(fd);
	}
	log_setup(true, true, false);
	if (chdir("/"))
		return 1;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_IGN);	/* the root filesystem goes when the machine does */
	signal(SIGHUP, SIG_IGN);
	fd = open("/proc/self/oom_score_adj", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "-1000\n", 6) < 0)
			log_debug("cloop: oom_score_adj: %s", strerror(errno));
		close(fd);
	}
	name_helper(dev, layer);
	s->ncache = CACHE_BYTES / s->img.block_size < 2 ? 2 : CACHE_BYTES / s->img.block_size;
	s->cache = calloc(s->ncache, sizeof(*s->cache));
	s->cached = calloc(s->ncache, sizeof(*s->cached));
	s->reply = malloc(REPLY_BUF_MAX);
	if (!s->cache || !s->cached || !s->reply)
		return 1;
	for (i = 0; i < s->ncache; i++) {
		s->cached[i] = -1;
		if (!(s->cache[i] = malloc(s->img.block_size)))
			return 1;
	}
	if (pthread_create(&t, NULL, do_it, s))
		return 1;
	serve(s);
	ioctl(s->nbd, NBD_CLEAR_SOCK);
	return 0;
}

static bool nbd_busy(int i)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/block/nbd%d/pid", i);
	return access(path, F_OK) == 0;
}

/* After a failed mount: the kernel sends NBD_CMD_DISC, the helper exits. */
static void nbd_stop(const char *dev)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		ioctl(fd, NBD_DISCONNECT);
		close(fd);
	}
}

/* Start the helper for the checked image s->img on a free /dev/nbdN (dev). */
static int nbd_start(struct live_ctx *ctx, struct server *s, const char *layer, char *dev,
		     size_t devlen, char *why, size_t wlen)
{
	int sk[2], i, err = -ENODEV, status;
	pid_t pid;

	if (kmod_load_name(ctx, "nbd") && access("/sys/block/nbd0", F_OK)) {
		snprintf(why, wlen, "the nbd module is not in the image");
		return -ENOENT;
	}
	for (i = 0; i < 50 && access("/sys/block/nbd0", F_OK); i++)
		usleep(10000);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sk) < 0) {
		snprintf(why, wlen, "socketpair: %s", strerror(errno));
		return -errno;
	}
	for (i = 0, s->nbd = -1; i < NBD_MAX_DEV && s->nbd < 0; i++) {
		snprintf(dev, devlen, "/dev/nbd%d", i);
		if (nbd_busy(i) || (s->nbd = open(dev, O_RDWR | O_CLOEXEC)) < 0)
			continue;
		if (ioctl(s->nbd, NBD_SET_BLKSIZE, (unsigned long)SECTOR) < 0 ||
		    ioctl(s->nbd, NBD_SET_SIZE_BLOCKS, (unsigned long)(cloop_size(&s->img) / SECTOR)) < 0 ||
		    ioctl(s->nbd, NBD_SET_FLAGS, (unsigned long)(NBD_FLAG_HAS_FLAGS | NBD_FLAG_READ_ONLY)) < 0 ||
		    ioctl(s->nbd, NBD_SET_SOCK, (unsigned long)sk[0]) < 0) {
			err = -errno;
			close(s->nbd);
			s->nbd = -1;
		}
	}
	close(sk[0]);
	if (s->nbd < 0) {
		close(sk[1]);
		snprintf(why, wlen, "no free nbd device: %s", strerror(-err));
		return err;
	}
	s->sock = sk[1];
	pid = fork();
	if (pid == 0)
		_exit(helper(s, dev, layer));
	close(s->sock);
	close(s->nbd);
	if (pid < 0) {
		snprintf(why, wlen, "fork: %s", strerror(errno));
		return -EAGAIN;
	}
	/* the device is up when the kernel shows the pid of NBD_DO_IT */
	for (i = 0; i < 500 && !nbd_busy((int)strtol(dev + 8, NULL, 10)); i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			snprintf(why, wlen, "the nbd helper exited at once (status %d)", status);
			return -EIO;
		}
		usleep(10000);
	}
	if (i == 500) {
		/* a retry starts another: this one goes (it ignores SIGTERM) */
		kill(pid, SIGKILL);
		nbd_stop(dev);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		snprintf(why, wlen, "%s did not start within 5 s: its helper was stopped", dev);
		return -ETIMEDOUT;
	}
	log_info("cloop: %s served by pid %d", dev, (int)pid);
	return 0;
}

void cloop_layer_stop(const char *dev)
{
	nbd_stop(dev);
}

bool cloop_layer_is(const char *path)
{
	struct stat st;
	bool yes;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	yes = !fstat(fd, &st) && S_ISREG(st.st_mode) && cloop_detect(fd, (uint64_t)st.st_size);
	close(fd);
	return yes;
}

int cloop_layer_mount(struct live_ctx *ctx, struct live_layer *l)
{
	struct server s;
	struct probe_result fs;
	char why[256];
	const char *type;
	int fd, err;

	memset(&s, 0, sizeof(s));
	fd = open(l->image, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return live_fail(ctx, -errno, NULL, "layer %s: cannot open %s: %s", l->name,
				 l->image, strerror(errno));
	err = cloop_open(&s.img, fd);
	if (err) {
		close(fd);
		return live_fail(ctx, err, err == -ENOTSUP ?
				 "recompress it with zlib (create_compressed_fs), or make it a squashfs" :
				 "the image is damaged: copy it to the medium again",
				 "layer %s: %s is a cloop image livestack cannot use: %s", l->name,
				 l->image, s.img.err);
	}
	log_info("layer %s: cloop V%d.0, %u blocks of %u bytes (%llu MiB), header %s", l->name,
		 s.img.version, s.img.nblocks, s.img.block_size,
		 (unsigned long long)(cloop_size(&s.img) >> 20), s.img.header_first ? "first" : "last");
	err = nbd_start(ctx, &s, l->name, l->loopdev, sizeof(l->loopdev), why, sizeof(why));
	cloop_close(&s.img);
	close(fd);
	if (err)
		return live_fail(ctx, err, "is nbd.ko in the image (modules/base.list)?",
				 "layer %s: cannot serve the cloop image %s: %s", l->name, l->image,
				 why);
	err = probe_path(l->loopdev, &fs);
	type = err ? "" : probe_mount_type(fs.type);
	if (!*type) {
		nbd_stop(l->loopdev);
		return live_fail(ctx, -EINVAL, "the image is damaged: copy it to the medium again",
				 "layer %s: no filesystem inside the cloop image %s (%s)", l->name,
				 l->image, err ? strerror(-err) : fs.type);
	}
	kmod_fs_available(ctx, type);
	file_mkdirs(l->mnt, 0755);
	if (mount(l->loopdev, l->mnt, type, MS_RDONLY | MS_NODEV, NULL) < 0) {
		err = -errno;
		nbd_stop(l->loopdev);
		return live_fail(ctx, err, "the image is damaged: copy it to the medium again",
				 "layer %s: %s (cloop %s) does not mount as %s: %s", l->name,
				 l->loopdev, l->image, type, strerror(-err));
	}
	log_info("layer %s: %s (cloop) on %s, %s", l->name, l->loopdev, l->mnt, type);
	return 0;
}
