/* SPDX-License-Identifier: MIT */
/*
 * The repository without libgit2, for the pre-push path: discovery,
 * refs (loose and packed), the simple revision grammar and the commit
 * walk, on top of src/odb. Starting libgit2 costs ~9 ms (it parses the
 * system CA bundle at init), a third of the 30 ms a pre-push scan may
 * take, and a scan of a few commits needs nothing libgit2 alone can do.
 *
 * Everything here is conservative: whatever it does not understand
 * (reftable, SHA-256, abbreviated ids, @{...}, A...B, a missing object)
 * answers LITE_UNSUPPORTED or ERR_NOTFOUND without a message, and the
 * caller asks libgit2, which also words the errors.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/odb.h"
#include "gitwalk-internal.h"

#include <ctype.h>
#include <dirent.h>
#include <fnmatch.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SMALL_FILE (1024 * 1024)
#define MAX_PACKED_REFS (256 * 1024 * 1024)
#define MAX_SYMREF_DEPTH 5
/* git's limit_list goes on this many commits past the point where
 * everything queued is uninteresting, against clock skew. */
#define SLOP 5

struct lite_ref {
	char *name;
	git_oid id;
};

struct lite_refs {
	struct lite_ref *v; /* packed refs, then (after list_all) loose */
	size_t nr, alloc;
	bool packed_loaded;
};

/* ---- discovery ---------------------------------------------------------- */

enum kind { IS_FILE, IS_DIR };

static bool path_is(const char *path, enum kind k)
{
	struct stat st;

	if (stat(path, &st))
		return false;
	return k == IS_DIR ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

/* Read a small file into sb (reset first); false when it cannot. */
static bool read_small(struct strbuf *sb, const char *path)
{
	strbuf_reset(sb);
	if (fs_read_capped(sb, path, MAX_SMALL_FILE) < 0) {
		error_clear();
		return false;
	}
	return true;
}

/* "/a/b/../c/./d" -> "/a/c/d", always absolute, with a trailing '/'. */
static char *normalize(const char *path, const char *base)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	char cwd[4096];
	const char *p;

	if (*path != '/') {
		if (!base) {
			if (!getcwd(cwd, sizeof(cwd)))
				return NULL;
			base = cwd;
		}
		strbuf_addf(&in, "%s/", base);
	}
	strbuf_addstr(&in, path);
	for (p = in.buf; *p;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if ((n == 1 && *p == '.') || !n) {
			/* skip */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (out.len && out.buf[out.len - 1] != '/')
				out.len--;
			if (out.len)
				out.len--;
			strbuf_setlen(&out, out.len);
		} else {
			strbuf_addch(&out, '/');
			strbuf_add(&out, p, n);
		}
		p += n + (e ? 1 : 0);
	}
	strbuf_addch(&out, '/');
	strbuf_release(&in);
	return strbuf_detach(&out, NULL);
}

static bool valid_gitdir(const char *dir)
{
	struct strbuf p = STRBUF_INIT;
	bool ok;

	strbuf_addf(&p, "%sHEAD", dir);
	ok = path_is(p.buf, IS_FILE);
	strbuf_reset(&p);
	strbuf_addf(&p, "%scommondir", dir);
	if (ok && !path_is(p.buf, IS_FILE)) {
		strbuf_reset(&p);
		strbuf_addf(&p, "%sobjects", dir);
		ok = path_is(p.buf, IS_DIR);
		strbuf_reset(&p);
		strbuf_addf(&p, "%srefs", dir);
		ok = ok && path_is(p.buf, IS_DIR);
	}
	strbuf_release(&p);
	return ok;
}

/* The value of "key = value" in a config file's text, lowercased key;
 * a crude reading that only has to spot what we do not handle. */
static bool config_mentions(const char *cfg, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = cfg; *p; p++)
		if (!strncasecmp(p, word, n))
			return true;
	return false;
}

static bool config_bare(const char *cfg)
{
	for (const char *p = cfg; (p = strstr(p, "bare")); p += 4) {
		const char *v = p + 4;

		while (*v == ' ' || *v == '\t')
			v++;
		if (*v != '=')
			continue;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		return !strncasecmp(v, "true", 4);
	}
	return false;
}

int gitwalk_lite_discover(struct gitwalk *w, const char *path)
{
	struct strbuf sb = STRBUF_INIT, p = STRBUF_INIT;
	char *dir = normalize(path, NULL);
	char *gitdir = NULL, *workdir = NULL, *commondir = NULL;
	struct stat st;
	dev_t dev;
	int rc = ERR_NOTFOUND;

	if (!dir || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		goto out;
	dev = st.st_dev;
	for (;;) {
		strbuf_reset(&p);
		strbuf_addf(&p, "%s.git", dir);
		if (path_is(p.buf, IS_DIR)) {
			strbuf_addch(&p, '/');
			if (!valid_gitdir(p.buf))
				goto out;
			gitdir = xstrdup(p.buf);
			workdir = xstrdup(dir);
			break;
		}
		if (path_is(p.buf, IS_FILE)) {
			/* A worktree or submodule: "gitdir: <path>". */
			if (!read_small(&sb, p.buf) ||
			    !starts_with(sb.buf, "gitdir: "))
				goto out;
			strbuf_rtrim(&sb);
			gitdir = normalize(sb.buf + 8, dir);
			if (!gitdir || !valid_gitdir(gitdir))
				goto out;
			workdir = xstrdup(dir);
			break;
		}
		if (valid_gitdir(dir)) {
			gitdir = xstrdup(dir);
			break;
		}
		if (!strcmp(dir, "/"))
			goto out;
		{
			/* Up one level: drop the last component. */
			size_t n = strlen(dir) - 1;

			while (n && dir[n - 1] != '/')
				n--;
			dir[n ? n : 1] = '\0';
		}
		/* libgit2 stops at a file-system boundary: so do we. */
		if (stat(dir, &st) < 0 || st.st_dev != dev)
			goto out;
	}
	strbuf_reset(&p);
	strbuf_addf(&p, "%scommondir", gitdir);
	if (read_small(&sb, p.buf)) {
		strbuf_rtrim(&sb);
		commondir = normalize(sb.buf, gitdir);
	} else {
		commondir = xstrdup(gitdir);
	}
	if (!commondir)
		goto out;
	/* What only libgit2 handles: other object formats, reftable,
	 * core.worktree; a bare repository opened from inside it. */
	strbuf_reset(&p);
	strbuf_addf(&p, "%sconfig", commondir);
	if (!read_small(&sb, p.buf) ||
	    config_mentions(sb.buf, "objectformat") ||
	    config_mentions(sb.buf, "refstorage") ||
	    config_mentions(sb.buf, "worktree"))
		goto out;
	strbuf_reset(&p);
	strbuf_addf(&p, "%sreftable", commondir);
	if (path_is(p.buf, IS_DIR))
		goto out;
	/*
	 * A repository someone else owns is libgit2's to judge
	 * (safe.directory, CVE-2022-24765), so that both paths agree.
	 */
	if (stat(gitdir, &st) < 0 || st.st_uid != geteuid())
		goto out;
	if (config_bare(sb.buf)) {
		free(workdir);
		workdir = NULL;
	} else if (!workdir && ends_with(gitdir, "/.git/")) {
		/* Opened from inside a work tree's .git, as git does. */
		workdir = xstrndup(gitdir, strlen(gitdir) - 5);
	}
	w->gitdir = gitdir;
	w->commondir = commondir;
	w->workdir = workdir;
	gitdir = commondir = workdir = NULL;
	rc = 0;
out:
	free(dir);
	free(gitdir);
	free(commondir);
	free(workdir);
	strbuf_release(&sb);
	strbuf_release(&p);
	return rc;
}

void gitwalk_lite_release(struct gitwalk *w)
{
	if (w->refs) {
		for (size_t i = 0; i < w->refs->nr; i++)
			free(w->refs->v[i].name);
		free(w->refs->v);
		free(w->refs);
	}
	free(w->gitdir);
	free(w->commondir);
	free(w->workdir);
}

/* ---- refs --------------------------------------------------------------- */

/* Without libgit2: its parser sets libgit2's error state, which needs
 * git_libgit2_init(), which this path exists to avoid. */
bool gitwalk_hex_to_oid(git_oid *id, const char *s)
{
	for (int i = 0; i < GIT_OID_RAWSZ; i++) {
		int hi = hex_value(s[2 * i]),
		    lo = hi < 0 ? -1 : hex_value(s[2 * i + 1]);

		if (lo < 0)
			return false;
		id->id[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

static bool parse_hex(git_oid *id, const char *s)
{
	return gitwalk_hex_to_oid(id, s);
}

static struct lite_refs *refs_of(const struct gitwalk *cw)
{
	/* Loaded on first use: cw was allocated mutable (see gitwalk_repo). */
	struct gitwalk *w = (struct gitwalk *)(uintptr_t)cw;

	if (!w->refs)
		w->refs = xcalloc(1, sizeof(*w->refs));
	return w->refs;
}

static void ref_push(struct lite_refs *r, const char *name, size_t n,
		     const git_oid *id)
{
	ALLOC_GROW(r->v, r->nr + 1, r->alloc);
	r->v[r->nr].name = xstrndup(name, n);
	git_oid_cpy(&r->v[r->nr].id, id);
	r->nr++;
}

/* packed-refs: "<hex> <name>" lines; "^<hex>" peel lines are skipped. */
static int load_packed(const struct gitwalk *w)
{
	struct lite_refs *r = refs_of(w);
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	size_t pos = 0;

	if (r->packed_loaded)
		return 0;
	r->packed_loaded = true;
	strbuf_addf(&path, "%spacked-refs", w->commondir);
	if (fs_read_capped(&sb, path.buf, MAX_PACKED_REFS) < 0) {
		int code = error_last_code();

		error_clear();
		strbuf_release(&path);
		strbuf_release(&sb);
		return code == ERR_NOTFOUND ? 0 : LITE_UNSUPPORTED;
	}
	while (pos < sb.len) {
		char *nl = memchr(sb.buf + pos, '\n', sb.len - pos);
		size_t end = nl ? (size_t)(nl - sb.buf) : sb.len;
		const char *l = sb.buf + pos;
		git_oid id;

		if (end - pos > GITWALK_HEXSZ + 1 && l[GITWALK_HEXSZ] == ' ' &&
		    parse_hex(&id, l))
			ref_push(r, l + GITWALK_HEXSZ + 1,
				 end - pos - GITWALK_HEXSZ - 1, &id);
		pos = end + 1;
	}
	strbuf_release(&path);
	strbuf_release(&sb);
	return 0;
}

/* Refs outside refs/ (HEAD, FETCH_HEAD) and a few under it belong to
 * the worktree, the rest to the common directory (git's rule). */
static const char *ref_dir(const struct gitwalk *w, const char *name)
{
	if (!starts_with(name, "refs/") || starts_with(name, "refs/bisect/") ||
	    starts_with(name, "refs/worktree/") ||
	    starts_with(name, "refs/rewritten/"))
		return w->gitdir;
	return w->commondir;
}

/*
 * Resolve the full ref name to an id: a loose file (a symbolic "ref: X"
 * is followed) or packed-refs. ERR_NOTFOUND when there is no such ref.
 */
static int resolve_ref(const struct gitwalk *w, const char *name, git_oid *id,
		       int depth)
{
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;
	int rc = ERR_NOTFOUND;

	if (depth > MAX_SYMREF_DEPTH || strstr(name, "..") ||
	    strchr(name, '\\'))
		return ERR_NOTFOUND;
	strbuf_addf(&path, "%s%s", ref_dir(w, name), name);
	if (path_is(path.buf, IS_FILE)) {
		if (!read_small(&sb, path.buf)) {
			rc = LITE_UNSUPPORTED;
		} else if (starts_with(sb.buf, "ref: ")) {
			strbuf_rtrim(&sb);
			rc = resolve_ref(w, sb.buf + 5, id, depth + 1);
		} else if (sb.len >= GITWALK_HEXSZ && parse_hex(id, sb.buf)) {
			rc = 0;
		} else {
			rc = LITE_UNSUPPORTED;
		}
	} else if (starts_with(name, "refs/")) {
		rc = load_packed(w);
		if (!rc) {
			const struct lite_refs *r = refs_of(w);

			rc = ERR_NOTFOUND;
			for (size_t i = 0; i < r->nr && rc; i++)
				if (!strcmp(r->v[i].name, name)) {
					git_oid_cpy(id, &r->v[i].id);
					rc = 0;
				}
		}
	}
	strbuf_release(&path);
	strbuf_release(&sb);
	return rc;
}

/* A short name as git's dwim does: NAME, refs/NAME, refs/tags/NAME,
 * refs/heads/NAME, refs/remotes/NAME, refs/remotes/NAME/HEAD. */
static int dwim_ref(const struct gitwalk *w, const char *name, git_oid *id)
{
	static const char *const rules[][2] = {
		{ "", "" },
		{ "refs/", "" },
		{ "refs/tags/", "" },
		{ "refs/heads/", "" },
		{ "refs/remotes/", "" },
		{ "refs/remotes/", "/HEAD" },
	};
	struct strbuf full = STRBUF_INIT;
	int rc = ERR_NOTFOUND;

	for (size_t i = 0; i < ARRAY_SIZE(rules) && rc == ERR_NOTFOUND; i++) {
		strbuf_reset(&full);
		strbuf_addf(&full, "%s%s%s", rules[i][0], name, rules[i][1]);
		/* Only HEAD-like names live outside refs/ (git's rule). */
		if (!i && !starts_with(name, "refs/")) {
			bool upper = true;

			for (const char *c = name; *c; c++)
				if (!(isupper((unsigned char)*c) || *c == '_'))
					upper = false;
			if (!upper)
				continue;
		}
		rc = resolve_ref(w, full.buf, id, 0);
	}
	strbuf_release(&full);
	return rc;
}

/* Collect loose refs under dir (a path below commondir) into out. */
static int list_loose(const struct gitwalk *w, struct strbuf *rel,
		      struct lite_refs *out)
{
	struct strbuf path = STRBUF_INIT;
	DIR *d;
	struct dirent *de;
	int rc = 0;

	strbuf_addf(&path, "%s%s", w->commondir, rel->buf);
	d = opendir(path.buf);
	strbuf_release(&path);
	if (!d)
		return 0;
	while (!rc && (de = readdir(d))) {
		size_t keep = rel->len;
		git_oid id;

		if (de->d_name[0] == '.')
			continue;
		strbuf_addf(rel, "/%s", de->d_name);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s%s", w->commondir, rel->buf);
		if (path_is(path.buf, IS_DIR)) {
			rc = list_loose(w, rel, out);
		} else if (!ends_with(rel->buf, ".lock")) {
			int r = resolve_ref(w, rel->buf, &id, 0);

			if (!r)
				ref_push(out, rel->buf, rel->len, &id);
			else if (r == LITE_UNSUPPORTED)
				rc = r;
		}
		strbuf_setlen(rel, keep);
	}
	strbuf_release(&path);
	closedir(d);
	return rc;
}

/*
 * Every ref whose full name matches the glob (fnmatch, '*' crossing
 * '/', as git's for_each_glob_ref), loose ones shadowing packed ones;
 * fn gets each name and id.
 */
static int for_each_ref(const struct gitwalk *w, const char *glob,
			int (*fn)(const char *name, const git_oid *id,
				  void *data),
			void *data)
{
	struct lite_refs loose = { NULL, 0, 0, false };
	struct strbuf rel = STRBUF_INIT;
	const struct lite_refs *packed;
	int rc = load_packed(w);

	strbuf_addstr(&rel, "refs");
	if (!rc)
		rc = list_loose(w, &rel, &loose);
	packed = refs_of(w);
	for (size_t i = 0; !rc && i < loose.nr; i++)
		if (!fnmatch(glob, loose.v[i].name, 0))
			rc = fn(loose.v[i].name, &loose.v[i].id, data);
	for (size_t i = 0; !rc && i < packed->nr; i++) {
		bool shadowed = false;

		for (size_t j = 0; j < loose.nr && !shadowed; j++)
			shadowed = !strcmp(loose.v[j].name, packed->v[i].name);
		if (!shadowed && !fnmatch(glob, packed->v[i].name, 0))
			rc = fn(packed->v[i].name, &packed->v[i].id, data);
	}
	for (size_t i = 0; i < loose.nr; i++)
		free(loose.v[i].name);
	free(loose.v);
	strbuf_release(&rel);
	return rc;
}

/* ---- objects ------------------------------------------------------------ */

struct lcommit {
	git_oid id;
	int64_t date;
	uint32_t flags;
	size_t parents_at, parents_nr;
	size_t heap_seq;
};

enum { C_SEEN = 1, C_UNINTERESTING = 2, C_PARSED = 4, C_INHEAP = 8 };

struct walk {
	const struct gitwalk *w;
	struct odb_reader *rd;
	struct lcommit *c;
	size_t nr, alloc;
	size_t *slots; /* open addressing: index + 1, 0 empty */
	size_t slots_alloc;
	git_oid *parents;
	size_t parents_nr, parents_alloc;
	size_t *heap;
	size_t heap_nr, heap_alloc, seq;
	size_t interesting_in_heap;
	/* The caller's shallow boundary (walk.c reads that file once). */
	bool (*shallow)(const git_oid *id, void *data);
	void *shallow_data;
	bool negate;
};

/*
 * An object our index lists but whose data is damaged. libgit2 1.5 can
 * crash on such a pack, so this is an error here, not a fallback.
 */
static int damaged(const git_oid *id)
{
	char hex[GITWALK_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), id);
	return error_set("object %s is damaged in its pack; run "
			 "'git fsck' and repair the repository",
			 hex);
}

/*
 * Peel id to a commit: tags are followed to their target. LITE_UNSUPPORTED
 * when an object is not in our store (libgit2 will report it).
 */
static int peel_commit(struct odb_reader *rd, git_oid *id)
{
	for (int depth = 0; depth < MAX_SYMREF_DEPTH * 4; depth++) {
		const unsigned char *data;
		enum odb_type type;
		size_t len;

		int rc = odb_read(rd, id->id, 0, &type, &data, &len);

		if (rc == ERR_FAIL)
			return damaged(id);
		if (rc < 0)
			return LITE_UNSUPPORTED;
		if (type == ODB_COMMIT)
			return 0;
		if (type != ODB_TAG || len < 7 + GITWALK_HEXSZ ||
		    memcmp(data, "object ", 7) ||
		    !parse_hex(id, (const char *)data + 7))
			return ERR_NOTFOUND; /* a tree or blob */
	}
	return ERR_NOTFOUND;
}

static size_t find_slot(const struct walk *wk, const git_oid *id)
{
	uint64_t h;
	size_t j;

	memcpy(&h, id->id, sizeof(h));
	j = (size_t)h & (wk->slots_alloc - 1);
	while (wk->slots[j] && !git_oid_equal(&wk->c[wk->slots[j] - 1].id, id))
		j = (j + 1) & (wk->slots_alloc - 1);
	return j;
}

static size_t node(struct walk *wk, const git_oid *id)
{
	size_t j;

	if ((wk->nr + 1) * 2 > wk->slots_alloc) {
		size_t n = wk->slots_alloc ? wk->slots_alloc * 2 : 1024;

		free(wk->slots);
		wk->slots = xcalloc(n, sizeof(*wk->slots));
		wk->slots_alloc = n;
		for (size_t i = 0; i < wk->nr; i++)
			wk->slots[find_slot(wk, &wk->c[i].id)] = i + 1;
	}
	j = find_slot(wk, id);
	if (wk->slots[j])
		return wk->slots[j] - 1;
	ALLOC_GROW(wk->c, wk->nr + 1, wk->alloc);
	memset(&wk->c[wk->nr], 0, sizeof(wk->c[wk->nr]));
	git_oid_cpy(&wk->c[wk->nr].id, id);
	wk->slots[j] = ++wk->nr;
	return wk->nr - 1;
}

static bool is_shallow(const struct walk *wk, const git_oid *id)
{
	return wk->shallow && wk->shallow(id, wk->shallow_data);
}

/* Read commit n: its committer date and parents. */
static int parse(struct walk *wk, size_t n)
{
	const unsigned char *data;
	enum odb_type type;
	size_t len, np = 0;
	const char *p, *end, *committer;
	git_oid pid;
	int rc;

	if (wk->c[n].flags & C_PARSED)
		return 0;
	rc = odb_read(wk->rd, wk->c[n].id.id, 0, &type, &data, &len);
	if (rc == ERR_FAIL)
		return damaged(&wk->c[n].id);
	if (rc < 0 || type != ODB_COMMIT)
		return LITE_UNSUPPORTED;
	p = (const char *)data;
	end = p + len;
	if (len < 46 || memcmp(p, "tree ", 5))
		return LITE_UNSUPPORTED;
	p += 46;
	wk->c[n].parents_at = wk->parents_nr;
	while (end - p >= 48 && !memcmp(p, "parent ", 7) && p[47] == '\n') {
		if (!parse_hex(&pid, p + 7))
			return LITE_UNSUPPORTED;
		ALLOC_GROW(wk->parents, wk->parents_nr + 1, wk->parents_alloc);
		git_oid_cpy(&wk->parents[wk->parents_nr++], &pid);
		np++;
		p += 48;
	}
	/* The committer line ends "<date> <tz>"; its date orders the walk. */
	committer = NULL;
	while (p < end && *p != '\n') {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			break;
		if (!strncmp(p, "committer ", 10))
			committer = p;
		p = nl + 1;
	}
	if (committer) {
		const char *gt =
			memchr(committer, '>', (size_t)(end - committer));

		if (gt && gt + 2 < end)
			wk->c[n].date = strtoll(gt + 2, NULL, 10);
	}
	wk->c[n].parents_nr = is_shallow(wk, &wk->c[n].id) ? 0 : np;
	wk->c[n].flags |= C_PARSED;
	return 0;
}

static bool heap_less(const struct walk *wk, size_t a, size_t b)
{
	const struct lcommit *x = &wk->c[a], *y = &wk->c[b];

	if (x->date != y->date)
		return x->date > y->date;
	return x->heap_seq < y->heap_seq;
}

static void heap_push(struct walk *wk, size_t n)
{
	size_t i;

	ALLOC_GROW(wk->heap, wk->heap_nr + 1, wk->heap_alloc);
	wk->c[n].heap_seq = wk->seq++;
	wk->c[n].flags |= C_INHEAP;
	if (!(wk->c[n].flags & C_UNINTERESTING))
		wk->interesting_in_heap++;
	i = wk->heap_nr++;
	wk->heap[i] = n;
	while (i && heap_less(wk, wk->heap[i], wk->heap[(i - 1) / 2])) {
		size_t t = wk->heap[i];

		wk->heap[i] = wk->heap[(i - 1) / 2];
		wk->heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static size_t heap_pop(struct walk *wk)
{
	size_t top = wk->heap[0], i = 0;

	wk->heap[0] = wk->heap[--wk->heap_nr];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < wk->heap_nr && heap_less(wk, wk->heap[l], wk->heap[m]))
			m = l;
		if (r < wk->heap_nr && heap_less(wk, wk->heap[r], wk->heap[m]))
			m = r;
		if (m == i)
			break;
		{
			size_t t = wk->heap[i];

			wk->heap[i] = wk->heap[m];
			wk->heap[m] = t;
		}
		i = m;
	}
	wk->c[top].flags &= ~(uint32_t)C_INHEAP;
	if (!(wk->c[top].flags & C_UNINTERESTING))
		wk->interesting_in_heap--;
	return top;
}

static void mark_uninteresting(struct walk *wk, size_t n)
{
	size_t *stack = NULL, nr = 0, alloc = 0;

	ALLOC_GROW(stack, nr + 1, alloc);
	stack[nr++] = n;
	while (nr) {
		size_t x = stack[--nr];

		if (wk->c[x].flags & C_UNINTERESTING)
			continue;
		wk->c[x].flags |= C_UNINTERESTING;
		if (wk->c[x].flags & C_INHEAP)
			wk->interesting_in_heap--;
		/* Already-read commits pass it on to their parents. */
		if (!(wk->c[x].flags & C_PARSED))
			continue;
		for (size_t k = 0; k < wk->c[x].parents_nr; k++) {
			size_t p =
				node(wk, &wk->parents[wk->c[x].parents_at + k]);

			ALLOC_GROW(stack, nr + 1, alloc);
			stack[nr++] = p;
		}
	}
	free(stack);
}

static int add_tip(struct walk *wk, const git_oid *id, bool hide)
{
	git_oid c = *id;
	size_t n;
	int rc = peel_commit(wk->rd, &c);

	if (rc == ERR_NOTFOUND)
		return LITE_UNSUPPORTED; /* a tree or blob: libgit2 words it */
	if (rc < 0)
		return rc;
	n = node(wk, &c);
	rc = parse(wk, n);
	if (rc < 0)
		return rc;
	if (hide)
		mark_uninteresting(wk, n);
	if (!(wk->c[n].flags & C_SEEN)) {
		wk->c[n].flags |= C_SEEN;
		heap_push(wk, n);
	}
	return 0;
}

/* The id of "<name>[~N|^N|^{commit}]...". */
static int parse_rev(struct walk *wk, const char *s, git_oid *id)
{
	const char *sfx = strpbrk(s, "~^");
	size_t base_len = sfx ? (size_t)(sfx - s) : strlen(s);
	char *base = xstrndup(s, base_len);
	int rc = 0;

	if (!*base || !strcmp(base, "@")) {
		free(base);
		base = xstrdup("HEAD");
	}
	if (strpbrk(base, ":@{}\\ *?[") || starts_with(base, "-")) {
		rc = LITE_UNSUPPORTED;
	} else if (strlen(base) == GITWALK_HEXSZ && parse_hex(id, base)) {
		rc = 0;
	} else {
		rc = dwim_ref(wk->w, base, id);
		if (rc == ERR_NOTFOUND)
			rc = LITE_UNSUPPORTED; /* maybe an abbreviated id */
	}
	free(base);
	while (!rc && sfx && *sfx) {
		char op = *sfx++;
		long n = 1;
		size_t k;

		if (op == '^' && !strncmp(sfx, "{commit}", 8)) {
			sfx += 8;
			rc = peel_commit(wk->rd, id);
			if (rc == ERR_NOTFOUND)
				return LITE_UNSUPPORTED; /* libgit2 words it */
			continue;
		}
		if (op == '^' && *sfx == '{')
			return LITE_UNSUPPORTED;
		if (isdigit((unsigned char)*sfx)) {
			char *e;

			n = strtol(sfx, &e, 10);
			sfx = e;
			if (n < 0 || n > 1000000)
				return LITE_UNSUPPORTED;
		}
		rc = peel_commit(wk->rd, id);
		if (rc == ERR_NOTFOUND)
			return LITE_UNSUPPORTED; /* libgit2 words it */
		if (rc < 0)
			break;
		if (op == '^' && !n)
			continue;
		for (long i = 0; i < (op == '~' ? n : 1) && !rc; i++) {
			size_t want = op == '^' ? (size_t)n - 1 : 0;

			k = node(wk, id);
			rc = parse(wk, k);
			if (rc < 0)
				break;
			if (want >= wk->c[k].parents_nr)
				return LITE_UNSUPPORTED; /* libgit2 words it */
			*id = wk->parents[wk->c[k].parents_at + want];
		}
	}
	return rc;
}

struct glob_tips {
	struct walk *wk;
	bool hide;
};

static int glob_tip(const char *name, const git_oid *id, void *data)
{
	struct glob_tips *g = data;
	git_oid c = *id;
	int rc = peel_commit(g->wk->rd, &c);

	(void)name;
	if (rc == ERR_NOTFOUND)
		return 0; /* a ref to a tree or blob: not a commit tip */
	return rc < 0 ? rc : add_tip(g->wk, &c, g->hide);
}

static int add_glob(struct walk *wk, const char *base, const char *pat)
{
	struct strbuf g = STRBUF_INIT;
	struct glob_tips gt = { wk, wk->negate };
	int rc;

	strbuf_addstr(&g, base);
	if (pat) {
		if (*base)
			strbuf_addch(&g, '/');
		strbuf_addstr(&g, pat);
	}
	if (!starts_with(g.buf, "refs/")) {
		strbuf_reset(&g);
		strbuf_addf(&g, "refs/%s", pat ? pat : "");
	}
	if (!pat || !strpbrk(pat, "?*["))
		strbuf_addstr(&g, "/*");
	rc = for_each_ref(wk->w, g.buf, glob_tip, &gt);
	strbuf_release(&g);
	return rc;
}

static int add_arg(struct walk *wk, const char *arg)
{
	static const struct {
		const char *opt;
		const char *base;
	} globs[] = {
		{ "--branches", "refs/heads" },
		{ "--tags", "refs/tags" },
		{ "--remotes", "refs/remotes" },
		{ "--glob", "" },
	};
	const char *dots;
	git_oid a, b;
	int rc;

	if (!strcmp(arg, "--not")) {
		wk->negate = !wk->negate;
		return 0;
	}
	if (!strcmp(arg, "--all")) {
		struct glob_tips gt = { wk, wk->negate };

		rc = for_each_ref(wk->w, "refs/*", glob_tip, &gt);
		if (!rc && !wk->negate && !resolve_ref(wk->w, "HEAD", &a, 0))
			rc = add_tip(wk, &a, false);
		return rc;
	}
	for (size_t i = 0; i < ARRAY_SIZE(globs); i++) {
		size_t n = strlen(globs[i].opt);

		if (strncmp(arg, globs[i].opt, n))
			continue;
		if (!arg[n] && *globs[i].base)
			return add_glob(wk, globs[i].base, NULL);
		if (arg[n] == '=' && arg[n + 1])
			return add_glob(wk, globs[i].base, arg + n + 1);
	}
	if (*arg == '-' || strstr(arg, "..."))
		return LITE_UNSUPPORTED;
	if (*arg == '^') {
		rc = parse_rev(wk, arg + 1, &a);
		return rc < 0 ? rc : add_tip(wk, &a, !wk->negate);
	}
	dots = strstr(arg, "..");
	if (!dots) {
		rc = parse_rev(wk, arg, &a);
		return rc < 0 ? rc : add_tip(wk, &a, wk->negate);
	}
	{
		char *left = xstrndup(arg, (size_t)(dots - arg));

		rc = parse_rev(wk, *left ? left : "HEAD", &a);
		free(left);
	}
	if (!rc)
		rc = parse_rev(wk, dots[2] ? dots + 2 : "HEAD", &b);
	if (!rc)
		rc = add_tip(wk, &a, !wk->negate);
	if (!rc)
		rc = add_tip(wk, &b, wk->negate);
	return rc;
}

/*
 * The interesting commits of list (date order) in topological order,
 * children before parents, newest first among those that are ready:
 * what libgit2's GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME gives, so that a
 * commit whose date is older than its parent's (clock skew) still comes
 * first.
 */
static void topo_order(struct walk *wk, const size_t *list, size_t list_nr,
		       git_oid **out, size_t *nr)
{
	size_t *indeg = xcalloc(wk->nr ? wk->nr : 1, sizeof(*indeg));
	enum { C_IN_SET = 16 };

	*out = xcalloc(list_nr ? list_nr : 1, sizeof(**out));
	for (size_t i = 0; i < list_nr; i++)
		if (!(wk->c[list[i]].flags & C_UNINTERESTING))
			wk->c[list[i]].flags |= C_IN_SET;
	/* By index, not pointer: node() may grow wk->c (it only finds
	 * here, every parent of a walked commit is known, but still). */
	for (size_t i = 0; i < list_nr; i++) {
		size_t n = list[i];

		if (!(wk->c[n].flags & C_IN_SET))
			continue;
		for (size_t k = 0; k < wk->c[n].parents_nr; k++) {
			size_t p =
				node(wk, &wk->parents[wk->c[n].parents_at + k]);

			if (wk->c[p].flags & C_IN_SET)
				indeg[p]++;
		}
	}
	/* The heap is empty after the walk: reuse it, ties by list order. */
	wk->heap_nr = 0;
	wk->seq = 0;
	for (size_t i = 0; i < list_nr; i++)
		if ((wk->c[list[i]].flags & C_IN_SET) && !indeg[list[i]])
			heap_push(wk, list[i]);
	while (wk->heap_nr) {
		size_t n = heap_pop(wk);

		git_oid_cpy(&(*out)[(*nr)++], &wk->c[n].id);
		for (size_t k = 0; k < wk->c[n].parents_nr; k++) {
			size_t p =
				node(wk, &wk->parents[wk->c[n].parents_at + k]);

			if ((wk->c[p].flags & C_IN_SET) && !--indeg[p])
				heap_push(wk, p);
		}
	}
	free(indeg);
}

int gitwalk_lite_revs(git_oid **out, size_t *nr, const struct gitwalk *w,
		      struct odb_reader *rd, const char *const *revs,
		      size_t revs_nr,
		      bool (*shallow)(const git_oid *id, void *data),
		      void *shallow_data)
{
	struct walk wk;
	size_t *list = NULL, list_nr = 0, list_alloc = 0;
	int rc = 0, slop = SLOP;

	*out = NULL;
	*nr = 0;
	if (!w->gitdir || !rd)
		return LITE_UNSUPPORTED;
	memset(&wk, 0, sizeof(wk));
	wk.w = w;
	wk.rd = rd;
	wk.shallow = shallow;
	wk.shallow_data = shallow_data;
	for (size_t i = 0; i < revs_nr && !rc; i++)
		rc = add_arg(&wk, revs[i]);
	/* git's limit_list: date order, stopping once only uninteresting
	 * commits are left (plus SLOP more, against clock skew). */
	while (!rc && wk.heap_nr) {
		size_t n = heap_pop(&wk);

		rc = parse(&wk, n);
		if (rc < 0)
			break;
		for (size_t k = 0; k < wk.c[n].parents_nr && !rc; k++) {
			size_t p =
				node(&wk, &wk.parents[wk.c[n].parents_at + k]);

			if (wk.c[n].flags & C_UNINTERESTING)
				mark_uninteresting(&wk, p);
			if (wk.c[p].flags & C_SEEN)
				continue;
			rc = parse(&wk, p);
			if (rc < 0)
				break;
			wk.c[p].flags |= C_SEEN;
			heap_push(&wk, p);
		}
		if (!(wk.c[n].flags & C_UNINTERESTING)) {
			ALLOC_GROW(list, list_nr + 1, list_alloc);
			list[list_nr++] = n;
		}
		if (!wk.interesting_in_heap) {
			if (--slop <= 0)
				break;
		} else {
			slop = SLOP;
		}
	}
	if (!rc)
		topo_order(&wk, list, list_nr, out, nr);
	free(list);
	free(wk.c);
	free(wk.slots);
	free(wk.parents);
	free(wk.heap);
	return rc;
}

struct tag_iter {
	int (*fn)(const char *name, const git_oid *id, void *data);
	void *data;
};

static int tag_cb(const char *name, const git_oid *id, void *data)
{
	struct tag_iter *t = data;

	return t->fn(name + strlen("refs/tags/"), id, t->data);
}

int gitwalk_lite_tags(const struct gitwalk *w,
		      int (*fn)(const char *name, const git_oid *id,
				void *data),
		      void *data)
{
	struct tag_iter t = { fn, data };

	if (!w->gitdir)
		return LITE_UNSUPPORTED;
	return for_each_ref(w, "refs/tags/*", tag_cb, &t);
}
