/* SPDX-License-Identifier: MIT */
/*
 * The repository without libgit2, for the pre-push path: discovery (this
 * file), refs, loose and packed (lite-refs.c), and the backend of the
 * revision front end with the commit walk (lite-walk.c), on top of
 * src/odb. Starting libgit2 costs ~9 ms (it parses the system CA bundle
 * at init), a third of the 30 ms a pre-push scan may take, and a scan of
 * a few commits needs nothing libgit2 alone can do (bench/lite.sh and
 * docs/scan.md have the figures).
 *
 * Everything here is conservative: whatever it does not understand
 * (reftable, SHA-256, abbreviated ids, @{...}, merge bases, a missing
 * object) answers LITE_UNSUPPORTED or ERR_NOTFOUND without a message,
 * and the caller asks libgit2, which also words the errors.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "slugguard/odb.h"
#include "gitwalk-internal.h"
#include "lite.h"

#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- discovery ---------------------------------------------------------- */

bool gitwalk_lite_path_is(const char *path, enum lite_kind k)
{
	struct stat st;

	if (stat(path, &st))
		return false;
	return k == IS_DIR ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

/* Read a small file into sb (reset first); false when it cannot. */
bool gitwalk_lite_read_small(struct strbuf *sb, const char *path)
{
	strbuf_reset(sb);
	if (fs_read_capped(sb, path, MAX_SMALL_FILE) < 0) {
		error_clear();
		return false;
	}
	return true;
}

/* "/a/b/../c/./d" -> "/a/c/d", always absolute, with a trailing '/'. */
static char *normalize(const char *path, const char *base)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	char cwd[4096];
	const char *p;

	if (*path != '/') {
		if (!base) {
			if (!getcwd(cwd, sizeof(cwd)))
				return NULL;
			base = cwd;
		}
		strbuf_addf(&in, "%s/", base);
	}
	strbuf_addstr(&in, path);
	for (p = in.buf; *p;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if ((n == 1 && *p == '.') || !n) {
			/* skip */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (out.len && out.buf[out.len - 1] != '/')
				out.len--;
			if (out.len)
				out.len--;
			strbuf_setlen(&out, out.len);
		} else {
			strbuf_addch(&out, '/');
			strbuf_add(&out, p, n);
		}
		p += n + (e ? 1 : 0);
	}
	strbuf_addch(&out, '/');
	strbuf_release(&in);
	return strbuf_detach(&out, NULL);
}

static bool valid_gitdir(const char *dir)
{
	struct strbuf p = STRBUF_INIT;
	bool ok;

	strbuf_addf(&p, "%sHEAD", dir);
	ok = gitwalk_lite_path_is(p.buf, IS_FILE);
	strbuf_reset(&p);
	strbuf_addf(&p, "%scommondir", dir);
	if (ok && !gitwalk_lite_path_is(p.buf, IS_FILE)) {
		strbuf_reset(&p);
		strbuf_addf(&p, "%sobjects", dir);
		ok = gitwalk_lite_path_is(p.buf, IS_DIR);
		strbuf_reset(&p);
		strbuf_addf(&p, "%srefs", dir);
		ok = ok && gitwalk_lite_path_is(p.buf, IS_DIR);
	}
	strbuf_release(&p);
	return ok;
}

/* The value of "key = value" in a config file's text, lowercased key;
 * a crude reading that only has to spot what we do not handle. */
static bool config_mentions(const char *cfg, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = cfg; *p; p++)
		if (!strncasecmp(p, word, n))
			return true;
	return false;
}

static bool config_bare(const char *cfg)
{
	for (const char *p = cfg; (p = strstr(p, "bare")); p += 4) {
		const char *v = p + 4;

		while (*v == ' ' || *v == '\t')
			v++;
		if (*v != '=')
			continue;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		return !strncasecmp(v, "true", 4);
	}
	return false;
}

int gitwalk_lite_discover(struct gitwalk *w, const char *path)
{
	struct strbuf sb = STRBUF_INIT, p = STRBUF_INIT;
	char *dir = normalize(path, NULL);
	char *gitdir = NULL, *workdir = NULL, *commondir = NULL;
	struct stat st;
	dev_t dev;
	int rc = ERR_NOTFOUND;

	if (!dir || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		goto out;
	dev = st.st_dev;
	for (;;) {
		strbuf_reset(&p);
		strbuf_addf(&p, "%s.git", dir);
		if (gitwalk_lite_path_is(p.buf, IS_DIR)) {
			strbuf_addch(&p, '/');
			if (!valid_gitdir(p.buf))
				goto out;
			gitdir = xstrdup(p.buf);
			workdir = xstrdup(dir);
			break;
		}
		if (gitwalk_lite_path_is(p.buf, IS_FILE)) {
			/* A worktree or submodule: "gitdir: <path>". */
			if (!gitwalk_lite_read_small(&sb, p.buf) ||
			    !starts_with(sb.buf, "gitdir: "))
				goto out;
			strbuf_rtrim(&sb);
			gitdir = normalize(sb.buf + 8, dir);
			if (!gitdir || !valid_gitdir(gitdir))
				goto out;
			workdir = xstrdup(dir);
			break;
		}
		if (valid_gitdir(dir)) {
			gitdir = xstrdup(dir);
			break;
		}
		if (!strcmp(dir, "/"))
			goto out;
		{
			/* Up one level: drop the last component. */
			size_t n = strlen(dir) - 1;

			while (n && dir[n - 1] != '/')
				n--;
			dir[n ? n : 1] = '\0';
		}
		/* libgit2 stops at a file-system boundary: so do we. */
		if (stat(dir, &st) < 0 || st.st_dev != dev)
			goto out;
	}
	strbuf_reset(&p);
	strbuf_addf(&p, "%scommondir", gitdir);
	if (gitwalk_lite_read_small(&sb, p.buf)) {
		strbuf_rtrim(&sb);
		commondir = normalize(sb.buf, gitdir);
	} else {
		commondir = xstrdup(gitdir);
	}
	if (!commondir)
		goto out;
	/* What only libgit2 handles: other object formats, reftable,
	 * core.worktree; a bare repository opened from inside it. */
	strbuf_reset(&p);
	strbuf_addf(&p, "%sconfig", commondir);
	if (!gitwalk_lite_read_small(&sb, p.buf) ||
	    config_mentions(sb.buf, "objectformat") ||
	    config_mentions(sb.buf, "refstorage") ||
	    config_mentions(sb.buf, "worktree"))
		goto out;
	strbuf_reset(&p);
	strbuf_addf(&p, "%sreftable", commondir);
	if (gitwalk_lite_path_is(p.buf, IS_DIR))
		goto out;
	/*
	 * A repository someone else owns is libgit2's to judge
	 * (safe.directory, CVE-2022-24765), so that both paths agree.
	 */
	if (stat(gitdir, &st) < 0 || st.st_uid != geteuid())
		goto out;
	if (config_bare(sb.buf)) {
		free(workdir);
		workdir = NULL;
	} else if (!workdir && ends_with(gitdir, "/.git/")) {
		/* Opened from inside a work tree's .git, as git does. */
		workdir = xstrndup(gitdir, strlen(gitdir) - 5);
	}
	w->gitdir = gitdir;
	w->commondir = commondir;
	w->workdir = workdir;
	gitdir = commondir = workdir = NULL;
	rc = 0;
out:
	free(dir);
	free(gitdir);
	free(commondir);
	free(workdir);
	strbuf_release(&sb);
	strbuf_release(&p);
	return rc;
}

void gitwalk_lite_release(struct gitwalk *w)
{
	if (w->refs) {
		for (size_t i = 0; i < w->refs->nr; i++)
			free(w->refs->v[i].name);
		free(w->refs->v);
		free(w->refs);
	}
	free(w->gitdir);
	free(w->commondir);
	free(w->workdir);
}
