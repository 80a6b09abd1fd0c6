/* SPDX-License-Identifier: MIT */
/* url.<base>.insteadOf rewriting, as git applies it to fetch URLs. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "gitwalk-internal.h"

struct rewrite {
	const char *url;
	char *base; /* the best replacement so far (owned) */
	size_t matched; /* length of the longest matching insteadOf */
};

static int rewrite_cb(const git_config_entry *e, void *data)
{
	struct rewrite *r = data;
	const char *name = e->name;
	size_t n = strlen(name), vlen;
	static const char suffix[] = ".insteadof";

	/* libgit2 lowercases section and key but keeps the subsection. */
	if (!starts_with(name, "url.") || n < 4 + sizeof(suffix) ||
	    strcmp(name + n - (sizeof(suffix) - 1), suffix) || !e->value)
		return 0;
	vlen = strlen(e->value);
	if (!vlen || vlen <= r->matched || strncmp(r->url, e->value, vlen))
		return 0;
	free(r->base);
	r->base = xstrndup(name + 4, n - 4 - (sizeof(suffix) - 1));
	r->matched = vlen;
	return 0;
}

int gitwalk_rewrite_url(char **out, const struct gitwalk *w, const char *url)
{
	struct rewrite r = { url, NULL, 0 };
	struct strbuf sb = STRBUF_INIT;
	git_config *cfg = NULL;
	int rc;

	*out = NULL;
	rc = git_repository_config_snapshot(&cfg, gitwalk_repo(w));
	if (rc < 0) {
		rc = gitwalk_error(rc, "reading git config");
		goto out;
	}
	/*
	 * git_config_foreach rather than a regex iterator: the latter leaks
	 * match data in libgit2 1.5 built with PCRE2.
	 */
	rc = git_config_foreach(cfg, rewrite_cb, &r);
	if (rc < 0) {
		rc = gitwalk_error(rc, "reading url.*.insteadOf");
		goto out;
	}
	if (r.base) {
		strbuf_addstr(&sb, r.base);
		strbuf_addstr(&sb, url + r.matched);
	} else {
		strbuf_addstr(&sb, url);
	}
	*out = strbuf_detach(&sb, NULL);
out:
	free(r.base);
	strbuf_release(&sb);
	git_config_free(cfg);
	return rc;
}
