/* SPDX-License-Identifier: MIT */
/*
 * buildpack: the build pipeline behind `slugguard build` (and the build
 * step of `slugguard deploy`). In order:
 *   1. export the commit's tree (no checkout) into a fresh build directory,
 *      dropping what .slugignore names;
 *   2. read the buildpack list (opts, else app.json "buildpacks", else
 *      .buildpacks), check its order against the deploy policy, fetch each
 *      one (local directory, file:// or https:// git URL cloned into a
 *      cache, or a shorthand such as heroku/ruby);
 *   3. run bin/detect, bin/compile and bin/release of each, as Heroku
 *      does (STACK, SOURCE_VERSION..., ENV_DIR, each buildpack's `export`
 *      file sourced into the next one's environment), streaming output to
 *      stderr, with a timeout per step. Every step (and the sourcing of
 *      `export`) runs in the sandbox (sandbox.h), which shares only the
 *      build dir, CACHE_DIR, the private HOME and the buildpack's own copy
 *      (writable) and ENV_DIR (read-only); no buildpack code runs before
 *      the list passed the policy check, and none runs unsandboxed unless
 *      o->no_sandbox;
 *   4. pack slug.tgz reproducibly (see slug.h);
 *   5. sign an in-toto Statement v1 / SLSA Provenance v1 for it as a DSSE
 *      envelope (slug.tgz.intoto.json) and a Sigstore bundle v0.3
 *      (slug.tgz.sigstore.json), and write release.json.
 *
 * Output files in out_dir: slug.tgz, slug.tgz.intoto.json,
 * slug.tgz.sigstore.json, release.json. release.json is
 * {"process_types":{name:command}, "checksum":"SHA256:<hex>",
 *  "stack", "commit", "commit_description", "buildpack_provided_description",
 *  "buildpacks":[url...], "app", "size"} - the fields of POST /slugs.
 */
#ifndef SLUGGUARD_BUILDPACK_H
#define SLUGGUARD_BUILDPACK_H

#include "slugguard/gitwalk.h"
#include "slugguard/strvec.h"

struct heroku;

#define BUILDPACK_DEFAULT_STACK "heroku-24"
#define BUILDPACK_DEFAULT_TIMEOUT (25 * 60) /* Heroku's compile limit */
#define BUILDPACK_BUILDER_ID "https://slugguard.dev/builders/slugguard-cli@v1"
#define BUILDPACK_BUILD_TYPE "https://slugguard.dev/buildtypes/heroku-slug/v1"

/*
 * The app's config for a build, as on Heroku: its config vars go into
 * ENV_DIR (a 0700 folder in the build's private work area, one 0600 file
 * per var, removed when the build ends, fails or is interrupted), and
 * every value (plus the API key, as HEROKU_API_KEY) is masked in what
 * the build prints and writes (mask.h), and refused in the slug.
 */
struct build_config {
	struct strvec names, values; /* names[i] = values[i] */
	char *api_key; /* masked as HEROKU_API_KEY; or NULL */
};

#define BUILD_CONFIG_INIT                      \
	{                                      \
		STRVEC_INIT, STRVEC_INIT, NULL \
	}

/*
 * Read the config vars of app (GET /apps/{app}/config-vars) into bc, and
 * the API key h uses. A name that cannot be a file name in ENV_DIR (empty,
 * ".", "..", a "/", longer than NAME_MAX) is an error naming it. Release
 * bc with build_config_release(), which wipes the values.
 */
int build_config_fetch(struct build_config *bc, struct heroku *h,
		       const char *app);
/*
 * Add the config vars of a user-given ENV_DIR (build --env-dir) to bc:
 * each regular file a var named by the file, its content the value (one
 * trailing newline dropped, as `echo v >NAME` adds it), at most 1 MiB a
 * file, so that they are masked as fetched ones are.
 */
int build_config_read_dir(struct build_config *bc, const char *dir);
void build_config_release(struct build_config *bc);

struct mask_set;

/*
 * The masker over bc's values (bc may be NULL), its API key and
 * $HEROKU_API_KEY, all as HEROKU_API_KEY's; public names (beside mask.h's
 * list) stay unmasked. *out is NULL when nothing is to be masked; the
 * caller frees it with mask_set_free().
 */
int build_config_mask(struct mask_set **out, const struct build_config *bc,
		      const char *const *public, size_t public_nr);

/*
 * Refuse a slug that carries a value of mask (in any form) in any of its
 * files, gzipped assets included, unless the var is in allow (may be
 * NULL): ERR_REJECTED naming each file and var, never the value.
 */
int buildpack_check_slug(const char *slug_path, const struct mask_set *mask,
			 const struct strvec *allow);

struct build_opts {
	const char *commit; /* any rev; NULL = HEAD */
	const char *app; /* Heroku app name, recorded; may be NULL */
	const char *out_dir; /* NULL = "slug" under the current directory */
	const char *cache_dir; /* CACHE_DIR and buildpack clones; NULL =
				  <gitdir>/slugguard/cache */
	const char *env_dir; /* ENV_DIR given to compile; NULL = empty dir */
	const char *key_path; /* private key; NULL = SLUGGUARD_SIGNING_KEY */
	const char *stack; /* NULL = BUILDPACK_DEFAULT_STACK */
	const char *source_uri; /* provenance repository; NULL = origin url */
	const char *ref; /* provenance ref; NULL = the rev as given */
	struct strvec buildpacks; /* overrides app.json/.buildpacks if nr */
	unsigned timeout; /* seconds per step; 0 = default */
	uint64_t max_size; /* compressed slug limit; 0 = 1 GB */
	bool quiet; /* no "-----> " chatter (buildpack output still shown) */
	bool keep_build_dir; /* leave the temporary build tree in place */
	bool no_sandbox; /* run buildpacks with our full access (local
			    `build --no-sandbox` only; see sandbox.h) */
	/* The app's config vars for ENV_DIR, masking and the slug check
	 * (borrowed); NULL: an empty ENV_DIR. Ignored for ENV_DIR when
	 * env_dir is given, which is then used as it is. */
	const struct build_config *config;
};

#define BUILD_OPTS_INIT                                               \
	{                                                             \
		NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
			STRVEC_INIT, 0, 0, false, false, false, NULL  \
	}

struct build_process {
	char *name;
	char *command;
};

struct build_result {
	char *slug_path; /* <out_dir>/slug.tgz */
	char *intoto_path; /* <out_dir>/slug.tgz.intoto.json */
	char *sigstore_path; /* <out_dir>/slug.tgz.sigstore.json */
	char *release_path; /* <out_dir>/release.json */
	char checksum[7 + 64 + 1]; /* "SHA256:<hex>", Heroku's form */
	char commit[GITWALK_HEXSZ + 1];
	char *stack;
	char *description; /* buildpack_provided_description */
	struct build_process *procs; /* Procfile over default_process_types */
	size_t nr_procs;
	uint64_t size; /* slug bytes */
};

#define BUILD_RESULT_INIT                                                    \
	{                                                                    \
		NULL, NULL, NULL, NULL, { 0 }, { 0 }, NULL, NULL, NULL, 0, 0 \
	}

/*
 * Build o->commit of the repository w into o->out_dir. On success *out
 * owns its strings (release with build_result_release()). Returns 0,
 * ERR_REJECTED (a buildpack failed or did not apply, a symlink escapes,
 * the slug is too large, the policy refused the buildpack order: the
 * message names the buildpack / path and exit code; or a file of the
 * slug carries a config var value: the message names the file and the
 * var, never the value, and no slug is left) or ERR_FAIL.
 *
 * Masking: buildpack output is relayed through the masker over
 * o->config's values and $HEROKU_API_KEY, as are the error message,
 * release.json and the attestation. Not masked: values shorter than
 * MASK_MIN_LEN and the policy's config_vars.public names (and mask.h's
 * built-in public list). The slug check skips the policy's
 * config_vars.allow_in_slug names.
 */
int buildpack_build(struct build_result *out, struct gitwalk *w,
		    const struct build_opts *o);
void build_result_release(struct build_result *r);

/*
 * The buildpacks a build of o->commit (NULL: HEAD) would run, in order:
 * o->buildpacks, else app.json, else .buildpacks, else the policy's list,
 * appended to out. Nothing is fetched or run, so a caller can hold the
 * list against the live app first. Returns 0, ERR_REJECTED (no
 * buildpacks) or ERR_FAIL.
 */
int buildpack_list(struct strvec *out, struct gitwalk *w,
		   const struct build_opts *o);
void build_opts_release(struct build_opts *o);

/* The source tarball of a commit, for a build on Heroku's builders. */
struct buildpack_source {
	char commit[GITWALK_HEXSZ + 1];
	char checksum[7 + 64 + 1]; /* "SHA256:<hex>" of the file's bytes */
	char *summary; /* the commit's subject line (unsanitised) */
	int64_t mtime; /* the committer time, every entry's mtime */
	uint64_t size; /* compressed bytes */
};

#define BUILDPACK_SOURCE_INIT            \
	{                                \
		{ 0 }, { 0 }, NULL, 0, 0 \
	}

/*
 * Write the source tarball of rev (NULL: HEAD) to out_path (atomically):
 * the commit's whole tree (no .git, .slugignore not applied: Heroku's
 * builder applies it), checked as gitwalk_check_tree() does, exported
 * into a private temporary directory and packed by slug_pack_source(),
 * so that a commit gives the same bytes on every machine. Returns 0,
 * ERR_REJECTED (a refused tree or symlink) or ERR_FAIL.
 */
int buildpack_source_tarball(struct buildpack_source *out, struct gitwalk *w,
			     const char *rev, const char *out_path);
void buildpack_source_release(struct buildpack_source *s);

/*
 * Map a buildpack reference to a fetchable URL: "heroku/ruby" ->
 * "https://github.com/heroku/heroku-buildpack-ruby", "urn:buildpack:x/y"
 * likewise; anything else is returned as is. Caller frees.
 */
char *buildpack_resolve_url(const char *ref);

/*
 * Parse bin/release output (a YAML subset) for the default_process_types
 * mapping: appends "name" and "command" pairs to names/commands. Unknown
 * keys are skipped. Returns 0 or ERR_FAIL on a malformed mapping.
 */
int buildpack_parse_release_yaml(struct strvec *names, struct strvec *commands,
				 const char *buf, size_t len);
/* Parse a Procfile ("name: command" lines) the same way. */
int buildpack_parse_procfile(struct strvec *names, struct strvec *commands,
			     const char *buf, size_t len);

#endif
