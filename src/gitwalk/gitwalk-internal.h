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

#endif
