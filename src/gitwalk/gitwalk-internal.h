/* SPDX-License-Identifier: MIT */
/* Private to src/gitwalk/: the struct behind the opaque handle. */
#ifndef SLUGGUARD_GITWALK_INTERNAL_H
#define SLUGGUARD_GITWALK_INTERNAL_H

#include <git2.h>

struct gitwalk {
	git_repository *repo;
	bool inited; /* we called git_libgit2_init() and owe a shutdown */
};

/* Store libgit2's last error as "<what>: <message>"; returns our code. */
int gitwalk_error(int rc, const char *what);

/* Export the tree of commit hex of repo into dir (see gitwalk_export). */
int gitwalk_export_repo(git_repository *repo, const char *hex, const char *dir,
			gitwalk_export_filter_fn filter, void *data);

/*
 * Add the object directories named by GIT_QUARANTINE_PATH,
 * GIT_OBJECT_DIRECTORY and GIT_ALTERNATE_OBJECT_DIRECTORIES (pre-receive)
 * to repo's object database. Used for every handle we open.
 */
int gitwalk_add_quarantine(git_repository *repo);

#endif
