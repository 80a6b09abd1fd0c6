/* SPDX-License-Identifier: MIT */
/* Fetching buildpack repositories into a per-URL cache (build). */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/gitwalk.h"
#include "gitwalk-internal.h"

static int fetch_error(int rc, const char *url)
{
	const git_error *e = git_error_last();

	return error_setc(rc == GIT_ENOTFOUND ? ERR_NOTFOUND : ERR_FAIL,
			  "cannot fetch '%s': %s", url,
			  e && e->message ? e->message : "libgit2 error");
}

/* Connect, learn the remote's default branch, then fetch everything. */
static int mirror_fetch(git_repository *repo, const char *url)
{
	static char heads[] = "+refs/heads/*:refs/heads/*";
	static char tags[] = "+refs/tags/*:refs/tags/*";
	char *specs[] = { heads, tags };
	git_strarray refspecs = { specs, 2 };
	git_fetch_options fo;
	git_remote_callbacks cb;
	git_remote_create_options co;
	git_remote *remote = NULL;
	git_buf head = { NULL, 0, 0 };
	int rc;

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	git_remote_init_callbacks(&cb, GIT_REMOTE_CALLBACKS_VERSION);
	git_remote_create_options_init(&co, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	co.repository = repo;
	/*
	 * The mirror's own config has no insteadOf rules, and reading them
	 * leaks regex match data in libgit2 1.5 built with PCRE2.
	 */
	co.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
	rc = git_remote_create_with_opts(&remote, url, &co);
	if (rc < 0)
		goto fail;
	rc = git_remote_connect(remote, GIT_DIRECTION_FETCH, &cb, NULL, NULL);
	if (rc < 0)
		goto fail;
	if (!git_remote_default_branch(&head, remote) && head.ptr)
		git_repository_set_head(repo, head.ptr);
	git_remote_disconnect(remote);
	fo.prune = GIT_FETCH_PRUNE;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	rc = git_remote_fetch(remote, &refspecs, &fo, "slugguard: fetch");
	if (rc < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	rc = fetch_error(rc, url);
out:
	git_buf_dispose(&head);
	git_remote_free(remote);
	return rc;
}

static int resolve_ref(char hex[GITWALK_HEXSZ + 1], git_repository *repo,
		       const char *ref, const char *url)
{
	static const char *const prefixes[] = { "refs/heads/", "refs/tags/",
						"" };
	struct strbuf name = STRBUF_INIT;
	git_object *obj = NULL, *commit = NULL;
	int rc = GIT_ENOTFOUND;

	for (size_t i = 0; i < ARRAY_SIZE(prefixes) && rc < 0; i++) {
		strbuf_reset(&name);
		strbuf_addstr(&name, ref ? prefixes[i] : "");
		strbuf_addstr(&name, ref ? ref : "HEAD");
		rc = git_revparse_single(&obj, repo, name.buf);
	}
	if (rc < 0) {
		rc = error_setc(ERR_NOTFOUND, "'%s' has no ref '%s'", url,
				ref ? ref : "HEAD");
		goto out;
	}
	rc = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
	if (rc < 0) {
		rc = error_set("'%s#%s' does not name a commit", url,
			       ref ? ref : "HEAD");
		goto out;
	}
	git_oid_tostr(hex, GITWALK_HEXSZ + 1, git_object_id(commit));
out:
	git_object_free(commit);
	git_object_free(obj);
	strbuf_release(&name);
	return rc;
}

int gitwalk_fetch_export(char hex[GITWALK_HEXSZ + 1], const char *url,
			 const char *cache_dir, const char *dir)
{
	struct strbuf base = STRBUF_INIT, path = STRBUF_INIT;
	git_repository *repo = NULL;
	const char *hash = strchr(url, '#');
	char *ref = NULL;
	git_oid id;
	char idhex[GITWALK_HEXSZ + 1];
	bool fresh = false;
	int rc;

	hex[0] = '\0';
	git_libgit2_init();
	if (!starts_with(url, "https://") && !starts_with(url, "file://")) {
		rc = error_set("'%s' is not an https:// or file:// URL", url);
		goto out;
	}
	strbuf_add(&base, url, hash ? (size_t)(hash - url) : strlen(url));
	if (hash && hash[1])
		ref = xstrdup(hash + 1);
	/* One bare mirror per URL, named by a hash of it. */
	rc = git_odb_hash(&id, base.buf, base.len, GIT_OBJECT_BLOB);
	if (rc < 0) {
		rc = gitwalk_error(rc, "hashing url");
		goto out;
	}
	git_oid_tostr(idhex, sizeof(idhex), &id);
	strbuf_addf(&path, "%s/buildpacks/%.20s.git", cache_dir, idhex);
	fresh = !fs_is_dir(path.buf);
	if (fresh) {
		rc = fs_mkdir_p(path.buf, 0755);
		if (rc < 0)
			goto out;
		rc = git_repository_init(&repo, path.buf, 1);
	} else {
		rc = git_repository_open_bare(&repo, path.buf);
	}
	if (rc < 0) {
		rc = gitwalk_error(rc, "opening buildpack cache");
		goto out;
	}
	rc = mirror_fetch(repo, base.buf);
	if (rc < 0) {
		if (fresh)
			goto out;
		/* A cached copy still builds when the network is down. */
		warning("%s; using the cached copy", error_last());
	}
	rc = resolve_ref(hex, repo, ref, base.buf);
	if (rc < 0)
		goto out;
	rc = gitwalk_export_repo(repo, hex, dir, NULL, NULL);
out:
	git_repository_free(repo);
	if (rc < 0 && fresh)
		fs_remove_tree(path.buf);
	git_libgit2_shutdown();
	free(ref);
	strbuf_release(&path);
	strbuf_release(&base);
	return rc;
}
