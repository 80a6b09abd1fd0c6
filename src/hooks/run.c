/* SPDX-License-Identifier: MIT */
/*
 * Running the hooks: pre-push (client), pre-receive, post-receive. The
 * parsing of their stdin is in input.c (split off for issue #12, no source
 * file over 900 lines).
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/hooks.h"
#include "slugguard/policy.h"
#include "slugguard/run.h"
#include "slugguard/scan.h"
#include "hooks-internal.h"

#include <unistd.h>

#define HOOKS_MAX_INPUT (16 * 1024 * 1024)

/* What we learned about one deploy-branch tip. */
struct tip_check {
	const struct update *u;
	char commit[GITWALK_HEXSZ + 1];
	struct policy_report report;
	char *policy_source;
};

struct hook_run {
	enum hook_kind kind;
	const char *name;
	const struct hooks_run_opts *o;
	struct gitwalk *w;
	struct updates ups;
	struct policy *server_policy; /* <gitdir>/slugguard.json, if any */
	bool server_policy_loaded;
	struct tip_check *tips;
	size_t tips_nr, tips_alloc;
	struct hooks_scan_stats scan;
	bool scanned;
	bool scan_off; /* content to scan, but the policy turned it off */
	char *scan_report; /* what the scanner printed (findings) */
	size_t scan_report_len;
	struct strvec notes; /* warnings for the report */
	struct strvec tips_in; /* pushed commit tips (not tags) */
	bool dirty_refuses;
	bool bad_tree; /* a pushed tree that git's fsck would refuse */
	bool ledger_rewrite; /* a ledger ref deleted or rewound */
};

/* Run "<hook path>.legacy" first with the same arguments and input. */
static int run_legacy(const struct hook_run *h, int argc,
		      const char *const *argv, const struct strbuf *input)
{
	struct strbuf legacy = STRBUF_INIT;
	struct child c = CHILD_INIT;
	int rc = 0, status;

	if (!h->o->hook_path)
		goto out;
	strbuf_addf(&legacy, "%s.legacy", h->o->hook_path);
	if (access(legacy.buf, X_OK) < 0)
		goto out;
	strvec_push(&c.args, legacy.buf);
	for (int i = 0; i < argc; i++)
		strvec_push(&c.args, argv[i]);
	c.in = -1;
	rc = run_start(&c);
	if (rc < 0)
		goto out;
	/* a hook that exits without reading its input is fine (EPIPE) */
	if (fs_write_all(c.in, input->buf, input->len) < 0)
		error_clear();
	close(c.in);
	status = run_finish(&c);
	if (status < 0) {
		rc = status;
		goto out;
	}
	if (status) {
		fprintf(h->o->out,
			"slugguard: %s.legacy (your previous %s hook) failed "
			"with exit status %d%s\n",
			h->name, h->name, status,
			h->kind == HOOK_POST_RECEIVE ? "" : ": push refused");
		rc = ERR_REJECTED;
	}
out:
	child_release(&c);
	strbuf_release(&legacy);
	return rc;
}

static bool remote_name_ok(const char *r)
{
	return r && *r && !strpbrk(r, "*?[\\ :") && !strstr(r, "..") &&
	       !starts_with(r, "-");
}

/* The policy that governs tip: the server's own file wins over the tip's. */
static int load_policy(struct policy **out, struct hook_run *h, const char *tip)
{
	int rc;

	*out = NULL;
	if (h->kind != HOOK_PRE_PUSH && !h->server_policy_loaded) {
		struct strbuf path = STRBUF_INIT;

		h->server_policy_loaded = true;
		strbuf_addf(&path, "%s%s%s", gitwalk_gitdir(h->w),
			    ends_with(gitwalk_gitdir(h->w), "/") ? "" : "/",
			    POLICY_FILE);
		rc = policy_load_file(&h->server_policy, path.buf);
		strbuf_release(&path);
		if (rc == ERR_NOTFOUND)
			error_clear();
		else if (rc < 0)
			return rc;
	}
	if (h->server_policy)
		return 0;
	rc = policy_load_from_commit(out, h->w, tip);
	if (rc == ERR_NOTFOUND) {
		error_clear();
		rc = 0;
	}
	return rc;
}

static const struct policy *policy_of(const struct hook_run *h,
				      const struct policy *own)
{
	return h->server_policy ? h->server_policy : own;
}

/*
 * The revisions to scan: pushed tips minus what the receiver has; and
 * the pushed trees and blobs (a tag may name one), scanned whole.
 */
static int collect_revs(struct strvec *revs, struct strvec *objs,
			struct strvec *obj_refs, struct hook_run *h,
			const char *remote)
{
	struct strvec have = STRVEC_INIT;
	size_t tips = 0;
	int rc = 0;

	for (size_t i = 0; i < h->ups.nr; i++) {
		const struct update *u = &h->ups.v[i];
		enum gitwalk_kind k;

		if (gitwalk_is_null_hex(u->new))
			continue; /* deletion: nothing new to scan */
		k = gitwalk_object_kind(h->w, u->new);
		if (k == GITWALK_MISSING) {
			rc = error_set("pushed object %.12s for '%s' is not "
				       "in the repository",
				       u->new, u->ref);
			goto out;
		}
		if (k == GITWALK_OTHER ||
		    (k == GITWALK_TAG &&
		     gitwalk_peeled_kind(h->w, u->new) == GITWALK_OTHER)) {
			strvec_push(objs, u->new);
			strvec_push(obj_refs, u->ref);
			continue;
		}
		strvec_push(revs, u->new);
		if (k == GITWALK_COMMIT)
			strvec_push(&h->tips_in, u->new);
		tips++;
	}
	if (!tips)
		goto out;
	for (size_t i = 0; i < h->ups.nr; i++) {
		const struct update *u = &h->ups.v[i];

		/* the receiver's old tip, when we have it (a force push to
		 * an unfetched tip is covered by the refs below) */
		if (!gitwalk_is_null_hex(u->old) &&
		    gitwalk_object_kind(h->w, u->old) != GITWALK_MISSING)
			strvec_pushf(revs, "^%s", u->old);
	}
	if (h->kind == HOOK_PRE_PUSH && remote_name_ok(remote)) {
		struct strbuf glob = STRBUF_INIT;

		strbuf_addf(&glob, "refs/remotes/%s/*", remote);
		rc = gitwalk_ref_commits(&have, h->w, glob.buf);
		strbuf_release(&glob);
	} else if (h->kind == HOOK_PRE_RECEIVE) {
		/* before the update, every ref is something the server has */
		rc = gitwalk_ref_commits(&have, h->w, "refs/*");
	}
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < have.nr; i++)
		strvec_pushf(revs, "^%s", have.v[i]);
out:
	strvec_clear(&have);
	return rc;
}

/* Add the baseline entries of commit hex (when it has the file). */
static void baseline_at(struct strvec *out, struct hook_run *h, const char *hex)
{
	struct strbuf text = STRBUF_INIT, what = STRBUF_INIT;
	int rc;

	rc = gitwalk_read_file_at(&text, h->w, hex, SCAN_BASELINE_FILE,
				  16 * 1024 * 1024);
	strbuf_addf(&what, "%s at %.12s", SCAN_BASELINE_FILE, hex);
	if (!rc)
		rc = scan_baseline_parse(out, NULL, text.buf, text.len,
					 what.buf);
	if (rc < 0 && rc != ERR_NOTFOUND)
		/* accepting less is the safe side: say so, go on */
		strvec_pushf(&h->notes, "%s; its entries are not trusted",
			     error_last());
	error_clear();
	strbuf_release(&text);
	strbuf_release(&what);
}

/*
 * The baseline pre-receive may honour. A push could add the fingerprint
 * of its own new key to the baseline it carries, so only entries that
 * were there before the push count: the baseline in each updated ref's
 * old commit and at the server's HEAD (the scan engine adds the server's
 * own <gitdir>/.slugguard-baseline.json). Into an empty repository
 * there is no earlier state: the first push's baseline is trusted (trust
 * on first use, as ssh does with host keys) and the report says so.
 */
static int trusted_baseline(struct strvec *out, struct hook_run *h)
{
	struct strvec refs = STRVEC_INIT;
	char head[GITWALK_HEXSZ + 1];
	size_t before = 0;
	int rc;

	rc = gitwalk_ref_commits(&refs, h->w, "refs/*");
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < h->ups.nr; i++) {
		const struct update *u = &h->ups.v[i];

		if (!gitwalk_is_null_hex(u->old) &&
		    gitwalk_object_kind(h->w, u->old) == GITWALK_COMMIT)
			baseline_at(out, h, u->old);
	}
	if (!gitwalk_resolve_commit(h->w, "HEAD", head))
		baseline_at(out, h, head);
	error_clear();
	if (refs.nr)
		goto out;
	for (size_t i = 0; i < h->tips_in.nr; i++) {
		before = out->nr;
		baseline_at(out, h, h->tips_in.v[i]);
		if (out->nr > before)
			strvec_pushf(&h->notes,
				     "first push into an empty repository: "
				     "the %zu entries of its %s are trusted "
				     "as the baseline",
				     out->nr - before, SCAN_BASELINE_FILE);
	}
out:
	strvec_clear(&refs);
	return rc;
}

static int run_scan(struct hook_run *h, const char *remote, bool enabled,
		    const char *scan_config, unsigned allow_contexts)
{
	struct strvec revs = STRVEC_INIT, objs = STRVEC_INIT;
	struct strvec obj_refs = STRVEC_INIT, accepted = STRVEC_INIT;
	struct strvec public_commits = STRVEC_INIT;
	struct hooks_scan_in in = { 0 };
	FILE *mem = NULL;
	int rc;

	rc = collect_revs(&revs, &objs, &obj_refs, h, remote);
	if (rc < 0 || (!revs.nr && !objs.nr))
		goto out;
	if (!enabled) {
		h->scan_off = true;
		goto out;
	}
	in.config_path = scan_config;
	in.allow_contexts = allow_contexts;
	in.tips = &h->tips_in;
	in.color = h->o->color;
	in.server = h->kind != HOOK_PRE_PUSH;
	if (h->kind == HOOK_PRE_RECEIVE) {
		rc = trusted_baseline(&accepted, h);
		in.accepted = &accepted;
	} else {
		rc = gitwalk_ref_commits(&public_commits, h->w,
					 "refs/remotes/*");
		in.public_commits = &public_commits;
	}
	if (rc < 0)
		goto out;
	mem = open_memstream(&h->scan_report, &h->scan_report_len);
	if (!mem) {
		rc = error_from_errno("cannot buffer the scan report");
		goto out;
	}
	rc = hooks_scan_revs(&h->scan, h->w, &revs, &objs, &obj_refs, &in, mem);
	if (fclose(mem) && !rc)
		rc = error_from_errno("cannot buffer the scan report");
	mem = NULL;
	h->scanned = true;
out:
	strvec_clear(&public_commits);
	strvec_clear(&accepted);
	strvec_clear(&revs);
	strvec_clear(&objs);
	strvec_clear(&obj_refs);
	return rc;
}

static struct tip_check *tip_add(struct hook_run *h, const struct update *u)
{
	struct tip_check *t;

	ALLOC_GROW(h->tips, h->tips_nr + 1, h->tips_alloc);
	t = &h->tips[h->tips_nr++];
	memset(t, 0, sizeof(*t));
	t->u = u;
	return t;
}

/*
 * Check the policy against each tip that targets a deploy branch. Scan
 * settings come from the policy of the first tip that has one.
 */
static int check_policies(struct hook_run *h, bool *scan_enabled,
			  char **scan_config, unsigned *allow_contexts,
			  enum policy_dirty *dirty, bool *any_deploy)
{
	struct policy *own = NULL;
	int rc = 0;
	bool settings = false;

	for (size_t i = 0; i < h->ups.nr; i++) {
		const struct update *u = &h->ups.v[i];
		const struct policy *p;
		char tip[GITWALK_HEXSZ + 1];
		struct tip_check *t;

		policy_free(own);
		own = NULL;
		if (gitwalk_is_null_hex(u->new) ||
		    !starts_with(u->ref, "refs/heads/") ||
		    gitwalk_object_kind(h->w, u->new) != GITWALK_COMMIT)
			continue;
		memcpy(tip, u->new, sizeof(tip));
		rc = load_policy(&own, h, tip);
		if (rc < 0)
			goto out;
		p = policy_of(h, own);
		if (!p)
			continue;
		if (!settings) {
			settings = true;
			*scan_enabled = p->scan || h->kind != HOOK_PRE_PUSH;
			*scan_config =
				p->scan_config ? xstrdup(p->scan_config) : NULL;
			*allow_contexts = p->scan_allow_contexts;
		}
		if (!policy_is_deploy_branch(p, u->ref + strlen("refs/heads/")))
			continue;
		*any_deploy = true;
		if (p->dirty == POLICY_DIRTY_ERROR ||
		    (p->dirty == POLICY_DIRTY_WARN &&
		     *dirty == POLICY_DIRTY_IGNORE))
			*dirty = p->dirty;
		t = tip_add(h, u);
		memcpy(t->commit, tip, sizeof(tip));
		t->policy_source = xstrdup(p->source);
		rc = policy_check_commit(&t->report, p, h->w, tip, NULL);
		if (rc < 0)
			goto out;
	}
out:
	policy_free(own);
	return rc;
}

/*
 * pre-receive: refuse every pushed tip whose trees git's fsck flags, even
 * with receive.fsckObjects off, before a post-receive could export it
 * (the export checks again: this only makes the refusal come first).
 */
static void check_trees(struct hook_run *h)
{
	for (size_t i = 0; i < h->ups.nr; i++) {
		const struct update *u = &h->ups.v[i];
		char tip[GITWALK_HEXSZ + 1];
		enum gitwalk_kind k;
		const char *m;
		struct strbuf sb = STRBUF_INIT;

		if (gitwalk_is_null_hex(u->new))
			continue;
		k = gitwalk_object_kind(h->w, u->new);
		if (k != GITWALK_COMMIT && k != GITWALK_TAG)
			continue;
		if (gitwalk_peel_commit(h->w, u->new, tip) < 0 ||
		    !gitwalk_check_tree(h->w, tip)) {
			error_clear();
			continue;
		}
		m = error_last();
		strbuf_add_sanitized(&sb, m, strlen(m));
		strvec_push(&h->notes, sb.buf);
		strbuf_release(&sb);
		error_clear();
		h->bad_tree = true;
	}
}

/*
 * pre-receive: the release ledger (refs/slugguard/...) only grows. Its
 * entries are verified by signature when read, so a pusher cannot forge
 * one; deleting or rewinding the ref would still make releases show
 * unverified, so a server refuses both.
 */
static void check_ledger_refs(struct hook_run *h)
{
	for (size_t i = 0; i < h->ups.nr; i++) {
		const struct update *u = &h->ups.v[i];
		struct strvec from = STRVEC_INIT;
		bool ok = false;

		if (!starts_with(u->ref, "refs/slugguard/") ||
		    gitwalk_is_null_hex(u->old))
			continue;
		if (!gitwalk_is_null_hex(u->new)) {
			strvec_push(&from, u->new);
			if (gitwalk_reachable_from_any(&ok, h->w, u->old,
						       &from) < 0)
				error_clear();
			strvec_clear(&from);
		}
		if (ok)
			continue;
		strvec_pushf(&h->notes,
			     "%s: the release ledger only grows; a push may "
			     "not delete or rewind it",
			     u->ref);
		h->ledger_rewrite = true;
	}
}

static void add_size(struct strbuf *sb, size_t bytes)
{
	if (bytes < 1024)
		strbuf_addf(sb, "%zu bytes", bytes);
	else if (bytes < 1024 * 1024)
		strbuf_addf(sb, "%zu KB", (bytes + 512) / 1024);
	else
		strbuf_addf(sb, "%.1f MB", (double)bytes / (1024.0 * 1024.0));
}

static void scan_summary(struct strbuf *sb, const struct hook_run *h)
{
	if (h->scan_off) {
		strbuf_addstr(sb, "not scanned for secrets: the policy turns "
				  "the scan off (\"scan\": false)");
		return;
	}
	if (!h->scanned) {
		strbuf_addstr(sb, "no new commits to scan");
		return;
	}
	strbuf_addf(sb, "%zu commit%s, ", h->scan.commits,
		    h->scan.commits == 1 ? "" : "s");
	if (h->scan.objects)
		strbuf_addf(sb, "%zu tree%s or blob%s, ", h->scan.objects,
			    h->scan.objects == 1 ? "" : "s",
			    h->scan.objects == 1 ? "" : "s");
	add_size(sb, h->scan.bytes);
	strbuf_addstr(sb, " scanned");
	if (h->scan.skips)
		strbuf_addstr(sb, h->scan.skips);
}

static void print_report(const struct hook_run *h, bool refused)
{
	FILE *out = h->o->out;
	struct strbuf sb = STRBUF_INIT;
	size_t policy_fail = 0;

	for (size_t i = 0; i < h->tips_nr; i++)
		policy_fail += policy_report_failures(&h->tips[i].report);
	scan_summary(&sb, h);
	if (!refused) {
		/* findings the policy lets through are still shown */
		if (h->scan.allowed && h->scan_report && h->scan_report_len)
			fwrite(h->scan_report, 1, h->scan_report_len, out);
		for (size_t i = 0; i < h->notes.nr; i++)
			fprintf(out, "slugguard: warning: %s\n", h->notes.v[i]);
		if (!h->o->quiet)
			fprintf(out, "slugguard: %s, %s\n", sb.buf,
				h->tips_nr ? "policy ok" : "no policy checked");
		goto out;
	}
	fprintf(out, "slugguard: push refused by the %s hook\n", h->name);
	fprintf(out, "slugguard: checked: %s", sb.buf);
	for (size_t i = 0; i < h->ups.nr; i++)
		fprintf(out, "%s%s", i ? ", " : " (", h->ups.v[i].ref);
	fprintf(out, "%s\n", h->ups.nr ? ")" : "");
	if (h->scan.findings) {
		fprintf(out, "slugguard: %zu secret%s found", h->scan.findings,
			h->scan.findings == 1 ? "" : "s");
		if (h->scan.allowed)
			fprintf(out, " (and %zu in allowed contexts)",
				h->scan.allowed);
		fputs(":\n", out);
		if (h->scan_report && h->scan_report_len)
			fwrite(h->scan_report, 1, h->scan_report_len, out);
	}
	for (size_t i = 0; i < h->tips_nr; i++) {
		const struct tip_check *t = &h->tips[i];

		if (policy_report_ok(&t->report) && !policy_fail)
			continue;
		fprintf(out, "slugguard: policy for %s at %.12s (%s):\n",
			t->u->ref, t->commit, t->policy_source);
		policy_report_print(&t->report, out,
				    "slugguard:   ", h->o->color, false);
	}
	for (size_t i = 0; i < h->notes.nr; i++)
		fprintf(out, "slugguard: %s\n", h->notes.v[i]);
	if (policy_fail)
		fprintf(out,
			"slugguard: to fix: apply the fixes above, commit, "
			"and push again\n");
	if (h->kind == HOOK_PRE_PUSH)
		fprintf(out, "slugguard: to bypass these checks deliberately: "
			     "git push --no-verify (a server running "
			     "slugguard still checks)\n");
	else
		fprintf(out, "slugguard: this check runs on the server: "
			     "--no-verify does not skip it\n");
out:
	strbuf_release(&sb);
}

static int pre_push_or_receive(struct hook_run *h, const char *remote)
{
	enum policy_dirty dirty = POLICY_DIRTY_IGNORE;
	bool scan_enabled = true, any_deploy = false, refused;
	unsigned allow_contexts = 0;
	char *scan_config = NULL;
	int rc;

	if (h->kind == HOOK_PRE_RECEIVE) {
		check_trees(h);
		check_ledger_refs(h);
	}
	rc = check_policies(h, &scan_enabled, &scan_config, &allow_contexts,
			    &dirty, &any_deploy);
	if (rc < 0)
		goto out;
	rc = run_scan(h, remote, scan_enabled, scan_config, allow_contexts);
	if (rc < 0)
		goto out;
	if (h->scan.allowed)
		strvec_pushf(&h->notes,
			     "%zu finding%s in a context the policy allows "
			     "(scan.allow_contexts) did not refuse the push",
			     h->scan.allowed, h->scan.allowed == 1 ? "" : "s");
	if (h->kind == HOOK_PRE_PUSH && any_deploy &&
	    dirty != POLICY_DIRTY_IGNORE) {
		bool is_dirty = false;

		rc = gitwalk_is_dirty(&is_dirty, h->w);
		if (rc < 0)
			goto out;
		if (is_dirty && dirty == POLICY_DIRTY_ERROR) {
			h->dirty_refuses = true;
			strvec_push(&h->notes,
				    "the work tree has uncommitted changes "
				    "(the policy makes that an error): commit "
				    "or stash them, then push again");
		} else if (is_dirty) {
			strvec_push(&h->notes,
				    "the work tree has uncommitted changes; "
				    "they are not part of this push");
		}
	}
	refused = h->scan.findings || h->dirty_refuses || h->bad_tree ||
		  h->ledger_rewrite;
	for (size_t i = 0; i < h->tips_nr; i++)
		if (!policy_report_ok(&h->tips[i].report))
			refused = true;
	print_report(h, refused);
	rc = refused ? ERR_REJECTED : 0;
out:
	free(scan_config);
	return rc;
}

/* Record a post-receive failure in the repository; never fails itself. */
static void log_failure(struct hook_run *h, const struct update *u,
			const char *msg)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf text = STRBUF_INIT;
	const char *gd = gitwalk_gitdir(h->w);
	const char *sep = ends_with(gd, "/") ? "" : "/";

	strbuf_addf(&dir, "%s%sslugguard/logs", gd, sep);
	if (fs_mkdir_private(dir.buf) < 0) {
		error_clear();
		strbuf_reset(&dir);
		strbuf_addf(&dir, "%s%sslugguard", gd, sep);
		if (fs_mkdir_private(dir.buf) < 0)
			error_clear();
	}
	strbuf_addf(&path, "%s/post-receive-errors.log", dir.buf);
	if (fs_read_capped(&text, path.buf, 4 * 1024 * 1024) < 0) {
		error_clear();
		strbuf_reset(&text);
	}
	strbuf_addf(&text, "%s %.40s ", u->ref, u->new);
	strbuf_add_sanitized(&text, msg, strlen(msg));
	strbuf_addch(&text, '\n');
	if (fs_write_atomic(path.buf, text.buf, text.len, 0600) < 0) {
		fprintf(h->o->out, "slugguard: cannot log the failure: %s\n",
			error_last());
		error_clear();
	} else {
		fprintf(h->o->out, "slugguard: failure logged in %s\n",
			path.buf);
	}
	strbuf_release(&dir);
	strbuf_release(&path);
	strbuf_release(&text);
}

static int post_receive(struct hook_run *h)
{
	struct policy *own = NULL;
	int rc = 0;
	bool failed = false;

	for (size_t i = 0; i < h->ups.nr; i++) {
		const struct update *u = &h->ups.v[i];
		const struct policy *p;
		const char *branch;
		bool deploy;

		policy_free(own);
		own = NULL;
		if (gitwalk_is_null_hex(u->new) ||
		    !starts_with(u->ref, "refs/heads/"))
			continue;
		branch = u->ref + strlen("refs/heads/");
		rc = load_policy(&own, h, u->new);
		p = policy_of(h, own);
		if (!rc)
			deploy = p ? policy_is_deploy_branch(p, branch) :
				     !strcmp(branch, "main");
		if (!rc && !deploy)
			continue;
		if (!rc)
			rc = hooks_post_receive_deploy(h->w, p, u->ref, u->old,
						       u->new, h->o->out);
		if (rc < 0) {
			/* the ref is already updated: say so, keep going */
			struct strbuf msg = STRBUF_INIT;

			strbuf_addstr(&msg, error_last());
			error_clear();
			fprintf(h->o->out,
				"slugguard: post-receive failed for %s: %s\n"
				"slugguard: the push itself was accepted and "
				"%s now points at %.12s\n",
				u->ref, msg.buf, u->ref, u->new);
			log_failure(h, u, msg.buf);
			strbuf_release(&msg);
			failed = true;
			rc = 0;
		}
	}
	policy_free(own);
	return failed ? ERR_REJECTED : 0;
}

int hooks_run(const char *name, int argc, const char *const *argv,
	      const struct hooks_run_opts *opts)
{
	struct hook_run h;
	struct strbuf input = STRBUF_INIT;
	const char *remote = NULL;
	int rc;

	memset(&h, 0, sizeof(h));
	strvec_init(&h.notes);
	strvec_init(&h.tips_in);
	h.name = name;
	h.o = opts;
	if (!strcmp(name, "pre-push"))
		h.kind = HOOK_PRE_PUSH;
	else if (!strcmp(name, "pre-receive"))
		h.kind = HOOK_PRE_RECEIVE;
	else if (!strcmp(name, "post-receive"))
		h.kind = HOOK_POST_RECEIVE;
	else
		return error_setc(ERR_USAGE,
				  "'%s' is not a hook slugguard runs", name);
	rc = gitwalk_open(&h.w, NULL);
	if (rc < 0)
		goto out;
	/* pre-commit's framework leaves a terminal on stdin: do not wait */
	if (!(h.kind == HOOK_PRE_PUSH && getenv("PRE_COMMIT_TO_REF") &&
	      isatty(opts->in_fd))) {
		rc = fs_read_fd_capped(&input, opts->in_fd, HOOKS_MAX_INPUT,
				       "hook input");
		if (rc < 0)
			goto out;
	}
	rc = run_legacy(&h, argc, argv, &input);
	if (rc < 0 && h.kind != HOOK_POST_RECEIVE)
		goto out;
	rc = parse_input(&h.ups, h.kind, &input);
	if (rc < 0)
		goto out;
	if (h.kind == HOOK_PRE_PUSH) {
		remote = argc > 0 ? argv[0] : getenv("PRE_COMMIT_REMOTE_NAME");
		if (!h.ups.nr)
			rc = updates_from_pre_commit(&h.ups, h.w);
		if (rc < 0)
			goto out;
	}
	if (h.kind == HOOK_POST_RECEIVE)
		rc = post_receive(&h);
	else
		rc = pre_push_or_receive(&h, remote);
out:
	for (size_t i = 0; i < h.tips_nr; i++) {
		policy_report_release(&h.tips[i].report);
		free(h.tips[i].policy_source);
	}
	free(h.tips);
	free(h.scan_report);
	free(h.scan.skips);
	policy_free(h.server_policy);
	updates_release(&h.ups);
	strvec_clear(&h.notes);
	strvec_clear(&h.tips_in);
	gitwalk_free(h.w);
	strbuf_release(&input);
	return rc;
}
