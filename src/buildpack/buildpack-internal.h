/* SPDX-License-Identifier: MIT */
/* Private to src/buildpack/: the state of one build. */
#ifndef SLUGGUARD_BUILDPACK_INTERNAL_H
#define SLUGGUARD_BUILDPACK_INTERNAL_H

#include "slugguard/buildpack.h"
#include "slugguard/mask.h"
#include "slugguard/sandbox.h"
#include "slugguard/sign.h"
#include "slugguard/strbuf.h"

#include <time.h>

struct bp {
	char *ref; /* as listed (app.json, .buildpacks, --buildpack) */
	char *url; /* fetchable URL or absolute directory */
	char *name; /* what bin/detect printed */
	char *dir; /* the fetched copy we run */
	char commit[GITWALK_HEXSZ + 1]; /* resolved git commit, or "" */
};

struct build_state {
	char commit[GITWALK_HEXSZ + 1];
	struct strbuf summary;
	struct strbuf source_uri;
	struct strbuf work; /* private temporary directory */
	char *build_dir, *cache_dir, *env_dir, *stack;
	struct bp *bps;
	size_t nr_bps;
	struct strvec env; /* compile environment, grows with exports */
	struct strvec proc_names, proc_cmds; /* default_process_types */
	time_t started, finished;
	struct sandbox sb; /* unused (no bwrap) when o->no_sandbox */
	struct mask_set *mask; /* config var values; NULL: none to mask */
	struct strvec slug_allow; /* config_vars.allow_in_slug */
};

#define BUILD_STATE_INIT                                                   \
	{                                                                  \
		{ 0 }, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, NULL, NULL,  \
			NULL, NULL, NULL, 0, STRVEC_INIT, STRVEC_INIT,     \
			STRVEC_INIT, 0, 0, SANDBOX_INIT, NULL, STRVEC_INIT \
	}

/*
 * Check the buildpack order against the repository's deploy policy.
 * Returns 0, or ERR_REJECTED naming the expected order.
 */
/* The policy's config_vars.public and .allow_in_slug (appended). */
int buildpack_policy_vars(struct strvec *public, struct strvec *slug_allow,
			  struct gitwalk *w, const char *hex);

/* ENV_DIR (envdir.c): can name be a file name in it? */
bool envdir_name_ok(const char *name);
/* 0, or ERR_FAIL naming the first name envdir_name_ok() refuses. */
int envdir_check_names(const struct strvec *names);
/*
 * Write one 0600 file per var into dir (made 0700), and arm removal on
 * SIGINT, SIGTERM and SIGHUP. Call envdir_remove() when the build ends,
 * whatever happened (also after a failure of this function).
 */
int envdir_write(const char *dir, const struct strvec *names,
		 const struct strvec *values);
void envdir_remove(void);

/* The policy's signing.key of commit hex, or *out NULL; caller frees. */
int buildpack_policy_signing_key(char **out, struct gitwalk *w,
				 const char *hex);
int buildpack_check_order(struct gitwalk *w, const char *hex,
			  const struct strvec *list, const char *app);
/* Append the policy's buildpack list (if it has one) to out. */
int buildpack_policy_buildpacks(struct strvec *out, struct gitwalk *w,
				const char *hex);

/*
 * Write the signed provenance for the slug with sha256 hex: the DSSE
 * envelope to r->intoto_path and the Sigstore bundle to r->sigstore_path.
 */
int buildpack_attest(const struct build_state *st, const struct build_result *r,
		     const struct build_opts *o, const struct sign_key *key,
		     const char *hex);

/*
 * step.c: fetch (or copy) bp into dir, bp->commit receiving its git
 * commit or ""; then run every buildpack of st in order (detect, compile,
 * export) and the last one's bin/release.
 */
int fetch_buildpack(struct bp *bp, const char *fetch_url, const char *dir,
		    const char *cache_dir);
int run_buildpacks(struct build_state *st, const struct build_opts *o);
/* step.c: path made absolute against the current directory; caller frees. */
char *buildpack_absolute(const char *path);

#endif
