/* SPDX-License-Identifier: MIT */
/*
 * ledger: what slugguard released, per app, kept in git so that it
 * travels with the deploy repository (docs/deploy-guide.md, "The release
 * ledger").
 *
 * Storage. The ledger of app A is the ref refs/slugguard/ledger/A of the
 * ledger repository: the repository around the current directory (the
 * deploy repository itself when post-receive runs `deploy` in it), else a
 * private bare repository $SLUGGUARD_LEDGER_DIR/ledger.git (default
 * $XDG_DATA_HOME/slugguard/ledger.git). Its commit's tree holds one file
 * per release, "<slug id>.json" (ledger_entry_format()): the entry, the
 * DSSE envelope and the signer's public key together. Two writers that
 * add different files merge by union; the same file written twice keeps
 * the more complete one (pending < abandoned < complete, then the later).
 *
 * Concurrency and crashes. Every update is a compare-and-swap of the ref
 * (`git update-ref REF NEW OLD`, retried with backoff after re-reading),
 * then, when the repository has a ledger remote, a fast-forward push of
 * the ref (retried after fetch + union on rejection). No lock file of
 * ours exists; git's own ref lock is held by a git process for
 * microseconds and is not left behind when slugguard is killed. The git
 * binary runs by argv (no shell); libgit2 stays in gitwalk/.
 *
 * Remote. $SLUGGUARD_LEDGER_REMOTE, else `git config
 * slugguard.ledgerRemote`, else "origin" when it exists; "none" turns it
 * off. Loads fetch it first; an unreachable remote is a warning.
 *
 * Trust. The keys whose releases verify are the public keys committed
 * under .slugguard/keys/ (HEAD of the ledger repository), plus the local
 * signing key (--key / $SLUGGUARD_SIGNING_KEY); a key with a
 * "<name>.revoked" file beside its "<name>.pem" is revoked.
 */
#ifndef SLUGGUARD_LEDGER_H
#define SLUGGUARD_LEDGER_H

#include "slugguard/strbuf.h"
#include "slugguard/strvec.h"

struct heroku_release;
struct json;
struct sign_key;

#define LEDGER_REF_PREFIX "refs/slugguard/ledger/"
/* Cap on one entry file and on one attestation. */
#define LEDGER_ENTRY_MAX (4u * 1024 * 1024)
/* Where the trusted keys live in a repository. */
#define LEDGER_KEYS_DIR ".slugguard/keys"

/* States of an entry: recorded before the release exists, then after. */
#define LEDGER_PENDING "pending"
#define LEDGER_COMPLETE "complete"
#define LEDGER_ABANDONED "abandoned"

/*
 * The kind of an entry that is not a release's slug: a build slugguard
 * started on Heroku (deploy --build-on heroku), recorded as pending before
 * the build is asked for, because Heroku's build makes its release itself
 * and a crash before the slug's own entry would otherwise leave a live
 * release the ledger does not know. Its slug_id is a file key
 * "build-<time>-<source hex prefix>-<pid>", never a slug's; complete once
 * the slug the build made has its own entry (build_id, release_id and
 * version then name them), abandoned when the build failed or never
 * started.
 */
#define LEDGER_KIND_BUILD "heroku-build"

/* Every member owned by the entry; ledger_entry_release() frees them. */
struct ledger_entry {
	char *slug_id;
	char *checksum; /* "SHA256:<hex>" */
	/*
	 * ledger_record(): path of the envelope file to store (or NULL when
	 * envelope is set). Loaded entries: NULL.
	 */
	char *attestation;
	char *commit;
	char *time; /* ISO 8601 UTC, when recorded */
	char *release_id;
	long version; /* 0 while pending */
	char *status; /* Heroku release status */
	char *state; /* LEDGER_PENDING, LEDGER_COMPLETE or LEDGER_ABANDONED */
	char *envelope; /* the DSSE envelope (JSON text) */
	char *public_key; /* the signer's SPKI PEM */
	char *keyid; /* "SHA256:..." of public_key */
	/* NULL for a release's slug; LEDGER_KIND_BUILD: the members below */
	char *kind;
	char *source_checksum; /* "SHA256:<hex>" of the source tarball */
	long long source_size;
	char *build_id; /* the Heroku build, once known */
	char *repo; /* the source repository (URL or path) */
	char *ref; /* what was asked to deploy */
	struct strvec buildpacks; /* asked for, in order */
};
void ledger_entry_release(struct ledger_entry *e);
/* Deep copy (attestation path not copied); dst is released first. */
void ledger_entry_copy(struct ledger_entry *dst,
		       const struct ledger_entry *src);

/* The entries of one app. Every member owned; read freely. */
struct ledger {
	char *dir; /* git dir of the ledger repository */
	char *app;
	char *remote; /* ledger remote, or NULL */
	struct ledger_entry *entries;
	size_t nr, alloc;
	/* trusted keys from LEDGER_KEYS_DIR at HEAD */
	struct strvec trusted; /* keyids */
	struct strvec trusted_pem; /* same order */
	struct strvec revoked; /* keyids */
	struct strvec revoked_when; /* same order: when revoked */
};
#define LEDGER_INIT                                                     \
	{                                                               \
		NULL, NULL, NULL, NULL, 0, 0, STRVEC_INIT, STRVEC_INIT, \
			STRVEC_INIT, STRVEC_INIT                        \
	}

/* The private bare repository used outside any repository; caller frees. */
char *ledger_default_dir(void);
/*
 * Load the ledger of app: from the git dir dir (NULL: the repository
 * around the current directory, else ledger_default_dir(), created on
 * first use), after fetching the ledger remote's copy, which is merged
 * in memory. Also loads the trusted keys. Release with ledger_release().
 */
int ledger_load(struct ledger *l, const char *dir, const char *app);
void ledger_release(struct ledger *l);
/* The entry for slug_id, or NULL (borrowed); never a build's entry. */
const struct ledger_entry *ledger_find_slug(const struct ledger *l,
					    const char *slug_id);
/*
 * Add (or replace, by slug id) e's entry, with compare-and-swap and
 * retry, then push it to the ledger remote. Fields are copied;
 * e->attestation (a path) is read when e->envelope is NULL; e->state
 * NULL means LEDGER_COMPLETE; e->time NULL means now. A push that cannot
 * reach the remote is a warning (the next write pushes it).
 */
int ledger_record(struct ledger *l, const struct ledger_entry *e);
/* ledger_record() of nr entries at once: one commit, one push. */
int ledger_record_all(struct ledger *l, const struct ledger_entry *e,
		      size_t nr);
/*
 * Complete every pending slug entry whose slug is in the live releases
 * (the release a crash left unrecorded); build entries are left alone. Returns
 * the number completed or an error.
 */
int ledger_reconcile(struct ledger *l, const struct heroku_release *rel,
		     size_t nr);

/*
 * Parse one entry file (outside input: it comes from a fetched ref).
 * what names it in messages. Returns 0 or ERR_FAIL; *e is released first.
 */
int ledger_entry_parse(struct ledger_entry *e, const char *buf, size_t len,
		       const char *what);
/* The entry file's text (JSON), appended to out. */
void ledger_entry_format(struct strbuf *out, const struct ledger_entry *e);

/*
 * Does e hold a signed attestation of its checksum, by a key that is
 * trusted and not revoked? The public key of key_path (NULL:
 * $SLUGGUARD_SIGNING_KEY) is trusted too. When not, the reason is
 * appended to why.
 */
bool ledger_entry_ok(const struct ledger *l, const struct ledger_entry *e,
		     const char *key_path, struct strbuf *why);
/*
 * Verify the DSSE envelope buf (len bytes) with the public key k, require
 * an in-toto Statement v1 with SLSA Provenance v1 and checksum
 * ("SHA256:<hex>" or hex) among its subjects; what names it in messages.
 * 0, ERR_REJECTED or ERR_FAIL. The _open form hands the statement to the
 * caller (*stmt, caller frees with json_free(); NULL on error) for
 * further checks (slugguard verify --commit, --app).
 */
int ledger_statement_open(struct json **stmt, const struct sign_key *k,
			  const char *buf, size_t len, const char *checksum,
			  const char *what);
int ledger_attestation_verify(const struct sign_key *k, const char *buf,
			      size_t len, const char *checksum,
			      const char *what);
/* Is keyid revoked? Sets *when (borrowed) to the revocation text. */
bool ledger_key_revoked(const struct ledger *l, const char *keyid,
			const char **when);

/*
 * Trusted keys in a work tree (slugguard keys): dir is the top of the
 * work tree. add writes LEDGER_KEYS_DIR/<name>.pem for the public half of
 * the key at path (id appended to keyid_out); revoke writes
 * <name>.revoked for a key given by path or key id; list appends one
 * line per key ("<keyid> trusted|revoked <when> <file>").
 */
int ledger_keys_add(struct strbuf *keyid_out, const char *dir,
		    const char *path);
int ledger_keys_revoke(struct strbuf *keyid_out, const char *dir,
		       const char *path_or_id);
int ledger_keys_list(struct strbuf *out, const char *dir);
/* The file name (no extension) for keyid: '/' and '+' made safe. */
void ledger_key_name(struct strbuf *out, const char *keyid);

#endif
