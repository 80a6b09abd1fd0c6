/* SPDX-License-Identifier: MIT */
/*
 * The hooks' input: the ref updates git writes on a hook's stdin
 * (pre-push, pre-/post-receive lines), or the range the pre-commit
 * framework passes in its environment. Moved out of run.c (issue #12: no
 * source file over 900 lines) so that the parser of this outside input
 * stands apart from the checks run.c makes; struct update(s) and the
 * functions run.c calls are declared in hooks-internal.h.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "hooks-internal.h"

/* git's protocol lines are short; anything longer is not git talking */
#define HOOKS_MAX_LINE 4096

void updates_release(struct updates *u)
{
	for (size_t i = 0; i < u->nr; i++) {
		free(u->v[i].ref);
		free(u->v[i].local_ref);
	}
	free(u->v);
	u->v = NULL;
	u->nr = u->alloc = 0;
}

static struct update *update_add(struct updates *u)
{
	struct update *up;

	ALLOC_GROW(u->v, u->nr + 1, u->alloc);
	up = &u->v[u->nr++];
	memset(up, 0, sizeof(*up));
	return up;
}

/* Split one protocol line into exactly n space-separated fields. */
static int split_fields(char **f, size_t n, char *line, size_t lineno)
{
	size_t i = 0;
	char *p = line;

	while (i < n) {
		f[i++] = p;
		p = strchr(p, ' ');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (i != n || p)
		return error_set("malformed hook input line %zu: expected %zu "
				 "fields",
				 lineno, n);
	return 0;
}

/*
 * git never sends a ref name with control characters (check-ref-format
 * forbids them), so one is not git talking: refuse the line, showing the
 * name escaped so that nothing reaches the pusher's terminal raw.
 */
static int check_ref_name(const char *ref, size_t lineno)
{
	struct strbuf shown = STRBUF_INIT;
	const char *p = ref;
	int rc;

	while (*p && (unsigned char)*p >= 0x20 && *p != 0x7f)
		p++;
	if (!*p)
		return 0;
	strbuf_add_sanitized(&shown, ref, strlen(ref));
	if (lineno)
		rc = error_set("malformed hook input line %zu: control "
			       "character in ref name '%s'",
			       lineno, shown.buf);
	else
		rc = error_set("control character in ref name '%s'", shown.buf);
	strbuf_release(&shown);
	return rc;
}

static int copy_hex(char *dst, const char *src, size_t lineno)
{
	if (!gitwalk_is_hex(src))
		return error_set("malformed hook input line %zu: not an object "
				 "id",
				 lineno);
	memcpy(dst, src, GITWALK_HEXSZ + 1);
	return 0;
}

/*
 * pre-push: "<local ref> <local sha> <remote ref> <remote sha>";
 * pre-/post-receive: "<old sha> <new sha> <ref>".
 */
int parse_input(struct updates *ups, enum hook_kind kind, struct strbuf *in)
{
	char *p = in->buf;
	size_t lineno = 0;
	int rc = 0;

	while (p < in->buf + in->len && !rc) {
		char *nl = memchr(p, '\n', (size_t)(in->buf + in->len - p));
		size_t n = nl ? (size_t)(nl - p) :
				(size_t)(in->buf + in->len - p);
		char *f[4];
		struct update *u;

		lineno++;
		if (n > HOOKS_MAX_LINE)
			return error_set("hook input line %zu is too long",
					 lineno);
		p[n] = '\0';
		if (n && p[n - 1] == '\r')
			p[n - 1] = '\0';
		if (!*p) {
			p += n + 1;
			continue;
		}
		if (kind == HOOK_PRE_PUSH) {
			rc = split_fields(f, 4, p, lineno);
			if (!rc)
				rc = check_ref_name(f[0], lineno);
			if (!rc)
				rc = check_ref_name(f[2], lineno);
			if (rc < 0)
				break;
			u = update_add(ups);
			u->local_ref = xstrdup(f[0]);
			u->ref = xstrdup(f[2]);
			rc = copy_hex(u->new, f[1], lineno);
			if (!rc)
				rc = copy_hex(u->old, f[3], lineno);
		} else {
			rc = split_fields(f, 3, p, lineno);
			if (!rc)
				rc = check_ref_name(f[2], lineno);
			if (rc < 0)
				break;
			u = update_add(ups);
			u->ref = xstrdup(f[2]);
			rc = copy_hex(u->old, f[0], lineno);
			if (!rc)
				rc = copy_hex(u->new, f[1], lineno);
		}
		p += n + 1;
	}
	return rc;
}

int hooks_parse_input(size_t *nr, bool pre_push, struct strbuf *in)
{
	struct updates ups = { NULL, 0, 0 };
	int rc;

	rc = parse_input(&ups, pre_push ? HOOK_PRE_PUSH : HOOK_PRE_RECEIVE, in);
	*nr = ups.nr;
	updates_release(&ups);
	return rc;
}

/*
 * The pre-commit framework consumes git's stdin itself and passes the
 * range in PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF instead.
 */
int updates_from_pre_commit(struct updates *ups, struct gitwalk *w)
{
	const char *to = getenv("PRE_COMMIT_TO_REF");
	const char *from = getenv("PRE_COMMIT_FROM_REF");
	const char *rbranch = getenv("PRE_COMMIT_REMOTE_BRANCH");
	const char *lbranch = getenv("PRE_COMMIT_LOCAL_BRANCH");
	struct update *u;
	int rc;

	if (!to || !*to)
		return 0;
	rc = check_ref_name(rbranch ? rbranch : "", 0);
	if (!rc)
		rc = check_ref_name(lbranch ? lbranch : "", 0);
	if (rc < 0)
		return rc;
	u = update_add(ups);
	u->local_ref = xstrdup(lbranch && *lbranch ? lbranch : to);
	u->ref = xstrdup(rbranch && *rbranch ? rbranch :
			 lbranch && *lbranch ? lbranch :
					       "refs/heads/main");
	rc = gitwalk_resolve_commit(w, to, u->new);
	if (rc < 0)
		return rc;
	memset(u->old, '0', GITWALK_HEXSZ);
	if (from && *from && !gitwalk_is_null_hex(from) &&
	    gitwalk_resolve_commit(w, from, u->old) < 0) {
		error_clear();
		memset(u->old, '0', GITWALK_HEXSZ);
	}
	u->old[GITWALK_HEXSZ] = '\0';
	return 0;
}
