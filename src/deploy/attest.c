/* SPDX-License-Identifier: MIT */
/*
 * Signed attestations of released slugs: verify one against its checksum;
 * the ledger entry of a deploy, pending before the release and complete
 * after.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/sign.h"
#include "slugguard/strbuf.h"
#include "deploy-internal.h"

#define ATTESTATION_MAX (16 * 1024 * 1024)

int deploy_attestation_verify(const char *path, const char *checksum,
			      const char *key_path)
{
	struct strbuf buf = STRBUF_INIT;
	struct sign_key *key = NULL;
	int rc;

	rc = sign_key_load_public(&key, key_path);
	if (rc < 0)
		goto out;
	rc = fs_read_capped(&buf, path, ATTESTATION_MAX);
	if (rc < 0)
		goto out;
	rc = ledger_attestation_verify(key, buf.buf, buf.len, checksum, path);
out:
	sign_key_free(key);
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

int deploy_ledger_pending(struct ledger *l, struct ledger_entry *le,
			  const char *att_path, const char *key_path,
			  const struct ledger_entry *with)
{
	struct ledger_entry both[2];
	struct sign_key *key = NULL;
	struct strbuf pem = STRBUF_INIT, id = STRBUF_INIT, env = STRBUF_INIT;
	const char *when;
	int rc;

	rc = sign_key_load_public(&key, key_path);
	if (!rc)
		rc = sign_key_public_pem(&pem, key);
	if (!rc)
		rc = sign_key_id(&id, key);
	if (!rc)
		rc = fs_read_capped(&env, att_path, LEDGER_ENTRY_MAX / 2);
	if (rc < 0)
		goto out;
	if (ledger_key_revoked(l, id.buf, &when)) {
		rc = error_setc(ERR_REJECTED,
				"refusing to deploy: signing key %s was "
				"revoked (%s); sign with a trusted key",
				id.buf, when);
		goto out;
	}
	le->public_key = strbuf_detach(&pem, NULL);
	le->keyid = strbuf_detach(&id, NULL);
	le->envelope = strbuf_detach(&env, NULL);
	le->state = xstrdup(LEDGER_PENDING);
	/* shallow copies: ledger_record_all() copies what it keeps */
	both[0] = *le;
	if (with)
		both[1] = *with;
	rc = ledger_record_all(l, both, with ? 2 : 1);
out:
	sign_key_free(key);
	strbuf_release(&env);
	strbuf_release(&id);
	strbuf_release(&pem);
	return rc;
}

int deploy_ledger_complete(struct ledger *l, struct ledger_entry *le,
			   const struct heroku_release *r)
{
	free(le->state);
	le->state = xstrdup(LEDGER_COMPLETE);
	free(le->release_id);
	le->release_id = r->id ? xstrdup(r->id) : NULL;
	free(le->status);
	le->status = r->status ? xstrdup(r->status) : NULL;
	le->version = r->version;
	free(le->time);
	le->time = NULL;
	return ledger_record(l, le);
}

int deploy_ledger_catch_up(struct ledger *l, struct heroku *h,
			   const struct deploy_target *t, const char *key_path)
{
	struct heroku_release *list = NULL;
	size_t nr = 0;
	bool pending = false;
	int rc;

	deploy_builds_catch_up(l, h, t, key_path);
	for (size_t i = 0; i < l->nr; i++)
		if (!l->entries[i].kind &&
		    !strcmp(l->entries[i].state, LEDGER_PENDING))
			pending = true;
	if (!pending)
		return 0;
	rc = heroku_releases_list(h, &list, &nr, t->app);
	if (!rc)
		rc = ledger_reconcile(l, list, nr);
	heroku_releases_free(list, nr);
	return rc < 0 ? rc : 0;
}
