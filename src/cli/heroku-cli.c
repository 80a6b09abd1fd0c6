/* SPDX-License-Identifier: MIT */
/* Shared by the Heroku commands: see heroku-cli.h. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/heroku.h"
#include "slugguard/json.h"
#include "slugguard/policy.h"
#include "slugguard/sign.h"
#include "slugguard/strbuf.h"
#include "heroku-cli.h"

#define ATTESTATION_MAX (16 * 1024 * 1024)

#include <unistd.h>

int hcli_client(struct heroku **out, const char *cacert)
{
	struct heroku_opts o = HEROKU_OPTS_INIT;
	int rc;

	*out = NULL;
	rc = heroku_opts_from_env(&o);
	if (rc < 0)
		return rc;
	if (cacert)
		o.cacert = cacert;
	return heroku_new(out, &o);
}

int hcli_app(struct strbuf *out, const char *cmd, const char *app,
	     const char *remote)
{
	struct gitwalk *w = NULL;
	struct strbuf key = STRBUF_INIT;
	char *url = NULL;
	int rc = 0;

	if (!app && !remote) {
		app = getenv("HEROKU_APP");
		if (!app || !*app)
			return error_setc(ERR_USAGE,
					  "%s: --app is required (or "
					  "HEROKU_APP, -r REMOTE)",
					  cmd);
	}
	if (app) {
		strbuf_addstr(out, app);
		return 0;
	}
	rc = gitwalk_open(&w, NULL);
	if (rc < 0)
		goto out;
	strbuf_addf(&key, "remote.%s.url", remote);
	rc = gitwalk_config_get(&url, w, key.buf, false);
	if (rc == ERR_NOTFOUND)
		rc = error_set("%s: no git remote '%s'", cmd, remote);
	if (rc < 0)
		goto out;
	rc = heroku_app_from_git_url(out, url);
	if (rc < 0)
		rc = error_set("%s: git remote '%s' is not a Heroku app "
			       "('%s'; expected https://git.heroku.com/"
			       "<app>.git)",
			       cmd, remote, url);
out:
	free(url);
	strbuf_release(&key);
	gitwalk_free(w);
	return rc;
}

void hcli_expect_release(struct hcli_expect *e)
{
	strvec_clear(&e->buildpacks);
	strvec_clear(&e->config_vars);
	free(e->source);
	e->source = NULL;
	e->have_buildpacks = false;
}

static void push_strings(struct strvec *sv, const struct json *arr,
			 const char *member)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const struct json *e = json_array_at(arr, i);
		const char *s = json_string(e);

		if (!s && member)
			s = json_get_string(e, member);
		if (s)
			strvec_push(sv, s);
	}
}

/*
 * The policy at rev of the repository around the current directory.
 * Returns 1 when one was found, 0 when there is none (or no repository).
 */
static int expect_from_policy(struct hcli_expect *e, const char *rev)
{
	struct gitwalk *w = NULL;
	struct policy *p = NULL;
	char hex[GITWALK_HEXSZ + 1];
	int rc;

	rc = gitwalk_open(&w, NULL);
	if (rc == ERR_NOTFOUND) {
		error_clear();
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	rc = gitwalk_resolve_commit(w, rev ? rev : "HEAD", hex);
	if (rc < 0 && !rev) {
		error_clear(); /* an empty repository: no policy yet */
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	rc = policy_load_governing(&p, w, hex);
	if (rc == ERR_NOTFOUND) {
		error_clear();
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	e->have_buildpacks = p->has_buildpacks;
	strvec_pushv(&e->buildpacks, p->buildpacks.v);
	for (size_t i = 0; i < p->vars_nr; i++)
		strvec_push(&e->config_vars, p->vars[i].name);
	e->source = xstrdup(p->source ? p->source : POLICY_FILE);
	rc = 1;
out:
	policy_free(p);
	gitwalk_free(w);
	return rc;
}

int hcli_expect_load(struct hcli_expect *e, const char *rev,
		     const char *release_json)
{
	struct strbuf text = STRBUF_INIT;
	struct json *j = NULL;
	const struct json *bp;
	int rc = 0;

	hcli_expect_release(e);
	rc = expect_from_policy(e, rev);
	if (rc)
		goto out;
	/* No repository policy: what the build recorded, if anything. */
	if (!release_json)
		goto out;
	rc = fs_read_capped(&text, release_json, 1024 * 1024);
	if (rc < 0)
		goto out;
	rc = json_parse(&j, text.buf, text.len, release_json);
	if (rc < 0)
		goto out;
	bp = json_get(j, "buildpacks");
	if (json_is_array(bp)) {
		e->have_buildpacks = true;
		push_strings(&e->buildpacks, bp, "url");
	}
	push_strings(&e->config_vars, json_get(j, "required_config_vars"),
		     "name");
	e->source = xstrdup(release_json);
out:
	json_free(j);
	strbuf_release(&text);
	return rc < 0 ? rc : 0;
}

static void add_list(struct strbuf *sb, const char *label, const char *const *v,
		     size_t nr)
{
	strbuf_addf(sb, "    %s:", label);
	if (!nr)
		strbuf_addstr(sb, " (none)");
	for (size_t i = 0; i < nr; i++) {
		strbuf_addf(sb, "%s %zu. ", i ? "," : "", i + 1);
		strbuf_add_sanitized(sb, v[i], strlen(v[i]));
	}
	strbuf_addch(sb, '\n');
}

int hcli_buildpacks_diff(struct strbuf *report, const struct hcli_expect *e,
			 const struct strvec *live, const char *app)
{
	bool same = e->buildpacks.nr == live->nr;

	if (!e->have_buildpacks)
		return 0;
	for (size_t i = 0; same && i < live->nr; i++)
		same = heroku_buildpack_same(e->buildpacks.v[i], live->v[i]);
	if (same)
		return 0;
	strbuf_addf(report,
		    "buildpacks of Heroku app '%s' differ from the "
		    "policy:\n",
		    app);
	add_list(report, "expected", e->buildpacks.v, e->buildpacks.nr);
	add_list(report, "found   ", live->v, live->nr);
	strbuf_addstr(report, "  fix: slugguard deploy --app ");
	strbuf_addstr(report, app);
	strbuf_addstr(report,
		      " --fix-buildpacks\n  or:  heroku buildpacks:clear"
		      " -a ");
	strbuf_addstr(report, app);
	strbuf_addch(report, '\n');
	for (size_t i = 0; i < e->buildpacks.nr; i++)
		strbuf_addf(
			report,
			"       heroku buildpacks:add --index %zu %s -a %s\n",
			i + 1, e->buildpacks.v[i], app);
	return ERR_REJECTED;
}

int hcli_config_diff(struct strbuf *report, const struct hcli_expect *e,
		     const struct strvec *live, const char *app)
{
	struct strvec missing = STRVEC_INIT;
	int rc = 0;

	for (size_t i = 0; i < e->config_vars.nr; i++) {
		bool found = false;

		for (size_t k = 0; k < live->nr && !found; k++)
			found = !strcmp(live->v[k], e->config_vars.v[i]);
		if (!found)
			strvec_push(&missing, e->config_vars.v[i]);
	}
	if (!missing.nr)
		goto out;
	strbuf_addf(report, "Heroku app '%s' lacks required config vars:", app);
	for (size_t i = 0; i < missing.nr; i++)
		strbuf_addf(report, " %s", missing.v[i]);
	strbuf_addstr(report, "\n  fix: heroku config:set");
	for (size_t i = 0; i < missing.nr; i++)
		strbuf_addf(report, " %s=...", missing.v[i]);
	strbuf_addf(report, " -a %s\n", app);
	rc = ERR_REJECTED;
out:
	strvec_clear(&missing);
	return rc;
}

int hcli_attestation_verify(const char *path, const char *checksum,
			    const char *key_path)
{
	struct strbuf buf = STRBUF_INIT, payload = STRBUF_INIT;
	struct sign_key *key = NULL;
	struct json *stmt = NULL;
	const struct json *subj;
	const char *hex = checksum;
	bool found = false;
	int rc;

	if (starts_with(hex, "SHA256:"))
		hex += strlen("SHA256:");
	rc = sign_key_load_public(&key, key_path);
	if (rc < 0)
		goto out;
	rc = fs_read_capped(&buf, path, ATTESTATION_MAX);
	if (rc < 0)
		goto out;
	rc = sign_dsse_open(&payload, key, buf.buf, buf.len, path);
	if (rc < 0)
		goto out;
	rc = json_parse(&stmt, payload.buf, payload.len, path);
	if (rc < 0) {
		rc = error_setc(ERR_REJECTED, "'%s': payload is not JSON",
				path);
		goto out;
	}
	subj = json_get(stmt, "subject");
	for (size_t i = 0; i < json_array_size(subj); i++) {
		const char *d = json_get_string(
			json_get(json_array_at(subj, i), "digest"), "sha256");

		if (d && !strcmp(d, hex))
			found = true;
	}
	if (!found)
		rc = error_setc(ERR_REJECTED,
				"'%s' does not attest sha256 %.12s...", path,
				hex);
out:
	json_free(stmt);
	sign_key_free(key);
	strbuf_release(&payload);
	strbuf_release(&buf);
	return rc;
}

const char *hcli_key_path(const char *key_path)
{
	const char *env = getenv("SLUGGUARD_SIGNING_KEY");

	if (key_path)
		return key_path;
	return env && *env ? env : NULL;
}

void hcli_pubkey_path(struct strbuf *sb, const char *attestation)
{
	size_t n = strlen(attestation);

	if (ends_with(attestation, ".intoto.json"))
		n -= strlen(".intoto.json");
	strbuf_add(sb, attestation, n);
	strbuf_addstr(sb, ".pub.pem");
}

int hcli_record_pubkey(const char *attestation, const char *key_path)
{
	struct strbuf pem = STRBUF_INIT, path = STRBUF_INIT;
	struct sign_key *key = NULL;
	int rc;

	rc = sign_key_load_public(&key, key_path);
	if (rc < 0)
		goto out;
	rc = sign_key_public_pem(&pem, key);
	if (rc < 0)
		goto out;
	hcli_pubkey_path(&path, attestation);
	rc = fs_write_atomic(path.buf, pem.buf, pem.len, 0644);
out:
	sign_key_free(key);
	strbuf_release(&path);
	strbuf_release(&pem);
	return rc;
}

bool hcli_attestation_ok(const struct ledger_entry *e, const char *key_path,
			 const char **why)
{
	struct strbuf pub = STRBUF_INIT;
	const char *key = hcli_key_path(key_path);
	bool ok = false;

	*why = NULL;
	if (!e) {
		*why = "not released by slugguard (no ledger entry)";
		return false;
	}
	if (!e->attestation || !fs_exists(e->attestation) || !e->checksum) {
		*why = "the attestation is missing from the ledger";
		return false;
	}
	if (!key) {
		/* The public key recorded when this slug was deployed. */
		hcli_pubkey_path(&pub, e->attestation);
		key = pub.buf;
	}
	if (!fs_exists(key)) {
		*why = "no key to verify it (--key or SLUGGUARD_SIGNING_KEY)";
		goto out;
	}
	if (hcli_attestation_verify(e->attestation, e->checksum, key) < 0) {
		*why = "the attestation does not verify";
		error_clear();
		goto out;
	}
	ok = true;
out:
	strbuf_release(&pub);
	return ok;
}

void hcli_output(const char *buf, size_t len, void *data)
{
	struct strbuf sb = STRBUF_INIT;

	(void)data;
	/* Keep the line breaks; anything else that could drive a tty goes. */
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;

		strbuf_add_sanitized(&sb, buf, n);
		if (nl) {
			strbuf_addch(&sb, '\n');
			n++;
		}
		buf += n;
		len -= n;
	}
	fputs(sb.buf, stderr);
	fflush(stderr);
	strbuf_release(&sb);
}

long hcli_env_ms(const char *name, long def)
{
	const char *v = getenv(name);
	long n;

	if (v && *v && !parse_long(&n, v, 0, 86400000L))
		return n;
	return def;
}
