/* SPDX-License-Identifier: MIT */
/* Buildpack steps under bubblewrap. See sandbox.h. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/sandbox.h"
#include "slugguard/strbuf.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROBE_OUT_MAX 4096
#define PROBE_TIMEOUT 60

/*
 * What programs read from /etc, and nothing else: no shadow, no ssh or
 * git configuration, no credentials a host keeps there.
 */
static const char *const etc_files[] = {
	"alternatives",
	"ca-certificates",
	"ca-certificates.conf",
	"debian_version",
	"gai.conf",
	"group",
	"host.conf",
	"hostname",
	"hosts",
	"ld.so.cache",
	"ld.so.conf",
	"ld.so.conf.d",
	"locale.alias",
	"localtime",
	"lsb-release",
	"mime.types",
	"nsswitch.conf",
	"os-release",
	"passwd",
	"protocols",
	"resolv.conf",
	"services",
	"ssl",
	"timezone",
};

/* The top-level directories that merged-/usr systems make symlinks. */
static const char *const usr_links[] = { "bin",	  "sbin",  "lib",
					 "lib32", "lib64", "libx32" };

static char *find_in_path(const char *name)
{
	const char *path = getenv("PATH");
	struct strbuf sb = STRBUF_INIT;

	if (strchr(name, '/'))
		return access(name, X_OK) ? NULL : xstrdup(name);
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *end = strchr(path, ':');

		if (!end)
			end = path + strlen(path);

		strbuf_reset(&sb);
		if (end > path && path[0] == '/') {
			strbuf_add(&sb, path, (size_t)(end - path));
			strbuf_addf(&sb, "/%s", name);
			if (!access(sb.buf, X_OK))
				return strbuf_detach(&sb, NULL);
		}
		path = *end ? end + 1 : end;
	}
	strbuf_release(&sb);
	return NULL;
}

/* The sandbox every child gets, before the caller's binds. */
static void base_args(struct strvec *args, const char *bwrap)
{
	struct strbuf sb = STRBUF_INIT;

	strvec_pushl(args, bwrap, "--unshare-user-try", "--unshare-pid",
		     "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
		     "--die-with-parent", "--new-session", NULL);
	/* bwrap keeps root's capabilities unless told; others have none. */
	if (!geteuid())
		strvec_pushl(args, "--cap-drop", "ALL", NULL);
	strvec_pushl(args, "--ro-bind", "/usr", "/usr", NULL);
	for (size_t i = 0; i < ARRAY_SIZE(usr_links); i++) {
		char target[PATH_MAX];
		struct stat st;
		ssize_t n;

		strbuf_reset(&sb);
		strbuf_addf(&sb, "/%s", usr_links[i]);
		if (lstat(sb.buf, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			n = readlink(sb.buf, target, sizeof(target) - 1);
			if (n <= 0 || (size_t)n >= sizeof(target) - 1)
				continue;
			target[n] = '\0';
			strvec_pushl(args, "--symlink", target, sb.buf, NULL);
		} else if (S_ISDIR(st.st_mode)) {
			strvec_pushl(args, "--ro-bind", sb.buf, sb.buf, NULL);
		}
	}
	strvec_pushl(args, "--dir", "/etc", NULL);
	for (size_t i = 0; i < ARRAY_SIZE(etc_files); i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "/etc/%s", etc_files[i]);
		strvec_pushl(args, "--ro-bind-try", sb.buf, sb.buf, NULL);
	}
	strvec_pushl(args, "--proc", "/proc", "--dev", "/dev", "--tmpfs",
		     "/tmp", "--tmpfs", "/var/tmp", NULL);
	strbuf_release(&sb);
}

/* The read-only root goes last: binds need their mount points made. */
static void finish_args(struct strvec *args, const char *dir)
{
	strvec_pushl(args, "--remount-ro", "/", NULL);
	if (dir)
		strvec_pushl(args, "--chdir", dir, NULL);
	else
		strvec_pushl(args, "--chdir", "/tmp", NULL);
	strvec_push(args, "--");
}

int sandbox_init(struct sandbox *sb)
{
	const char *name = getenv(SANDBOX_ENV);
	struct child c = CHILD_INIT;
	struct strbuf out = STRBUF_INIT;
	int rc = 0, status;

	if (!name || !*name)
		name = "bwrap";
	free(sb->bwrap);
	sb->bwrap = find_in_path(name);
	if (!sb->bwrap) {
		rc = error_set("cannot sandbox buildpacks: bubblewrap (Debian "
			       "package '%s') is not installed ('%s' not "
			       "found)",
			       SANDBOX_PACKAGE, name);
		goto out;
	}
	base_args(&c.args, sb->bwrap);
	finish_args(&c.args, NULL);
	strvec_push(&c.args, "true");
	c.clear_env = true;
	c.timeout = PROBE_TIMEOUT;
	c.err_to_out = true;
	status = run_capture(&c, &out, PROBE_OUT_MAX);
	if (status < 0) {
		rc = error_wrap(status, "cannot sandbox buildpacks");
		goto out;
	}
	if (status) {
		struct strbuf clean = STRBUF_INIT;
		char *nl;

		strbuf_trim(&out);
		nl = strchr(out.buf, '\n');
		if (nl)
			strbuf_setlen(&out, (size_t)(nl - out.buf));
		strbuf_add_sanitized(&clean, out.buf, out.len);
		rc = error_set("cannot sandbox buildpacks: '%s' does not work "
			       "here (exit %d): %s",
			       sb->bwrap, status,
			       clean.len ? clean.buf : "no message");
		strbuf_release(&clean);
		goto out;
	}
out:
	if (rc < 0) {
		free(sb->bwrap);
		sb->bwrap = NULL;
	}
	child_release(&c);
	strbuf_release(&out);
	return rc;
}

void sandbox_bind(struct sandbox *sb, const char *path, bool writable)
{
	strvec_pushl(&sb->binds, writable ? "--bind" : "--ro-bind", path, path,
		     NULL);
}

void sandbox_wrap(const struct sandbox *sb, struct child *c,
		  const char *extra_rw)
{
	struct strvec args = STRVEC_INIT;

	if (!sb->bwrap)
		BUG("sandbox_wrap before sandbox_init");
	base_args(&args, sb->bwrap);
	strvec_pushv(&args, sb->binds.v);
	if (extra_rw)
		strvec_pushl(&args, "--bind", extra_rw, extra_rw, NULL);
	finish_args(&args, c->dir);
	strvec_pushv(&args, c->args.v);
	strvec_clear(&c->args);
	strvec_pushv(&c->args, args.v);
	strvec_clear(&args);
	/* Our environment holds the API key: nothing of it goes in. */
	c->clear_env = true;
	strvec_push(&c->env, "TMPDIR=/tmp");
	/* bwrap changes directory inside; outside it starts where we are. */
	c->dir = NULL;
}

void sandbox_release(struct sandbox *sb)
{
	free(sb->bwrap);
	sb->bwrap = NULL;
	strvec_clear(&sb->binds);
}
