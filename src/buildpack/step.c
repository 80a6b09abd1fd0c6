/* SPDX-License-Identifier: MIT */
/*
 * Fetching and running the buildpacks of one build: copy or fetch each
 * one, then bin/detect, bin/compile (output masked), source <bp>/export,
 * and the last one's bin/release. Split out of build.c, which drives the
 * whole pipeline.
 */
#include "slugguard/common.h"
#include "slugguard/buildpack.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/mask.h"
#include "slugguard/run.h"
#include "slugguard/term.h"
#include "buildpack-internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define DETECT_OUT_MAX 4096
#define RELEASE_OUT_MAX (1024 * 1024)
#define EXPORT_ENV_MAX (4 * 1024 * 1024)

/* Copy a local buildpack directory (skipping .git) into dst. */
static int copy_tree(const char *src, const char *dst)
{
	struct strbuf s = STRBUF_INIT, d = STRBUF_INIT, data = STRBUF_INIT;
	DIR *dir = NULL;
	struct dirent *e;
	int rc;

	rc = fs_mkdir_p(dst, 0755);
	if (rc < 0)
		return rc;
	dir = opendir(src);
	if (!dir)
		return error_from_errno("cannot open directory '%s'", src);
	while ((e = readdir(dir))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, ".git"))
			continue;
		strbuf_reset(&s);
		strbuf_reset(&d);
		strbuf_addf(&s, "%s/%s", src, e->d_name);
		strbuf_addf(&d, "%s/%s", dst, e->d_name);
		if (lstat(s.buf, &st) < 0) {
			rc = error_from_errno("cannot stat '%s'", s.buf);
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			rc = copy_tree(s.buf, d.buf);
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t n;

			strbuf_reset(&data);
			strbuf_grow(&data, (size_t)st.st_size + 256);
			n = readlink(s.buf, data.buf, data.alloc - 1);
			if (n < 0) {
				rc = error_from_errno("cannot read link '%s'",
						      s.buf);
				break;
			}
			strbuf_setlen(&data, (size_t)n);
			if (symlink(data.buf, d.buf) < 0)
				rc = error_from_errno("cannot create '%s'",
						      d.buf);
		} else if (S_ISREG(st.st_mode)) {
			strbuf_reset(&data);
			rc = fs_read_capped(&data, s.buf, (size_t)1 << 30);
			if (!rc)
				rc = fs_write_exclusive(d.buf, data.buf,
							data.len,
							st.st_mode & 0777,
							false);
		}
		if (rc < 0)
			break;
	}
	closedir(dir);
	strbuf_release(&s);
	strbuf_release(&d);
	strbuf_release(&data);
	return rc;
}

char *buildpack_absolute(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *cwd;

	if (path[0] == '/')
		return xstrdup(path);
	cwd = getcwd(NULL, 0);
	if (!cwd)
		die("cannot read the current directory");
	strbuf_addf(&sb, "%s/%s", cwd, path);
	free(cwd);
	return strbuf_detach(&sb, NULL);
}

/* Fetch buildpack i into dir; commit receives its git commit or "". */
int fetch_buildpack(struct bp *bp, const char *fetch_url, const char *dir,
		    const char *cache_dir)
{
	struct strbuf abs = STRBUF_INIT;
	char *cwd = NULL;
	int rc;

	if (fs_is_dir(bp->ref)) {
		cwd = buildpack_absolute(bp->ref);
		strbuf_addstr(&abs, cwd);
		free(bp->url);
		bp->url = xstrdup(abs.buf);
		rc = copy_tree(abs.buf, dir);
	} else if (starts_with(bp->url, "https://") ||
		   starts_with(bp->url, "file://")) {
		rc = gitwalk_fetch_export(bp->commit, fetch_url, cache_dir,
					  dir);
	} else {
		rc = error_set("buildpack '%s' is neither a directory nor an "
			       "https:// or file:// git URL",
			       bp->ref);
	}
	free(cwd);
	error_wrap(rc, "fetching buildpack '%s'", bp->ref);
	if (rc < 0 && starts_with(fetch_url, "https://")) {
		/* Offline builds are common (CI, the demo): say the way out. */
		strbuf_reset(&abs);
		strbuf_addf(&abs,
			    "%s (offline? serve it from a local mirror: git "
			    "config --global url.<mirror>.insteadOf %s; see "
			    "docs/build.md)",
			    error_last(), fetch_url);
		rc = error_setc(rc, "%s", abs.buf);
	}
	strbuf_release(&abs);
	return rc;
}

static bool is_executable(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

/*
 * Run c in the sandbox, sharing bp's own copy (writable: the buildpack API
 * has compile write <bp>/export there). Without a sandbox, c runs as is.
 */
static void confine(struct child *c, const struct build_state *st,
		    const struct bp *bp)
{
	c->dir = st->build_dir;
	c->clear_env = true;
	if (st->sb.bwrap)
		sandbox_wrap(&st->sb, c, bp->dir);
}

/* A child running <bp>/bin/<step> with env; the caller adds arguments. */
static void step_child(struct child *c, const struct bp *bp, const char *step,
		       const struct strvec *env, unsigned timeout)
{
	strvec_pushf(&c->args, "%s/bin/%s", bp->dir, step);
	strvec_pushv(&c->env, env->v);
	c->clear_env = true;
	c->timeout = timeout;
}

static int step_failed(const struct bp *bp, const char *step, int status,
		       const struct child *c, unsigned timeout)
{
	if (c->timed_out)
		return error_setc(ERR_REJECTED,
				  "buildpack '%s': bin/%s timed out after %u "
				  "seconds",
				  bp->name ? bp->name : bp->ref, step, timeout);
	return error_setc(ERR_REJECTED,
			  "buildpack '%s' failed: bin/%s exited with status %d",
			  bp->name ? bp->name : bp->ref, step, status);
}

static int relay_chunk(const char *buf, size_t len, void *data)
{
	return mask_stream_write(data, buf, len);
}

/*
 * Run bin/compile with its output (stdout and stderr, to our stderr)
 * through the masker. Returns the exit status as run_command() does.
 */
static int relay_masked(struct child *c, const struct mask_set *mask)
{
	struct mask_stream *ms = NULL;
	int fd = 2, status, rc;

	mask_stream_new(&ms, mask, mask_write_fd, &fd);
	status = run_relay(c, relay_chunk, ms);
	/* what it held back (a value's possible beginning) goes out now */
	rc = mask_stream_close(ms);
	mask_stream_free(ms);
	if (status >= 0 && rc < 0)
		status = rc;
	return status;
}

/*
 * Source <bp>/export with the current environment and adopt what it
 * leaves: the buildpack contract is a shell script, so this one place runs
 * sh on purpose, with the path as an argument, never interpolated.
 */
static int source_export(struct strvec *env, const struct build_state *st,
			 const struct bp *bp, unsigned timeout)
{
	struct child c = CHILD_INIT;
	struct strbuf out = STRBUF_INIT, path = STRBUF_INIT;
	struct strvec next = STRVEC_INIT;
	const char *p, *end;
	int status;
	int rc = 0;

	strbuf_addf(&path, "%s/export", bp->dir);
	if (!fs_exists(path.buf))
		goto out;
	strvec_pushl(&c.args, "sh", "-c", ". \"$1\" && env -0", "sh", path.buf,
		     NULL);
	strvec_pushv(&c.env, env->v);
	c.clear_env = true;
	c.timeout = timeout;
	confine(&c, st, bp);
	status = run_capture(&c, &out, EXPORT_ENV_MAX);
	if (status < 0) {
		rc = status;
		goto out;
	}
	if (status) {
		rc = error_setc(ERR_REJECTED,
				"buildpack '%s': sourcing its export file "
				"failed with status %d",
				bp->name ? bp->name : bp->ref, status);
		goto out;
	}
	p = out.buf;
	end = out.buf + out.len;
	while (p < end) {
		size_t n = strnlen(p, (size_t)(end - p));

		/* The shell's own bookkeeping is not the buildpack's. */
		if (memchr(p, '=', n) && !starts_with(p, "PWD=") &&
		    !starts_with(p, "OLDPWD=") && !starts_with(p, "SHLVL=") &&
		    !starts_with(p, "_="))
			strvec_push(&next, p);
		p += n + 1;
	}
	strvec_clear(env);
	strvec_pushv(env, next.v);
out:
	strvec_clear(&next);
	strbuf_release(&out);
	strbuf_release(&path);
	child_release(&c);
	return rc;
}

int run_buildpacks(struct build_state *st, const struct build_opts *o)
{
	unsigned timeout = o->timeout ? o->timeout : BUILDPACK_DEFAULT_TIMEOUT;
	struct strbuf out = STRBUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < st->nr_bps; i++) {
		struct bp *bp = &st->bps[i];
		struct child c = CHILD_INIT;
		int status;

		/* detect: must succeed; its first line names the buildpack. */
		strbuf_reset(&out);
		step_child(&c, bp, "detect", &st->env, timeout);
		strvec_push(&c.args, st->build_dir);
		confine(&c, st, bp);
		status = run_capture(&c, &out, DETECT_OUT_MAX);
		if (status < 0) {
			rc = error_wrap(status, "buildpack '%s'", bp->ref);
			goto out;
		}
		if (status && c.timed_out) {
			rc = error_setc(ERR_REJECTED,
					"buildpack '%s': bin/detect timed out "
					"after %u seconds",
					bp->ref, timeout);
			goto out;
		}
		if (status) {
			rc = error_setc(ERR_REJECTED,
					"buildpack '%s': app not compatible "
					"(bin/detect exited with status %d)",
					bp->ref, status);
			goto out;
		}
		/* its first line is printed: a buildpack name is its say */
		rc = mask_strbuf(st->mask, &out);
		if (rc < 0)
			goto out;
		strbuf_trim(&out);
		{
			char *nl = strchr(out.buf, '\n');

			if (nl)
				strbuf_setlen(&out, (size_t)(nl - out.buf));
		}
		bp->name = xstrdup(out.len ? out.buf : bp->ref);
		term_say(o->quiet, "%s app detected", bp->name);

		child_release(&c);
		step_child(&c, bp, "compile", &st->env, timeout);
		strvec_pushl(&c.args, st->build_dir, st->cache_dir, st->env_dir,
			     NULL);
		c.out_to_err = true;
		confine(&c, st, bp);
		status = st->mask ? relay_masked(&c, st->mask) :
				    run_command(&c);
		if (status < 0) {
			rc = error_wrap(status, "buildpack '%s'", bp->name);
			goto out;
		}
		if (status) {
			rc = step_failed(bp, "compile", status, &c, timeout);
			goto out;
		}
		rc = source_export(&st->env, st, bp, timeout);
		if (rc < 0)
			goto out;
	}
	/* The last buildpack's bin/release gives the default types. */
	if (st->nr_bps) {
		struct bp *bp = &st->bps[st->nr_bps - 1];
		struct strbuf rel = STRBUF_INIT;
		struct child c = CHILD_INIT;
		int status;

		strbuf_addf(&rel, "%s/bin/release", bp->dir);
		if (is_executable(rel.buf)) {
			strbuf_reset(&out);
			step_child(&c, bp, "release", &st->env, timeout);
			strvec_push(&c.args, st->build_dir);
			confine(&c, st, bp);
			status = run_capture(&c, &out, RELEASE_OUT_MAX);
			if (status > 0)
				rc = step_failed(bp, "release", status, &c,
						 timeout);
			else if (status < 0)
				rc = status;
			else
				rc = buildpack_parse_release_yaml(
					&st->proc_names, &st->proc_cmds,
					out.buf, out.len);
			child_release(&c);
		}
		strbuf_release(&rel);
	}
out:
	strbuf_release(&out);
	return rc;
}
