/* SPDX-License-Identifier: MIT */
/* slugguard build: a reproducible, signed slug from a commit. */
#include "slugguard/common.h"
#include "slugguard/buildpack.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/heroku.h"
#include "slugguard/sign.h"
#include "slugguard/slug.h"
#include "cli.h"

#include <getopt.h>
#include <limits.h>

static const char usage_str[] =
	"usage: slugguard build [--commit REV] [--app NAME] [--out DIR]\n"
	"                       [--cache-dir DIR] [--env-dir DIR] [--key FILE]\n"
	"                       [--buildpack URL]... [--stack STACK]\n"
	"                       [--timeout SEC] [--max-size BYTES]\n"
	"                       [--keep-build-dir] [--no-sandbox]\n"
	"   or: slugguard build --pack-dir DIR [--out DIR] [--max-size BYTES]\n"
	"   or: slugguard build --source-tarball FILE [--commit REV]\n"
	"\n"
	"    --commit REV       commit to build (default HEAD)\n"
	"    -a, --app NAME     Heroku app: recorded in the provenance; its\n"
	"                       config vars go into ENV_DIR and are masked\n"
	"                       in the output and refused in the slug\n"
	"    --out DIR          output directory (default ./slug)\n"
	"    --cache-dir DIR    CACHE_DIR and buildpack clones\n"
	"    --env-dir DIR      ENV_DIR: one file per config var (instead of\n"
	"                       the app's; its values are masked)\n"
	"    --key FILE         private signing key (or SLUGGUARD_SIGNING_KEY)\n"
	"    --buildpack URL    buildpack to run, in order (repeatable);\n"
	"                       default: app.json, then .buildpacks\n"
	"    --timeout SEC      limit per buildpack step (default 1500)\n"
	"    --max-size BYTES   compressed slug limit (default 1 GiB)\n"
	"    --no-sandbox       run buildpacks without bubblewrap, with all\n"
	"                       of your access (unsafe; local builds only)\n"
	"    --pack-dir DIR     only pack an already built app directory\n"
	"                       (no buildpacks, no provenance)\n"
	"    --source-tarball FILE\n"
	"                       only write the commit's reproducible source\n"
	"                       tarball (what --build-on heroku uploads)\n";

/* --pack-dir: the slug step alone (benchmarks, prebuilt trees). */
static int pack_only(const char *dir, const struct build_opts *o)
{
	struct strbuf path = STRBUF_INIT;
	struct slug_opts so = { NULL, NULL, 0, 0, 0, 0, NULL, NULL, NULL };
	char hex[SIGN_SHA256_HEXSZ + 1];
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	const char *level;
	long v = 0;
	int rc;

	if (epoch && *epoch && parse_long(&v, epoch, 0, LONG_MAX) < 0)
		return error_set("invalid SOURCE_DATE_EPOCH '%s'", epoch);
	rc = fs_mkdir_p(o->out_dir ? o->out_dir : "slug", 0755);
	if (rc < 0)
		return rc;
	strbuf_addf(&path, "%s/slug.tgz", o->out_dir ? o->out_dir : "slug");
	so.dir = dir;
	so.out_path = path.buf;
	so.mtime = v;
	so.max_size = o->max_size;
	level = getenv("SLUGGUARD_SLUG_LEVEL");
	if (level && *level && !parse_long(&v, level, 1, 9))
		so.level = (int)v;
	rc = slug_pack(NULL, &so);
	if (!rc)
		rc = sign_sha256_file(hex, NULL, path.buf);
	if (!rc)
		printf("slug %s\nchecksum SHA256:%s\n", path.buf, hex);
	strbuf_release(&path);
	return rc;
}

/* --source-tarball: what a build on Heroku's builders uploads. */
static int source_only(const char *path, const struct build_opts *o)
{
	struct buildpack_source src = BUILDPACK_SOURCE_INIT;
	struct gitwalk *w = NULL;
	int rc;

	rc = gitwalk_open(&w, NULL);
	if (rc < 0)
		goto out;
	rc = buildpack_source_tarball(&src, w, o->commit, path);
	if (rc < 0)
		goto out;
	printf("source %s\nchecksum %s\ncommit %s\n", path, src.checksum,
	       src.commit);
out:
	buildpack_source_release(&src);
	gitwalk_free(w);
	return rc;
}

/*
 * --app: the app's config vars, as Heroku gives them to bin/compile.
 * Without an API key at all (a local build, offline) ENV_DIR stays
 * empty, with a warning; any other failure is an error.
 */
static int fetch_config(struct build_config *bc, const char *app)
{
	struct heroku_opts ho = HEROKU_OPTS_INIT;
	struct heroku *h = NULL;
	int rc;

	rc = heroku_opts_from_env(&ho);
	if (!rc)
		rc = heroku_new(&h, &ho);
	if (rc == ERR_AUTH) {
		/* heroku_new() makes no request: this is "no key" */
		warning("no Heroku API key: the config vars of '%s' are not "
			"read, ENV_DIR stays empty",
			app);
		error_clear();
		rc = 0;
		goto out;
	}
	if (!rc)
		rc = build_config_fetch(bc, h, app);
out:
	heroku_free(h);
	return rc;
}

int cmd_build(int argc, char **argv, const struct config *cfg)
{
	static const struct option opts[] = {
		{ "commit", required_argument, NULL, 'c' },
		{ "app", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "cache-dir", required_argument, NULL, 'C' },
		{ "env-dir", required_argument, NULL, 'E' },
		{ "key", required_argument, NULL, 'k' },
		{ "buildpack", required_argument, NULL, 'b' },
		{ "stack", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "max-size", required_argument, NULL, 'm' },
		{ "keep-build-dir", no_argument, NULL, 'K' },
		{ "pack-dir", required_argument, NULL, 'P' },
		{ "no-sandbox", no_argument, NULL, 'N' },
		{ "source-tarball", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct build_opts o = BUILD_OPTS_INIT;
	struct build_result r = BUILD_RESULT_INIT;
	struct build_config bc = BUILD_CONFIG_INIT;
	struct gitwalk *w = NULL;
	const char *pack_dir = NULL, *source = NULL;
	long v;
	int opt, rc = 0;

	o.quiet = cfg->quiet;
	while ((opt = cli_getopt(argc, argv, "a:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o.commit = optarg;
			break;
		case 'a':
			o.app = optarg;
			break;
		case 'o':
			o.out_dir = optarg;
			break;
		case 'C':
			o.cache_dir = optarg;
			break;
		case 'E':
			o.env_dir = optarg;
			break;
		case 'k':
			o.key_path = optarg;
			break;
		case 'b':
			strvec_push(&o.buildpacks, optarg);
			break;
		case 's':
			o.stack = optarg;
			break;
		case 't':
			if (parse_long(&v, optarg, 1, 86400)) {
				rc = error_setc(ERR_USAGE,
						"invalid --timeout '%s'",
						optarg);
				goto out;
			}
			o.timeout = (unsigned)v;
			break;
		case 'm':
			if (parse_long(&v, optarg, 1, LONG_MAX)) {
				rc = error_setc(ERR_USAGE,
						"invalid --max-size '%s'",
						optarg);
				goto out;
			}
			o.max_size = (uint64_t)v;
			break;
		case 'K':
			o.keep_build_dir = true;
			break;
		case 'P':
			pack_dir = optarg;
			break;
		case 'N':
			o.no_sandbox = true;
			break;
		case 'S':
			source = optarg;
			break;
		case 'h':
			rc = cli_usage(usage_str, false);
			goto out;
		default:
			rc = cli_usage(usage_str, true);
			goto out;
		}
	}
	if (optind < argc) {
		rc = cli_usage_err(usage_str, "build: unexpected '%s'",
				   argv[optind]);
		goto out;
	}
	if (source) {
		rc = source_only(source, &o);
		goto out;
	}
	if (pack_dir) {
		rc = pack_only(pack_dir, &o);
		goto out;
	}
	if (o.no_sandbox)
		/* Said even under --quiet: this turns a protection off. */
		warning("--no-sandbox: buildpacks run UNSANDBOXED with all "
			"of your access; they can read HEROKU_API_KEY, your "
			"signing key, this repository and your home "
			"directory. Use it only for buildpacks you trust");
	if (o.app && !o.env_dir) {
		rc = fetch_config(&bc, o.app);
		if (rc < 0)
			goto out;
		o.config = &bc;
	}
	rc = gitwalk_open(&w, NULL);
	if (rc < 0)
		goto out;
	rc = buildpack_build(&r, w, &o);
	if (rc < 0)
		goto out;
	printf("slug %s\n", r.slug_path);
	printf("checksum %s\n", r.checksum);
	printf("commit %s\n", r.commit);
	if (r.intoto_path)
		printf("attestation %s\n", r.intoto_path);
	if (r.sigstore_path)
		printf("bundle %s\n", r.sigstore_path);
	printf("release %s\n", r.release_path);
out:
	if (rc == ERR_USAGE && error_last_code() == ERR_USAGE)
		fprintf(stderr, "slugguard: %s\n", error_last());
	build_result_release(&r);
	build_opts_release(&o);
	build_config_release(&bc);
	gitwalk_free(w);
	return rc;
}
