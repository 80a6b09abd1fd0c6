/* SPDX-License-Identifier: MIT */
/*
 * post-receive for a deploy branch: deploy the pushed commit
 * (deploy_run()), stream its output to the pusher (git shows it as
 * "remote:" lines) and keep it in "<gitdir>/slugguard/logs/". A failed
 * deploy leaves the last good release live; the push itself is kept
 * either way.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/config.h"
#include "slugguard/deploy.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/hooks.h"
#include "slugguard/policy.h"
#include "slugguard/run.h"

#include <time.h>
#include <unistd.h>

#define DEPLOY_LOG_MAX (64u * 1024 * 1024)

/*
 * What the build printed (buildpacks are third-party code, the app is the
 * pusher's) with control characters escaped before it reaches the
 * pusher's terminal or the log; a carriage return (progress output)
 * becomes a new line.
 */
static void add_output(struct strbuf *sb, const char *buf, size_t n)
{
	size_t start = sb->len;

	strbuf_add_sanitized(sb, buf, n);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\r' || buf[i] == '\n')
			sb->buf[start + i] = '\n';
}

struct deploy_job {
	const char *app;
	const char *commit;
	bool on_heroku; /* the policy's "build": "heroku" */
};

/*
 * The deploy, in a child process of ours whose stdout and stderr are the
 * pipe: the buildpacks it runs write there too, so all of it can be
 * escaped and logged, and it ends as `slugguard deploy` would (the
 * release line, or the error once).
 */
static int deploy_job(void *data)
{
	const struct deploy_job *j = data;
	struct config cfg = CONFIG_INIT;
	struct deploy_opts o;
	long version = 0;
	int rc;

	memset(&o, 0, sizeof(o));
	config_from_env(&cfg);
	o.t.app = j->app;
	o.t.quiet = cfg.quiet;
	o.commit = j->commit;
	o.on_heroku = j->on_heroku;
	rc = deploy_run(&version, &o);
	if (!rc) {
		printf("Released v%ld\n", version);
	} else {
		struct strbuf sb = STRBUF_INIT;
		const char *msg = error_last();

		strbuf_add_sanitized(&sb, msg, strlen(msg));
		fprintf(stderr, "slugguard: %s\n", sb.buf);
		strbuf_release(&sb);
	}
	return rc;
}

/* Run the deploy with stdout and stderr on one pipe; tee it to out/log. */
static int run_deploy(struct strbuf *log, const char *gitdir, const char *app,
		      const char *new_hex, bool on_heroku, FILE *out)
{
	struct deploy_job job = { app, new_hex, on_heroku };
	struct child c = CHILD_INIT;
	struct strbuf clean = STRBUF_INIT;
	char buf[8192];
	int fds[2] = { -1, -1 };
	int rc;

	strvec_push(&c.args, "deploy");
	c.fn = deploy_job;
	c.data = &job;
	c.dir = gitdir;
	if (pipe(fds) < 0) {
		rc = error_from_errno("cannot make a pipe");
		goto out;
	}
	c.out = fds[1];
	c.err = fds[1];
	rc = run_start(&c);
	close(fds[1]);
	fds[1] = -1;
	if (rc < 0)
		goto out;
	for (;;) {
		ssize_t n = read(fds[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		strbuf_reset(&clean);
		add_output(&clean, buf, (size_t)n);
		fwrite(clean.buf, 1, clean.len, out);
		fflush(out);
		if (log->len < DEPLOY_LOG_MAX)
			strbuf_addbuf(log, &clean);
	}
	rc = run_finish(&c);
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	child_release(&c);
	strbuf_release(&clean);
	return rc;
}

int hooks_post_receive_deploy(struct gitwalk *w, const struct policy *p,
			      const char *ref, const char *old_hex,
			      const char *new_hex, FILE *out)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf text = STRBUF_INIT, raw = STRBUF_INIT;
	const char *gd = gitwalk_gitdir(w);
	const char *app = getenv("SLUGGUARD_DEPLOY_APP");
	char stamp[32], iso[32];
	time_t now = time(NULL);
	struct tm tm;
	int rc, status = 0;

	if (!app || !*app)
		app = p && p->app ? p->app : NULL;
	if (!gmtime_r(&now, &tm) ||
	    !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) ||
	    !strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return error_set("cannot format the current time");
	strbuf_addf(&dir, "%s%sslugguard/logs", gd,
		    ends_with(gd, "/") ? "" : "/");
	/* private: deploy output can carry what a build printed */
	rc = fs_mkdir_private(dir.buf);
	if (rc < 0)
		goto out;
	strbuf_addf(&path, "%s/push-%s-%.12s.log", dir.buf, stamp, new_hex);
	strbuf_addf(&text, "ref %s\nold %s\nnew %s\ntime %s\napp %s\n", ref,
		    old_hex, new_hex, iso, app ? app : "-");
	if (!app) {
		strbuf_addstr(&text, "status accepted; no Heroku app "
				     "configured (slugguard.json \"app\" or "
				     "SLUGGUARD_DEPLOY_APP)\n");
		rc = fs_write_atomic(path.buf, text.buf, text.len, 0600);
		if (!rc)
			fprintf(out,
				"slugguard: accepted %s at %.12s; no Heroku "
				"app configured, nothing deployed\n",
				ref, new_hex);
		goto out;
	}
	fprintf(out, "slugguard: deploying %.12s to Heroku app '%s'\n", new_hex,
		app);
	fflush(out);
	strbuf_addstr(&text, "--- deploy output\n");
	status = run_deploy(&raw, gd, app, new_hex, p && p->build_on_heroku,
			    out);
	/* The terminal gets the colours; the log file gets plain text. */
	strbuf_add_plain(&text, raw.buf, raw.len);
	if (status < 0) {
		rc = status;
		strbuf_addf(&text, "--- status: cannot run: %s\n",
			    error_last());
	} else {
		strbuf_addf(&text, "--- status: %s (exit %d)\n",
			    status ? "failed" : "deployed", status);
	}
	rc = fs_write_atomic(path.buf, text.buf, text.len, 0600);
	if (rc < 0)
		goto out;
	if (status) {
		rc = error_set(
			"deploy of %.12s to '%s' failed%s; the last good "
			"release stays live; log in %s",
			new_hex, app, status > 0 ? "" : " to start", path.buf);
		goto out;
	}
	fprintf(out, "slugguard: deployed %.12s to '%s'; log in %s\n", new_hex,
		app, path.buf);
out:
	strbuf_release(&dir);
	strbuf_release(&path);
	strbuf_release(&text);
	strbuf_release(&raw);
	return rc;
}
