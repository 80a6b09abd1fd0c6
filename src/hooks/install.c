/* SPDX-License-Identifier: MIT */
/* Installing and removing the hook shims (house style 2.8). */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/hooks.h"
#include "hooks-internal.h"

#include <sys/stat.h>
#include <unistd.h>

static const char *const client_hooks[] = { "pre-push" };
static const char *const server_hooks[] = { "pre-receive", "post-receive" };
/* every name we may have installed, for uninstall */
static const char *const all_hooks[] = { "pre-push", "pre-receive",
					 "post-receive", "pre-commit" };

/* Safe inside sh single quotes: ' becomes '\'' */
static void add_sh_quoted(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addstr(sb, "'\\''");
		else
			strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '\'');
}

/* For a message inside sh double quotes: plain characters only. */
static void add_shown(struct strbuf *sb, const char *s)
{
	for (const char *p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789/._+-",
			    *p)) {
			strbuf_addstr(sb, "its install path");
			return;
		}
	strbuf_addstr(sb, s);
}

char *hooks_shim_text(const char *name, const char *binary)
{
	struct strbuf sb = STRBUF_INIT;
	const char *t = NULL, *at;

	for (size_t i = 0; i < hooks_shims_nr; i++)
		if (!strcmp(hooks_shims[i].name, name))
			t = hooks_shims[i].text;
	if (!t)
		return NULL;
	while ((at = strchr(t, '@'))) {
		strbuf_add(&sb, t, (size_t)(at - t));
		if (starts_with(at, "@SLUGGUARD@")) {
			add_sh_quoted(&sb, binary ? binary : "");
			t = at + strlen("@SLUGGUARD@");
		} else if (starts_with(at, "@SLUGGUARD_SHOWN@")) {
			add_shown(&sb, binary && *binary ? binary : "none");
			t = at + strlen("@SLUGGUARD_SHOWN@");
		} else {
			strbuf_addch(&sb, '@');
			t = at + 1;
		}
	}
	strbuf_addstr(&sb, t);
	return strbuf_detach(&sb, NULL);
}

bool hooks_is_ours(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	bool ours = false;

	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	if (fs_read_capped(&sb, path, 64 * 1024) < 0) {
		error_clear();
		goto out;
	}
	/* the marker line, of any version, near the top */
	ours = strstr(sb.buf, "\n# slugguard-hook v") &&
	       strstr(sb.buf, "\n# slugguard-hook v") < sb.buf + 512;
out:
	strbuf_release(&sb);
	return ours;
}

/* Is the configured hooks directory git's default one anyway? */
static bool same_dir(const char *a, const char *b)
{
	struct stat sa, sb;

	if (stat(a, &sa) < 0 || stat(b, &sb) < 0)
		return !strcmp(a, b);
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int install_one(struct strvec *done, const char *dir, const char *name,
		       const char *binary)
{
	struct strbuf path = STRBUF_INIT, legacy = STRBUF_INIT;
	struct strbuf old = STRBUF_INIT;
	char *text = hooks_shim_text(name, binary);
	struct stat st;
	bool existed = false;
	int rc = 0;

	if (!text)
		BUG("no shim for '%s'", name);
	strbuf_addf(&path, "%s/%s", dir, name);
	strbuf_addf(&legacy, "%s.legacy", path.buf);
	if (!lstat(path.buf, &st)) {
		existed = true;
		if (hooks_is_ours(path.buf)) {
			if (!fs_read_capped(&old, path.buf, 64 * 1024) &&
			    !strcmp(old.buf, text) && (st.st_mode & 0111)) {
				strvec_pushf(done, "%s: already installed",
					     path.buf);
				goto out;
			}
			error_clear();
		} else {
			if (!lstat(legacy.buf, &st)) {
				rc = error_set("'%s' exists and so does '%s': "
					       "move one of them away first",
					       path.buf, legacy.buf);
				goto out;
			}
			if (rename(path.buf, legacy.buf) < 0) {
				rc = error_from_errno("cannot move '%s' to "
						      "'%s'",
						      path.buf, legacy.buf);
				goto out;
			}
			strvec_pushf(done,
				     "%s: kept the existing hook as %s.legacy "
				     "(it runs first)",
				     path.buf, name);
			existed = false;
		}
	} else if (errno != ENOENT) {
		rc = error_from_errno("cannot inspect '%s'", path.buf);
		goto out;
	}
	rc = fs_write_atomic(path.buf, text, strlen(text), 0755);
	if (rc < 0)
		goto out;
	strvec_pushf(done, "%s: %s", path.buf,
		     existed ? "updated" : "installed");
out:
	free(text);
	strbuf_release(&old);
	strbuf_release(&path);
	strbuf_release(&legacy);
	return rc;
}

/*
 * The pre-push walk settles a range with merges by walking back in date
 * order (2,199 commits for a 29-commit push on git.git), and a clone
 * without a commit-graph parses each commit's object to do so: 25 ms
 * against 14 once the commit cache has them. Fill it now, so that the
 * first push is as fast as the next. It is only a cache: what stops it
 * is said, not an error.
 */
static void prime_commits(struct strvec *done, const struct gitwalk *w)
{
	const char *common = gitwalk_commondir(w);
	const char *sep = ends_with(common, "/") ? "" : "/";
	size_t nr = 0;

	if (gitwalk_prime_commits(w, &nr) < 0) {
		strvec_pushf(done,
			     "note: the commit cache was not filled (%s); "
			     "the pre-push scan works without it",
			     error_last());
		error_clear();
	} else if (nr) {
		strvec_pushf(done,
			     "%s%sslugguard/commits: %zu commits cached for "
			     "the pre-push walk",
			     common, sep, nr);
	}
}

int hooks_install(struct strvec *done, const char *path, const char *binary,
		  unsigned flags)
{
	struct gitwalk *w = NULL;
	char *dir = NULL, *def = NULL;
	bool from_config = false;
	const char *const *names = client_hooks;
	size_t nr = ARRAY_SIZE(client_hooks);
	int rc;

	rc = gitwalk_open(&w, path);
	if (rc < 0)
		goto out;
	if (flags & HOOKS_SERVER) {
		names = server_hooks;
		nr = ARRAY_SIZE(server_hooks);
	} else if (gitwalk_is_bare(w)) {
		rc = error_set("'%s' is a bare repository: install the server "
			       "hooks with 'slugguard hooks install --server'",
			       gitwalk_gitdir(w));
		goto out;
	}
	rc = gitwalk_hooks_dir(&dir, &from_config, w);
	if (rc < 0)
		goto out;
	def = gitwalk_default_hooks_dir(w);
	if (from_config && !same_dir(dir, def) && !(flags & HOOKS_FORCE)) {
		rc = error_set("core.hooksPath is set to '%s', so git runs "
			       "hooks from there (another tool may manage "
			       "them): pass --force to install there anyway, "
			       "or run 'git config --unset core.hooksPath'",
			       dir);
		goto out;
	}
	rc = fs_mkdir_p(dir, 0755);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < nr && !rc; i++)
		rc = install_one(done, dir, names[i], binary);
	if (!rc && !(flags & HOOKS_SERVER))
		prime_commits(done, w);
	if (!rc && (flags & HOOKS_SERVER)) {
		/*
		 * Defence in depth: git's own fsck then refuses malformed
		 * trees (duplicate entries, .git aliases) before our hooks
		 * run; the export refuses them too, whatever this says.
		 */
		const char *gd = gitwalk_gitdir(w);

		rc = gitwalk_config_set(w, "receive.fsckObjects", "true");
		if (!rc)
			strvec_pushf(done,
				     "%s%sconfig: receive.fsckObjects=true "
				     "(git checks every pushed object)",
				     gd, ends_with(gd, "/") ? "" : "/");
	}
out:
	free(def);
	free(dir);
	gitwalk_free(w);
	return rc;
}

int hooks_uninstall(struct strvec *done, const char *path)
{
	struct strbuf hook = STRBUF_INIT, legacy = STRBUF_INIT;
	struct gitwalk *w = NULL;
	char *dir = NULL;
	bool from_config = false;
	struct stat st;
	int rc;

	rc = gitwalk_open(&w, path);
	if (rc < 0)
		goto out;
	rc = gitwalk_hooks_dir(&dir, &from_config, w);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(all_hooks); i++) {
		strbuf_reset(&hook);
		strbuf_reset(&legacy);
		strbuf_addf(&hook, "%s/%s", dir, all_hooks[i]);
		strbuf_addf(&legacy, "%s.legacy", hook.buf);
		if (hooks_is_ours(hook.buf)) {
			if (unlink(hook.buf) < 0) {
				rc = error_from_errno("cannot remove '%s'",
						      hook.buf);
				goto out;
			}
			strvec_pushf(done, "%s: removed", hook.buf);
		} else if (!lstat(hook.buf, &st)) {
			/* not ours: leave it and its .legacy alone */
			continue;
		}
		if (lstat(legacy.buf, &st) < 0)
			continue;
		if (rename(legacy.buf, hook.buf) < 0) {
			rc = error_from_errno("cannot restore '%s'",
					      legacy.buf);
			goto out;
		}
		strvec_pushf(done, "%s: restored from %s.legacy", hook.buf,
			     all_hooks[i]);
	}
out:
	free(dir);
	gitwalk_free(w);
	strbuf_release(&hook);
	strbuf_release(&legacy);
	return rc;
}
