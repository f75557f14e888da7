// SPDX-License-Identifier: GPL-2.0
/* `livestack-mkimage keygen`: a module-signing key pair for Secure Boot (MOK), with openssl. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mkimage.h"
#include "spawn.h"

static const char usage_text[] =
	"usage: " MK_PROG " keygen --out DIR [--cn NAME] [--days N]\n"
	"  writes DIR/" MK_KEY_NAME " (the private key, mode 0600: keep it off every medium),\n"
	"  DIR/" MK_CERT_NAME " (PEM) and DIR/" MK_DER_NAME " (DER, for mokutil --import):\n"
	"  RSA 2048, X.509 with the codeSigning extended key usage and the kernel module\n"
	"  signing OID 1.3.6.1.4.1.2312.16.1.2\n"
	"  --cn NAME   the certificate's common name (default \"livestack module signing\")\n"
	"  --days N    validity in days, 1..36500 (default 3650)\n";

int keygen_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "cn", required_argument, NULL, 'n' },
		{ "days", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *dir = NULL, *cn = "livestack module signing", *days = "3650";
	char key[MK_PATH_MAX], crt[MK_PATH_MAX], der[MK_PATH_MAX], subj[300], out[4096];
	char tkey[MK_PATH_MAX + 8], tcrt[MK_PATH_MAX + 8], tder[MK_PATH_MAX + 8];
	struct stat st;
	char *end;
	long n;
	int c, rc, err = -1;

	mk_getopt_reset();
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': dir = optarg; break;
		case 'n': cn = optarg; break;
		case 'd':
			n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 36500) {
				mk_err("keygen: --days %s: 1 to 36500", optarg);
				return MK_EUSAGE;
			}
			days = optarg;
			break;
		case 'h': fputs(usage_text, stdout); exit(0);
		default: return mk_usage("keygen", usage_text, argc, argv);
		}
	}
	if (optind < argc || !dir) {
		mk_err("keygen: --out DIR is required");
		return MK_EUSAGE;
	}
	if (!*cn || strlen(cn) > 64 || strpbrk(cn, "/=\\\n")) {
		mk_err("keygen: --cn '%s': 1 to 64 characters, no '/', '=' or '\\'", cn);
		return MK_EUSAGE;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		mk_err("keygen: --out %s: not a directory", dir);
		return -1;
	}
	snprintf(key, sizeof(key), "%s/" MK_KEY_NAME, dir);
	snprintf(crt, sizeof(crt), "%s/" MK_CERT_NAME, dir);
	snprintf(der, sizeof(der), "%s/" MK_DER_NAME, dir);
	if (access(key, F_OK) == 0 || access(crt, F_OK) == 0) {
		mk_err("keygen: %s already holds a key pair: a new one would need enrolling again; "
		       "remove %s and %s first, or give another --out", dir, key, crt);
		return -1;
	}
	snprintf(tkey, sizeof(tkey), "%s.tmp", key);
	snprintf(tcrt, sizeof(tcrt), "%s.tmp", crt);
	snprintf(tder, sizeof(tder), "%s.tmp", der);
	snprintf(subj, sizeof(subj), "/CN=%s", cn);
	{
		const char *argv_req[] = {
			"openssl", "req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
			"-days", days, "-subj", subj, "-keyout", tkey, "-out", tcrt,
			"-addext", "basicConstraints=critical,CA:FALSE",
			"-addext", "keyUsage=digitalSignature",
			"-addext", "extendedKeyUsage=codeSigning,1.3.6.1.4.1.2312.16.1.2",
			"-addext", "subjectKeyIdentifier=hash", NULL };
		const char *argv_der[] = { "openssl", "x509", "-in", tcrt, "-outform", "DER", "-out",
					   tder, NULL };
		mode_t old = umask(077);

		rc = spawn_run(argv_req, NULL, out, sizeof(out));
		umask(old);
		if (rc == 0)
			rc = spawn_run(argv_der, NULL, out, sizeof(out));
	}
	if (rc) {
		mk_err("keygen: openssl failed (%d): %s", rc, rc < 0 ? strerror(-rc) : out);
		goto out_clean;
	}
	if (chmod(tcrt, 0644) || chmod(tder, 0644) || rename(tkey, key) || rename(tcrt, crt) ||
	    rename(tder, der)) {
		mk_err("keygen: %s: %s", dir, strerror(errno));
		unlink(key);
		unlink(crt);
		unlink(der);
		goto out_clean;
	}
	mk_info("keygen: %s (private: keep it off every medium), %s, %s", key, crt, der);
	err = 0;

out_clean:
	unlink(tkey);
	unlink(tcrt);
	unlink(tder);
	return err;
}
