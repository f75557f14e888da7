// SPDX-License-Identifier: GPL-2.0
/* live.nfs=SERVER:/PATH: the export mounted read-only as the medium, with the kernel's NFS client. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "fileio.h"
#include "live.h"
#include "log.h"

static int server_addr(const char *host, char *addr, size_t len)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;
	int rc = getaddrinfo(host, NULL, &hints, &res);

	if (rc)
		return -EHOSTUNREACH;
	inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, addr, (socklen_t)len);
	freeaddrinfo(res);
	return 0;
}

/* What a failed mount(2) of an export means to the user, and what to try. */
static const char *mount_meaning(int err, const char **hint)
{
	switch (err) {
	case -ENOENT:
	case -ENOTDIR:
		*hint = "check the PATH in live.nfs=SERVER:/PATH against the server's exports "
			"(NFSv4: the pseudo path; 'showmount -e SERVER' for NFSv3)";
		return "the server has no such export";
	case -EACCES:
	case -EPERM:
		*hint = "allow this machine's address in the server's exports (ro is enough)";
		return "the server refuses this client";
	case -EPROTONOSUPPORT:
		*hint = "choose a version the server speaks: live.nfs=SERVER:/PATH,vers=3 or vers=4";
		return "the server does not speak this NFS version";
	case -ENODEV:
		*hint = "nfs is not in the image: build the initramfs with --profile pxe";
		return "this kernel has no NFS client";
	default:
		*hint = "is the NFS server running (nfsd, and mountd for NFSv3) and reachable from "
			"this network (see /run/live/net)? 'exit' tries again";
		return "server unreachable or export refused";
	}
}

/* Up to a few names in a directory of the mounted export, for a message. */
static void export_names(const char *path, char *out, size_t len)
{
	struct dirent *d;
	size_t n = 0;
	DIR *dir = opendir(path);

	snprintf(out, len, "nothing");
	while (dir && (d = readdir(dir)) && n < 8) {
		size_t used = n ? strlen(out) : 0;

		if (d->d_name[0] == '.')
			continue;
		snprintf(out + used, len - used, "%s%s", n ? " " : "", d->d_name);
		n++;
	}
	if (dir)
		closedir(dir);
}

int nfs_mount_medium(struct live_ctx *ctx)
{
	char server[128], path[LIVE_PATH_MAX], extra[LIVE_PATH_MAX], addr[64], me[64];
	char src[LIVE_PATH_MAX + 160], data[LIVE_PATH_MAX + 256], dir[LIVE_PATH_MAX + 32];
	struct live_layer probe[LIVE_MAX_LAYERS];
	const char *spec = ctx->cfg->nfs, *colon = strchr(spec, ':');
	static const char *const vers[] = { "3", "4" };
	size_t i, n = 0;
	int err = 0;

	/* SERVER:/PATH[,OPTIONS]; a bare /PATH uses the DHCP next-server (the kernel's nfsroot=) */
	snprintf(extra, sizeof(extra), "%s", strchr(spec, ',') ? strchr(spec, ',') + 1 : "");
	if (colon && colon[1] == '/') {
		snprintf(server, sizeof(server), "%.*s", (int)(colon - spec), spec);
		snprintf(path, sizeof(path), "%.*s", (int)strcspn(colon + 1, ","), colon + 1);
	} else {
		net_lease_value("server", server, sizeof(server));
		snprintf(path, sizeof(path), "%.*s", (int)strcspn(spec, ","), spec);
	}
	if (!*server || path[0] != '/')
		return live_fail(ctx, -EINVAL, "give live.nfs=SERVER:/PATH (or nfsroot=SERVER:/PATH)",
				 "nfs: bad export \"%s\": no server (and no DHCP next-server) or no /PATH",
				 spec);
	if (server_addr(server, addr, sizeof(addr)))
		return live_fail(ctx, -EHOSTUNREACH, "use the server's IP address, or check DNS in /run/live/net",
				 "nfs: server unreachable: cannot resolve %s", server);
	net_lease_value("address", me, sizeof(me));
	kmod_load_name(ctx, "nfs");
	umount2(LIVE_MEDIUM_MNT, MNT_DETACH);
	file_mkdirs(LIVE_MEDIUM_MNT, 0755);
	snprintf(src, sizeof(src), "%s:%s", addr, path);
	/* vers= in the options: that version only */
	if (strstr(extra, "vers="))
		i = strstr(extra, "vers=3") ? 0 : 1;
	else
		i = 0;
	for (; i < sizeof(vers) / sizeof(vers[0]); i++) {
		kmod_load_name(ctx, i == 0 ? "nfsv3" : "nfsv4");
		/* the kernel speaks MOUNT and NFS itself given addr=; no lock daemon at boot */
		if (strstr(extra, "vers="))
			snprintf(data, sizeof(data), "addr=%s,nolock,proto=tcp%s%s,%s", addr,
				 *me ? ",clientaddr=" : "", me, extra);
		else
			snprintf(data, sizeof(data), "vers=%s,addr=%s,nolock,proto=tcp%s%s%s%s%s",
				 vers[i], addr, i == 0 ? ",mountproto=tcp" : "",
				 i == 1 && *me ? ",clientaddr=" : "", i == 1 ? me : "",
				 *extra ? "," : "", extra);
		if (mount(src, LIVE_MEDIUM_MNT, "nfs", MS_RDONLY | MS_NOSUID | MS_NODEV, data) == 0) {
			err = 0;
			break;
		}
		err = -errno;
		log_warn("nfs: mount %s (%s): %s", src, data, strerror(errno));
		if (strstr(extra, "vers="))
			break;
	}
	if (err) {
		const char *hint, *what = mount_meaning(err, &hint);

		return live_fail(ctx, err, hint, "nfs: %s:%s: %s (%s; this machine: %s on %s)", server,
				 path, what, strerror(-err), *me ? me : "no address", ctx->netdev);
	}
	snprintf(dir, sizeof(dir), "%s%s", LIVE_MEDIUM_MNT, ctx->dir);
	err = layers_opts(dir, ctx->cfg, ctx->image, probe, LIVE_MAX_LAYERS, &n);
	if (err || !n) {
		char names[160];
		struct stat st;
		bool isdir = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);

		export_names(isdir ? dir : LIVE_MEDIUM_MNT, names, sizeof(names));
		umount2(LIVE_MEDIUM_MNT, MNT_DETACH);
		return live_fail(ctx, err ? err : -ENOENT,
				 "check live.dir= (the layers' directory in the export) and live.nfs='s PATH",
				 "nfs: no %s/%s on %s:%s (%s%s%s: %s)", ctx->dir,
				 layers_pattern(ctx->image), server, path, isdir ? "" : "no ",
				 ctx->dir, isdir ? " holds" : " there; the export has", names);
	}
	snprintf(ctx->medium_src, sizeof(ctx->medium_src), "nfs://%s%s", server, path);
	log_info("medium: %s:%s over NFS with %zu layer%s in %s", server, path, n, n == 1 ? "" : "s",
		 ctx->dir);
	return 0;
}
