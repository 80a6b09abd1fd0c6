/* SPDX-License-Identifier: MIT */
/* The app's config vars in a deploy: masking release output and errors. */
#include "slugguard/common.h"
#include "slugguard/buildpack.h"
#include "slugguard/error.h"
#include "slugguard/heroku.h"
#include "slugguard/mask.h"
#include "deploy-internal.h"

int deploy_mask_new(struct mask_set **out, struct strvec *names,
		    struct heroku *h, const char *app)
{
	struct build_config bc = BUILD_CONFIG_INIT;
	int rc;

	*out = NULL;
	rc = build_config_fetch(&bc, h, app);
	for (size_t i = 0; !rc && names && i < bc.names.nr; i++)
		strvec_push(names, bc.names.v[i]);
	if (!rc)
		rc = build_config_mask(out, &bc, NULL, 0);
	build_config_release(&bc);
	return rc;
}

void deploy_mask_error(const struct mask_set *mask, int rc)
{
	struct strbuf msg = STRBUF_INIT;

	if (!mask || rc >= 0)
		return;
	strbuf_addstr(&msg, error_last());
	if (mask_strbuf(mask, &msg) < 0)
		strbuf_addstr(&msg, "deploy failed");
	error_setc(rc, "%s", msg.buf);
	strbuf_release(&msg);
}
