/* SPDX-License-Identifier: MIT */
/* slugguard keygen: create a signing key pair. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/sign.h"
#include "slugguard/strbuf.h"
#include "cli.h"

#include <getopt.h>

static const char usage_str[] =
	"usage: slugguard keygen [--type ecdsa-p256|ed25519] [--out FILE] "
	"[--force]\n"
	"\n"
	"    --type TYPE   ecdsa-p256 (default) or ed25519\n"
	"    --out FILE    private key, mode 0600 (default\n"
	"                  $XDG_CONFIG_HOME/slugguard/signing.pem, else\n"
	"                  ~/.config/slugguard/signing.pem: outside any\n"
	"                  work tree); the public key goes beside it as\n"
	"                  NAME.pub.pem\n"
	"    --force       replace existing key files\n";

/*
 * The default private key path, in the user's configuration directory:
 * a key written into the current directory ends up committed (and then
 * pushed, with the scanner finding it) far too easily. The directory is
 * created 0700.
 */
static int default_key_path(struct strbuf *out)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int rc;

	if (xdg && *xdg == '/')
		strbuf_addf(out, "%s/slugguard", xdg);
	else if (home && *home)
		strbuf_addf(out, "%s/.config/slugguard", home);
	else
		return error_set("keygen: neither XDG_CONFIG_HOME nor HOME is "
				 "set; pass --out FILE");
	rc = fs_mkdir_p(out->buf, 0700);
	if (rc < 0)
		return rc;
	strbuf_addstr(out, "/signing.pem");
	return 0;
}

int cmd_keygen(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum sign_key_type type = SIGN_KEY_ECDSA_P256;
	const char *path = NULL;
	struct strbuf pub = STRBUF_INIT, id = STRBUF_INIT, def = STRBUF_INIT;
	struct sign_key *k = NULL;
	bool force = false;
	int opt, rc = 0;

	while ((opt = cli_getopt(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			rc = sign_key_type_parse(&type, optarg);
			if (rc < 0) {
				rc = cli_usage_err(usage_str, "keygen: %s",
						   error_last());
				goto out;
			}
			break;
		case 'o':
			path = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			rc = cli_usage(usage_str, false);
			goto out;
		default:
			rc = cli_usage(usage_str, true);
			goto out;
		}
	}
	if (optind < argc) {
		rc = cli_usage_err(usage_str, "keygen: unexpected '%s'",
				   argv[optind]);
		goto out;
	}
	if (path && !*path) {
		rc = cli_usage_err(usage_str, "keygen: --out is empty");
		goto out;
	}
	if (!path) {
		rc = default_key_path(&def);
		if (rc < 0)
			goto out;
		path = def.buf;
	}
	if (ends_with(path, ".pem"))
		strbuf_add(&pub, path, strlen(path) - 4);
	else
		strbuf_addstr(&pub, path);
	strbuf_addstr(&pub, ".pub.pem");
	rc = sign_keygen(path, pub.buf, type, force);
	if (rc < 0)
		goto out;
	rc = sign_key_load_public(&k, pub.buf);
	if (!rc)
		rc = sign_key_id(&id, k);
	if (rc < 0)
		goto out;
	if (!cfg->quiet)
		fprintf(stderr, "slugguard: wrote private key '%s' (0600)\n",
			path);
	printf("%s\n%s\n", pub.buf, id.buf);
	if (!cfg->quiet)
		fprintf(stderr,
			"slugguard: to trust it for releases, in the deploy "
			"repository: slugguard keys add %s, then commit "
			".slugguard/keys/\n",
			pub.buf);
out:
	sign_key_free(k);
	strbuf_release(&pub);
	strbuf_release(&id);
	strbuf_release(&def);
	return rc;
}
