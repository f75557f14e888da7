// SPDX-License-Identifier: GPL-2.0
/*
 * The text menu on a failed medium search (docs/livestack.7 DIAGNOSTICS): retry the scan,
 * boot from a device seen, boot from the network, or a shell. Read on /dev/console (a
 * serial console works); new devices keep being judged while it waits, so a medium that
 * appears is taken without any input.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "live.h"
#include "log.h"

struct menu {
	struct live_ctx *ctx;
	int (*net_boot)(struct live_ctx *ctx);	/* source.c: the network source asked for */
	int con;			/* /dev/console */
	uint64_t last_input_ms;		/* for the live.timeout rescans */
	bool said_waiting;
};

static void say(struct menu *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct menu *m, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (write(m->con, buf, (size_t)n) < 0)
		return;
}

/*
 * Wait for one line of input; meanwhile handle uevents and, every live.timeout seconds
 * without input, look at the drives again. 1 = a line in buf, 0 = a medium was found,
 * -1 = the console cannot be read.
 */
static int read_line(struct menu *m, const char *prompt, char *buf, size_t len)
{
	struct live_ctx *ctx = m->ctx;
	uint64_t period = (uint64_t)(ctx->cfg->timeout > 0 ? ctx->cfg->timeout : 1) * 1000;
	struct pollfd p[2] = {
		{ .fd = m->con, .events = POLLIN },
		{ .fd = ctx->uevent_fd, .events = POLLIN },
	};
	ssize_t n;

	say(m, "%s", prompt);
	for (;;) {
		uint64_t now = live_now_ms();
		int wait = (int)(m->last_input_ms + period > now ? m->last_input_ms + period - now : 0);

		if (poll(p, ctx->uevent_fd >= 0 ? 2 : 1, wait > 1000 ? 1000 : wait) < 0 && errno != EINTR)
			return -1;
		if (p[1].revents & POLLIN)
			devices_events(ctx);
		if (ctx->medium < 0 && live_now_ms() >= m->last_input_ms + period) {
			if (!m->said_waiting)
				say(m, "\nlivestack: no choice made: still waiting for a live medium; "
				       "one that appears is taken at once\n%s", prompt);
			m->said_waiting = true;
			m->last_input_ms = live_now_ms();
			devices_rescan(ctx, false);
		}
		if (ctx->medium >= 0) {
			say(m, "\nlivestack: a live medium appeared: /dev/%s; booting\n",
			    ctx->devs[ctx->medium].name);
			return 0;
		}
		if (p[0].revents & (POLLERR | POLLNVAL))
			return -1;
		if (!(p[0].revents & (POLLIN | POLLHUP)))
			continue;
		n = read(m->con, buf, len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {	/* no keyboard behind the console: keep waiting for devices */
			p[0].fd = -1;
			continue;
		}
		buf[n] = '\0';
		buf[strcspn(buf, "\r\n")] = '\0';
		m->last_input_ms = live_now_ms();
		return 1;
	}
}

/* The devices in the order they would be chosen (CDs, removable, by name). */
static size_t sorted_devs(const struct live_ctx *ctx, size_t *idx)
{
	size_t n = ctx->ndevs, i, j;

	for (i = 0; i < n; i++)
		idx[i] = i;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && devlist_order(&ctx->devs[idx[j]], &ctx->devs[idx[j - 1]]); j--) {
			size_t t = idx[j];

			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	return n;
}

/* 2: a numbered list; the pick is judged as if live.media=/dev/NAME had been given. */
static int menu_device(struct menu *m)
{
	struct live_ctx *ctx = m->ctx;
	char line[64], media[LIVE_PATH_MAX], devname[sizeof(ctx->devs[0].name)];
	size_t idx[LIVE_MAX_DEVS], n, i, pick = 0;
	struct live_dev *dev;
	const char *name;
	int r;

	n = sorted_devs(ctx, idx);
	if (!n) {
		say(m, "livestack: no block devices seen yet (attach one, then 1 to scan again)\n");
		return 1;
	}
	say(m, "\nDevices seen:\n");
	for (i = 0; i < n; i++) {
		const struct live_dev *d = &ctx->devs[idx[i]];

		say(m, " %2zu) %-8s %8llu MiB  %-9s %-16s %s\n", i + 1, d->name,
		    (unsigned long long)(d->size >> 20), *d->fs.type ? d->fs.type : "-",
		    *d->fs.label ? d->fs.label : "-",
		    d->verdict == DEV_UNSEEN ? "not examined" : d->reason);
	}
	say(m, "Type a number or a name and Enter (Enter alone: back to the menu).\n");
	r = read_line(m, "(livestack:menu:device) # ", line, sizeof(line));
	if (r <= 0)
		return r;
	name = line + strspn(line, " \t");
	if (!strncmp(name, "/dev/", 5))
		name += 5;
	if (!*name)
		return 1;
	for (i = 0; i < n; i++)
		if (!strcmp(ctx->devs[idx[i]].name, name))
			pick = i + 1;
	if (!pick) {
		char *end;
		unsigned long v = strtoul(name, &end, 10);

		if (*end || v < 1 || v > n) {
			say(m, "livestack: \"%s\" is not a device of the list\n", line);
			return 1;
		}
		pick = v;
	}
	dev = &ctx->devs[idx[pick - 1]];
	snprintf(devname, sizeof(devname), "%s", dev->name);
	snprintf(media, sizeof(media), "%s", ctx->cfg->media);
	snprintf(ctx->amend->media, sizeof(ctx->amend->media), "/dev/%s", devname);
	dev->verdict = DEV_UNSEEN;
	dev->probed = false;
	if (ctx->judge(ctx, dev) == 0) {
		log_info("medium: /dev/%s chosen in the menu", dev->name);
		return 0;
	}
	snprintf(ctx->amend->media, sizeof(ctx->amend->media), "%s", media);
	say(m, "livestack: /dev/%s is not a live medium: %s\n", dev->name, dev->reason);
	return 1;
}

/* A network interface besides lo (its driver was loaded at coldplug). */
static bool have_nic(char *names, size_t len)
{
	struct dirent *d;
	DIR *dir = opendir("/sys/class/net");
	size_t used = 0;

	names[0] = '\0';
	while (dir && (d = readdir(dir)))
		if (d->d_name[0] != '.' && strcmp(d->d_name, "lo") && used < len)
			used += (size_t)snprintf(names + used, len - used, "%s%s", used ? " " : "",
						 d->d_name);
	if (dir)
		closedir(dir);
	return names[0] != '\0';
}

/* Why a network boot cannot be offered, or "" when it can. */
static void net_obstacle(char *why, size_t len)
{
	char nics[128];

	why[0] = '\0';
	if (!net_supported())
		snprintf(why, len, "this image has no network support (build the initramfs with "
			 "--profile pxe)");
	else if (!have_nic(nics, sizeof(nics)))
		snprintf(why, len, "no network interface (is its driver in the image?)");
}

/* 3: DHCP, then live.fetch= / live.nfs= (or the lease's root-path); asks for one if none. */
static int menu_net(struct menu *m)
{
	struct live_ctx *ctx = m->ctx;
	struct live_fail saved = ctx->fail;
	char why[160], rp[LIVE_PATH_MAX], line[LIVE_PATH_MAX];
	int err, r;

	net_obstacle(why, sizeof(why));
	if (*why) {
		say(m, "livestack: no network boot: %s\n", why);
		return 1;
	}
	if (!*ctx->cfg->net) {
		snprintf(ctx->amend->net, sizeof(ctx->amend->net), "dhcp");
		live_state_from_cfg(ctx);
	}
	say(m, "livestack: network boot: live.net=%s\n", ctx->net);
	err = net_setup(ctx);
	if (!err && !*ctx->cfg->fetch && !*ctx->cfg->nfs) {
		net_lease_value("root-path", rp, sizeof(rp));
		if (!strncmp(rp, "http://", 7))
			snprintf(ctx->amend->fetch, sizeof(ctx->amend->fetch), "%s", rp);
		else if (strstr(rp, ":/"))
			snprintf(ctx->amend->nfs, sizeof(ctx->amend->nfs), "%s", rp);
	}
	if (!err && !*ctx->cfg->fetch && !*ctx->cfg->nfs) {
		say(m, "livestack: the network is up on %s, but nothing says where the layers are: "
		       "live.fetch=URL (a /PATH alone uses the DHCP next-server) or "
		       "live.nfs=SERVER:/PATH is needed.\n"
		       "Type one here (Enter alone: back to the menu).\n", ctx->netdev);
		r = read_line(m, "(livestack:menu:net) # ", line, sizeof(line));
		if (r <= 0)
			return r;
		if (!*line)
			return 1;
		cmdline_parse(ctx->amend, line);
		live_state_from_cfg(ctx);
		if (!*ctx->cfg->fetch && !*ctx->cfg->nfs) {
			say(m, "livestack: \"%s\" gives neither live.fetch= nor live.nfs=\n", line);
			return 1;
		}
	}
	if (!err)
		err = m->net_boot(ctx);
	if (!err)
		return 0;
	say(m, "livestack: network boot failed: %s\n", ctx->fail.what);
	if (*ctx->fail.hint)
		say(m, "livestack: try: %s\n", ctx->fail.hint);
	ctx->amend->fetch[0] = ctx->amend->nfs[0] = '\0';
	ctx->fail = saved;
	return 1;
}

int menu_run(struct live_ctx *ctx, int (*net_boot)(struct live_ctx *ctx))
{
	struct menu m = { .ctx = ctx, .net_boot = net_boot };
	char line[64], devs[2048], why[160];
	int r;

	m.con = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m.con < 0)
		return MENU_SHELL;
	tcflush(m.con, TCIFLUSH);	/* keys typed while waiting are not a choice */
	say(&m, "\nlivestack: boot stopped in phase 'premount'\nlivestack: %s\n", ctx->fail.what);
	if (!strstr(ctx->fail.what, "devices seen:")) {
		devlist_describe(ctx, devs, sizeof(devs));
		say(&m, "livestack: block devices seen:%s\n", *devs ? devs : " none");
	}
	if (*ctx->fail.hint)
		say(&m, "livestack: try: %s\n", ctx->fail.hint);
	m.last_input_ms = live_now_ms();
	for (;;) {
		net_obstacle(why, sizeof(why));
		say(&m, "\nNo live medium. Choose (a medium that appears is taken at once):\n"
			"  1) retry the scan\n"
			"  2) boot from one of the devices seen\n"
			"  3) boot from the network%s%s%s\n"
			"  4) shell\n", *why ? " (not available: " : "", why, *why ? ")" : "");
		r = read_line(&m, "(livestack:menu) # ", line, sizeof(line));
		if (r == 0)
			break;
		if (r < 0) {
			r = MENU_SHELL;
			break;
		}
		if (!strcmp(line, "1")) {
			r = MENU_RETRY;
			break;
		} else if (!strcmp(line, "2")) {
			r = menu_device(&m);
		} else if (!strcmp(line, "3")) {
			r = menu_net(&m);
		} else if (!strcmp(line, "4")) {
			r = MENU_SHELL;
			break;
		} else if (*line) {
			say(&m, "livestack: \"%s\" is not a choice: type 1, 2, 3 or 4 and Enter\n", line);
			continue;
		} else {
			continue;
		}
		if (r == 0)
			break;
		if (r < 0) {
			r = MENU_SHELL;
			break;
		}
	}
	close(m.con);
	return r == 0 ? MENU_BOOT : r;
}
