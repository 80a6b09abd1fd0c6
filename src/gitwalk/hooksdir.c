/* SPDX-License-Identifier: MIT */
/* Hooks directory, git config values, refs and work-tree state. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/odb.h"
#include "gitwalk-internal.h"
#include "lite.h"

int gitwalk_config_get(char **out, const struct gitwalk *w, const char *key,
		       bool as_path)
{
	git_config *cfg = NULL;
	git_buf buf = { NULL, 0, 0 };
	const char *val = NULL;
	int rc;

	*out = NULL;
	rc = git_repository_config_snapshot(&cfg, gitwalk_repo(w));
	if (rc < 0) {
		rc = gitwalk_error(rc, "reading git config");
		goto out;
	}
	if (as_path)
		rc = git_config_get_path(&buf, cfg, key);
	else
		rc = git_config_get_string(&val, cfg, key);
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		rc = error_setc(ERR_NOTFOUND, "'%s' is not set", key);
		goto out;
	}
	if (rc < 0) {
		rc = gitwalk_error(rc, "reading git config");
		goto out;
	}
	*out = xstrdup(as_path ? buf.ptr : val);
out:
	git_buf_dispose(&buf);
	git_config_free(cfg);
	return rc;
}

int gitwalk_config_set(const struct gitwalk *w, const char *key,
		       const char *value)
{
	git_config *cfg = NULL, *local = NULL;
	int rc;

	rc = git_repository_config(&cfg, gitwalk_repo(w));
	if (rc >= 0)
		rc = git_config_open_level(&local, cfg, GIT_CONFIG_LEVEL_LOCAL);
	if (rc >= 0)
		rc = git_config_set_string(local, key, value);
	if (rc < 0)
		rc = gitwalk_error(rc, "setting git config");
	git_config_free(local);
	git_config_free(cfg);
	return rc < 0 ? rc : 0;
}

static void strip_trailing_slashes(char *p)
{
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
}

char *gitwalk_default_hooks_dir(const struct gitwalk *w)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, git_repository_commondir(gitwalk_repo(w)));
	if (sb.len && sb.buf[sb.len - 1] != '/')
		strbuf_addch(&sb, '/');
	strbuf_addstr(&sb, "hooks");
	return strbuf_detach(&sb, NULL);
}

int gitwalk_hooks_dir(char **out, bool *from_config, const struct gitwalk *w)
{
	struct strbuf sb = STRBUF_INIT;
	char *val = NULL;
	int rc;

	*out = NULL;
	*from_config = false;
	rc = gitwalk_config_get(&val, w, "core.hooksPath", true);
	if (rc == ERR_NOTFOUND) {
		error_clear();
		*out = gitwalk_default_hooks_dir(w);
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	if (val[0] != '/') {
		/* git runs hooks from the top of the work tree, or from the
		 * git dir of a bare repository: relative paths start there */
		const char *base = git_repository_workdir(gitwalk_repo(w));

		if (!base)
			base = git_repository_path(gitwalk_repo(w));
		strbuf_addstr(&sb, base);
		if (sb.len && sb.buf[sb.len - 1] != '/')
			strbuf_addch(&sb, '/');
	}
	strbuf_addstr(&sb, val);
	*out = strbuf_detach(&sb, NULL);
	strip_trailing_slashes(*out);
	*from_config = true;
out:
	free(val);
	strbuf_release(&sb);
	return rc;
}

bool gitwalk_is_hex(const char *s)
{
	size_t i;

	for (i = 0; i < GITWALK_HEXSZ; i++)
		if (!s[i] || !strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	return s[i] == '\0';
}

bool gitwalk_is_null_hex(const char *hex)
{
	size_t i;

	for (i = 0; i < GITWALK_HEXSZ; i++)
		if (hex[i] != '0')
			return false;
	return hex[i] == '\0';
}

/*
 * The kind of object id through our own reader: a hook asks this of
 * every pushed ref before scanning, and starting libgit2 for it (the CA
 * bundle parsed at init, the full index check before it reads) cost a
 * small push more than its scan. GITWALK_MISSING when odb cannot say (not
 * in its store, damaged, or a delta too large to read for its type):
 * libgit2 decides then.
 */
static enum gitwalk_kind kind_lite(const struct gitwalk *w, const git_oid *id)
{
	struct odb_reader *rd = gitwalk_reader(w);
	const unsigned char *data;
	enum odb_type type = ODB_NONE;
	size_t len;

	if (!rd ||
	    odb_read(rd, id->id, (size_t)1 << 20, &type, &data, &len) < 0)
		return GITWALK_MISSING;
	if (type == ODB_COMMIT)
		return GITWALK_COMMIT;
	if (type == ODB_TAG)
		return GITWALK_TAG;
	return type == ODB_NONE ? GITWALK_MISSING : GITWALK_OTHER;
}

enum gitwalk_kind gitwalk_object_kind(const struct gitwalk *w, const char *hex)
{
	git_odb *odb = NULL;
	git_oid oid;
	size_t len = 0;
	git_object_t type = GIT_OBJECT_INVALID;
	enum gitwalk_kind kind = GITWALK_MISSING;

	if (!gitwalk_is_hex(hex) || !gitwalk_hex_to_oid(&oid, hex))
		return GITWALK_MISSING;
	kind = kind_lite(w, &oid);
	if (kind != GITWALK_MISSING)
		return kind;
	if (git_repository_odb(&odb, gitwalk_repo(w)) < 0)
		goto out;
	if (git_odb_read_header(&len, &type, odb, &oid) < 0)
		goto out;
	if (type == GIT_OBJECT_COMMIT)
		kind = GITWALK_COMMIT;
	else if (type == GIT_OBJECT_TAG)
		kind = GITWALK_TAG;
	else
		kind = GITWALK_OTHER;
out:
	git_error_clear();
	git_odb_free(odb);
	return kind;
}

int gitwalk_peel_commit(const struct gitwalk *w, const char *hex,
			char out[GITWALK_HEXSZ + 1])
{
	git_object *obj = NULL, *commit = NULL;
	git_oid oid;
	int rc;

	out[0] = '\0';
	if (!gitwalk_is_hex(hex) || git_oid_fromstr(&oid, hex) < 0)
		return error_set("'%s' is not an object id", hex);
	rc = git_object_lookup(&obj, gitwalk_repo(w), &oid, GIT_OBJECT_ANY);
	if (rc < 0) {
		rc = gitwalk_error(rc, "reading object");
		goto out;
	}
	rc = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
	if (rc < 0) {
		rc = gitwalk_error(rc, "peeling object to a commit");
		goto out;
	}
	git_oid_tostr(out, GITWALK_HEXSZ + 1, git_object_id(commit));
out:
	git_object_free(commit);
	git_object_free(obj);
	return rc;
}

struct ref_commits {
	struct odb_reader *rd;
	struct strvec found;
};

/* One ref for gitwalk_ref_commits() through our own refs and reader. */
static int ref_commit_lite(const char *name, const git_oid *id,
			   const git_oid *peeled, void *data)
{
	struct ref_commits *rc = data;
	git_oid c = peeled ? *peeled : *id;
	char hex[GITWALK_HEXSZ + 1];

	(void)name;
	for (int depth = 0; depth <= 16; depth++) {
		const unsigned char *buf;
		enum odb_type type;
		size_t len;

		/* missing or unreadable here: libgit2 decides (and skips
		 * a dangling ref) */
		if (odb_read(rc->rd, c.id, 0, &type, &buf, &len) < 0)
			return LITE_UNSUPPORTED;
		if (type == ODB_COMMIT) {
			git_oid_tostr(hex, sizeof(hex), &c);
			strvec_push(&rc->found, hex);
			return 0;
		}
		if (type != ODB_TAG || len < 7 + GITWALK_HEXSZ ||
		    memcmp(buf, "object ", 7) ||
		    !gitwalk_hex_to_oid(&c, (const char *)buf + 7))
			return 0; /* a tree or blob protects nothing */
	}
	return 0;
}

/*
 * The refs a hook compares a push with (refs/remotes/<remote>/\*), read
 * without starting libgit2: ~9 ms and the full index check, more than a
 * small push's scan. LITE_UNSUPPORTED sends it all to libgit2.
 */
static int ref_commits_lite(struct strvec *out, const struct gitwalk *w,
			    const char *glob)
{
	struct ref_commits rc = { gitwalk_reader(w), STRVEC_INIT };
	int r = LITE_UNSUPPORTED;

	if (rc.rd && w->gitdir)
		r = gitwalk_lite_for_each_ref(w, glob, ref_commit_lite, &rc);
	for (size_t i = 0; !r && i < rc.found.nr; i++)
		strvec_push(out, rc.found.v[i]);
	strvec_clear(&rc.found);
	return r;
}

int gitwalk_ref_commits(struct strvec *out, const struct gitwalk *w,
			const char *glob)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	git_object *commit = NULL;
	char hex[GITWALK_HEXSZ + 1];
	int rc;

	rc = ref_commits_lite(out, w, glob);
	if (rc != LITE_UNSUPPORTED)
		return rc;
	rc = git_reference_iterator_glob_new(&it, gitwalk_repo(w), glob);
	if (rc < 0) {
		rc = gitwalk_error(rc, "listing refs");
		goto out;
	}
	for (;;) {
		rc = git_reference_next(&ref, it);
		if (rc == GIT_ITEROVER) {
			rc = 0;
			break;
		}
		if (rc < 0) {
			rc = gitwalk_error(rc, "listing refs");
			goto out;
		}
		/* a dangling or non-commit ref protects nothing: skip it */
		if (!git_reference_peel(&commit, ref, GIT_OBJECT_COMMIT)) {
			git_oid_tostr(hex, sizeof(hex), git_object_id(commit));
			strvec_push(out, hex);
		}
		git_error_clear();
		git_object_free(commit);
		commit = NULL;
		git_reference_free(ref);
		ref = NULL;
	}
out:
	git_reference_free(ref);
	git_reference_iterator_free(it);
	return rc;
}

int gitwalk_is_dirty(bool *out, const struct gitwalk *w)
{
	git_status_options opts;
	git_status_list *list = NULL;
	int rc;

	*out = false;
	if (git_repository_is_bare(gitwalk_repo(w)))
		return 0;
	rc = git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	if (rc < 0)
		return gitwalk_error(rc, "reading work tree status");
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	rc = git_status_list_new(&list, gitwalk_repo(w), &opts);
	if (rc < 0)
		return gitwalk_error(rc, "reading work tree status");
	*out = git_status_list_entrycount(list) > 0;
	git_status_list_free(list);
	return 0;
}

int gitwalk_reachable_from_any(bool *out, const struct gitwalk *w,
			       const char *hex, const struct strvec *from)
{
	git_oid id, *tips = NULL;
	int rc = 0;

	*out = false;
	if (!from->nr)
		goto out;
	if (git_oid_fromstr(&id, hex) < 0) {
		rc = error_set("'%s' is not an object id", hex);
		goto out;
	}
	tips = xcalloc(from->nr, sizeof(*tips));
	for (size_t i = 0; i < from->nr; i++) {
		if (git_oid_fromstr(&tips[i], from->v[i]) < 0) {
			rc = error_set("'%s' is not an object id", from->v[i]);
			goto out;
		}
	}
	rc = git_graph_reachable_from_any(gitwalk_repo(w), &id, tips, from->nr);
	if (rc < 0) {
		rc = gitwalk_error(rc, "walking history");
		goto out;
	}
	*out = rc > 0;
	rc = 0;
out:
	free(tips);
	return rc;
}
