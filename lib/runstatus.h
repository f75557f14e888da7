/* SPDX-License-Identifier: GPL-2.0 */
/* The boot report /run/live/status as data: parse, query, edit, format as text or JSON. */
#ifndef LIVE_RUNSTATUS_H
#define LIVE_RUNSTATUS_H

#include <stddef.h>
#include <stdio.h>

/* One "key=value" line; the order of the file is kept. */
struct live_status_kv {
	char *key;
	char *val;
};

struct live_status {
	struct live_status_kv *kv;
	size_t n, cap;
};

/* A layer as the status lists it: "layer.NAME=MOUNT LOOPDEV IMAGE". */
struct live_status_layer {
	char name[64];
	char mnt[256];
	char dev[64];
	char image[256];
};

/* src as a status value into dst (len bytes, cut if longer): control characters (a
 * newline would start a line of its own, "rw=...") become \xNN. Returns dst. */
char *runstatus_escape(char *dst, size_t len, const char *src);

/* Parse key=value lines (blank lines and lines without '=' are skipped). 0 or -errno;
 * a key given twice is -EBADMSG (an injected line, see init/status.c). */
int runstatus_parse(struct live_status *st, const char *text);
void runstatus_free(struct live_status *st);
/* The value of key, or NULL when absent. */
const char *runstatus_get(const struct live_status *st, const char *key);
/* Replace key's value, or add the line after the last key sharing its prefix up to
 * the first '.' (so "layer.x" lands beside the other "layer." lines). 0 or -errno. */
int runstatus_set(struct live_status *st, const char *key, const char *val);
/* Drop key; 0, or -ENOENT when absent. */
int runstatus_del(struct live_status *st, const char *key);
/* The file's text (malloc'd, NUL-terminated), one "key=value\n" per entry, escaped as
 * runstatus_escape() does. 0 or -errno. */
int runstatus_format(const struct live_status *st, char **text, size_t *len);

/* The layer names of "layers=" (bottom first) as a space-separated word list. */
size_t runstatus_layer_count(const struct live_status *st);
/* The i-th layer (0 = bottom) with its "layer.NAME=" details; 0 or -ENOENT. */
int runstatus_layer(const struct live_status *st, size_t i, struct live_status_layer *out);
/* Add NAME at the top (end of "layers=") or the bottom, and its "layer.NAME=" line. */
int runstatus_layer_add(struct live_status *st, const struct live_status_layer *l, int top);
/* Remove NAME from "layers=" and drop "layer.NAME="; 0 or -ENOENT. */
int runstatus_layer_del(struct live_status *st, const char *name);

/* Write the status as one JSON object (valid UTF-8; invalid bytes become U+FFFD). */
int runstatus_json(const struct live_status *st, FILE *f);
/* Write s as a JSON string literal, quotes included. */
void runstatus_json_str(FILE *f, const char *s);

#endif
