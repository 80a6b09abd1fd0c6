/* SPDX-License-Identifier: MIT */
/*
 * ENV_DIR as Heroku fills it: one file per config var, named by the var,
 * holding the value as is. The values are secrets, so the folder is
 * 0700, the files 0600, and they are removed when the build ends, also
 * when it fails or is interrupted (SIGINT, SIGTERM, SIGHUP).
 */
#include "slugguard/common.h"
#include "slugguard/buildpack.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/heroku.h"
#include "slugguard/mask.h"
#include "buildpack-internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * What a signal handler removes: full paths built before the first file
 * is written, so the handler only calls unlink(2) and rmdir(2), which
 * are async-signal-safe. One build per process, so one set.
 */
static char **armed_paths;
static size_t armed_nr;
static volatile sig_atomic_t armed;
static struct sigaction old_int, old_term, old_hup;

static void remove_armed(void)
{
	for (size_t i = 0; i < armed_nr; i++)
		if (i + 1 < armed_nr)
			unlink(armed_paths[i]);
		else
			rmdir(armed_paths[i]); /* the folder comes last */
}

static void on_signal(int sig)
{
	if (armed)
		remove_armed();
	armed = 0;
	/* then die of the signal as we would have */
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	raise(sig);
}

bool envdir_name_ok(const char *name)
{
	size_t n = strlen(name);

	/* a file name: not empty, not "." or "..", no "/", short enough */
	return n && n <= NAME_MAX && strcmp(name, ".") && strcmp(name, "..") &&
	       !strchr(name, '/');
}

int envdir_check_names(const struct strvec *names)
{
	for (size_t i = 0; i < names->nr; i++)
		if (!envdir_name_ok(names->v[i])) {
			struct strbuf sb = STRBUF_INIT;
			int rc;

			strbuf_add_sanitized(&sb, names->v[i],
					     strlen(names->v[i]));
			rc = error_set("config var name '%s' cannot be a file "
				       "name in ENV_DIR",
				       sb.buf);
			strbuf_release(&sb);
			return rc;
		}
	return 0;
}

static void disarm(void)
{
	if (!armed_paths)
		return;
	armed = 0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	for (size_t i = 0; i < armed_nr; i++)
		free(armed_paths[i]);
	free(armed_paths);
	armed_paths = NULL;
	armed_nr = 0;
}

int envdir_write(const char *dir, const struct strvec *names,
		 const struct strvec *values)
{
	struct sigaction sa;
	int rc = 0;

	if (armed_paths)
		BUG("envdir_write() twice");
	rc = envdir_check_names(names);
	if (rc < 0)
		return rc;
	if (chmod(dir, 0700) < 0)
		return error_from_errno("cannot make ENV_DIR '%s' private",
					dir);
	armed_paths = xcalloc(names->nr + 1, sizeof(char *));
	for (size_t i = 0; i < names->nr; i++) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "%s/%s", dir, names->v[i]);
		armed_paths[i] = strbuf_detach(&sb, NULL);
	}
	armed_paths[names->nr] = xstrdup(dir);
	armed_nr = names->nr + 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	armed = 1;
	for (size_t i = 0; i < names->nr; i++) {
		/* O_EXCL: two vars of one name, or a planted file, fail */
		rc = fs_write_exclusive(armed_paths[i], values->v[i],
					strlen(values->v[i]), 0600, false);
		if (rc < 0) {
			rc = error_wrap(rc, "writing ENV_DIR");
			break;
		}
	}
	return rc;
}

void envdir_remove(void)
{
	if (!armed_paths)
		return;
	remove_armed();
	disarm();
}

int build_config_fetch(struct build_config *bc, struct heroku *h,
		       const char *app)
{
	const char *key = heroku_api_key(h);
	int rc;

	rc = heroku_config_vars(h, &bc->names, &bc->values, app);
	if (rc < 0)
		return error_wrap(rc, "reading the config vars of '%s'", app);
	rc = envdir_check_names(&bc->names);
	if (rc < 0) {
		heroku_config_vars_clear(&bc->names, &bc->values);
		return rc;
	}
	free(bc->api_key);
	bc->api_key = key ? xstrdup(key) : NULL;
	return 0;
}

/* A value file larger than this is not a config var (Heroku allows 32 KB
 * for all of them): read no more of it. */
#define ENVDIR_VALUE_MAX ((size_t)1 << 20)
#define ENVDIR_FILES_MAX 10000

int build_config_read_dir(struct build_config *bc, const char *dir)
{
	struct strbuf path = STRBUF_INIT, val = STRBUF_INIT;
	struct dirent *de;
	DIR *d = opendir(dir);
	int rc = 0;

	if (!d)
		return error_from_errno("cannot read ENV_DIR '%s'", dir);
	while ((de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, de->d_name);
		/* what a buildpack would read: regular files, through links */
		if (stat(path.buf, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (bc->names.nr >= ENVDIR_FILES_MAX) {
			rc = error_set("ENV_DIR '%s': more than %d files", dir,
				       ENVDIR_FILES_MAX);
			break;
		}
		strbuf_reset(&val);
		rc = fs_read_capped(&val, path.buf, ENVDIR_VALUE_MAX);
		if (rc < 0) {
			rc = error_wrap(rc, "ENV_DIR '%s'", dir);
			break;
		}
		/* `echo v > NAME` adds a newline the value lacks on Heroku;
		 * the value without it also covers the value with it */
		if (val.len && val.buf[val.len - 1] == '\n')
			strbuf_setlen(&val, val.len - 1);
		strvec_push(&bc->names, de->d_name);
		strvec_push(&bc->values, val.buf);
		heroku_wipe(val.buf, val.len);
	}
	closedir(d);
	heroku_wipe(val.buf, val.len);
	strbuf_release(&val);
	strbuf_release(&path);
	return rc;
}

void build_config_release(struct build_config *bc)
{
	heroku_config_vars_clear(&bc->names, &bc->values);
	if (bc->api_key) {
		heroku_wipe(bc->api_key, strlen(bc->api_key));
		free(bc->api_key);
		bc->api_key = NULL;
	}
}

int build_config_mask(struct mask_set **out, const struct build_config *bc,
		      const char *const *public, size_t public_nr)
{
	const char *env_key = getenv("HEROKU_API_KEY");
	struct mask_var *vars = NULL;
	size_t nr = 0;
	int rc = 0;

	*out = NULL;
	vars = xcalloc(bc ? st_add(bc->names.nr, 2) : 2, sizeof(*vars));
	for (size_t i = 0; bc && i < bc->names.nr; i++) {
		vars[nr].name = bc->names.v[i];
		vars[nr].value = bc->values.v[i];
		vars[nr++].value_len = strlen(bc->values.v[i]);
	}
	if (bc && bc->api_key && *bc->api_key) {
		vars[nr].name = "HEROKU_API_KEY";
		vars[nr].value = bc->api_key;
		vars[nr++].value_len = strlen(bc->api_key);
	}
	if (env_key && *env_key) {
		vars[nr].name = "HEROKU_API_KEY";
		vars[nr].value = env_key;
		vars[nr++].value_len = strlen(env_key);
	}
	if (nr)
		rc = mask_set_new(out, vars, nr, public, public_nr);
	if (!rc && *out && !mask_set_pattern_nr(*out)) {
		mask_set_free(*out);
		*out = NULL;
	}
	free(vars);
	return rc;
}
