/* SPDX-License-Identifier: MIT */
/*
 * Trusted signing keys, committed under .slugguard/keys/ (docs/policy.md):
 * "<name>.pem" is a trusted public key, "<name>.revoked" ("keyid ...",
 * "revoked <time>") revokes one. And whether a ledger entry verifies.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/json.h"
#include "slugguard/ledger.h"
#include "slugguard/sign.h"
#include "slugguard/utc.h"
#include "ledger-internal.h"

#include <dirent.h>
#include <time.h>

#define KEY_FILE_MAX (64u * 1024)

void ledger_key_name(struct strbuf *out, const char *keyid)
{
	if (starts_with(keyid, "SHA256:"))
		keyid += strlen("SHA256:");
	for (const char *p = keyid; *p; p++)
		strbuf_addch(out, *p == '/' ? '_' : *p == '+' ? '-' : *p);
}

int ledger_pem_keyid(char **out, const char *pem)
{
	struct sign_key *k = NULL;
	struct strbuf id = STRBUF_INIT;
	int rc;

	*out = NULL;
	rc = sign_key_from_pem(&k, pem, strlen(pem), "public key");
	if (!rc)
		rc = sign_key_id(&id, k);
	if (!rc)
		*out = strbuf_detach(&id, NULL);
	strbuf_release(&id);
	sign_key_free(k);
	return rc;
}

/* "keyid <id>" and "revoked <when>" lines of a .revoked file. */
static void parse_revoked(struct strbuf *keyid, struct strbuf *when,
			  const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n > 6 && starts_with(p, "keyid ")) {
			strbuf_reset(keyid);
			strbuf_add(keyid, p + 6, n - 6);
			strbuf_trim(keyid);
		} else if (n > 8 && starts_with(p, "revoked ")) {
			strbuf_reset(when);
			strbuf_add(when, p + 8, n - 8);
			strbuf_trim(when);
		}
		p += n + (nl ? 1 : 0);
	}
}

static void add_revoked(struct ledger *l, const char *text)
{
	struct strbuf id = STRBUF_INIT, when = STRBUF_INIT;

	parse_revoked(&id, &when, text);
	if (starts_with(id.buf, "SHA256:") && id.len < 128) {
		strvec_push(&l->revoked, id.buf);
		strvec_push(&l->revoked_when, when.len ? when.buf : "-");
	}
	strbuf_release(&when);
	strbuf_release(&id);
}

int ledger_keys_load(struct ledger *l)
{
	struct strvec names = STRVEC_INIT, oids = STRVEC_INIT,
		      texts = STRVEC_INIT;
	int rc;

	rc = ledger_ls_tree(&names, &oids, l->dir, "HEAD", LEDGER_KEYS_DIR "/",
			    "");
	if (rc < 0) {
		/* no HEAD (a bare ledger repository): no committed keys */
		error_clear();
		rc = 0;
		goto out;
	}
	rc = ledger_cat_blobs(&texts, l->dir, &oids);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < names.nr; i++) {
		char *id = NULL;

		if (ends_with(names.v[i], ".revoked")) {
			add_revoked(l, texts.v[i]);
		} else if (ends_with(names.v[i], ".pem")) {
			if (ledger_pem_keyid(&id, texts.v[i]) < 0) {
				fprintf(stderr,
					"slugguard: warning: '%s' at HEAD: "
					"%s\n",
					names.v[i], error_last());
				error_clear();
				continue;
			}
			strvec_push(&l->trusted, id);
			strvec_push(&l->trusted_pem, texts.v[i]);
			free(id);
		}
	}
out:
	strvec_clear(&texts);
	strvec_clear(&oids);
	strvec_clear(&names);
	return rc;
}

bool ledger_key_revoked(const struct ledger *l, const char *keyid,
			const char **when)
{
	*when = NULL;
	for (size_t i = 0; i < l->revoked.nr; i++)
		if (!strcmp(l->revoked.v[i], keyid)) {
			*when = l->revoked_when.v[i];
			return true;
		}
	return false;
}

static bool key_trusted(const struct ledger *l, const char *keyid,
			const char *key_path)
{
	struct sign_key *k = NULL;
	struct strbuf id = STRBUF_INIT;
	const char *env = getenv("SLUGGUARD_SIGNING_KEY");
	bool ok = false;

	for (size_t i = 0; i < l->trusted.nr; i++)
		if (!strcmp(l->trusted.v[i], keyid))
			return true;
	if (!key_path)
		key_path = env && *env ? env : NULL;
	if (key_path && !sign_key_load_public(&k, key_path) &&
	    !sign_key_id(&id, k))
		ok = !strcmp(id.buf, keyid);
	error_clear();
	sign_key_free(k);
	strbuf_release(&id);
	return ok;
}

int ledger_statement_open(struct json **stmt, const struct sign_key *k,
			  const char *buf, size_t len, const char *checksum,
			  const char *what)
{
	struct strbuf payload = STRBUF_INIT;
	const struct json *subj;
	const char *hex = checksum, *got;
	bool found = false;
	int rc;

	*stmt = NULL;
	if (starts_with(hex, "SHA256:"))
		hex += strlen("SHA256:");
	rc = sign_dsse_open(&payload, k, buf, len, what);
	if (rc < 0)
		goto out;
	rc = json_parse(stmt, payload.buf, payload.len, what);
	if (rc < 0) {
		rc = error_setc(ERR_REJECTED, "'%s': payload is not JSON",
				what);
		goto out;
	}
	got = json_get_string(*stmt, "_type");
	if (!got || strcmp(got, "https://in-toto.io/Statement/v1")) {
		rc = error_setc(ERR_REJECTED,
				"'%s': payload is not an in-toto Statement v1",
				what);
		goto out;
	}
	got = json_get_string(*stmt, "predicateType");
	if (!got || strcmp(got, "https://slsa.dev/provenance/v1")) {
		rc = error_setc(ERR_REJECTED,
				"'%s': predicate is not SLSA Provenance v1",
				what);
		goto out;
	}
	subj = json_get(*stmt, "subject");
	for (size_t i = 0; i < json_array_size(subj); i++) {
		const char *d = json_get_string(
			json_get(json_array_at(subj, i), "digest"), "sha256");

		if (d && !strcmp(d, hex))
			found = true;
	}
	if (!found)
		rc = error_setc(ERR_REJECTED,
				"sha256 %.12s... is not a subject of '%s'", hex,
				what);
out:
	if (rc < 0) {
		json_free(*stmt);
		*stmt = NULL;
	}
	strbuf_release(&payload);
	return rc;
}

int ledger_attestation_verify(const struct sign_key *k, const char *buf,
			      size_t len, const char *checksum,
			      const char *what)
{
	struct json *stmt = NULL;
	int rc = ledger_statement_open(&stmt, k, buf, len, checksum, what);

	json_free(stmt);
	return rc;
}

bool ledger_entry_ok(const struct ledger *l, const struct ledger_entry *e,
		     const char *key_path, struct strbuf *why)
{
	struct sign_key *k = NULL;
	struct strbuf id = STRBUF_INIT;
	const char *when;
	bool ok = false;

	if (!e) {
		strbuf_addstr(why, "not released by slugguard (no ledger "
				   "entry)");
		return false;
	}
	if (!e->envelope || !e->checksum) {
		strbuf_addstr(why, "the attestation is missing from the "
				   "ledger");
		return false;
	}
	if (!e->public_key ||
	    sign_key_from_pem(&k, e->public_key, strlen(e->public_key),
			      "ledger public key") < 0 ||
	    sign_key_id(&id, k) < 0) {
		error_clear();
		strbuf_addstr(why, "no valid public key recorded with it");
		goto out;
	}
	if (ledger_key_revoked(l, id.buf, &when)) {
		strbuf_addf(why, "signed by revoked key %s (revoked %s)",
			    id.buf, when);
		goto out;
	}
	if (!key_trusted(l, id.buf, key_path)) {
		strbuf_addf(why,
			    "signed by key %s, which is not trusted (slugguard "
			    "keys add; see docs/policy.md)",
			    id.buf);
		goto out;
	}
	if (ledger_attestation_verify(k, e->envelope, strlen(e->envelope),
				      e->checksum, "ledger attestation") < 0) {
		error_clear();
		strbuf_addstr(why, "the attestation does not verify");
		goto out;
	}
	ok = true;
out:
	sign_key_free(k);
	strbuf_release(&id);
	return ok;
}

/* ---- slugguard keys: files in a work tree ------------------------------ */

static int load_any_key(struct sign_key **k, struct strbuf *id,
			const char *path)
{
	int rc = sign_key_load_public(k, path);

	if (!rc)
		rc = sign_key_id(id, *k);
	return rc;
}

int ledger_keys_add(struct strbuf *keyid_out, const char *dir, const char *path)
{
	struct sign_key *k = NULL;
	struct strbuf id = STRBUF_INIT, pem = STRBUF_INIT, kd = STRBUF_INIT,
		      dst = STRBUF_INIT, old = STRBUF_INIT;
	int rc;

	rc = load_any_key(&k, &id, path);
	if (rc < 0)
		goto out;
	rc = sign_key_public_pem(&pem, k);
	if (rc < 0)
		goto out;
	strbuf_addf(&kd, "%s/%s", dir, LEDGER_KEYS_DIR);
	rc = fs_mkdir_p(kd.buf, 0755);
	if (rc < 0)
		goto out;
	strbuf_addf(&dst, "%s/", kd.buf);
	ledger_key_name(&dst, id.buf);
	strbuf_addstr(&old, dst.buf);
	strbuf_addstr(&old, ".revoked");
	if (fs_exists(old.buf)) {
		rc = error_set("key %s was revoked ('%s'); a revoked key is "
			       "not trusted again",
			       id.buf, old.buf);
		goto out;
	}
	strbuf_addstr(&dst, ".pem");
	rc = fs_write_atomic(dst.buf, pem.buf, pem.len, 0644);
	if (!rc)
		strbuf_addbuf(keyid_out, &id);
out:
	sign_key_free(k);
	strbuf_release(&old);
	strbuf_release(&dst);
	strbuf_release(&kd);
	strbuf_release(&pem);
	strbuf_release(&id);
	return rc;
}

int ledger_keys_revoke(struct strbuf *keyid_out, const char *dir,
		       const char *path_or_id)
{
	struct sign_key *k = NULL;
	struct strbuf id = STRBUF_INIT, dst = STRBUF_INIT, text = STRBUF_INIT;
	char when[UTC_ISO_LEN] = "";
	time_t t = time(NULL);
	int rc = 0;

	if (starts_with(path_or_id, "SHA256:") && !fs_exists(path_or_id)) {
		strbuf_addstr(&id, path_or_id);
	} else {
		rc = load_any_key(&k, &id, path_or_id);
		if (rc < 0)
			goto out;
	}
	for (const char *p = id.buf + 7; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '+' || *p == '/')) {
			rc = error_set("'%s' is not a key id (SHA256:...)",
				       path_or_id);
			goto out;
		}
	utc_iso(when, t);
	strbuf_addf(&dst, "%s/%s", dir, LEDGER_KEYS_DIR);
	rc = fs_mkdir_p(dst.buf, 0755);
	if (rc < 0)
		goto out;
	strbuf_addch(&dst, '/');
	ledger_key_name(&dst, id.buf);
	strbuf_addstr(&dst, ".revoked");
	strbuf_addf(&text, "keyid %s\nrevoked %s\n", id.buf, when);
	rc = fs_write_atomic(dst.buf, text.buf, text.len, 0644);
	if (!rc)
		strbuf_addbuf(keyid_out, &id);
out:
	sign_key_free(k);
	strbuf_release(&text);
	strbuf_release(&dst);
	strbuf_release(&id);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int ledger_keys_list(struct strbuf *out, const char *dir)
{
	struct strbuf kd = STRBUF_INIT, path = STRBUF_INIT, text = STRBUF_INIT,
		      id = STRBUF_INIT, when = STRBUF_INIT;
	struct strvec files = STRVEC_INIT, revoked = STRVEC_INIT,
		      rwhen = STRVEC_INIT;
	DIR *d = NULL;
	struct dirent *de;
	int rc = 0;

	strbuf_addf(&kd, "%s/%s", dir, LEDGER_KEYS_DIR);
	d = opendir(kd.buf);
	if (!d)
		goto out; /* no keys yet */
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			strvec_push(&files, de->d_name);
	qsort(files.v, files.nr, sizeof(*files.v), cmp_str);
	for (size_t i = 0; i < files.nr; i++) {
		if (!ends_with(files.v[i], ".revoked"))
			continue;
		strbuf_reset(&path);
		strbuf_reset(&text);
		strbuf_addf(&path, "%s/%s", kd.buf, files.v[i]);
		rc = fs_read_capped(&text, path.buf, KEY_FILE_MAX);
		if (rc < 0)
			goto out;
		strbuf_reset(&id);
		strbuf_reset(&when);
		parse_revoked(&id, &when, text.buf);
		strvec_push(&revoked, id.buf);
		strvec_push(&rwhen, when.buf);
	}
	for (size_t i = 0; i < files.nr; i++) {
		char *kid = NULL;
		const char *state = "trusted";

		if (!ends_with(files.v[i], ".pem"))
			continue;
		strbuf_reset(&path);
		strbuf_reset(&text);
		strbuf_addf(&path, "%s/%s", kd.buf, files.v[i]);
		rc = fs_read_capped(&text, path.buf, KEY_FILE_MAX);
		if (!rc)
			rc = ledger_pem_keyid(&kid, text.buf);
		if (rc < 0)
			goto out;
		strbuf_addf(out, "%s  ", kid);
		for (size_t r = 0; r < revoked.nr; r++)
			if (!strcmp(revoked.v[r], kid)) {
				state = "revoked";
				strbuf_addf(out, "revoked %s", rwhen.v[r]);
			}
		if (!strcmp(state, "trusted"))
			strbuf_addstr(out, "trusted");
		strbuf_addf(out, "  %s/%s\n", LEDGER_KEYS_DIR, files.v[i]);
		free(kid);
	}
out:
	if (d)
		closedir(d);
	strvec_clear(&rwhen);
	strvec_clear(&revoked);
	strvec_clear(&files);
	strbuf_release(&when);
	strbuf_release(&id);
	strbuf_release(&text);
	strbuf_release(&path);
	strbuf_release(&kd);
	return rc;
}
