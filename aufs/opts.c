// SPDX-License-Identifier: GPL-2.0
/* Mount option parsing (branch syntax, policies, flags) and in-order application. */
#include "aufs.h"
#include <linux/seq_file.h>
#include <linux/statfs.h>
#include <linux/magic.h>

static struct au_opt *au_opt_new(struct au_opts *opts, enum au_opt_type type)
{
	struct au_opt *o;

	if (opts->n == opts->max) {
		int max = opts->max ? opts->max * 2 : 16;

		o = krealloc_array(opts->opt, max, sizeof(*o), GFP_KERNEL);
		if (!o)
			return NULL;
		opts->opt = o;
		opts->max = max;
	}
	o = opts->opt + opts->n++;
	memset(o, 0, sizeof(*o));
	o->type = type;
	o->perm = -1;
	o->idx = -1;
	return o;
}

void au_opts_free(struct au_opts *opts)
{
	int i;

	for (i = 0; i < opts->n; i++)
		kfree(opts->opt[i].path);
	kfree(opts->opt);
	opts->opt = NULL;
	opts->n = 0;
	opts->max = 0;
}

/* "rw", "ro+wh", "rr", ...; an unknown permission becomes ro, as aufs(5) says. */
static int au_parse_perm(const char *s)
{
	const char *plus = strchr(s, '+');
	size_t len = plus ? plus - s : strlen(s);
	int perm;

	if (len == 2 && !strncmp(s, "rw", 2))
		perm = AU_BR_RW;
	else if (len == 2 && !strncmp(s, "rr", 2))
		perm = AU_BR_RR;
	else if (len == 2 && !strncmp(s, "ro", 2))
		perm = AU_BR_RO;
	else
		return AU_BR_RO;
	while (plus) {
		const char *attr = plus + 1;

		plus = strchr(attr, '+');
		len = plus ? plus - attr : strlen(attr);
		if (len == 2 && !strncmp(attr, "wh", 2) && !au_br_writable(perm))
			perm |= AU_BR_WH;
		else if (len == 5 && !strncmp(attr, "nolwh", 5) && au_br_writable(perm))
			perm |= AU_BR_NOLWH;
		else if (len == 2 && !strncmp(attr, "wh", 2))
			;	/* meaningless on rw: whiteouts are always looked up */
		else
			return AU_BR_RO;
	}
	return perm;
}

/* One BRANCH of the syntax dir_path[=permission[+attribute]]. */
static int au_parse_branch(struct au_opts *opts, enum au_opt_type type,
			   int idx, const char *spec, size_t len)
{
	struct au_opt *o;
	char *eq, *s;

	s = kmemdup_nul(spec, len, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	eq = strchr(s, '=');
	if (eq)
		*eq++ = '\0';
	if (!*s || *s != '/') {
		pr_err("branch \"%s\": the path must be absolute (commas, colons and '=' are not allowed in branch paths)\n",
		       s);
		kfree(s);
		return -EINVAL;
	}
	o = au_opt_new(opts, type);
	if (!o) {
		kfree(s);
		return -ENOMEM;
	}
	o->path = s;
	o->idx = idx;
	if (eq)
		o->perm = au_parse_perm(eq);
	if (type == AU_OP_MOD && !eq) {
		pr_err("mod:%s: missing =PERM\n", s);
		return -EINVAL;
	}
	return 0;
}

static int au_parse_brlist(struct au_opts *opts, const char *list)
{
	const char *p = list;
	int err;

	if (!au_opt_new(opts, AU_OP_BRS))
		return -ENOMEM;
	while (*p) {
		const char *end = strchrnul(p, ':');

		if (end != p) {
			err = au_parse_branch(opts, AU_OP_ADD, -1, p, end - p);
			if (err)
				return err;
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

static int au_parse_create(struct au_opt *o, const char *v)
{
	const char *arg = strchr(v, ':');
	size_t len = arg ? arg - v : strlen(v);
	unsigned long sec = AUFS_MFS_DEF_SEC;
	u64 low = 0;

#define AU_IS(s)	(len == strlen(s) && !strncmp(v, s, len))
	if (AU_IS("tdp") || AU_IS("top-down-parent"))
		o->val = AU_WBR_CREATE_TDP;
	else if (AU_IS("rr") || AU_IS("round-robin"))
		o->val = AU_WBR_CREATE_RR;
	else if (AU_IS("mfs") || AU_IS("most-free-space"))
		o->val = AU_WBR_CREATE_MFS;
	else if (AU_IS("mfsrr"))
		o->val = AU_WBR_CREATE_MFSRR;
	else if (AU_IS("pmfs"))
		o->val = AU_WBR_CREATE_PMFS;
	else
		return -EINVAL;
#undef AU_IS
	if (o->val == AU_WBR_CREATE_MFSRR) {
		const char *sarg;
		char buf[24];

		/* mfsrr:low[:second] */
		if (!arg)
			return -EINVAL;
		sarg = strchr(arg + 1, ':');
		len = sarg ? sarg - arg - 1 : strlen(arg + 1);
		if (!len || len >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, arg + 1, len);
		buf[len] = '\0';
		if (kstrtou64(buf, 0, &low))
			return -EINVAL;
		arg = sarg;
	}
	if (arg && (o->val == AU_WBR_CREATE_TDP || o->val == AU_WBR_CREATE_RR))
		return -EINVAL;
	if (arg && kstrtoul(arg + 1, 0, &sec))
		return -EINVAL;
	o->val2 = sec;
	o->low = low;
	return 0;
}

static int au_parse_cpup(const char *v)
{
	if (!strcmp(v, "tdp") || !strcmp(v, "top-down-parent"))
		return AU_WBR_COPYUP_TDP;
	if (!strcmp(v, "bup") || !strcmp(v, "bottom-up-parent"))
		return AU_WBR_COPYUP_BUP;
	if (!strcmp(v, "bu") || !strcmp(v, "bottom-up"))
		return AU_WBR_COPYUP_BU;
	return -EINVAL;
}

static int au_flag(struct au_opts *opts, enum au_opt_type type, int flag)
{
	struct au_opt *o = au_opt_new(opts, type);

	if (!o)
		return -ENOMEM;
	o->val = flag;
	return 0;
}

static const char * const au_ignored[] = { "debug", "delete", "imap", NULL };

/* Parse one option (no commas inside). */
static int au_parse_one(struct au_opts *opts, char *tok, bool remount)
{
	char *v = strchr(tok, '=');
	char *colon = strchr(tok, ':');
	struct au_opt *o;
	int i, err;

	/* The prefix forms "br:", "add:N:", "del:" take precedence over '='. */
	if (colon && (!v || colon < v)) {
		*colon = '\0';
		v = colon + 1;
		if (!strcmp(tok, "br"))
			return au_parse_brlist(opts, v);
		if (!strcmp(tok, "add") || !strcmp(tok, "ins")) {
			char *c = strchr(v, ':');

			if (c)
				*c = '\0';
			if (!c || kstrtoint(v, 10, &i) || i < 0) {
				pr_err("%s: expected %s:INDEX:BRANCH\n", tok, tok);
				return -EINVAL;
			}
			return au_parse_branch(opts, AU_OP_ADD, i, c + 1, strlen(c + 1));
		}
		if (!strcmp(tok, "append"))
			return au_parse_branch(opts, AU_OP_ADD, -1, v, strlen(v));
		if (!strcmp(tok, "prepend"))
			return au_parse_branch(opts, AU_OP_ADD, 0, v, strlen(v));
		if (!strcmp(tok, "del"))
			return au_parse_branch(opts, AU_OP_DEL, -1, v, strlen(v));
		if (!strcmp(tok, "mod"))
			return au_parse_branch(opts, AU_OP_MOD, -1, v, strlen(v));
		*colon = ':';
		v = strchr(tok, '=');
	}
	if (v)
		*v++ = '\0';

	if (!strcmp(tok, "br") || !strcmp(tok, "dirs")) {
		if (!v)
			goto out_noval;
		return au_parse_brlist(opts, v);
	}
	if (v && (!strcmp(tok, "add") || !strcmp(tok, "ins") ||
		  !strcmp(tok, "append") || !strcmp(tok, "prepend") ||
		  !strcmp(tok, "del") || !strcmp(tok, "mod"))) {
		pr_err("%s: use %s:...\n", tok, tok);
		return -EINVAL;
	}
	if (!strcmp(tok, "xino")) {
		if (!v || *v != '/') {
			pr_err("xino=%s: an absolute path is required\n", v ? v : "");
			return -EINVAL;
		}
		o = au_opt_new(opts, AU_OP_XINO_PATH);
		if (!o)
			return -ENOMEM;
		o->path = kstrdup(v, GFP_KERNEL);
		return o->path ? 0 : -ENOMEM;
	}
	if (!strcmp(tok, "noxino"))
		return au_flag(opts, AU_OP_FLAG_CLR, AU_OPT_XINO);
	if (!strcmp(tok, "trunc_xib"))
		return au_flag(opts, AU_OP_TRUNC_XIB, 0);
	if (!strcmp(tok, "notrunc_xib"))
		return au_flag(opts, AU_OP_FLAG_CLR, AU_OPT_TRUNC_XIB);
	if (!strcmp(tok, "plink"))
		return au_flag(opts, AU_OP_FLAG_SET, AU_OPT_PLINK);
	if (!strcmp(tok, "noplink"))
		return au_flag(opts, AU_OP_FLAG_CLR, AU_OPT_PLINK);
	if (!strcmp(tok, "clean_plink"))
		return au_flag(opts, AU_OP_CLEAN_PLINK, 0);
	if (!strcmp(tok, "verbose") || !strcmp(tok, "v"))
		return au_flag(opts, AU_OP_FLAG_SET, AU_OPT_VERBOSE);
	if (!strcmp(tok, "noverbose") || !strcmp(tok, "quiet") ||
	    !strcmp(tok, "q") || !strcmp(tok, "silent"))
		return au_flag(opts, AU_OP_FLAG_CLR, AU_OPT_VERBOSE);
	if (!strcmp(tok, "warn_perm"))
		return au_flag(opts, AU_OP_FLAG_SET, AU_OPT_WARN_PERM);
	if (!strcmp(tok, "nowarn_perm"))
		return au_flag(opts, AU_OP_FLAG_CLR, AU_OPT_WARN_PERM);
	if (!strcmp(tok, "shwh"))
		return au_flag(opts, AU_OP_FLAG_SET, AU_OPT_SHWH);
	if (!strcmp(tok, "noshwh"))
		return au_flag(opts, AU_OP_FLAG_CLR, AU_OPT_SHWH);
	if (!strcmp(tok, "udba")) {
		if (!v)
			goto out_noval;
		if (!strcmp(v, "none"))
			i = AU_UDBA_NONE;
		else if (!strcmp(v, "reval"))
			i = AU_UDBA_REVAL;
		else if (!strcmp(v, "notify") || !strcmp(v, "inotify"))
			i = AU_UDBA_NOTIFY;
		else
			goto out_badval;
		o = au_opt_new(opts, AU_OP_UDBA);
		if (!o)
			return -ENOMEM;
		o->val = i;
		return 0;
	}
	if (!strcmp(tok, "create") || !strcmp(tok, "create_policy")) {
		if (!v)
			goto out_noval;
		o = au_opt_new(opts, AU_OP_CREATE);
		if (!o)
			return -ENOMEM;
		err = au_parse_create(o, v);
		if (err)
			goto out_badval;
		return 0;
	}
	if (!strcmp(tok, "cpup") || !strcmp(tok, "copyup") ||
	    !strcmp(tok, "copyup_policy")) {
		if (!v)
			goto out_noval;
		i = au_parse_cpup(v);
		if (i < 0)
			goto out_badval;
		o = au_opt_new(opts, AU_OP_CPUP);
		if (!o)
			return -ENOMEM;
		o->val = i;
		return 0;
	}
	if (!strcmp(tok, "diropq")) {
		if (!v)
			goto out_noval;
		if (!strcmp(v, "w") || !strcmp(v, "whiteouted"))
			return au_flag(opts, AU_OP_FLAG_CLR, AU_OPT_DIROPQ_A);
		if (!strcmp(v, "a") || !strcmp(v, "always"))
			return au_flag(opts, AU_OP_FLAG_SET, AU_OPT_DIROPQ_A);
		goto out_badval;
	}
	if (!strcmp(tok, "coo")) {
		if (!v)
			goto out_noval;
		if (!strcmp(v, "none"))
			i = AU_COO_NONE;
		else if (!strcmp(v, "leaf"))
			i = AU_COO_LEAF;
		else if (!strcmp(v, "all"))
			i = AU_COO_ALL;
		else
			goto out_badval;
		o = au_opt_new(opts, AU_OP_COO);
		if (!o)
			return -ENOMEM;
		o->val = i;
		return 0;
	}
	if (!strcmp(tok, "dirwh")) {
		if (!v)
			goto out_noval;
		if (kstrtoint(v, 0, &i) || i < 0)
			goto out_badval;
		o = au_opt_new(opts, AU_OP_DIRWH);
		if (!o)
			return -ENOMEM;
		o->val = i;
		return 0;
	}
	for (i = 0; au_ignored[i]; i++)
		if (!strcmp(tok, au_ignored[i])) {
			pr_warn("option \"%s\" is ignored (unionfs compatibility)\n", tok);
			return 0;
		}
	if (!strcmp(tok, "dlgt") || !strcmp(tok, "nodlgt")) {
		pr_err("option \"%s\": delegation to kernel threads is not implemented\n", tok);
		return -EINVAL;
	}
	pr_err("unknown option \"%s%s%s\"\n", tok, v ? "=" : "", v ? v : "");
	return -EINVAL;

out_noval:
	pr_err("option \"%s\" needs a value\n", tok);
	return -EINVAL;
out_badval:
	pr_err("option \"%s=%s\": bad value\n", tok, v);
	return -EINVAL;
}

/* Split at commas and parse left to right; str is modified. */
int au_opts_parse(struct au_opts *opts, char *str, bool remount)
{
	char *tok;
	int err;

	while ((tok = strsep(&str, ",")) != NULL) {
		tok = strim(tok);
		if (!*tok)
			continue;
		err = au_parse_one(opts, tok, remount);
		if (err)
			return err;
	}
	return 0;
}
