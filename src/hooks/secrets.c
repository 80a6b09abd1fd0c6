/* SPDX-License-Identifier: MIT */
/* The one place where hooks call the secret scanner. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/scan.h"
#include "hooks-internal.h"

int hooks_scan_revs(struct hooks_scan_stats *st, struct gitwalk *w,
		    const struct strvec *revs, const struct hooks_scan_in *in,
		    FILE *out)
{
	struct scan_options opts = SCAN_OPTIONS_INIT;
	struct scan_report rep = SCAN_REPORT_INIT;
	int rc;

	memset(st, 0, sizeof(*st));
	/* commits the receiver already has are not an error: nothing new */
	opts.flags = SCAN_ALLOW_EMPTY;
	opts.config_path = in->config_path;
	opts.accepted = in->accepted;
	rc = scan_revs(&rep, w, &opts, revs->v, revs->nr);
	if (rc < 0)
		goto out;
	/*
	 * A pushed tag whose commit the receiver already has is outside the
	 * commit range, but its message is new: scan it as text.
	 */
	for (size_t i = 0; i < revs->nr; i++) {
		struct scan_report one = SCAN_REPORT_INIT;
		struct strbuf msg = STRBUF_INIT, name = STRBUF_INIT;
		const char *nl;

		if (revs->v[i][0] == '^' ||
		    gitwalk_object_kind(w, revs->v[i]) != GITWALK_TAG)
			continue;
		rc = gitwalk_tag_message(&msg, w, revs->v[i]);
		nl = strchr(msg.buf, '\n');
		strbuf_addf(&name, "(tag %.*s)",
			    (int)(nl ? (size_t)(nl - msg.buf) : msg.len),
			    msg.buf);
		if (!rc && nl)
			rc = scan_text(&one, &opts, nl + 1, strlen(nl + 1),
				       name.buf);
		for (size_t k = 0; !rc && k < one.nr; k++) {
			ALLOC_GROW(rep.findings, rep.nr + 1, rep.alloc);
			rep.findings[rep.nr++] = one.findings[k];
		}
		if (!rc) {
			rep.bytes += one.bytes;
			one.nr = 0;
		}
		scan_report_release(&one);
		strbuf_release(&msg);
		strbuf_release(&name);
		if (rc < 0)
			goto out;
	}
	st->commits = (size_t)rep.commits;
	st->bytes = (size_t)rep.bytes;
	st->findings = rep.nr;
	if (rep.nr) {
		rc = scan_print_text(out, &rep,
				     SCAN_PRINT_NO_SUMMARY |
					     (in->color ? SCAN_PRINT_COLOR :
							  0));
		if (!rc)
			hooks_print_advice(out, w, &rep, in);
	}
out:
	scan_report_release(&rep);
	return rc;
}
