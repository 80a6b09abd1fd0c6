/* SPDX-License-Identifier: MIT */
/* Temporary directories removed on exit, on signals, and swept at start. */
#define _GNU_SOURCE /* _Fork() */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"

#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Fixed buffers: the handler may not allocate. */
static char dirs[FS_TMPDIR_MAX][PATH_MAX];
static volatile sig_atomic_t used[FS_TMPDIR_MAX];
static bool installed;

/*
 * fork() for a signal handler: glibc's fork() takes the lock of its
 * atfork handlers, so a SIGTERM that arrived while the process was in
 * fork() (deploy forks a child per buildpack step) deadlocked in the
 * handler's own fork(); it hung make asan's t4010 in a CI dry run.
 * _Fork() (glibc 2.34) runs no handlers and takes no lock, and the
 * child only execs rm.
 */
static pid_t handler_fork(void)
{
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
	return _Fork();
#else
	return fork();
#endif
}

static void remove_by_rm(char *path)
{
	static char rm[] = "rm", rf[] = "-rf", dd[] = "--";
	char *const argv[] = { rm, rf, dd, path, NULL };
	pid_t pid = handler_fork();
	int status;

	if (pid == 0) {
		execv("/bin/rm", argv);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
}

static void on_signal(int sig)
{
	for (size_t i = 0; i < FS_TMPDIR_MAX; i++)
		if (used[i])
			remove_by_rm(dirs[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	if (installed)
		return;
	installed = true;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		struct sigaction old;

		/* an ignored signal (nohup) stays ignored */
		if (!sigaction(sigs[i], NULL, &old) &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

int fs_tmpdir_new(struct strbuf *out, const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	size_t start = out->len;
	size_t slot = FS_TMPDIR_MAX;
	int rc;

	for (size_t i = 0; i < FS_TMPDIR_MAX && slot == FS_TMPDIR_MAX; i++)
		if (!used[i])
			slot = i;
	if (slot == FS_TMPDIR_MAX)
		return error_set("too many temporary directories at once");
	strbuf_addf(out, "%s/%s-%ld-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp",
		    prefix, (long)getpid());
	if (out->len - start >= PATH_MAX) {
		strbuf_setlen(out, start);
		return error_set("temporary directory name too long");
	}
	rc = fs_mkdtemp(out->buf + start);
	if (rc < 0) {
		strbuf_setlen(out, start);
		return rc;
	}
	install();
	memcpy(dirs[slot], out->buf + start, out->len - start + 1);
	used[slot] = 1;
	return 0;
}

void fs_tmpdir_remove(const char *path)
{
	for (size_t i = 0; i < FS_TMPDIR_MAX; i++)
		if (used[i] && !strcmp(dirs[i], path))
			used[i] = 0;
	if (fs_remove_tree(path) < 0)
		error_clear();
}

/* The pid in "<prefix>-<pid>-XXXXXX", or 0. */
static long name_pid(const char *name, size_t plen)
{
	const char *p = name + plen + 1;
	const char *dash = strchr(p, '-');
	struct strbuf num = STRBUF_INIT;
	long pid = 0;

	if (dash && dash > p && strlen(dash + 1) == 6) {
		strbuf_add(&num, p, (size_t)(dash - p));
		if (parse_long(&pid, num.buf, 1, INT_MAX) < 0) {
			error_clear();
			pid = 0;
		}
	}
	strbuf_release(&num);
	return pid;
}

void fs_tmpdir_sweep(const char *prefix, long max_age)
{
	const char *tmp = getenv("TMPDIR");
	const char *base = tmp && *tmp == '/' ? tmp : "/tmp";
	struct strbuf path = STRBUF_INIT;
	size_t plen = strlen(prefix);
	time_t now = time(NULL);
	DIR *d = opendir(base);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;
		long pid;
		bool stale;

		if (strncmp(de->d_name, prefix, plen) ||
		    de->d_name[plen] != '-')
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", base, de->d_name);
		if (lstat(path.buf, &st) < 0 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != geteuid())
			continue;
		pid = name_pid(de->d_name, plen);
		stale = now - st.st_mtime > max_age;
		if (pid && pid != (long)getpid() && kill((pid_t)pid, 0) < 0 &&
		    errno == ESRCH)
			stale = true;
		if (stale && fs_remove_tree(path.buf) < 0)
			error_clear();
	}
	closedir(d);
	strbuf_release(&path);
}
