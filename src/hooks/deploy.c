/* SPDX-License-Identifier: MIT */
/*
 * post-receive for a deploy branch. For now it records the accepted push;
 * the build and the hand-off to Heroku replace this body.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/hooks.h"
#include "slugguard/policy.h"

#include <time.h>

int hooks_post_receive_deploy(struct gitwalk *w, const struct policy *p,
			      const char *ref, const char *old_hex,
			      const char *new_hex, FILE *out)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf text = STRBUF_INIT;
	const char *gd = gitwalk_gitdir(w);
	char stamp[32], iso[32];
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if (!gmtime_r(&now, &tm) ||
	    !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) ||
	    !strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return error_set("cannot format the current time");
	strbuf_addf(&dir, "%s%sslugguard/logs", gd,
		    ends_with(gd, "/") ? "" : "/");
	rc = fs_mkdir_p(dir.buf, 0755);
	if (rc < 0)
		goto out;
	strbuf_addf(&path, "%s/push-%s-%.12s.log", dir.buf, stamp, new_hex);
	strbuf_addf(&text,
		    "ref %s\nold %s\nnew %s\ntime %s\napp %s\n"
		    "status accepted; build and deploy not configured\n",
		    ref, old_hex, new_hex, iso, p && p->app ? p->app : "-");
	rc = fs_write_atomic(path.buf, text.buf, text.len, 0644);
	if (rc < 0)
		goto out;
	fprintf(out, "slugguard: accepted %s at %.12s; recorded in %s\n", ref,
		new_hex, path.buf);
out:
	strbuf_release(&dir);
	strbuf_release(&path);
	strbuf_release(&text);
	return rc;
}
