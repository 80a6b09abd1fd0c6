/* SPDX-License-Identifier: MIT */
/* The buildpack order check, kept behind one function for the policy. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "buildpack-internal.h"

int buildpack_check_order(struct gitwalk *w, const char *hex,
			  const struct strvec *list)
{
	/*
	 * NEEDSWORK: delegate to the deploy policy (policy.h) once it
	 * lands; until then every order is accepted.
	 */
	(void)w;
	(void)hex;
	(void)list;
	return 0;
}
