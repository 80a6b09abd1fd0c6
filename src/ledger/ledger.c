/* SPDX-License-Identifier: MIT */
/*
 * The release ledger in git: one ref per app, one file per release,
 * union merge, compare-and-swap with retry (see include/slugguard/ledger.h).
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/heroku.h"
#include "slugguard/ledger.h"
#include "slugguard/utc.h"
#include "ledger-internal.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_ATTEMPTS 60

/* One tree: names and blob ids, in the same order. */
struct tree_map {
	struct strvec names;
	struct strvec oids;
};
#define TREE_MAP_INIT                    \
	{                                \
		STRVEC_INIT, STRVEC_INIT \
	}

static void tree_map_release(struct tree_map *m)
{
	strvec_clear(&m->names);
	strvec_clear(&m->oids);
}

char *ledger_default_dir(void)
{
	struct strbuf sb = STRBUF_INIT;
	const char *v = getenv("SLUGGUARD_LEDGER_DIR");

	if (v && *v) {
		strbuf_addstr(&sb, v);
	} else if ((v = getenv("XDG_DATA_HOME")) && *v == '/') {
		strbuf_addf(&sb, "%s/slugguard", v);
	} else {
		v = getenv("HOME");
		strbuf_addf(&sb, "%s/.local/share/slugguard",
			    v && *v ? v : ".");
	}
	strbuf_addstr(&sb, "/ledger.git");
	return strbuf_detach(&sb, NULL);
}

static bool app_name_ok(const char *app)
{
	if (!*app || strlen(app) > 100 || app[0] == '.' || strstr(app, ".."))
		return false;
	for (const char *p = app; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		      *p == '.'))
			return false;
	if (ends_with(app, ".lock") || ends_with(app, "."))
		return false;
	return true;
}

void ledger_release(struct ledger *l)
{
	for (size_t i = 0; i < l->nr; i++)
		ledger_entry_release(&l->entries[i]);
	free(l->entries);
	free(l->dir);
	free(l->app);
	free(l->remote);
	strvec_clear(&l->trusted);
	strvec_clear(&l->trusted_pem);
	strvec_clear(&l->revoked);
	strvec_clear(&l->revoked_when);
	memset(l, 0, sizeof(*l));
}

/* git with a NULL-terminated argument list, output trimmed. */
static int git_out(const char *gitdir, struct strbuf *out, const char *a0,
		   const char *a1, const char *a2, const char *a3,
		   const char *a4)
{
	const char *args[] = { a0, a1, a2, a3, a4, NULL };
	int rc;

	strbuf_reset(out);
	rc = ledger_git(gitdir, out, NULL, NULL, 0, args);
	strbuf_trim(out);
	return rc;
}

static int find_repo(struct ledger *l, const char *dir)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	const char *init[] = { "init", "--bare", "-q", NULL, NULL };
	char *def = NULL;
	int rc = 0;

	if (dir) {
		def = xstrdup(dir);
	} else if (!git_out(NULL, &out, "rev-parse", "--absolute-git-dir", NULL,
			    NULL, NULL) &&
		   out.len) {
		l->dir = strbuf_detach(&out, NULL);
		goto out;
	} else {
		/* Outside any repository: a private one of our own. */
		def = ledger_default_dir();
	}
	if (!fs_is_dir(def)) {
		init[3] = def;
		rc = ledger_git(NULL, NULL, &err, NULL, 0, init);
		if (rc) {
			strbuf_trim(&err);
			rc = error_set("cannot create the ledger repository "
				       "'%s': %s",
				       def, err.buf);
			goto out;
		}
	}
	l->dir = def;
	def = NULL;
out:
	free(def);
	strbuf_release(&err);
	strbuf_release(&out);
	return rc;
}

static void find_remote(struct ledger *l)
{
	struct strbuf out = STRBUF_INIT;
	const char *v = getenv("SLUGGUARD_LEDGER_REMOTE");

	if (v) {
		strbuf_addstr(&out, v);
	} else if (git_out(l->dir, &out, "config", "--get",
			   "slugguard.ledgerRemote", NULL, NULL) ||
		   !out.len) {
		if (!git_out(l->dir, &out, "config", "--get",
			     "remote.origin.url", NULL, NULL) &&
		    out.len) {
			strbuf_reset(&out);
			strbuf_addstr(&out, "origin");
		} else
			strbuf_reset(&out);
	}
	if (out.len && strcmp(out.buf, "none") && out.buf[0] != '-')
		l->remote = strbuf_detach(&out, NULL);
	strbuf_release(&out);
}

static void ref_name(struct strbuf *sb, const struct ledger *l)
{
	strbuf_addf(sb, "%s%s", LEDGER_REF_PREFIX, l->app);
}

static void track_name(struct strbuf *sb, const struct ledger *l)
{
	strbuf_addf(sb, "refs/slugguard/remotes/%s/%s", l->remote, l->app);
}

/* Fetch the remote's ledgers; false (with a warning) when unreachable. */
static bool fetch_remote(const struct ledger *l)
{
	struct strbuf spec = STRBUF_INIT, err = STRBUF_INIT;
	const char *args[] = { "fetch",	    "-q",
			       "--no-tags", "--no-write-fetch-head",
			       NULL,	    NULL,
			       NULL };
	int rc;

	strbuf_addf(&spec, "+%s*:refs/slugguard/remotes/%s/*",
		    LEDGER_REF_PREFIX, l->remote);
	args[4] = l->remote;
	args[5] = spec.buf;
	rc = ledger_git(l->dir, NULL, &err, NULL, 0, args);
	if (rc) {
		strbuf_trim(&err);
		fprintf(stderr,
			"slugguard: warning: ledger: cannot fetch from '%s'; "
			"using the local copy\n",
			l->remote);
	}
	strbuf_release(&err);
	strbuf_release(&spec);
	return !rc;
}

/* The commit a ref points at, or "" when it does not exist. */
static void resolve(struct strbuf *out, const struct ledger *l, const char *ref)
{
	struct strbuf spec = STRBUF_INIT;

	strbuf_addf(&spec, "%s^{commit}", ref);
	if (git_out(l->dir, out, "rev-parse", "-q", "--verify", spec.buf, NULL))
		strbuf_reset(out);
	strbuf_release(&spec);
}

static int map_find(const struct tree_map *m, const char *name)
{
	for (size_t i = 0; i < m->names.nr; i++)
		if (!strcmp(m->names.v[i], name))
			return (int)i;
	return -1;
}

/* Is a better than b? More complete, then later, then larger oid. */
static bool entry_better(const struct ledger_entry *a, const char *a_oid,
			 const struct ledger_entry *b, const char *b_oid)
{
	int ra = ledger_state_rank(a->state), rb = ledger_state_rank(b->state);
	int t;

	if (ra != rb)
		return ra > rb;
	t = strcmp(a->time ? a->time : "", b->time ? b->time : "");
	if (t)
		return t > 0;
	if (a->version != b->version)
		return a->version > b->version;
	return strcmp(a_oid, b_oid) > 0;
}

/* Is the blob a better than the blob b (either may not parse)? */
static int blob_better(bool *out, const struct ledger *l, const char *a,
		       const char *b)
{
	struct strvec oids = STRVEC_INIT, texts = STRVEC_INIT;
	struct ledger_entry ea, eb;
	bool pa, pb;
	int rc;

	memset(&ea, 0, sizeof(ea));
	memset(&eb, 0, sizeof(eb));
	*out = false;
	strvec_push(&oids, a);
	strvec_push(&oids, b);
	rc = ledger_cat_blobs(&texts, l->dir, &oids);
	if (rc < 0)
		goto out;
	pa = !ledger_entry_parse(&ea, texts.v[0], strlen(texts.v[0]), a);
	pb = !ledger_entry_parse(&eb, texts.v[1], strlen(texts.v[1]), b);
	error_clear();
	if (pa && pb)
		*out = entry_better(&ea, a, &eb, b);
	else
		*out = pa;
out:
	ledger_entry_release(&ea);
	ledger_entry_release(&eb);
	strvec_clear(&texts);
	strvec_clear(&oids);
	return rc;
}

/* Put name -> oid into m unless m holds a better blob for it. */
static int map_put(struct tree_map *m, const struct ledger *l, const char *name,
		   const char *oid)
{
	int i = map_find(m, name);
	bool better = false;
	int rc;

	if (i < 0) {
		strvec_push(&m->names, name);
		strvec_push(&m->oids, oid);
		return 0;
	}
	if (!strcmp(m->oids.v[i], oid))
		return 0;
	rc = blob_better(&better, l, oid, m->oids.v[i]);
	if (rc < 0)
		return rc;
	if (better) {
		/* strvec members are const: rebuild with the one replaced */
		struct strvec n = STRVEC_INIT;

		for (size_t k = 0; k < m->oids.nr; k++)
			strvec_push(&n, (int)k == i ? oid : m->oids.v[k]);
		strvec_clear(&m->oids);
		m->oids = n;
	}
	return 0;
}

/* The union of the trees of the local ref and the remote's copy. */
static int read_union(struct tree_map *m, const struct ledger *l,
		      const char *ours, const char *theirs)
{
	struct tree_map t = TREE_MAP_INIT;
	int rc;

	rc = ours && *ours ? ledger_ls_tree(&m->names, &m->oids, l->dir, ours,
					    NULL, ".json") :
			     0;
	if (!rc && theirs && *theirs && strcmp(ours, theirs))
		rc = ledger_ls_tree(&t.names, &t.oids, l->dir, theirs, NULL,
				    ".json");
	for (size_t i = 0; !rc && i < t.names.nr; i++)
		rc = map_put(m, l, t.names.v[i], t.oids.v[i]);
	tree_map_release(&t);
	return rc;
}

static int load_entries(struct ledger *l, const struct tree_map *m)
{
	struct strvec texts = STRVEC_INIT;
	int rc;

	rc = ledger_cat_blobs(&texts, l->dir, &m->oids);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < m->names.nr; i++) {
		struct ledger_entry e;

		memset(&e, 0, sizeof(e));
		if (ledger_entry_parse(&e, texts.v[i], strlen(texts.v[i]),
				       m->names.v[i]) < 0) {
			/* outside input: one bad file loses one entry */
			fprintf(stderr, "slugguard: warning: ledger: %s\n",
				error_last());
			error_clear();
			continue;
		}
		ALLOC_GROW(l->entries, l->nr + 1, l->alloc);
		l->entries[l->nr++] = e;
	}
out:
	strvec_clear(&texts);
	return rc;
}

int ledger_load(struct ledger *l, const char *dir, const char *app)
{
	struct strbuf ref = STRBUF_INIT, track = STRBUF_INIT;
	struct strbuf ours = STRBUF_INIT, theirs = STRBUF_INIT;
	struct tree_map m = TREE_MAP_INIT;
	int rc;

	ledger_release(l);
	if (!app_name_ok(app))
		return error_set("invalid app name '%s'", app);
	l->app = xstrdup(app);
	rc = find_repo(l, dir);
	if (rc < 0)
		goto out;
	find_remote(l);
	ref_name(&ref, l);
	resolve(&ours, l, ref.buf);
	if (l->remote) {
		fetch_remote(l);
		track_name(&track, l);
		resolve(&theirs, l, track.buf);
	}
	rc = read_union(&m, l, ours.buf, theirs.buf);
	if (rc < 0)
		goto out;
	rc = load_entries(l, &m);
	if (rc < 0)
		goto out;
	rc = ledger_keys_load(l);
out:
	tree_map_release(&m);
	strbuf_release(&theirs);
	strbuf_release(&ours);
	strbuf_release(&track);
	strbuf_release(&ref);
	return rc;
}

const struct ledger_entry *ledger_find_slug(const struct ledger *l,
					    const char *slug_id)
{
	if (!slug_id)
		return NULL;
	for (size_t i = 0; i < l->nr; i++)
		if (!l->entries[i].kind &&
		    !strcmp(l->entries[i].slug_id, slug_id))
			return &l->entries[i];
	return NULL;
}

static int make_tree(struct strbuf *tree, const struct ledger *l,
		     const struct tree_map *m)
{
	struct strbuf in = STRBUF_INIT;
	const char *args[] = { "mktree", "-z", NULL };
	int rc;

	for (size_t i = 0; i < m->names.nr; i++) {
		strbuf_addf(&in, "100644 blob %s\t%s", m->oids.v[i],
			    m->names.v[i]);
		strbuf_addch(&in, '\0');
	}
	strbuf_reset(tree);
	rc = ledger_git(l->dir, tree, NULL, in.buf, in.len, args);
	strbuf_trim(tree);
	if (rc || !ledger_is_oid(tree->buf))
		rc = error_set("ledger: git mktree failed in '%s'", l->dir);
	strbuf_release(&in);
	return rc;
}

static bool is_ancestor(const struct ledger *l, const char *a, const char *b)
{
	struct strbuf out = STRBUF_INIT;
	int rc = git_out(l->dir, &out, "merge-base", "--is-ancestor", a, b,
			 NULL);

	strbuf_release(&out);
	return !rc;
}

static void backoff(unsigned attempt)
{
	static bool seeded;
	struct timespec ts;
	long ms;

	if (!seeded) {
		srand((unsigned)getpid() ^ (unsigned)time(NULL));
		seeded = true;
	}
	ms = 2 + rand() % (long)(5 + 10 * (attempt < 20 ? attempt : 20));
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

enum push_result { PUSH_OK, PUSH_REJECTED, PUSH_UNREACHABLE };

static enum push_result push_remote(const struct ledger *l, const char *ref)
{
	struct strbuf spec = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT;
	const char *args[] = { "push",	  "--porcelain", "-q", "--no-verify",
			       l->remote, NULL,		 NULL };
	enum push_result res = PUSH_OK;
	int rc;

	strbuf_addf(&spec, "%s:%s", ref, ref);
	args[5] = spec.buf;
	rc = ledger_git(l->dir, &out, &err, NULL, 0, args);
	if (rc) {
		/* porcelain: "!\t<src>:<dst>\t[rejected] (fetch first)" */
		if (starts_with(out.buf, "!") || strstr(out.buf, "\n!") ||
		    strstr(err.buf, "[rejected]") ||
		    strstr(err.buf, "cannot lock ref"))
			res = PUSH_REJECTED;
		else
			res = PUSH_UNREACHABLE;
	}
	strbuf_release(&err);
	strbuf_release(&out);
	strbuf_release(&spec);
	return res;
}

/* Write the blob text; its id into oid. */
static int write_blob(struct strbuf *oid, const struct ledger *l,
		      const struct strbuf *text)
{
	const char *args[] = { "hash-object", "-w", "--stdin", NULL };
	int rc;

	strbuf_reset(oid);
	rc = ledger_git(l->dir, oid, NULL, text->buf, text->len, args);
	strbuf_trim(oid);
	if (rc || !ledger_is_oid(oid->buf))
		return error_set("ledger: cannot write to '%s'", l->dir);
	return 0;
}

/*
 * git holds "<ref>.lock" for the microseconds of an update; one older
 * than a minute was left by a git killed with it (kill -9 of a whole
 * process group, a power cut) and would refuse every later update.
 */
static void clear_stale_lock(const struct ledger *l, const char *ref)
{
	struct strbuf lock = STRBUF_INIT, path = STRBUF_INIT;
	struct stat st;

	strbuf_addf(&lock, "%s.lock", ref);
	if (!git_out(l->dir, &path, "rev-parse", "--git-path", lock.buf, NULL,
		     NULL) &&
	    path.len && !lstat(path.buf, &st) && S_ISREG(st.st_mode) &&
	    time(NULL) - st.st_mtime > 60) {
		fprintf(stderr,
			"slugguard: warning: ledger: removing the stale lock "
			"'%s'\n",
			path.buf);
		unlink(path.buf);
	}
	strbuf_release(&path);
	strbuf_release(&lock);
}

/*
 * One attempt at moving the ref from *ours to a commit holding the union
 * and each names[i] -> blobs[i]. 1: lost the race (retry); 0: done; <0:
 * error.
 */
static int try_update(struct ledger *l, const char *ref, const char *theirs,
		      const struct strvec *names, const struct strvec *blobs,
		      const char *msg)
{
	struct strbuf ours = STRBUF_INIT, tree = STRBUF_INIT,
		      old_tree = STRBUF_INIT, commit = STRBUF_INIT,
		      spec = STRBUF_INIT;
	struct tree_map m = TREE_MAP_INIT;
	struct strvec args = STRVEC_INIT;
	bool need_theirs;
	int rc;

	resolve(&ours, l, ref);
	rc = read_union(&m, l, ours.buf, theirs);
	if (rc < 0)
		goto out;
	for (size_t i = 0; !rc && i < names->nr; i++)
		rc = map_put(&m, l, names->v[i], blobs->v[i]);
	if (rc < 0)
		goto out;
	rc = make_tree(&tree, l, &m);
	if (rc < 0)
		goto out;
	need_theirs = theirs && *theirs && strcmp(theirs, ours.buf) &&
		      !(ours.len && is_ancestor(l, theirs, ours.buf));
	if (ours.len && !need_theirs) {
		strbuf_addf(&spec, "%s^{tree}", ours.buf);
		git_out(l->dir, &old_tree, "rev-parse", spec.buf, NULL, NULL,
			NULL);
		if (!strcmp(old_tree.buf, tree.buf))
			goto out; /* nothing new */
	}
	strvec_pushl(&args, "commit-tree", tree.buf, "-m", msg, NULL);
	if (ours.len)
		strvec_pushl(&args, "-p", ours.buf, NULL);
	if (need_theirs)
		strvec_pushl(&args, "-p", theirs, NULL);
	rc = ledger_git(l->dir, &commit, NULL, NULL, 0,
			(const char *const *)args.v);
	strbuf_trim(&commit);
	if (rc || !ledger_is_oid(commit.buf)) {
		rc = error_set("ledger: git commit-tree failed in '%s'",
			       l->dir);
		goto out;
	}
	strvec_clear(&args);
	/* The compare-and-swap: "" as old value means "must not exist". */
	strvec_pushl(&args, "update-ref", "-m", msg, ref, commit.buf, ours.buf,
		     NULL);
	rc = ledger_git(l->dir, NULL, NULL, NULL, 0,
			(const char *const *)args.v);
	if (rc)
		clear_stale_lock(l, ref);
	rc = rc ? 1 : 0;
out:
	strvec_clear(&args);
	tree_map_release(&m);
	strbuf_release(&spec);
	strbuf_release(&commit);
	strbuf_release(&old_tree);
	strbuf_release(&tree);
	strbuf_release(&ours);
	return rc;
}

static int store(struct ledger *l, const struct ledger_entry *e, size_t nr)
{
	struct strbuf text = STRBUF_INIT, blob = STRBUF_INIT, ref = STRBUF_INIT,
		      track = STRBUF_INIT, theirs = STRBUF_INIT,
		      msg = STRBUF_INIT;
	struct strvec names = STRVEC_INIT, blobs = STRVEC_INIT;
	bool reachable = l->remote != NULL;
	int rc = 0;
	unsigned attempt;

	strbuf_addstr(&msg, "ledger:");
	for (size_t i = 0; i < nr; i++) {
		strbuf_reset(&text);
		ledger_entry_format(&text, &e[i]);
		rc = write_blob(&blob, l, &text);
		if (rc < 0)
			goto out;
		strvec_push(&blobs, blob.buf);
		strvec_pushf(&names, "%s.json", e[i].slug_id);
		strbuf_addf(&msg, "%s %s %s v%ld", i ? ";" : "", e[i].state,
			    e[i].slug_id, e[i].version);
	}
	ref_name(&ref, l);
	if (l->remote)
		track_name(&track, l);
	for (attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		if (attempt)
			backoff(attempt);
		strbuf_reset(&theirs);
		/*
		 * ledger_load() has just fetched: the first attempt goes with
		 * that copy, a rejected push fetches again.
		 */
		if (reachable && attempt)
			reachable = fetch_remote(l);
		if (reachable)
			resolve(&theirs, l, track.buf);
		rc = try_update(l, ref.buf, theirs.buf, &names, &blobs,
				msg.buf);
		if (rc < 0)
			goto out;
		if (rc > 0)
			continue;
		if (!reachable)
			break;
		switch (push_remote(l, ref.buf)) {
		case PUSH_OK:
			goto out;
		case PUSH_REJECTED:
			rc = 1;
			continue;
		case PUSH_UNREACHABLE:
			fprintf(stderr,
				"slugguard: warning: ledger: cannot push to "
				"'%s'; recorded in '%s' only (the next "
				"ledger write pushes it)\n",
				l->remote, l->dir);
			goto out;
		}
	}
	if (rc > 0)
		rc = error_set("ledger: gave up updating %s after %u attempts",
			       ref.buf, attempt);
out:
	strbuf_release(&msg);
	strbuf_release(&theirs);
	strbuf_release(&track);
	strbuf_release(&ref);
	strvec_clear(&names);
	strvec_clear(&blobs);
	strbuf_release(&blob);
	strbuf_release(&text);
	return rc;
}

/* The copy of e that is stored: attestation read, time and key id set. */
static int prepare(struct ledger_entry *n, const struct ledger_entry *e)
{
	struct strbuf env = STRBUF_INIT;
	char when[UTC_ISO_LEN];
	int rc = 0;

	if (!ledger_slug_id_ok(e->slug_id))
		return error_set("ledger: invalid slug id");
	ledger_entry_copy(n, e);
	if (!n->envelope && e->attestation) {
		rc = fs_read_capped(&env, e->attestation, LEDGER_ENTRY_MAX / 2);
		if (rc < 0)
			goto out;
		n->envelope = strbuf_detach(&env, NULL);
	}
	if (!n->time) {
		utc_iso(when, time(NULL));
		n->time = xstrdup(when);
	}
	if (n->public_key && !n->keyid)
		rc = ledger_pem_keyid(&n->keyid, n->public_key);
out:
	strbuf_release(&env);
	return rc;
}

/* Keep n (moved out) as l's entry of its file. */
static void adopt(struct ledger *l, struct ledger_entry *n)
{
	struct ledger_entry *slot = NULL;

	for (size_t i = 0; i < l->nr; i++)
		if (!strcmp(l->entries[i].slug_id, n->slug_id))
			slot = &l->entries[i];
	if (!slot) {
		ALLOC_GROW(l->entries, l->nr + 1, l->alloc);
		slot = &l->entries[l->nr++];
		memset(slot, 0, sizeof(*slot));
	}
	ledger_entry_release(slot);
	*slot = *n;
	memset(n, 0, sizeof(*n));
}

int ledger_record_all(struct ledger *l, const struct ledger_entry *e, size_t nr)
{
	struct ledger_entry *n = xcalloc(nr ? nr : 1, sizeof(*n));
	int rc = 0;

	for (size_t i = 0; !rc && i < nr; i++)
		rc = prepare(&n[i], &e[i]);
	if (!rc)
		rc = store(l, n, nr);
	for (size_t i = 0; i < nr; i++) {
		if (!rc)
			adopt(l, &n[i]);
		ledger_entry_release(&n[i]);
	}
	free(n);
	return rc;
}

int ledger_record(struct ledger *l, const struct ledger_entry *e)
{
	return ledger_record_all(l, e, 1);
}

int ledger_reconcile(struct ledger *l, const struct heroku_release *rel,
		     size_t nr)
{
	int done = 0, rc = 0;

	for (size_t i = 0; i < l->nr; i++) {
		struct ledger_entry e;
		const struct heroku_release *r = NULL;

		if (ledger_state_rank(l->entries[i].state) > 0 ||
		    l->entries[i].kind)
			continue;
		/* newest first: the oldest release of the slug is its own */
		for (size_t k = 0; k < nr; k++)
			if (rel[k].slug_id &&
			    !strcmp(rel[k].slug_id, l->entries[i].slug_id))
				r = &rel[k];
		if (!r)
			continue;
		memset(&e, 0, sizeof(e));
		ledger_entry_copy(&e, &l->entries[i]);
		free(e.state);
		e.state = xstrdup(LEDGER_COMPLETE);
		free(e.release_id);
		e.release_id = r->id ? xstrdup(r->id) : NULL;
		free(e.status);
		e.status = r->status ? xstrdup(r->status) : NULL;
		e.version = r->version;
		free(e.time);
		e.time = NULL;
		rc = ledger_record(l, &e);
		ledger_entry_release(&e);
		if (rc < 0)
			return rc;
		done++;
	}
	return done;
}
