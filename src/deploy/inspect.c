/* SPDX-License-Identifier: MIT */
/*
 * The live app as `slugguard check --app` holds it against the policy:
 * everything read first, in the order of the checklist, for cli/ to print.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "deploy-internal.h"

void deploy_inspection_release(struct deploy_inspection *in)
{
	deploy_expect_release(&in->expect);
	strvec_clear(&in->buildpacks);
	strvec_clear(&in->config_vars);
	heroku_formation_free(in->formation, in->formation_nr);
	in->formation = NULL;
	in->formation_nr = 0;
	deploy_history_release(&in->history);
	in->fir = false;
}

int deploy_inspect(struct deploy_inspection *out, const struct deploy_target *t,
		   const char *rev)
{
	struct heroku_app a = HEROKU_APP_INIT;
	struct strvec names = STRVEC_INIT;
	struct heroku *h = NULL;
	int rc;

	deploy_inspection_release(out);
	rc = deploy_expect_load(&out->expect, rev, NULL);
	if (rc < 0)
		goto out;
	rc = deploy_client(&h, t->cacert);
	if (rc < 0)
		goto out;
	rc = heroku_app_get(h, &a, t->app);
	if (rc < 0)
		goto out;
	out->fir = heroku_app_is_fir(&a);
	if (out->fir)
		goto out;
	rc = heroku_buildpacks_get(h, &out->buildpacks, &names, t->app);
	if (rc < 0)
		goto out;
	rc = heroku_config_var_names(h, &out->config_vars, t->app);
	if (rc < 0)
		goto out;
	rc = heroku_formation_get(h, &out->formation, &out->formation_nr,
				  t->app);
	if (rc < 0)
		goto out;
	rc = deploy_history_fill(&out->history, h, t);
out:
	strvec_clear(&names);
	heroku_app_release(&a);
	heroku_free(h);
	return rc;
}
