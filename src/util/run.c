/* SPDX-License-Identifier: MIT */
/* Subprocesses by argv, never through a shell. See run.h. */
#define _GNU_SOURCE /* close_range() */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/run.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

void child_release(struct child *c)
{
	strvec_clear(&c->args);
	strvec_clear(&c->env);
}

/*
 * Applies "NAME=value" (set) or "NAME" (unset) entries in the child of a
 * c->fn, which runs our own code after fork() anyway (see run.h).
 */
static void apply_env(const struct strvec *env, bool clear)
{
	if (clear)
		environ = NULL;
	for (size_t i = 0; i < env->nr; i++) {
		const char *eq = strchr(env->v[i], '=');

		if (eq) {
			char *name =
				xstrndup(env->v[i], (size_t)(eq - env->v[i]));

			setenv(name, eq + 1, 1);
			free(name);
		} else {
			unsetenv(env->v[i]);
		}
	}
}

/* Drops the entries of out named as entry is ("NAME=..." or "NAME"). */
static void env_drop(struct strvec *out, const char *entry)
{
	const char *eq = strchr(entry, '=');
	size_t n = eq ? (size_t)(eq - entry) : strlen(entry), k = 0;

	for (size_t i = 0; i < out->nr; i++) {
		if (!strncmp(out->v[i], entry, n) && out->v[i][n] == '=')
			free((char *)(uintptr_t)out->v[i]);
		else
			out->v[k++] = out->v[i];
	}
	if (k != out->nr) {
		out->nr = k;
		out->v[k] = NULL;
	}
}

/*
 * The environment of an exec'd child, made in the parent. After fork()
 * in a process with threads (the masker compiles on one) the child may
 * only make async-signal-safe calls: glibc's malloc survives that, but
 * ASan's allocator deadlocked a post-receive child whose parent's other
 * thread held its lock at the fork. The child only points environ here.
 */
static void env_build(struct strvec *out, const struct strvec *env, bool clear)
{
	if (!clear && environ)
		for (char **e = environ; *e; e++)
			strvec_push(out, *e);
	for (size_t i = 0; i < env->nr; i++) {
		env_drop(out, env->v[i]);
		if (strchr(env->v[i], '='))
			strvec_push(out, env->v[i]);
	}
}

/*
 * In the child: close every descriptor but 0, 1, 2 and keep. Not every
 * open in this process (or in the libraries we link) says O_CLOEXEC, and
 * a sandboxed buildpack must not inherit a key file, a repository pack
 * or a log that happened to be open. close_range() allocates nothing
 * (reading /proc/self/fd did, see env_build); kernels before 5.9 get
 * the loop.
 */
static void close_other_fds(int keep)
{
	long max;

	if (!close_range(3, (unsigned)keep - 1, 0) &&
	    !close_range((unsigned)keep + 1, ~0u, 0))
		return;
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < (int)max; fd++)
		if (fd != keep)
			close(fd);
}

static void child_fd(int want, int pipefd, int target)
{
	if (want < 0)
		dup2(pipefd, target);
	else if (want > 0)
		dup2(want, target);
}

/*
 * In the child of a c->fn: nothing to exec, so close the exec-error pipe
 * at once (the parent reads EOF as "started"), run fn and exit without
 * the parent's atexit handlers; stdio is flushed first.
 */
static void run_fn_child(struct child *c, int errfd)
{
	int rc;

	close(errfd);
	rc = c->fn(c->data);
	fflush(NULL);
	_exit(error_exit_code(rc));
}

int run_start(struct child *c)
{
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	int errpipe[2] = { -1, -1 };
	struct strvec envp = STRVEC_INIT;
	int child_errno = 0;
	ssize_t n;

	if (!c->args.nr)
		BUG("run_start without argv");
	if ((c->in < 0 && pipe(inp) < 0) || (c->out < 0 && pipe(outp) < 0) ||
	    (c->err < 0 && pipe(errp) < 0) || pipe(errpipe) < 0)
		return error_from_errno("cannot create pipe for '%s'",
					c->args.v[0]);
	/*
	 * Every pipe end is close-on-exec, so that the child keeps only the
	 * copies dup2'd onto 0/1/2: a child holding the write end of its own
	 * stdin would never see EOF.
	 */
	for (int i = 0; i < 2; i++) {
		int *fds[] = { inp, outp, errp, errpipe };

		for (size_t k = 0; k < ARRAY_SIZE(fds); k++)
			if (fds[k][i] >= 0)
				fcntl(fds[k][i], F_SETFD, FD_CLOEXEC);
	}
	if (!c->fn)
		env_build(&envp, &c->env, c->clear_env);
	fflush(NULL);
	c->pid = fork();
	if (c->pid < 0) {
		strvec_clear(&envp);
		return error_from_errno("cannot fork '%s'", c->args.v[0]);
	}
	if (!c->pid) {
		if (c->timeout)
			setpgid(0, 0);
		child_fd(c->in, inp[0], 0);
		child_fd(c->out, outp[1], 1);
		child_fd(c->err, errp[1], 2);
		if (c->out_to_err)
			dup2(2, 1);
		else if (c->err_to_out)
			dup2(1, 2);
		if (!c->fn)
			close_other_fds(errpipe[1]);
		if (c->dir && chdir(c->dir) < 0)
			goto fail;
		if (c->fn) {
			apply_env(&c->env, c->clear_env);
			run_fn_child(c, errpipe[1]);
		}
		environ = (char **)(uintptr_t)envp.v;
		signal(SIGPIPE, SIG_DFL);
		execvp(c->args.v[0], (char *const *)(uintptr_t)c->args.v);
	fail:
		child_errno = errno;
		n = write(errpipe[1], &child_errno, sizeof(child_errno));
		(void)n;
		_exit(127);
	}
	strvec_clear(&envp);
	close(errpipe[1]);
	if (c->in < 0) {
		close(inp[0]);
		c->in = inp[1];
		fcntl(c->in, F_SETFD, FD_CLOEXEC);
	}
	if (c->out < 0) {
		close(outp[1]);
		c->out = outp[0];
		fcntl(c->out, F_SETFD, FD_CLOEXEC);
	}
	if (c->err < 0) {
		close(errp[1]);
		c->err = errp[0];
		fcntl(c->err, F_SETFD, FD_CLOEXEC);
	}
	n = read(errpipe[0], &child_errno, sizeof(child_errno));
	close(errpipe[0]);
	if (n == (ssize_t)sizeof(child_errno)) {
		waitpid(c->pid, NULL, 0);
		c->pid = -1;
		errno = child_errno;
		return error_from_errno("cannot run '%s'", c->args.v[0]);
	}
	return 0;
}

static int wait_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

int run_finish(struct child *c)
{
	int status = 0;
	int rc;
	pid_t r;

	if (c->pid <= 0) {
		child_release(c);
		return error_set("no process to wait for");
	}
	if (c->timeout) {
		struct timespec tick = { 0, 20 * 1000 * 1000 };
		struct timespec start, now;

		clock_gettime(CLOCK_MONOTONIC, &start);
		for (;;) {
			r = waitpid(c->pid, &status, WNOHANG);
			if (r == c->pid || (r < 0 && errno != EINTR))
				break;
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - start.tv_sec >= (time_t)c->timeout) {
				/* The whole group: buildpacks spawn helpers. */
				kill(-c->pid, SIGKILL);
				kill(c->pid, SIGKILL);
				c->timed_out = true;
				r = waitpid(c->pid, &status, 0);
				break;
			}
			nanosleep(&tick, NULL);
		}
	} else {
		do {
			r = waitpid(c->pid, &status, 0);
		} while (r < 0 && errno == EINTR);
	}
	if (r < 0)
		rc = error_from_errno("cannot wait for '%s'", c->args.v[0]);
	else
		rc = wait_status(status);
	c->pid = -1;
	child_release(c);
	return rc;
}

int run_command(struct child *c)
{
	int rc = run_start(c);

	if (rc < 0) {
		child_release(c);
		return rc;
	}
	return run_finish(c);
}

/* Where read_until() puts what it reads; negative stops reading. */
typedef int (*read_sink_fn)(const char *buf, size_t len, void *data);

struct capture {
	struct strbuf *out;
	size_t start_len, cap;
	const char *what;
};

static int capture_sink(const char *buf, size_t len, void *data)
{
	struct capture *cap = data;

	strbuf_add(cap->out, buf, len);
	if (cap->out->len - cap->start_len > cap->cap)
		return error_set("'%s' wrote more than %zu bytes", cap->what,
				 cap->cap);
	return 0;
}

/*
 * Read the child's stdout until EOF, but give up at its deadline (when it
 * has one): a child that hangs with the pipe open (a stuck bin/detect)
 * must not outlive its timeout just because we are blocked reading it.
 */
static int read_until(struct child *c, read_sink_fn sink, void *data)
{
	struct timespec start, now;
	char buf[65536];

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = { c->out, POLLIN, 0 };
		long left_ms = 1000;
		ssize_t n;
		int pr, rc;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (c->timeout)
			left_ms = (long)c->timeout * 1000 -
				  ((now.tv_sec - start.tv_sec) * 1000 +
				   (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left_ms <= 0) {
			kill(-c->pid, SIGKILL);
			kill(c->pid, SIGKILL);
			c->timed_out = true;
			return 0;
		}
		pr = poll(&pfd, 1, (int)(left_ms > 1000 ? 1000 : left_ms));
		if (pr < 0 && errno != EINTR)
			return error_from_errno("cannot wait for '%s'",
						c->args.v[0]);
		if (pr <= 0)
			continue;
		n = read(c->out, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return error_from_errno("cannot read from '%s'",
						c->args.v[0]);
		}
		if (!n)
			return 0;
		rc = sink(buf, (size_t)n, data);
		if (rc < 0)
			return rc;
	}
}

int run_capture(struct child *c, struct strbuf *out, size_t cap)
{
	int rc, rrc;

	c->out = -1;
	rc = run_start(c);
	if (rc < 0) {
		child_release(c);
		return rc;
	}
	if (c->timeout) {
		struct capture cp = { out, out->len, cap, c->args.v[0] };

		rrc = read_until(c, capture_sink, &cp);
	} else
		rrc = fs_read_fd_capped(out, c->out, cap, c->args.v[0]);
	close(c->out);
	rc = run_finish(c);
	if (rrc < 0)
		return rrc;
	return rc;
}

int run_relay(struct child *c, run_relay_fn fn, void *data)
{
	int rc, rrc;

	c->out = -1;
	c->out_to_err = false;
	c->err_to_out = true;
	rc = run_start(c);
	if (rc < 0) {
		child_release(c);
		return rc;
	}
	rrc = read_until(c, fn, data);
	close(c->out);
	if (rrc < 0 && !c->timed_out) {
		/* nobody reads its output any more: stop it */
		kill(-c->pid, SIGKILL);
		kill(c->pid, SIGKILL);
	}
	rc = run_finish(c);
	if (rrc < 0)
		return rrc;
	return rc;
}
