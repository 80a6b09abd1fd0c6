/* SPDX-License-Identifier: MIT */
/*
 * slug: the only user of libarchive (and of zlib). Packs an application
 * directory into a Heroku slug: a gzip-compressed tar whose entries live
 * under "./app/", reproducibly (sorted entries, one fixed mtime, uid/gid 0,
 * no user/group names, a gzip header without name or time), so that the
 * same tree gives the same bytes. Also the .slugignore matcher.
 */
#ifndef SLUGGUARD_SLUG_H
#define SLUGGUARD_SLUG_H

#include "slugguard/strbuf.h"
#include "slugguard/strvec.h"

/* Heroku's default compressed slug limit (1 GB since March 2026). */
#define SLUG_DEFAULT_MAX_SIZE ((uint64_t)1024 * 1024 * 1024)

/*
 * Deflate level 5: on a Rails-like tree it comes within 0.5% of gzip -6's
 * size for about two thirds of its CPU time (bench/pack.sh).
 */
#define SLUG_DEFAULT_LEVEL 5

struct rules_literals;

/*
 * Called once per file and literal found in it: path is the entry name
 * without the leading "./" ("app/public/x.js"; borrowed), id the
 * literal's id. Return 0 to go on, negative to stop with that code.
 */
typedef int (*slug_found_fn)(const char *path, size_t id, void *data);

struct slug_opts {
	const char *dir; /* the application tree (becomes ./app/) */
	const char *out_path; /* slug.tgz, written atomically */
	int64_t mtime; /* every entry's mtime (SOURCE_DATE_EPOCH etc.) */
	uint64_t max_size; /* compressed bytes; 0 = SLUG_DEFAULT_MAX_SIZE */
	int level; /* deflate level 1..9; 0 = SLUG_DEFAULT_LEVEL */
	unsigned threads; /* deflate threads; 0 = online CPUs (max 8) */
	/* The slug check while packing (optional): every regular file's
	 * bytes, as packed, and the inflated content of *.gz files, are
	 * scanned for these literals; check_fn(check_data) hears of each
	 * (file, literal) found. Costs the matcher only: no read-back. */
	const struct rules_literals *check;
	slug_found_fn check_fn;
	void *check_data;
};

struct slug_stats {
	uint64_t size; /* compressed bytes written */
	uint64_t raw_size; /* tar bytes before compression */
	size_t entries;
};

/*
 * Pack o->dir into o->out_path. Symlinks are kept, but one that points
 * outside the tree (absolute, unless under /app/, or climbing out with
 * "..") is refused with ERR_REJECTED naming it. Sockets and devices are
 * refused. When the compressed size exceeds max_size the output is
 * removed and ERR_REJECTED names the size, the limit and the largest
 * paths. out (optional) receives figures. The output is deterministic for
 * a given tree, mtime and level whatever the thread count. libarchive is
 * loaded on the first call; ERR_FAIL "cannot load libarchive.so.13: ..."
 * when it cannot be.
 */
int slug_pack(struct slug_stats *out, const struct slug_opts *o);

/* ---- source tarballs (Heroku's Build API) ------------------------------ */

/*
 * Every entry of a source tarball lives under this directory: Heroku's
 * builder strips a single top-level directory, so the tree arrives as it
 * is even when the commit itself has only one top-level directory.
 */
#define SLUG_SOURCE_PREFIX "source/"

/*
 * Pack o->dir (a commit's tree, exported) into o->out_path as the source
 * tarball of a Heroku build: gzip-compressed tar, entries sorted under
 * SLUG_SOURCE_PREFIX, every mtime o->mtime (the commit time), uid/gid 0
 * without user or group names, modes 0755/0644 (directories and
 * executables / other files, as git archive gives with tar.umask 022),
 * symlinks kept (one leaving the tree is refused, as in slug_pack()),
 * and a gzip header without name or time. The deflate level is always
 * SLUG_DEFAULT_LEVEL (o->level and o->threads do not change the bytes),
 * so a commit gives the same bytes on every machine. o->max_size caps
 * the compressed size as for slugs.
 */
int slug_pack_source(struct slug_stats *out, const struct slug_opts *o);

/* ---- .slugignore -------------------------------------------------------- */

/*
 * A parsed .slugignore: one gitignore-like pattern per line, "#"
 * comments, blank lines ignored, a trailing "/" matches directories only,
 * a leading "/" or an inner "/" anchors the pattern at the root, otherwise
 * it matches a name at any depth; "*", "?", "[...]" and "**" globbing;
 * "!" re-includes. A matching directory is dropped with its contents.
 */
struct slug_ignore {
	struct strvec patterns;
};

#define SLUG_IGNORE_INIT    \
	{                   \
		STRVEC_INIT \
	}

/* Parse the contents of a .slugignore file (len bytes). */
void slug_ignore_parse(struct slug_ignore *ig, const char *buf, size_t len);
/* Is the root-relative path (no leading "./" or "/") ignored? */
bool slug_ignore_match(const struct slug_ignore *ig, const char *path,
		       bool is_dir);
void slug_ignore_release(struct slug_ignore *ig);

/*
 * Libarchive version string, borrowed (for provenance); "unavailable" if
 * libarchive cannot be loaded.
 */
const char *slug_backend_version(void);

/* ---- the slug check ---------------------------------------------------- */

/* A gzipped file inside the slug larger than this is scanned as stored
 * (compressed) only: inflating it would need it whole in memory. */
#define SLUG_CHECK_GZ_MAX ((size_t)64 << 20)

/*
 * Scan every regular file of the slug at slug_path (a .tgz as
 * slug_pack() writes it) for the literals in one pass; a file whose name
 * ends in ".gz" is also inflated and scanned (up to SLUG_CHECK_GZ_MAX).
 * bytes (optional) receives the uncompressed bytes scanned. Returns 0,
 * fn's code, or ERR_FAIL naming the slug when it cannot be read.
 */
int slug_scan_literals(const char *slug_path, const struct rules_literals *l,
		       slug_found_fn fn, void *data, uint64_t *bytes);

#endif
