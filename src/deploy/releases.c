/* SPDX-License-Identifier: MIT */
/*
 * An app's releases: follow one to its end, list them marked verified
 * from the ledger, roll back to a verified one.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/strbuf.h"
#include "slugguard/mask.h"
#include "slugguard/term.h"
#include "deploy-internal.h"

static int print_sanitized(const char *buf, size_t len, void *data)
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
	return 0;
}

/* data: the masking stream, or NULL */
static void release_output(const char *buf, size_t len, void *data)
{
	if (data)
		mask_stream_write(data, buf, len);
	else
		print_sanitized(buf, len, NULL);
}

long deploy_env_ms(const char *name, long def)
{
	const char *v = getenv(name);
	long n;

	if (v && *v && !parse_long(&n, v, 0, 86400000L))
		return n;
	return def;
}

int deploy_follow(struct heroku *h, struct heroku_release *r, const char *app,
		  bool quiet, const struct mask_set *mask)
{
	struct mask_stream *ms = NULL;
	int rc;

	if (mask && !quiet)
		mask_stream_new(&ms, mask, print_sanitized, NULL);
	rc = heroku_release_follow(h, r, app,
				   deploy_env_ms(DEPLOY_POLL_ENV, 2000),
				   deploy_env_ms(DEPLOY_TIMEOUT_ENV, 3700000L),
				   quiet ? NULL : release_output, ms);
	if (ms)
		mask_stream_close(ms);
	mask_stream_free(ms);
	return rc;
}

int deploy_release_finish(struct heroku *h, struct heroku_release *r,
			  const struct deploy_target *t,
			  const struct mask_set *mask, struct ledger *l,
			  struct ledger_entry *le)
{
	int rc;

	term_say(t->quiet, "Releasing v%ld", r->version);
	rc = deploy_follow(h, r, t->app, t->quiet, mask);
	if (rc < 0)
		return rc;
	rc = deploy_ledger_complete(l, le, r);
	if (rc < 0)
		return rc;
	if (!r->status || strcmp(r->status, "succeeded"))
		return error_set("release v%ld %s: the previous release stays "
				 "live",
				 r->version,
				 r->status ? r->status : "has no status");
	return 0;
}

void deploy_history_release(struct deploy_history *hist)
{
	heroku_releases_free(hist->list, hist->nr);
	free(hist->verified);
	for (size_t i = 0; hist->why && i < hist->nr; i++)
		free(hist->why[i]);
	free(hist->why);
	hist->list = NULL;
	hist->verified = NULL;
	hist->why = NULL;
	hist->nr = 0;
}

int deploy_history_fill(struct deploy_history *out, struct heroku *h,
			const struct deploy_target *t)
{
	struct ledger ledger = LEDGER_INIT;
	struct strbuf why = STRBUF_INIT;
	struct heroku_build *builds = NULL;
	size_t nr_builds = 0;
	int rc;

	deploy_history_release(out);
	rc = ledger_load(&ledger, NULL, t->app);
	if (rc < 0)
		goto out;
	rc = heroku_releases_list(h, &out->list, &out->nr, t->app);
	if (rc < 0)
		goto out;
	out->verified = xcalloc(out->nr ? out->nr : 1, sizeof(*out->verified));
	out->why = xcalloc(out->nr ? out->nr : 1, sizeof(*out->why));
	/* Releases a crash left pending in the ledger: complete them. */
	if (ledger_reconcile(&ledger, out->list, out->nr) < 0) {
		if (!t->quiet)
			fprintf(stderr, "slugguard: warning: %s\n",
				error_last());
		error_clear();
	}
	/* A build a crashed deploy started: its release is not unknown. */
	if (deploy_builds_open(&ledger) &&
	    heroku_builds_list(h, &builds, &nr_builds, t->app) < 0) {
		if (!t->quiet)
			fprintf(stderr, "slugguard: warning: %s\n",
				error_last());
		error_clear();
	}
	for (size_t i = 0; i < out->nr; i++) {
		const struct heroku_release *r = &out->list[i];
		const struct ledger_entry *e;

		if (!r->slug_id)
			continue;
		strbuf_reset(&why);
		e = ledger_find_slug(&ledger, r->slug_id);
		if (!e && deploy_build_pending_why(&why, &ledger, builds,
						   nr_builds, r->id))
			out->verified[i] = false;
		else
			out->verified[i] =
				ledger_entry_ok(&ledger, e, t->key, &why);
		if (!out->verified[i])
			out->why[i] = xstrdup(why.buf);
	}
out:
	heroku_builds_free(builds, nr_builds);
	strbuf_release(&why);
	ledger_release(&ledger);
	return rc;
}

int deploy_history_load(struct deploy_history *out,
			const struct deploy_target *t)
{
	struct heroku *h = NULL;
	int rc;

	rc = deploy_client(&h, t->cacert);
	if (rc < 0)
		goto out;
	rc = deploy_history_fill(out, h, t);
out:
	heroku_free(h);
	return rc;
}

/* The release to roll back to: vN, or the one before the current. */
static size_t pick_target(const struct deploy_history *hist, long want)
{
	bool past_current = false;

	for (size_t i = 0; i < hist->nr; i++) {
		const struct heroku_release *r = &hist->list[i];

		if (want > 0) {
			if (r->version == want)
				return i;
			continue;
		}
		if (r->current) {
			past_current = true;
			continue;
		}
		if (past_current && r->status &&
		    !strcmp(r->status, "succeeded"))
			return i;
	}
	return hist->nr;
}

int deploy_rollback(long *from, long *version, const struct deploy_target *t,
		    long want, bool force)
{
	struct deploy_history hist = DEPLOY_HISTORY_INIT;
	struct heroku_release r = HEROKU_RELEASE_INIT;
	const struct heroku_release *target;
	struct heroku *h = NULL;
	struct mask_set *mask = NULL;
	size_t i;
	int rc;

	*from = 0;
	*version = 0;
	rc = deploy_client(&h, t->cacert);
	if (rc < 0)
		goto out;
	/* the release phase runs with the app's config: mask its output */
	rc = deploy_mask_new(&mask, NULL, h, t->app);
	if (rc < 0)
		goto out;
	rc = deploy_history_fill(&hist, h, t);
	if (rc < 0)
		goto out;
	i = pick_target(&hist, want);
	if (i == hist.nr) {
		rc = want ? error_setc(ERR_NOTFOUND,
				       "app '%s' has no release v%ld", t->app,
				       want) :
			    error_setc(ERR_NOTFOUND,
				       "app '%s' has no earlier succeeded "
				       "release to roll back to",
				       t->app);
		goto out;
	}
	target = &hist.list[i];
	*from = target->version;
	if (!target->status || strcmp(target->status, "succeeded")) {
		if (!force) {
			rc = error_setc(ERR_REJECTED,
					"refusing to roll back to v%ld: its "
					"status is '%s', not succeeded (use "
					"--force to override)",
					target->version,
					target->status ? target->status : "?");
			goto out;
		}
	}
	if (!hist.verified[i]) {
		if (!force) {
			rc = error_setc(
				ERR_REJECTED,
				"refusing to roll back to v%ld: its slug "
				"has no valid signed attestation (%s); "
				"use --force to override",
				target->version,
				hist.why[i] ? hist.why[i] :
					      "the release has no slug");
			goto out;
		}
		if (!t->quiet)
			fprintf(stderr,
				"slugguard: warning: v%ld is not "
				"verified; rolling back anyway (--force)\n",
				target->version);
	}
	rc = heroku_rollback(h, &r, t->app, target->id);
	if (rc < 0)
		goto out;
	*version = r.version;
	term_say(t->quiet, "Rolling back to v%ld as v%ld", target->version,
		 r.version);
	rc = deploy_follow(h, &r, t->app, t->quiet, mask);
	if (rc < 0)
		goto out;
	if (!r.status || strcmp(r.status, "succeeded"))
		rc = error_set("rollback release v%ld %s: the previous release "
			       "stays live",
			       r.version,
			       r.status ? r.status : "has no status");
out:
	deploy_mask_error(mask, rc);
	mask_set_free(mask);
	heroku_release_release(&r);
	deploy_history_release(&hist);
	heroku_free(h);
	return rc;
}

/* The release to verify: vN, or the live one. */
static const struct heroku_release *pick_release(const struct heroku_release *l,
						 size_t nr, long want)
{
	for (size_t i = 0; i < nr; i++)
		if (want ? l[i].version == want : l[i].current)
			return &l[i];
	return NULL;
}

int deploy_verify_release(struct strbuf *report, const struct deploy_target *t,
			  long want)
{
	struct ledger ledger = LEDGER_INIT;
	struct heroku *h = NULL;
	struct heroku_release *list = NULL;
	struct heroku_slug slug = HEROKU_SLUG_INIT;
	struct heroku_build *builds = NULL;
	struct strbuf why = STRBUF_INIT;
	const struct heroku_release *r;
	const struct ledger_entry *e;
	size_t nr = 0, nr_builds = 0;
	int rc;

	rc = deploy_client(&h, t->cacert);
	if (!rc)
		rc = ledger_load(&ledger, NULL, t->app);
	if (!rc)
		rc = heroku_releases_list(h, &list, &nr, t->app);
	if (rc < 0)
		goto out;
	r = pick_release(list, nr, want);
	if (!r) {
		rc = want ? error_setc(ERR_NOTFOUND,
				       "app '%s' has no release v%ld", t->app,
				       want) :
			    error_setc(ERR_NOTFOUND,
				       "app '%s' has no live release", t->app);
		goto out;
	}
	if (!r->slug_id) {
		rc = error_setc(ERR_REJECTED, "v%ld of app '%s' has no slug",
				r->version, t->app);
		goto out;
	}
	e = ledger_find_slug(&ledger, r->slug_id);
	/*
	 * Read-only: a pending entry is not completed here (releases,
	 * rollback and the next deploy do that), it is reported.
	 */
	if (!e && deploy_builds_open(&ledger)) {
		rc = heroku_builds_list(h, &builds, &nr_builds, t->app);
		if (rc < 0)
			goto out;
		deploy_build_pending_why(&why, &ledger, builds, nr_builds,
					 r->id);
	}
	/* unless a build a crashed deploy started said why above */
	if (!why.len && e && strcmp(e->state, LEDGER_COMPLETE))
		strbuf_addf(&why,
			    "its ledger entry is %s (the deploy that wrote "
			    "it did not finish; `slugguard releases` "
			    "completes it)",
			    e->state);
	else if (!why.len)
		ledger_entry_ok(&ledger, e, t->key, &why);
	if (why.len) {
		rc = error_setc(ERR_REJECTED, "v%ld of app '%s': %s",
				r->version, t->app, why.buf);
		goto out;
	}
	/* The ledger attests e->checksum: is that the slug Heroku runs? */
	rc = heroku_slug_get(h, &slug, t->app, r->slug_id);
	if (rc < 0)
		goto out;
	if (!slug.checksum || strcmp(slug.checksum, e->checksum)) {
		rc = error_setc(ERR_REJECTED,
				"v%ld of app '%s': digest mismatch: the "
				"ledger attests %.23s..., Heroku's slug %s "
				"has %.23s...",
				r->version, t->app, e->checksum, r->slug_id,
				slug.checksum ? slug.checksum : "no checksum");
		goto out;
	}
	strbuf_addf(report, "v%ld of app '%s': slug %s %.23s... signed by %s",
		    r->version, t->app, r->slug_id, e->checksum, e->keyid);
out:
	heroku_builds_free(builds, nr_builds);
	heroku_slug_release(&slug);
	heroku_releases_free(list, nr);
	strbuf_release(&why);
	ledger_release(&ledger);
	heroku_free(h);
	return rc;
}
