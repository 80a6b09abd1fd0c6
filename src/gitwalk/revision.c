/* SPDX-License-Identifier: MIT */
/*
 * The revision front end: rev-list arguments parsed once, for both
 * backends (see rev.h). What a backend cannot answer comes back as
 * LITE_UNSUPPORTED and the caller runs the parse again on libgit2, so
 * the grammar and its errors are the same whichever reader answers.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "gitwalk-internal.h"
#include "rev.h"

#include <ctype.h>

/* Tags of tags: deeper than this is a loop in a forged repository. */
#define MAX_PEEL 20
/* ~N and ^N beyond this are left to libgit2 (and its errors). */
#define MAX_GENERATION 1000000

/* A positive answer of resolve(): the name leads to a tree or blob. */
#define NOT_A_COMMIT 1

struct parse {
	const struct rev_source *src;
	struct rev_tips *tips;
	struct strbuf buf;
	bool negate;
};

void gitwalk_rev_tips_release(struct rev_tips *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static void add_tip(struct parse *p, const git_oid *id, bool hide)
{
	ALLOC_GROW(p->tips->v, p->tips->nr + 1, p->tips->alloc);
	git_oid_cpy(&p->tips->v[p->tips->nr].id, id);
	p->tips->v[p->tips->nr++].hide = hide;
}

int gitwalk_rev_peel(const struct rev_source *src, git_oid *id,
		     struct strbuf *scratch)
{
	for (int depth = 0; depth < MAX_PEEL; depth++) {
		enum odb_type type;
		int rc = src->be->read(src, id, &type, scratch);

		if (rc < 0)
			return rc;
		if (type == ODB_COMMIT)
			return 0;
		if (type != ODB_TAG)
			return NOT_A_COMMIT;
		if (scratch->len < 7 + GITWALK_HEXSZ ||
		    memcmp(scratch->buf, "object ", 7) ||
		    !gitwalk_hex_to_oid(id, scratch->buf + 7))
			return NOT_A_COMMIT; /* a malformed tag */
	}
	return NOT_A_COMMIT;
}

/* Parent k (0-based) of commit id, in place; ERR_NOTFOUND if none. */
static int parent(const struct rev_source *src, git_oid *id, size_t k,
		  struct strbuf *buf)
{
	enum odb_type type;
	const char *p, *end;
	int rc = src->be->read(src, id, &type, buf);

	if (rc < 0)
		return rc;
	if (type != ODB_COMMIT || buf->len < 46 || memcmp(buf->buf, "tree ", 5))
		return ERR_NOTFOUND;
	if (src->shallow && src->shallow(id, src->shallow_data))
		return ERR_NOTFOUND; /* its parents are cut off */
	p = buf->buf + 46;
	end = buf->buf + buf->len;
	for (size_t i = 0;
	     end - p >= 48 && !memcmp(p, "parent ", 7) && p[47] == '\n';
	     i++, p += 48)
		if (i == k)
			return gitwalk_hex_to_oid(id, p + 7) ? 0 : ERR_NOTFOUND;
	return ERR_NOTFOUND;
}

/* Whether the suffixes are ours to follow: ~N, ^N, ^{commit}. */
static bool simple_suffixes(const char *s)
{
	while (s && *s) {
		char op = *s++;

		if (op != '~' && op != '^')
			return false;
		if (op == '^' && *s == '{') {
			if (strncmp(s, "{commit}", 8))
				return false;
			s += 8;
			continue;
		}
		if (isdigit((unsigned char)*s)) {
			long n = 0;

			while (isdigit((unsigned char)*s) &&
			       n <= MAX_GENERATION)
				n = n * 10 + (*s++ - '0');
			if (n > MAX_GENERATION)
				return false;
		}
	}
	return true;
}

/* Follow the suffixes sfx from *id (each step reads a commit). */
static int follow(struct parse *p, const char *sfx, git_oid *id)
{
	int rc = 0;

	while (!rc && *sfx) {
		char op = *sfx++;
		long n = 1;

		if (op == '^' && *sfx == '{') {
			sfx += strlen("{commit}");
			rc = gitwalk_rev_peel(p->src, id, &p->buf);
			continue;
		}
		if (isdigit((unsigned char)*sfx)) {
			char *e;

			n = strtol(sfx, &e, 10);
			sfx = e;
		}
		rc = gitwalk_rev_peel(p->src, id, &p->buf);
		if (rc || (op == '^' && !n))
			continue;
		if (op == '^')
			rc = parent(p->src, id, (size_t)n - 1, &p->buf);
		for (long i = 0; op == '~' && i < n && !rc; i++)
			rc = parent(p->src, id, 0, &p->buf);
	}
	/* A tree or blob on the way: git cannot resolve the name. */
	return rc == NOT_A_COMMIT ? ERR_NOTFOUND : rc;
}

/*
 * The commit named by s: 0, NOT_A_COMMIT, ERR_NOTFOUND (no such name or
 * object), or the backend's code. No message.
 */
static int resolve(struct parse *p, const char *s, git_oid *id)
{
	const struct rev_source *src = p->src;
	const char *sfx = strpbrk(s, "~^");
	char *base = xstrndup(s, sfx ? (size_t)(sfx - s) : strlen(s));
	int rc;

	if (!*base || !strcmp(base, "@")) {
		free(base);
		base = xstrdup("HEAD");
	}
	if (strpbrk(base, ":@{}\\ *?[") || *base == '-' ||
	    !simple_suffixes(sfx)) {
		rc = src->be->expr ? src->be->expr(src, s, id) :
				     LITE_UNSUPPORTED;
	} else if (strlen(base) == GITWALK_HEXSZ &&
		   gitwalk_hex_to_oid(id, base)) {
		rc = sfx ? follow(p, sfx, id) : 0;
	} else {
		rc = src->be->name(src, base, id);
		if (!rc && sfx)
			rc = follow(p, sfx, id);
	}
	free(base);
	return rc < 0 ? rc : gitwalk_rev_peel(src, id, &p->buf);
}

/* The message for resolve()'s answer rc about arg. */
static int resolve_error(int rc, const char *arg)
{
	if (rc == NOT_A_COMMIT)
		return error_setc(ERR_NOTFOUND, "'%s' does not name a commit",
				  arg);
	if (rc == ERR_NOTFOUND)
		return error_setc(ERR_NOTFOUND, "cannot resolve '%s'", arg);
	return rc;
}

/* A, ^A, A..B or A...B (either side empty: HEAD), hide flipping all. */
static int add_rev(struct parse *p, const char *arg, bool hide)
{
	const char *dots;
	git_oid a, b, *bases = NULL;
	size_t bases_nr = 0;
	bool symmetric;
	char *left;
	int rc;

	if (*arg == '^') {
		arg++;
		hide = !hide;
	}
	dots = strstr(arg, "..");
	if (!dots) {
		rc = resolve(p, arg, &a);
		if (!rc)
			add_tip(p, &a, hide);
		return resolve_error(rc, arg);
	}
	symmetric = dots[2] == '.';
	left = xstrndup(arg, (size_t)(dots - arg));
	rc = resolve(p, *left ? left : "HEAD", &a);
	free(left);
	dots += symmetric ? 3 : 2;
	if (!rc)
		rc = resolve(p, *dots ? dots : "HEAD", &b);
	if (rc)
		return resolve_error(rc, arg);
	if (!symmetric) {
		/* With --not the sense of both ends flips, as in git. */
		add_tip(p, &a, !hide);
		add_tip(p, &b, hide);
		return 0;
	}
	add_tip(p, &a, hide);
	add_tip(p, &b, hide);
	if (hide)
		return 0;
	if (!p->src->be->merge_bases)
		return LITE_UNSUPPORTED;
	rc = p->src->be->merge_bases(p->src, &a, &b, &bases, &bases_nr);
	for (size_t i = 0; !rc && i < bases_nr; i++)
		add_tip(p, &bases[i], true);
	free(bases);
	return rc;
}

struct glob_tips {
	struct parse *p;
	bool hide;
};

/* A ref that leads to a tree or blob is no tip; nor is a missing one. */
static int glob_tip(const char *name, const git_oid *id, const git_oid *peeled,
		    void *data)
{
	struct glob_tips *g = data;
	git_oid c = *id;
	int rc = gitwalk_rev_peel(g->p->src, &c, &g->p->buf);

	(void)name;
	(void)peeled; /* the tip is read anyway, to be walked */
	if (!rc)
		add_tip(g->p, &c, g->hide);
	return rc == NOT_A_COMMIT || rc == ERR_NOTFOUND ? 0 : rc;
}

/* git's --glob: refs/ in front unless there; /<asterisk> after unless
 * the pattern has a wildcard. */
static int add_glob(struct parse *p, const char *base, const char *pat)
{
	struct strbuf g = STRBUF_INIT;
	struct glob_tips gt = { p, p->negate };
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
	rc = p->src->be->refs(p->src, g.buf, glob_tip, &gt);
	strbuf_release(&g);
	return rc;
}

static int add_arg(struct parse *p, const char *arg)
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
	git_oid head;
	int rc;

	if (!strcmp(arg, "--not")) {
		p->negate = !p->negate;
		return 0;
	}
	if (!strcmp(arg, "--all")) {
		struct glob_tips gt = { p, p->negate };

		rc = p->src->be->refs(p->src, "refs/*", glob_tip, &gt);
		/* Also a detached HEAD; an unborn one is no error. */
		if (!rc && !p->negate &&
		    !p->src->be->name(p->src, "HEAD", &head))
			rc = glob_tip("HEAD", &head, NULL, &gt);
		return rc;
	}
	for (size_t i = 0; i < ARRAY_SIZE(globs); i++) {
		size_t n = strlen(globs[i].opt);

		if (strncmp(arg, globs[i].opt, n))
			continue;
		if (!arg[n] && *globs[i].base)
			return add_glob(p, globs[i].base, NULL);
		if (arg[n] == '=' && arg[n + 1])
			return add_glob(p, globs[i].base, arg + n + 1);
	}
	if (*arg == '-')
		return error_set("unknown revision option '%s'", arg);
	return add_rev(p, arg, p->negate);
}

int gitwalk_rev_parse(struct rev_tips *out, const struct rev_source *src,
		      const char *const *revs, size_t revs_nr)
{
	struct parse p = { src, out, STRBUF_INIT, false };
	int rc = 0;

	for (size_t i = 0; i < revs_nr && !rc; i++)
		rc = add_arg(&p, revs[i]);
	strbuf_release(&p.buf);
	return rc;
}

struct tag_ctx {
	const struct rev_source *src;
	int (*fn)(const char *name, const git_oid *commit, const char *msg,
		  size_t len, void *data);
	bool (*want)(const git_oid *commit, void *data);
	void *data;
	struct strbuf tag, scratch;
};

/* One tag ref: an annotated tag (not a lightweight one) of a commit. */
static int tag_one(const char *name, const git_oid *id, const git_oid *peeled,
		   void *data)
{
	struct tag_ctx *t = data;
	enum odb_type type;
	git_oid target = *id;
	const char *body, *end;

	/*
	 * packed-refs knows where a tag leads: most tags of a repository
	 * point far from a pushed range, and reading each one (git.git has
	 * ~1,000) was a fifth of a small push's time. A ref whose peeled id
	 * is itself is no annotated tag.
	 */
	if (peeled && (git_oid_equal(peeled, id) ||
		       (t->want && !t->want(peeled, t->data))))
		return 0;
	/* Unreadable tags are skipped, with what a damaged pack said. */
	if (t->src->be->read(t->src, id, &type, &t->tag) < 0 ||
	    type != ODB_TAG || gitwalk_rev_peel(t->src, &target, &t->scratch)) {
		error_clear();
		return 0;
	}
	/* The message follows the header's first empty line. */
	end = t->tag.buf + t->tag.len;
	body = end;
	for (const char *q = t->tag.buf; q + 1 < end; q++)
		if (q[0] == '\n' && q[1] == '\n') {
			body = q + 2;
			break;
		}
	return t->fn(name + strlen("refs/tags/"), &target, body,
		     (size_t)(end - body), t->data);
}

int gitwalk_rev_tags(const struct rev_source *src,
		     int (*fn)(const char *name, const git_oid *commit,
			       const char *msg, size_t len, void *data),
		     bool (*want)(const git_oid *commit, void *data),
		     void *data)
{
	struct tag_ctx t = { src, fn, want, data, STRBUF_INIT, STRBUF_INIT };
	int rc = src->be->refs(src, "refs/tags/*", tag_one, &t);

	strbuf_release(&t.tag);
	strbuf_release(&t.scratch);
	return rc;
}
