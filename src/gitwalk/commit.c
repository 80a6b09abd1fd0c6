/* SPDX-License-Identifier: MIT */
/* Raw commit objects: the header the walk needs, and the author line
 * a finding reports. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/odb.h"
#include "slugguard/oidmap.h"
#include "gitwalk-internal.h"
#include "hist.h"

/*
 * Parse a raw commit: its tree, its parents (appended to parents) and
 * where its message starts (after the header's blank line, leading
 * newlines skipped, as libgit2 and git log show it).
 */
int gitwalk_parse_commit(const struct strbuf *raw, git_oid *tree,
			 git_oid **parents, size_t *np, size_t *alloc,
			 size_t *msg_at)
{
	const char *p = raw->buf, *end = raw->buf + raw->len;

	*np = 0;
	*msg_at = raw->len;
	if (raw->len < 46 || memcmp(p, "tree ", 5) || p[45] != '\n' ||
	    !gitwalk_hex_to_oid(tree, p + 5))
		return ERR_FAIL;
	p += 46;
	while (end - p >= 48 && !memcmp(p, "parent ", 7) && p[47] == '\n') {
		ALLOC_GROW(*parents, *np + 1, *alloc);
		if (!gitwalk_hex_to_oid(&(*parents)[*np], p + 7))
			return ERR_FAIL;
		(*np)++;
		p += 48;
	}
	/* The rest of the header ends at the first empty line. */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl) {
			p = end;
			break;
		}
		if (nl == p) {
			p++;
			break;
		}
		p = nl + 1;
	}
	while (p < end && *p == '\n')
		p++;
	*msg_at = (size_t)(p - raw->buf);
	return 0;
}

/* "author Name <email> 1700000000 +0100" of a raw commit, parsed. */
/* Far beyond any real date, and small enough that adding a time zone
 * offset cannot overflow. */
#define MAX_DATE ((int64_t)1 << 50)

static bool parse_author(const char *buf, size_t len, struct strbuf *who,
			 int64_t *when, int *off)
{
	const char *end = buf + len, *p = buf, *lt, *gt, *q;
	long tz;
	char *e;

	while (p < end && *p != '\n') {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			return false;
		if (!strncmp(p, "author ", 7)) {
			p += 7;
			lt = memchr(p, '<', (size_t)(nl - p));
			gt = lt ? memchr(lt, '>', (size_t)(nl - lt)) : NULL;
			if (!gt)
				return false;
			for (q = lt; q > p && q[-1] == ' ';)
				q--;
			strbuf_add(who, p, (size_t)(q - p));
			strbuf_addstr(who, " <");
			strbuf_add(who, lt + 1, (size_t)(gt - lt - 1));
			strbuf_addch(who, '>');
			*when = strtoll(gt + 1, &e, 10);
			tz = strtol(e, NULL, 10);
			/* "+HHMM": anything longer is forged (and labs() of
			 * LONG_MIN, or the date sum below, would overflow). */
			if (tz < -9999 || tz > 9999 || *when > MAX_DATE ||
			    *when < -MAX_DATE)
				return false;
			*off = (int)((tz < 0 ? -1 : 1) *
				     ((labs(tz) / 100) * 60 + labs(tz) % 100));
			return true;
		}
		p = nl + 1;
	}
	return false;
}

int gitwalk_commit_meta(struct gitwalk *w, const char *hex,
			struct strbuf *author, struct strbuf *date)
{
	struct odb_reader *rd = gitwalk_reader(w);
	git_commit *c = NULL;
	const git_signature *sig;
	const unsigned char *data;
	enum odb_type type;
	size_t len;
	int64_t when = 0;
	git_oid id;
	struct tm tm;
	time_t t;
	int off = 0, rc;

	strbuf_reset(author);
	strbuf_reset(date);
	if (strlen(hex) != GITWALK_HEXSZ || !gitwalk_hex_to_oid(&id, hex))
		return error_set("reading commit: '%s' is not an id", hex);
	/* Our reader first: no libgit2 for a finding's author line. */
	if (!rd || odb_read(rd, id.id, 0, &type, &data, &len) < 0 ||
	    type != ODB_COMMIT ||
	    !parse_author((const char *)data, len, author, &when, &off)) {
		strbuf_reset(author);
		rc = git_commit_lookup(&c, gitwalk_repo(w), &id);
		if (rc < 0)
			return gitwalk_error(rc, "reading commit");
		sig = git_commit_author(c);
		strbuf_addf(author, "%s <%s>", sig->name ? sig->name : "",
			    sig->email ? sig->email : "");
		off = sig->when.offset;
		when = sig->when.time;
		git_commit_free(c);
	}
	/* libgit2's values are not bounded either. */
	if (when > MAX_DATE || when < -MAX_DATE || off > 6000 || off < -6000)
		return 0;
	t = (time_t)when + (time_t)off * 60;
	if (gmtime_r(&t, &tm)) {
		strbuf_addf(date, "%04d-%02d-%02dT%02d:%02d:%02d",
			    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			    tm.tm_hour, tm.tm_min, tm.tm_sec);
		if (!off)
			strbuf_addch(date, 'Z');
		else
			strbuf_addf(date, "%c%02d:%02d", off < 0 ? '-' : '+',
				    abs(off) / 60, abs(off) % 60);
	}
	return 0;
}

int gitwalk_parse_raw(const char *buf, size_t len, struct strbuf *out)
{
	struct ptree t;
	git_oid tree, *parents = NULL;
	size_t np = 0, alloc = 0, msg_at = 0;
	int64_t when = 0;
	int off = 0, rc;

	memset(&t, 0, sizeof(t));
	strbuf_init(&t.raw, 0);
	strbuf_add(&t.raw, buf, len);
	rc = gitwalk_tree_parse(&t);
	strbuf_addf(out, "tree %d %zu\n", rc, t.nr);
	rc = gitwalk_parse_commit(&t.raw, &tree, &parents, &np, &alloc,
				  &msg_at);
	strbuf_addf(out, "commit %d %zu %zu\n", rc, np, msg_at);
	/* Objects come NUL-terminated from odb and libgit2; so does raw. */
	if (parse_author(t.raw.buf, t.raw.len, out, &when, &off)) {
		struct tm tm;
		time_t tt = (time_t)when + (time_t)off * 60;

		if (gmtime_r(&tt, &tm))
			strbuf_addf(out, " %d", tm.tm_year);
	}
	free(parents);
	free(t.e);
	strbuf_release(&t.raw);
	return 0;
}
