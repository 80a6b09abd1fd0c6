/* SPDX-License-Identifier: MIT */
/*
 * The source tarball of a commit for Heroku's Build API: export the tree
 * (gitwalk, hostile-input safe), pack it reproducibly (slug), hash it.
 */
#include "slugguard/common.h"
#include "slugguard/buildpack.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/sign.h"
#include "slugguard/slug.h"

void buildpack_source_release(struct buildpack_source *s)
{
	free(s->summary);
	memset(s, 0, sizeof(*s));
}

int buildpack_source_tarball(struct buildpack_source *out, struct gitwalk *w,
			     const char *rev, const char *out_path)
{
	struct strbuf work = STRBUF_INIT, tree = STRBUF_INIT,
		      summary = STRBUF_INIT;
	struct slug_opts so = { NULL, NULL, 0, 0, 0, 0, NULL, NULL, NULL };
	struct slug_stats stats;
	const char *tmp = getenv("TMPDIR");
	char hex[SIGN_SHA256_HEXSZ + 1];
	bool made = false;
	int rc;

	buildpack_source_release(out);
	rc = gitwalk_resolve_commit(w, rev ? rev : "HEAD", out->commit);
	if (rc < 0)
		goto out;
	rc = gitwalk_check_tree(w, out->commit);
	if (rc < 0)
		goto out;
	/* The committer time, as git archive uses: never the clock. */
	rc = gitwalk_commit_time(w, out->commit, &out->mtime);
	if (rc < 0)
		goto out;
	rc = gitwalk_commit_summary(w, out->commit, &summary);
	if (rc < 0)
		goto out;
	strbuf_addf(&work, "%s/slugguard-source-XXXXXX",
		    tmp && *tmp ? tmp : "/tmp");
	rc = fs_mkdtemp(work.buf);
	if (rc < 0)
		goto out;
	made = true;
	strbuf_addf(&tree, "%s/tree", work.buf);
	rc = gitwalk_export(w, out->commit, tree.buf, NULL, NULL);
	if (rc < 0)
		goto out;
	so.dir = tree.buf;
	so.out_path = out_path;
	so.mtime = out->mtime;
	rc = slug_pack_source(&stats, &so);
	if (rc < 0)
		goto out;
	rc = sign_sha256_file(hex, NULL, out_path);
	if (rc < 0)
		goto out;
	snprintf(out->checksum, sizeof(out->checksum), "SHA256:%s", hex);
	out->size = stats.size;
	out->summary = strbuf_detach(&summary, NULL);
out:
	if (made)
		fs_remove_tree(work.buf);
	strbuf_release(&summary);
	strbuf_release(&tree);
	strbuf_release(&work);
	return rc;
}
