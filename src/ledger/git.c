/* SPDX-License-Identifier: MIT */
/*
 * Running git for the ledger. Why the binary and not libgit2: a ref
 * update by a git child survives our own kill -9 (so no stale lock is
 * left), and push/fetch over every transport the user has configured
 * (ssh included) is git's job.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/run.h"
#include "ledger-internal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define GIT_OUT_MAX (64u * 1024 * 1024)
#define OID_MAX 64

/*
 * Input goes through an unlinked temporary file, never a pipe: git may
 * write output before it has read all of its input (cat-file --batch),
 * and a pipe both ways would deadlock.
 */
static int input_fd(int *out, const char *input, size_t len)
{
	struct strbuf path = STRBUF_INIT;
	const char *tmp = getenv("TMPDIR");
	int fd, rc = 0;

	*out = -1;
	strbuf_addf(&path, "%s/slugguard-ledger-XXXXXX",
		    tmp && *tmp == '/' ? tmp : "/tmp");
	fd = mkstemp(path.buf);
	if (fd < 0) {
		rc = error_from_errno("cannot create '%s'", path.buf);
		goto out;
	}
	unlink(path.buf);
	rc = fs_write_all(fd, input, len);
	if (!rc && lseek(fd, 0, SEEK_SET) < 0)
		rc = error_from_errno("cannot rewind a temporary file");
	if (rc < 0) {
		close(fd);
		goto out;
	}
	*out = fd;
out:
	strbuf_release(&path);
	return rc;
}

int ledger_git(const char *gitdir, struct strbuf *out, struct strbuf *err,
	       const char *input, size_t inlen, const char *const *args)
{
	static const char *const drop[] = { /* what a hook's environment carries
					       that would redirect us */
					    "GIT_DIR",
					    "GIT_WORK_TREE",
					    "GIT_INDEX_FILE",
					    "GIT_OBJECT_DIRECTORY",
					    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
					    "GIT_QUARANTINE_PATH",
					    "GIT_PREFIX"
	};
	struct child c = CHILD_INIT;
	struct strbuf sink = STRBUF_INIT;
	int in = -1, errfd[2] = { -1, -1 };
	int rc;

	strvec_push(&c.args, "git");
	/*
	 * A ledger write is a few hundred bytes: no gc or maintenance run
	 * after it, here or (through the config git passes on to a local
	 * receive-pack) in the deploy repository.
	 */
	strvec_pushl(&c.args, "-c", "gc.auto=0", "-c", "maintenance.auto=false",
		     "-c", "receive.autogc=false", NULL);
	if (gitdir)
		strvec_pushf(&c.args, "--git-dir=%s", gitdir);
	for (size_t i = 0; args[i]; i++)
		strvec_push(&c.args, args[i]);
	for (size_t i = 0; i < ARRAY_SIZE(drop); i++)
		strvec_push(&c.env, drop[i]);
	/* ledger commits are the tool's, whatever the user configured */
	strvec_push(&c.env, "GIT_AUTHOR_NAME=slugguard");
	strvec_push(&c.env, "GIT_AUTHOR_EMAIL=slugguard@localhost");
	strvec_push(&c.env, "GIT_COMMITTER_NAME=slugguard");
	strvec_push(&c.env, "GIT_COMMITTER_EMAIL=slugguard@localhost");
	strvec_push(&c.env, "GIT_TERMINAL_PROMPT=0");
	if (input) {
		rc = input_fd(&in, input, inlen);
		if (rc < 0)
			goto out;
		c.in = in;
	} else {
		in = open("/dev/null", O_RDONLY | O_CLOEXEC);
		c.in = in;
	}
	if (err) {
		c.err_to_out = !out;
		if (out && pipe(errfd) < 0) {
			rc = error_from_errno("cannot make a pipe");
			goto out;
		}
		if (out)
			c.err = errfd[1];
	} else {
		errfd[1] = open("/dev/null", O_WRONLY | O_CLOEXEC);
		c.err = errfd[1];
	}
	if (out && err) {
		/* stderr is small: read it after stdout, through a pipe */
		rc = run_capture(&c, out, GIT_OUT_MAX);
	} else {
		rc = run_capture(&c,
				 out ? out :
				 err ? err :
				       &sink,
				 GIT_OUT_MAX);
	}
	if (errfd[0] >= 0) {
		close(errfd[1]);
		errfd[1] = -1;
		fs_read_fd_capped(err, errfd[0], 1024 * 1024, "git stderr");
	}
out:
	if (in >= 0)
		close(in);
	if (errfd[0] >= 0)
		close(errfd[0]);
	if (errfd[1] >= 0)
		close(errfd[1]);
	child_release(&c);
	strbuf_release(&sink);
	return rc;
}

bool ledger_is_oid(const char *s)
{
	size_t n = strlen(s);

	if (n != 40 && n != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* "100644 blob <oid>\t<name>" records, NUL-terminated. */
int ledger_ls_tree(struct strvec *names, struct strvec *oids,
		   const char *gitdir, const char *rev, const char *path,
		   const char *suffix)
{
	struct strbuf out = STRBUF_INIT;
	const char *args[] = { "ls-tree", "-z", rev, "--", path, NULL };
	const char *p, *end;
	int rc = 0;

	if (!*rev)
		return 0;
	if (!path)
		args[3] = NULL;
	rc = ledger_git(gitdir, &out, NULL, NULL, 0, args);
	if (rc) {
		rc = error_set("ledger: cannot read the tree of %.12s", rev);
		goto out;
	}
	p = out.buf;
	end = out.buf + out.len;
	while (p < end) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		char oid[OID_MAX + 1];
		size_t n;

		if (!z)
			break;
		/* "100644 blob <oid>\t<name>" */
		if (tab && tab < z && starts_with(p, "100644 blob ")) {
			n = (size_t)(tab - (p + 12));
			if (n <= OID_MAX) {
				memcpy(oid, p + 12, n);
				oid[n] = '\0';
				if (ledger_is_oid(oid) &&
				    ends_with(tab + 1, suffix)) {
					strvec_push(names, tab + 1);
					strvec_push(oids, oid);
				}
			}
		}
		p = z + 1;
	}
out:
	strbuf_release(&out);
	return rc;
}

/* `git cat-file --batch` answers "<oid> blob <size>\n<data>\n". */
int ledger_cat_blobs(struct strvec *texts, const char *gitdir,
		     const struct strvec *oids)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	const char *args[] = { "cat-file", "--batch", NULL };
	const char *p, *end;
	int rc = 0;

	if (!oids->nr)
		return 0;
	for (size_t i = 0; i < oids->nr; i++)
		strbuf_addf(&in, "%s\n", oids->v[i]);
	rc = ledger_git(gitdir, &out, NULL, in.buf, in.len, args);
	if (rc) {
		rc = error_set("ledger: cannot read entries in '%s'", gitdir);
		goto out;
	}
	p = out.buf;
	end = out.buf + out.len;
	for (size_t i = 0; i < oids->nr; i++) {
		const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) :
					   NULL;
		const char *sp;
		char *text;
		long size = -1;
		struct strbuf num = STRBUF_INIT;

		if (!nl)
			break;
		sp = memchr(p, ' ', (size_t)(nl - p));
		sp = sp ? memchr(sp + 1, ' ', (size_t)(nl - sp - 1)) : NULL;
		if (sp) {
			strbuf_add(&num, sp + 1, (size_t)(nl - sp - 1));
			if (parse_long(&size, num.buf, 0, LEDGER_ENTRY_MAX))
				size = -1;
		}
		strbuf_release(&num);
		p = nl + 1;
		if (size < 0 || (size_t)(end - p) < (size_t)size + 1) {
			strvec_push(texts, "");
			continue;
		}
		text = xstrndup(p, (size_t)size);
		strvec_push(texts, text);
		free(text);
		p += size + 1;
	}
	while (texts->nr < oids->nr)
		strvec_push(texts, "");
out:
	strbuf_release(&out);
	strbuf_release(&in);
	return rc;
}
