/* SPDX-License-Identifier: MIT */
/*
 * What to do about each refused secret, fitted to where it is: the tip
 * of the push (amend), an earlier commit of the push (rebase -i that
 * commit), or a commit some remote already has (rotate, then rewrite
 * history with git filter-repo); and how to accept a finding that is no
 * secret at all.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/scan.h"
#include "hooks-internal.h"

#include <ctype.h>

enum place { PLACE_TIP, PLACE_EARLIER, PLACE_PUBLIC };

/* A path for a shell command line: quoted unless plainly safe. */
static void add_path_arg(struct strbuf *sb, const char *path)
{
	bool plain = *path != '-' && *path;

	for (const char *p = path; *p && plain; p++)
		plain = isalnum((unsigned char)*p) || strchr("_./-+@", *p);
	if (plain) {
		strbuf_addstr(sb, path);
		return;
	}
	strbuf_addch(sb, '\'');
	for (const char *p = path; *p; p++) {
		if (*p == '\'')
			strbuf_addstr(sb, "'\\''");
		else
			strbuf_add_sanitized(sb, p, 1);
	}
	strbuf_addch(sb, '\'');
}

static bool in_list(const struct strvec *v, const char *hex)
{
	for (size_t i = 0; v && i < v->nr; i++)
		if (!strcmp(v->v[i], hex))
			return true;
	return false;
}

static enum place place_of(struct gitwalk *w, const char *commit,
			   const struct hooks_scan_in *in)
{
	bool pub = false;

	if (in->public_commits &&
	    !gitwalk_reachable_from_any(&pub, w, commit, in->public_commits) &&
	    pub)
		return PLACE_PUBLIC;
	error_clear();
	return in_list(in->tips, commit) ? PLACE_TIP : PLACE_EARLIER;
}

/* The files (or messages) of commit among the findings, as arguments. */
static void commit_files(struct strbuf *sb, const struct scan_report *rep,
			 const char *commit, bool *message)
{
	struct strvec seen = STRVEC_INIT;

	*message = false;
	for (size_t i = 0; i < rep->nr; i++) {
		const struct scan_finding *f = &rep->findings[i];

		if (strcmp(f->commit, commit))
			continue;
		if (*f->file == '(') {
			*message = true;
			continue;
		}
		if (in_list(&seen, f->file))
			continue;
		strvec_push(&seen, f->file);
		if (sb->len)
			strbuf_addch(sb, ' ');
		add_path_arg(sb, f->file);
	}
	strvec_clear(&seen);
}

static void advise_commit(FILE *out, struct gitwalk *w,
			  const struct scan_report *rep, const char *commit,
			  const struct hooks_scan_in *in)
{
	struct strbuf files = STRBUF_INIT, subj = STRBUF_INIT;
	struct strbuf parent = STRBUF_INIT, title = STRBUF_INIT;
	char hex[GITWALK_HEXSZ + 1];
	enum place where = place_of(w, commit, in);
	bool message;

	commit_files(&files, rep, commit, &message);
	if (gitwalk_commit_summary(w, commit, &subj) < 0)
		error_clear();
	strbuf_add_sanitized(&title, subj.buf, subj.len > 60 ? 60 : subj.len);
	strbuf_addf(&parent, "%s^", commit);
	if (gitwalk_resolve_commit(w, parent.buf, hex) < 0) {
		error_clear();
		strbuf_reset(&parent);
		strbuf_addstr(&parent, "--root");
	} else {
		strbuf_reset(&parent);
		strbuf_addf(&parent, "%.12s^", commit);
	}
	switch (where) {
	case PLACE_TIP:
		fprintf(out,
			"slugguard:   %.12s \"%s\" is the last commit of the "
			"push: %s, then\n",
			commit, title.buf,
			files.len ? "take the secret out of the files" :
				    "reword the message");
		if (files.len)
			fprintf(out,
				"slugguard:     git add %s && git commit "
				"--amend --no-edit\n",
				files.buf);
		if (message)
			fprintf(out, "slugguard:     git commit --amend   "
				     "(edit the message)\n");
		break;
	case PLACE_EARLIER:
		fprintf(out,
			"slugguard:   %.12s \"%s\" is an earlier commit of "
			"the push: a later commit that deletes the secret "
			"does not take it out of this one; rewrite it:\n",
			commit, title.buf);
		fprintf(out,
			"slugguard:     git rebase -i %s   (mark %.12s "
			"'%s'%s)\n",
			parent.buf, commit, files.len ? "edit" : "reword",
			files.len ? ", take the secret out" : "");
		if (files.len)
			fprintf(out,
				"slugguard:     git add %s && git commit "
				"--amend --no-edit && git rebase --continue\n",
				files.buf);
		break;
	case PLACE_PUBLIC:
		fprintf(out,
			"slugguard:   %.12s \"%s\" is already on a remote "
			"(a remote-tracking ref contains it): the secret is "
			"public. First rotate it where it was issued, then "
			"rewrite history everywhere:\n",
			commit, title.buf);
		if (files.len)
			fprintf(out,
				"slugguard:     git filter-repo --invert-paths "
				"--path %s   (drops the file from all "
				"history), or --replace-text FILE with a line "
				"'literal:<the old key>==>REMOVED'\n",
				files.buf);
		fprintf(out, "slugguard:     git push --force-with-lease "
			     "--all, and have every clone fetch the new "
			     "history\n");
		break;
	}
	strbuf_release(&files);
	strbuf_release(&subj);
	strbuf_release(&parent);
	strbuf_release(&title);
}

void hooks_print_advice(FILE *out, struct gitwalk *w,
			const struct scan_report *rep,
			const struct hooks_scan_in *in)
{
	struct strvec done = STRVEC_INIT;
	const struct scan_finding *first = NULL;

	fprintf(out, "slugguard: to fix, per commit that brings a secret:\n");
	for (size_t i = 0; i < rep->nr; i++) {
		const struct scan_finding *f = &rep->findings[i];

		if (!first && f->content_fingerprint)
			first = f;
		if (!*f->commit || in_list(&done, f->commit))
			continue;
		strvec_push(&done, f->commit);
		advise_commit(out, w, rep, f->commit, in);
	}
	fprintf(out, "slugguard: and if it is a real key, rotate it where "
		     "it was issued: a pushed or shared key is compromised "
		     "even if this push stops here\n");
	if (first) {
		fprintf(out,
			"slugguard: if a finding is no secret (a test "
			"fixture, a sample value), accept it: add its "
			"'ignore' line to .slugguardignore%s, e.g.\n"
			"slugguard:     echo '%s' >>.slugguardignore\n"
			"slugguard: or end that line with a comment holding "
			"slugguard:allow (e.g. # slugguard:allow)\n",
			in->server ? " in the server's git directory (a "
				     "pushed .slugguardignore does not count "
				     "here)" :
				     "",
			first->content_fingerprint);
	}
	strvec_clear(&done);
}
