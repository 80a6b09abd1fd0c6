/* SPDX-License-Identifier: MIT */
/*
 * Signed attestations of released slugs: verify one against its checksum,
 * decide whether a ledger entry is verified, keep the public key beside
 * the ledger's copy.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/json.h"
#include "slugguard/sign.h"
#include "slugguard/strbuf.h"
#include "deploy-internal.h"

#define ATTESTATION_MAX (16 * 1024 * 1024)

int deploy_attestation_verify(const char *path, const char *checksum,
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

const char *deploy_key_path(const char *key_path)
{
	const char *env = getenv("SLUGGUARD_SIGNING_KEY");

	if (key_path)
		return key_path;
	return env && *env ? env : NULL;
}

static void pubkey_path(struct strbuf *sb, const char *attestation)
{
	size_t n = strlen(attestation);

	if (ends_with(attestation, ".intoto.json"))
		n -= strlen(".intoto.json");
	strbuf_add(sb, attestation, n);
	strbuf_addstr(sb, ".pub.pem");
}

int deploy_record_pubkey(const char *attestation, const char *key_path)
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
	pubkey_path(&path, attestation);
	rc = fs_write_atomic(path.buf, pem.buf, pem.len, 0644);
out:
	sign_key_free(key);
	strbuf_release(&path);
	strbuf_release(&pem);
	return rc;
}

bool deploy_attestation_ok(const struct ledger_entry *e, const char *key_path,
			   const char **why)
{
	struct strbuf pub = STRBUF_INIT;
	const char *key = deploy_key_path(key_path);
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
		pubkey_path(&pub, e->attestation);
		key = pub.buf;
	}
	if (!fs_exists(key)) {
		*why = "no key to verify it (--key or SLUGGUARD_SIGNING_KEY)";
		goto out;
	}
	if (deploy_attestation_verify(e->attestation, e->checksum, key) < 0) {
		*why = "the attestation does not verify";
		error_clear();
		goto out;
	}
	ok = true;
out:
	strbuf_release(&pub);
	return ok;
}
