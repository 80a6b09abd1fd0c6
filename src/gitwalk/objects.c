/* SPDX-License-Identifier: MIT */
/* Our object reader (src/odb) for a repository, and its shallow
 * boundary. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/odb.h"
#include "slugguard/oidmap.h"
#include "gitwalk-internal.h"
#include "hist.h"
#include "slugguard/fs.h"

/* The shallow boundary: commits whose parents we must not look for. */
void gitwalk_load_shallow(struct oidmap *set, const struct gitwalk *w)
{
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;
	size_t pos = 0, one = 1;

	strbuf_addf(&path, "%sshallow", gitwalk_commondir(w));
	if (fs_read_capped(&sb, path.buf, 64 * 1024 * 1024) < 0)
		error_clear();
	while (pos + GITWALK_HEXSZ <= sb.len) {
		git_oid id;

		if (gitwalk_hex_to_oid(&id, sb.buf + pos))
			oidmap_put(set, id.id, &one);
		while (pos < sb.len && sb.buf[pos] != '\n')
			pos++;
		pos++;
	}
	strbuf_release(&sb);
	strbuf_release(&path);
}

/*
 * Our own object reader over the same object directories libgit2 reads,
 * quarantine first (pre-receive). SLUGGUARD_NO_ODB=1 turns it off, so that
 * tests and benchmarks can compare it with plain libgit2.
 */
static struct odb *open_odb(struct gitwalk *w)
{
	const char *q = getenv("GIT_QUARANTINE_PATH");
	const char *objdir = getenv("GIT_OBJECT_DIRECTORY");
	const char *alts = getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES");
	const char *off = getenv("SLUGGUARD_NO_ODB");
	struct strvec dirs = STRVEC_INIT;
	struct strbuf main_dir = STRBUF_INIT;
	struct odb *db = NULL;

	if (off && *off && strcmp(off, "0"))
		return NULL;
	if (q)
		strvec_push(&dirs, q);
	if (objdir)
		strvec_push(&dirs, objdir);
	while (alts && *alts) {
		const char *colon = strchr(alts, ':');
		size_t n = colon ? (size_t)(colon - alts) : strlen(alts);
		char *one = xstrndup(alts, n);

		strvec_push(&dirs, one);
		free(one);
		alts = colon ? colon + 1 : NULL;
	}
	strbuf_addf(&main_dir, "%sobjects", gitwalk_commondir(w));
	strvec_push(&dirs, main_dir.buf);
	if (odb_open(&db, dirs.v, dirs.nr) < 0) {
		w->db_error = xstrdup(error_last());
		error_clear();
		db = NULL;
	}
	strvec_clear(&dirs);
	strbuf_release(&main_dir);
	return db;
}

struct odb *gitwalk_db(const struct gitwalk *cw)
{
	/* Opened on first use: cw was allocated mutable (see gitwalk_repo). */
	struct gitwalk *w = (struct gitwalk *)(uintptr_t)cw;

	if (!w->db_tried) {
		w->db_tried = true;
		w->db = open_odb(w);
	}
	return w->db;
}

int gitwalk_db_check(const struct gitwalk *cw)
{
	gitwalk_db(cw);
	if (cw->db_error)
		return error_set("%s", cw->db_error);
	return 0;
}

struct odb_reader *gitwalk_reader(const struct gitwalk *cw)
{
	struct gitwalk *w = (struct gitwalk *)(uintptr_t)cw;

	if (!w->rd && gitwalk_db(w))
		w->rd = odb_reader_new(w->db, (size_t)32 << 20);
	return w->rd;
}
