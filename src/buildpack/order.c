/* SPDX-License-Identifier: MIT */
/* The deploy policy's say in a build: buildpack list and order. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/policy.h"
#include "buildpack-internal.h"

/* On a deploy server its own policy, not the pushed one, says. */
static int load(struct policy **out, struct gitwalk *w, const char *hex)
{
	int rc = policy_load_governing(out, w, hex);

	if (rc == ERR_NOTFOUND) {
		error_clear();
		return 0;
	}
	return rc;
}

int buildpack_policy_buildpacks(struct strvec *out, struct gitwalk *w,
				const char *hex)
{
	struct policy *p = NULL;
	int rc = load(&p, w, hex);

	if (!rc && p && p->has_buildpacks)
		strvec_pushv(out, p->buildpacks.v);
	policy_free(p);
	return rc;
}

int buildpack_policy_signing_key(char **out, struct gitwalk *w, const char *hex)
{
	struct policy *p = NULL;
	int rc = load(&p, w, hex);

	*out = NULL;
	if (!rc && p && p->signing_key)
		*out = xstrdup(p->signing_key);
	policy_free(p);
	return rc;
}

int buildpack_policy_vars(struct strvec *public, struct strvec *slug_allow,
			  struct gitwalk *w, const char *hex)
{
	struct policy *p = NULL;
	int rc = load(&p, w, hex);

	if (!rc && p) {
		for (size_t i = 0; i < p->public_vars.nr; i++)
			strvec_push(public, p->public_vars.v[i]);
		for (size_t i = 0; i < p->slug_allowed_vars.nr; i++)
			strvec_push(slug_allow, p->slug_allowed_vars.v[i]);
	}
	policy_free(p);
	return rc;
}

int buildpack_check_order(struct gitwalk *w, const char *hex,
			  const struct strvec *list, const char *app)
{
	struct policy_report r = POLICY_REPORT_INIT;
	struct policy *p = NULL;
	struct strbuf msg = STRBUF_INIT;
	int rc;

	rc = load(&p, w, hex);
	if (rc < 0 || !p || !p->has_buildpacks)
		goto out;
	policy_check_buildpacks(&r, p, list->v, list->nr, "the build", app);
	if (policy_report_ok(&r))
		goto out;
	for (size_t i = 0; i < r.nr; i++) {
		const char *m = r.v[i].message ? r.v[i].message : "";

		if (r.v[i].ok || r.v[i].warning)
			continue;
		/* One line: the report's detail lines become "; " parts. */
		for (; *m; m++) {
			if (*m != '\n') {
				strbuf_addch(&msg, *m);
				continue;
			}
			strbuf_addstr(&msg, "; ");
			while (m[1] == ' ')
				m++;
		}
		strbuf_addstr(&msg, "; ");
	}
	strbuf_setlen(&msg, msg.len > 2 ? msg.len - 2 : 0);
	rc = error_setc(ERR_REJECTED, "buildpack order refused by %s: %s",
			p->source ? p->source : POLICY_FILE, msg.buf);
out:
	policy_report_release(&r);
	policy_free(p);
	strbuf_release(&msg);
	return rc;
}
