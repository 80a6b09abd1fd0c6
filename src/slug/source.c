/* SPDX-License-Identifier: MIT */
/*
 * The source tarball of a Heroku build (see slug_pack_source() in
 * include/slugguard/slug.h): the slug packer with another top directory
 * and a level that no caller can change, since the tarball's checksum is
 * what the build and the provenance name.
 */
#include "slugguard/common.h"
#include "slugguard/slug.h"
#include "slug-internal.h"

int slug_pack_source(struct slug_stats *out, const struct slug_opts *o)
{
	struct slug_opts so = *o;

	so.level = SLUG_DEFAULT_LEVEL;
	return slug_pack_prefixed(out, &so, SLUG_SOURCE_PREFIX);
}
