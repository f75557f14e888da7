/* SPDX-License-Identifier: GPL-2.0 */
/* The shared operation table of cases_nospace.c and cases_inject.c (nsops.c). */
#ifndef NSOPS_H
#define NSOPS_H

#include "fsop.h"

/* a growing text buffer */
struct sbuf {
	char *s;
	size_t len, cap;
};

void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* one operation on the union's d/ and the state after success: d's listing, one file and its
 * content (NULL: absent/any) */
struct nsop {
	const char *name;
	int (*prep)(void);
	int (*fn)(void);
	int alt;		/* another acceptable errno (the manual's EXDEV) */
	const char *list;
	const char *file;
	const char *content;
};

extern const struct nsop nsops[];	/* ends with { NULL } */

char *snapshot(void);	/* the union's d/ with contents and the whole rw branch, malloc'd */
/* after without the branch directories it gained (a copied-up ancestor, noted unless quiet);
 * malloc'd */
char *drop_new_dirs(const char *before, const char *after, int quiet);
void check_success(const struct nsop *op);	/* FAILs unless d/ is as op says after success */
int nsop_succeeded(const struct nsop *op);	/* d/ is as op says after success */
int nsop_creates_then_opens(const struct nsop *op);	/* open(O_CREAT): see nsops.c */

#endif
