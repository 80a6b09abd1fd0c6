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
#include "rev.h"

struct tag_scan {
	struct gitwalk_hist *h;
	struct strbuf label;
};

static int tag_one(const char *name, const git_oid *commit, const char *msg,
		   size_t len, void *data)
{
	struct tag_scan *ts = data;
	size_t idx;

	if (!oidmap_get(&ts->h->commit_set, commit->id, &idx))
		return 0;
	strbuf_reset(&ts->label);
	strbuf_addf(&ts->label, "(tag %s)", name);
	return gitwalk_call_message(ts->h, 0, idx, ts->label.buf, msg, len);
}

/* Is commit in the walked range (a want function of gitwalk_rev_tags). */
static bool in_range(const git_oid *commit, void *data)
{
	struct tag_scan *ts = data;
	size_t idx;

	return oidmap_get(&ts->h->commit_set, commit->id, &idx);
}

int gitwalk_scan_tags(struct gitwalk_hist *h, bool lite)
{
	struct tag_scan ts = { h, STRBUF_INIT };
	struct rev_source src;
	int rc;

	memset(&src, 0, sizeof(src));
	src.w = h->w;
	if (lite) {
		src.be = &gitwalk_rev_lite;
		src.rd = gitwalk_reader(h->w);
	} else {
		src.be = &gitwalk_rev_git2;
		src.repo = gitwalk_repo(h->w);
	}
	rc = lite && (!src.rd || !h->w->gitdir) ?
		     LITE_UNSUPPORTED :
		     gitwalk_rev_tags(&src, tag_one, in_range, &ts);
	strbuf_release(&ts.label);
	return rc;
}
