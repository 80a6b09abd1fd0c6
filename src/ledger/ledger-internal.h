/* SPDX-License-Identifier: MIT */
/* Shared inside src/ledger/. */
#ifndef SLUGGUARD_LEDGER_INTERNAL_H
#define SLUGGUARD_LEDGER_INTERNAL_H

#include "slugguard/ledger.h"

bool ledger_slug_id_ok(const char *id);
/* pending 0 < abandoned 1 < complete 2 */
int ledger_state_rank(const char *state);

/*
 * Run git with args in gitdir (NULL: the current directory), stdin from
 * input (may be NULL), stdout into out (may be NULL), stderr into err
 * (may be NULL: dropped). Returns git's exit status, or ERR_FAIL when it
 * could not run.
 */
int ledger_git(const char *gitdir, struct strbuf *out, struct strbuf *err,
	       const char *input, size_t inlen, const char *const *args);
bool ledger_is_oid(const char *s);
/*
 * The regular files of rev's tree (under path when not NULL) whose names
 * end in suffix: names and blob ids appended, in the same order.
 */
int ledger_ls_tree(struct strvec *names, struct strvec *oids,
		   const char *gitdir, const char *rev, const char *path,
		   const char *suffix);
/* The blobs' contents, one string per oid ("" when missing). */
int ledger_cat_blobs(struct strvec *texts, const char *gitdir,
		     const struct strvec *oids);
/* Load the trusted and revoked keys committed at HEAD of l->dir. */
int ledger_keys_load(struct ledger *l);
/* The key id of a PEM public key; caller frees *out. */
int ledger_pem_keyid(char **out, const char *pem);
#endif
