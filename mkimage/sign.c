// SPDX-License-Identifier: GPL-2.0
/* Module signing for Secure Boot: check a key pair and its certificate (openssl), sign aufs.ko with the kernel's sign-file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "mkimage.h"
#include "spawn.h"

#define OUT_MAX	8192

/* Run openssl with argv, its output in out; 0 when it exited 0. */
static int openssl(const char *const argv[], char *out, size_t len)
{
	int rc = spawn_run(argv, NULL, out, len);

	if (rc < 0) {
		mk_err("openssl: %s (install openssl)", strerror(-rc));
		return -2;
	}
	return rc ? -1 : 0;
}

/* "PEM" or "DER": the form openssl reads the certificate in; NULL when it is neither. */
static const char *cert_form(const char *cert)
{
	static const char *const forms[] = { "PEM", "DER" };
	char out[OUT_MAX];
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *argv[] = { "openssl", "x509", "-inform", forms[i], "-in", cert, "-noout",
				       NULL };

		if (openssl(argv, out, sizeof(out)) == 0)
			return forms[i];
	}
	return NULL;
}

static bool has_private_key(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	bool found;

	if (file_slurp(path, &text, &len))
		return false;
	found = memmem(text, len, "PRIVATE KEY", 11) != NULL;
	free(text);
	return found;
}

int sign_check_cert(const char *cert, const char *what)
{
	char out[OUT_MAX];
	const char *form;

	if (mk_need_file(what, cert))
		return -1;
	if (has_private_key(cert)) {
		mk_err("%s %s holds a PRIVATE KEY: give the certificate alone (a key on a medium "
		       "lets anyone sign modules every machine that enrolled it trusts)", what, cert);
		return -1;
	}
	form = cert_form(cert);
	if (!form) {
		mk_err("%s %s: not an X.509 certificate (PEM or DER); make one with '" MK_PROG
		       " keygen --out DIR'", what, cert);
		return -1;
	}
	{
		const char *argv[] = { "openssl", "x509", "-inform", form, "-in", cert, "-noout",
				       "-checkend", "0", NULL };

		if (openssl(argv, out, sizeof(out))) {
			mk_err("%s %s: the certificate has expired: make a new pair with '" MK_PROG
			       " keygen --out DIR' (and enrol it)", what, cert);
			return -1;
		}
	}
	{
		const char *argv[] = { "openssl", "x509", "-inform", form, "-in", cert, "-noout",
				       "-ext", "extendedKeyUsage", NULL };

		if (openssl(argv, out, sizeof(out)) || !strstr(out, "Code Signing")) {
			mk_err("%s %s: not a code-signing certificate (no codeSigning extended key "
			       "usage): make one with '" MK_PROG " keygen --out DIR'", what, cert);
			return -1;
		}
	}
	return 0;
}

int sign_cert_der(const char *cert, const char *der)
{
	char out[OUT_MAX];
	const char *form = cert_form(cert);
	const char *argv[] = { "openssl", "x509", "-inform", form, "-in", cert, "-outform", "DER",
			       "-out", der, NULL };

	if (!form || openssl(argv, out, sizeof(out))) {
		mk_err("%s: cannot write it as DER: %s", cert, form ? out : "not a certificate");
		return -1;
	}
	return 0;
}

int sign_check_pair(const char *key, const char *cert)
{
	char kpub[OUT_MAX], cpub[OUT_MAX];
	const char *form;

	if (sign_check_cert(cert, "--sign-cert") || mk_need_file("--sign-key", key))
		return -1;
	form = cert_form(cert);
	{
		const char *argv[] = { "openssl", "pkey", "-in", key, "-pubout", NULL };

		if (openssl(argv, kpub, sizeof(kpub))) {
			mk_err("--sign-key %s: not a private key openssl can read (PEM, without a "
			       "passphrase): %s", key, kpub);
			return -1;
		}
	}
	{
		const char *argv[] = { "openssl", "x509", "-inform", form, "-in", cert, "-noout",
				       "-pubkey", NULL };

		if (openssl(argv, cpub, sizeof(cpub)))
			return -1;
	}
	if (strcmp(kpub, cpub)) {
		mk_err("--sign-key %s does not match --sign-cert %s (a different key pair): give "
		       "the key the certificate was made for", key, cert);
		return -1;
	}
	return 0;
}

int sign_module(const char *kver, const char *key, const char *cert, const char *ko)
{
	char signfile[MK_PATH_MAX], der[MK_PATH_MAX + 8], out[OUT_MAX];
	const char *cands[] = { "/usr/src/linux-headers-%s/scripts/sign-file",
				"/lib/modules/%s/build/scripts/sign-file" };
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		snprintf(signfile, sizeof(signfile), cands[i], kver);
		if (access(signfile, X_OK) == 0)
			break;
	}
	if (i == sizeof(cands) / sizeof(cands[0])) {
		mk_err("no sign-file for %s (looked at /usr/src/linux-headers-%s/scripts/sign-file): "
		       "install linux-headers-%s", kver, kver, kver);
		return -1;
	}
	/* sign-file takes a DER or PEM certificate; DER always works */
	snprintf(der, sizeof(der), "%s.der", ko);
	if (sign_cert_der(cert, der))
		return -1;
	{
		const char *argv[] = { signfile, "sha256", key, der, ko, NULL };

		rc = spawn_run(argv, NULL, out, sizeof(out));
	}
	unlink(der);
	if (rc) {
		mk_err("%s sha256 %s %s %s failed (%d): %s", signfile, key, cert, ko, rc,
		       rc < 0 ? strerror(-rc) : out);
		return -1;
	}
	return 0;
}
