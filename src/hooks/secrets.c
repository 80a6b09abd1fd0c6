/* SPDX-License-Identifier: MIT */
/* The one place where hooks call the secret scanner. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/scan.h"
#include "hooks-internal.h"

/* Move the findings and counts of from into into; from is released. */
static void merge(struct scan_report *into, struct scan_report *from)
{
	for (size_t k = 0; k < from->nr; k++) {
		ALLOC_GROW(into->findings, into->nr + 1, into->alloc);
		into->findings[into->nr++] = from->findings[k];
	}
	from->nr = 0;
	into->commits += from->commits;
	into->blobs += from->blobs;
	into->bytes += from->bytes;
	into->ignored += from->ignored;
	into->skipped += from->skipped;
	into->binary += from->binary;
	into->streamed += from->streamed;
	into->allowed += from->allowed;
	scan_report_release(from);
}

/*
 * A pushed tag's message is new even when its target is not (a commit
 * the receiver has, a blob): scan it as text.
 */
static int scan_tag_message(struct scan_report *rep, struct gitwalk *w,
			    const struct scan_options *opts, const char *hex)
{
	struct scan_report one = SCAN_REPORT_INIT;
	struct strbuf msg = STRBUF_INIT, name = STRBUF_INIT;
	const char *nl;
	int rc = 0;

	if (hex[0] == '^' || gitwalk_object_kind(w, hex) != GITWALK_TAG)
		goto out;
	rc = gitwalk_tag_message(&msg, w, hex);
	nl = strchr(msg.buf, '\n');
	strbuf_addf(&name, "(tag %.*s)",
		    (int)(nl ? (size_t)(nl - msg.buf) : msg.len), msg.buf);
	if (!rc && nl)
		rc = scan_text(&one, opts, nl + 1, strlen(nl + 1), name.buf);
	if (!rc) {
		one.blobs = 0; /* a message, not a file */
		merge(rep, &one);
	}
out:
	scan_report_release(&one);
	strbuf_release(&msg);
	strbuf_release(&name);
	return rc;
}

int hooks_scan_revs(struct hooks_scan_stats *st, struct gitwalk *w,
		    const struct strvec *revs, const struct strvec *objs,
		    const struct strvec *obj_refs,
		    const struct hooks_scan_in *in, FILE *out)
{
	struct scan_options opts = SCAN_OPTIONS_INIT;
	struct scan_report rep = SCAN_REPORT_INIT;
	struct scan_report one = SCAN_REPORT_INIT;
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	free(st->skips);
	memset(st, 0, sizeof(*st));
	/* commits the receiver already has are not an error: nothing new */
	opts.flags = SCAN_ALLOW_EMPTY;
	opts.config_path = in->config_path;
	opts.accepted = in->accepted;
	if (revs->nr) {
		rc = scan_revs(&rep, w, &opts, revs->v, revs->nr);
		if (rc < 0)
			goto out;
	}
	if (objs->nr) {
		rc = scan_objects(&one, w, &opts, objs->v, obj_refs->v,
				  objs->nr);
		if (rc < 0)
			goto out;
		merge(&rep, &one);
	}
	for (size_t i = 0; i < revs->nr && !rc; i++)
		rc = scan_tag_message(&rep, w, &opts, revs->v[i]);
	for (size_t i = 0; i < objs->nr && !rc; i++)
		rc = scan_tag_message(&rep, w, &opts, objs->v[i]);
	if (rc < 0)
		goto out;
	/* A hook never passes content it did not read. */
	if (rep.skipped) {
		rc = error_set("%zu pushed object%s could not be read, so the "
			       "push was not fully scanned",
			       rep.skipped, rep.skipped == 1 ? "" : "s");
		goto out;
	}
	if ((rep.commits || rep.blobs) && !rep.bytes && !rep.allowed) {
		rc = error_set("the push has content but nothing of it was "
			       "scanned");
		goto out;
	}
	st->commits = (size_t)rep.commits;
	st->blobs = (size_t)rep.blobs;
	st->objects = objs->nr;
	st->bytes = (size_t)rep.bytes;
	for (size_t i = 0; i < rep.nr; i++) {
		if (in->allow_contexts & (1u << rep.findings[i].context))
			st->allowed++;
		else
			st->findings++;
	}
	scan_report_describe(&sb, &rep);
	st->skips = strbuf_detach(&sb, NULL);
	if (rep.nr) {
		rc = scan_print_text(out, &rep,
				     SCAN_PRINT_NO_SUMMARY |
					     (in->color ? SCAN_PRINT_COLOR :
							  0));
		if (!rc && st->findings)
			hooks_print_advice(out, w, &rep, in);
	}
out:
	strbuf_release(&sb);
	scan_report_release(&one);
	scan_report_release(&rep);
	return rc;
}
