/* SPDX-License-Identifier: MIT */
/* Annotated tags whose commit is in the walked range: their messages
 * are scanned as commit messages are. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/odb.h"
#include "slugguard/oidmap.h"
#include "gitwalk-internal.h"
#include "hist.h"

struct tag_scan {
	struct gitwalk_hist *h;
	struct odb_reader *rd;
	struct strbuf label, msg;
};

/* One tag ref: an annotated tag whose commit is in the range. */
static int tag_lite(const char *name, const git_oid *id, const git_oid *peeled,
		    void *data)
{
	struct tag_scan *ts = data;
	const unsigned char *buf;
	enum odb_type type;
	git_oid target;
	size_t len, idx;
	const char *p, *end, *body;

	/*
	 * packed-refs knows where the tag leads: most tags of a repository
	 * point far from a pushed range, and reading each one (git.git has
	 * ~1,000) was a fifth of a small push's time. A lightweight tag
	 * (peeled == id) has no message; when the commit is in the range
	 * the object is read below and found to be no tag.
	 */
	if (peeled && (git_oid_equal(peeled, id) ||
		       !oidmap_get(&ts->h->commit_set, peeled->id, &idx)))
		return 0;
	/* Unreadable tags are skipped, as gitwalk_scan_tags() does. */
	if (odb_read(ts->rd, id->id, 0, &type, &buf, &len) < 0)
		return 0;
	if (type != ODB_TAG)
		return 0; /* a lightweight tag: no message */
	/* Copy: peeling reads more objects through the same reader. */
	strbuf_reset(&ts->msg);
	strbuf_add(&ts->msg, buf, len);
	p = ts->msg.buf;
	end = p + ts->msg.len;
	target = *id;
	for (int depth = 0;; depth++) {
		const unsigned char *tb;
		size_t tl;

		if (odb_read(ts->rd, target.id, 0, &type, &tb, &tl) < 0)
			return 0;
		if (type == ODB_COMMIT)
			break;
		if (type != ODB_TAG || depth > 16 || tl < 7 + GITWALK_HEXSZ ||
		    memcmp(tb, "object ", 7) ||
		    !gitwalk_hex_to_oid(&target, (const char *)tb + 7))
			return 0;
	}
	if (!oidmap_get(&ts->h->commit_set, target.id, &idx))
		return 0;
	/* The message follows the header's first empty line. */
	body = end;
	for (const char *q = p; q < end; q++)
		if (*q == '\n' && q + 1 < end && q[1] == '\n') {
			body = q + 2;
			break;
		}
	strbuf_reset(&ts->label);
	strbuf_addf(&ts->label, "(tag %s)", name);
	return gitwalk_call_message(ts->h, 0, idx, ts->label.buf, body,
				    (size_t)(end - body));
}

int gitwalk_scan_tags_lite(struct gitwalk_hist *h)
{
	struct tag_scan ts = { h, gitwalk_reader(h->w), STRBUF_INIT,
			       STRBUF_INIT };
	int rc = ts.rd ? gitwalk_lite_tags(h->w, tag_lite, &ts) :
			 LITE_UNSUPPORTED;

	strbuf_release(&ts.label);
	strbuf_release(&ts.msg);
	return rc;
}

int gitwalk_scan_tags(struct gitwalk_hist *h)
{
	git_repository *repo = gitwalk_repo(h->w);
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	struct strbuf label = STRBUF_INIT;
	int rc = 0, grc;

	grc = git_reference_iterator_glob_new(&it, repo, "refs/tags/*");
	if (grc < 0)
		return gitwalk_error(grc, "listing tags");
	while (!rc && !(grc = git_reference_next(&ref, it))) {
		git_object *peeled = NULL;
		git_tag *tag = NULL;
		const git_oid *target = git_reference_target(ref);
		size_t idx;

		/* Only annotated tags whose commit is in the range. */
		if (target &&
		    !git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) &&
		    oidmap_get(&h->commit_set, git_object_id(peeled)->id,
			       &idx) &&
		    !git_tag_lookup(&tag, repo, target)) {
			const char *msg = git_tag_message(tag);

			strbuf_reset(&label);
			strbuf_addf(&label, "(tag %s)",
				    git_reference_shorthand(ref));
			rc = gitwalk_call_message(h, 0, idx, label.buf, msg,
						  msg ? strlen(msg) : 0);
		}
		git_error_clear();
		git_tag_free(tag);
		git_object_free(peeled);
		git_reference_free(ref);
		ref = NULL;
	}
	if (!rc && grc < 0 && grc != GIT_ITEROVER)
		rc = gitwalk_error(grc, "listing tags");
	git_reference_iterator_free(it);
	strbuf_release(&label);
	return rc;
}
