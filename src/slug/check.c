/* SPDX-License-Identifier: MIT */
/*
 * The slug check: read a packed slug back with libarchive and look for
 * config var values in every file, so a value a build baked into an
 * asset never leaves the machine.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/rules.h"
#include "slugguard/slug.h"
#include "slugguard/strbuf.h"
#include "slug-internal.h"
#include "archive-dl.h"

#include <string.h>

/* libarchive's read block for the slug file. */
#define CHECK_BLOCK (1024 * 1024)

struct slug_check {
	const struct rules_literals *l;
	struct rules_literals_scratch *s;
	slug_found_fn fn;
	void *data;
	const char *path; /* the current file */
	/* ids already reported for this file (one report per file and id) */
	uint8_t *seen;
	size_t *seen_list;
	size_t seen_nr;
	/* the last max_len - 1 bytes of the file so far, and the seam where
	 * a value crossing two blocks is found */
	char *tail;
	size_t tail_len;
	char *seam;
	size_t seam_limit; /* hits must end after this seam offset */
	bool is_gz; /* the current file is collected in gz, then inflated */
	struct strbuf gz;
	int err;
	uint64_t bytes;
};

static int report(struct slug_check *c, size_t id)
{
	int rc;

	if (c->seen[id >> 3] & (1u << (id & 7)))
		return 0;
	c->seen[id >> 3] |= (uint8_t)(1u << (id & 7));
	c->seen_list[c->seen_nr++] = id;
	rc = c->fn(c->path, id, c->data);
	if (rc < 0)
		c->err = rc;
	return rc;
}

static int on_block_hit(size_t id, size_t start, size_t end, void *data)
{
	(void)start;
	(void)end;
	return report(data, id);
}

static int on_seam_hit(size_t id, size_t start, size_t end, void *data)
{
	struct slug_check *c = data;

	/* only values that cross the seam: the others are found (or were)
	 * in a block of their own */
	if (start >= c->seam_limit || end <= c->seam_limit)
		return 0;
	return report(c, id);
}

void slug_check_file(struct slug_check *c, const char *path, uint64_t size)
{
	c->is_gz = ends_with(path, ".gz") && size && size <= SLUG_CHECK_GZ_MAX;
	strbuf_reset(&c->gz);
	for (size_t i = 0; i < c->seen_nr; i++)
		c->seen[c->seen_list[i] >> 3] = 0;
	c->seen_nr = 0;
	c->tail_len = 0;
	c->path = path;
}

/* Scan the next block of the current file (no .gz collection). */
static int scan_block(struct slug_check *c, const char *p, size_t n)
{
	size_t keep = rules_literals_max_len(c->l);
	int rc;

	if (!n || !keep)
		return 0;
	keep--;
	c->bytes += n;
	if (c->tail_len && keep) {
		size_t head = n < keep ? n : keep;

		memcpy(c->seam, c->tail, c->tail_len);
		memcpy(c->seam + c->tail_len, p, head);
		c->seam_limit = c->tail_len;
		rc = rules_literals_scan(c->l, c->s, c->seam,
					 c->tail_len + head, on_seam_hit, c);
		if (rc < 0)
			return rc;
	}
	rc = rules_literals_scan(c->l, c->s, p, n, on_block_hit, c);
	if (rc < 0)
		return rc;
	/* the new tail: the end of the old one plus this block */
	if (n >= keep) {
		memcpy(c->tail, p + n - keep, keep);
		c->tail_len = keep;
	} else {
		size_t old = c->tail_len + n > keep ? keep - n : c->tail_len;

		memmove(c->tail, c->tail + c->tail_len - old, old);
		memcpy(c->tail + old, p, n);
		c->tail_len = old + n;
	}
	return 0;
}

int slug_check_block(struct slug_check *c, const char *p, size_t n)
{
	if (c->is_gz)
		strbuf_add(&c->gz, p, n);
	return scan_block(c, p, n);
}

static int scan_gz(struct slug_check *c, const char *gz, size_t len);

int slug_check_file_end(struct slug_check *c)
{
	int rc = 0;

	if (c->is_gz && c->gz.len)
		rc = scan_gz(c, c->gz.buf, c->gz.len);
	c->is_gz = false;
	strbuf_reset(&c->gz);
	return rc;
}

int slug_check_new(struct slug_check **out, const struct rules_literals *l,
		   slug_found_fn fn, void *data)
{
	struct slug_check *c = xcalloc(1, sizeof(*c));
	size_t max = rules_literals_max_len(l);
	int rc;

	*out = NULL;
	rc = slug_archive_load();
	if (rc < 0)
		goto out;
	c->l = l;
	c->fn = fn;
	c->data = data;
	strbuf_init(&c->gz, 0);
	c->tail = xmalloc(max + 1);
	c->seam = xmalloc(st_mult(max + 1, 2));
	/* one bit and one list slot per literal id */
	c->seen = xcalloc(st_add(rules_literals_count(l), 7) / 8 + 1, 1);
	c->seen_list = xcalloc(rules_literals_count(l) + 1, sizeof(size_t));
	rc = rules_literals_scratch_new(&c->s, l);
	if (rc < 0)
		goto out;
	*out = c;
	c = NULL;
out:
	slug_check_free(c);
	return rc;
}

uint64_t slug_check_bytes(const struct slug_check *c)
{
	return c ? c->bytes : 0;
}

int slug_check_error(const struct slug_check *c)
{
	return c ? c->err : 0;
}

void slug_check_free(struct slug_check *c)
{
	if (!c)
		return;
	rules_literals_scratch_free(c->s);
	free(c->seen);
	free(c->seen_list);
	free(c->tail);
	free(c->seam);
	strbuf_release(&c->gz);
	free(c);
}

static int archive_fail(struct archive *a, const char *what)
{
	const char *msg = archive_error_string(a);

	return error_set("cannot read %s: %s", what, msg ? msg : "damaged");
}

/* Inflate a .gz member held in memory and scan what it holds. */
static int scan_gz(struct slug_check *c, const char *gz, size_t len)
{
	struct archive *a = NULL;
	struct archive_entry *e = NULL;
	int rc = 0, r;

	a = archive_read_new();
	if (!a)
		return error_set("cannot read '%s': out of memory", c->path);
	archive_read_support_filter_gzip(a);
	archive_read_support_format_raw(a);
	r = archive_read_open_memory(a, gz, len);
	if (r == ARCHIVE_OK)
		r = archive_read_next_header(a, &e);
	/* not gzip after all (a name is no promise): scanned as stored */
	if (r != ARCHIVE_OK)
		goto out;
	c->tail_len = 0;
	for (;;) {
		const void *p;
		size_t n;
		la_int64_t off;

		r = archive_read_data_block(a, &p, &n, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			break; /* a damaged .gz: its stored bytes were seen */
		rc = scan_block(c, p, n);
		if (rc < 0)
			goto out;
	}
out:
	archive_read_free(a);
	return rc;
}

int slug_scan_literals(const char *slug_path, const struct rules_literals *l,
		       slug_found_fn fn, void *data, uint64_t *bytes)
{
	struct slug_check *c = NULL;
	struct archive *a = NULL;
	struct archive_entry *e = NULL;
	struct strbuf name = STRBUF_INIT;
	int rc, r;

	if (bytes)
		*bytes = 0;
	rc = slug_check_new(&c, l, fn, data);
	if (rc < 0)
		goto out;
	a = archive_read_new();
	if (!a) {
		rc = error_set("cannot read '%s': out of memory", slug_path);
		goto out;
	}
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	r = archive_read_open_filename(a, slug_path, CHECK_BLOCK);
	if (r != ARCHIVE_OK) {
		rc = archive_fail(a, slug_path);
		goto out;
	}
	for (;;) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			rc = archive_fail(a, slug_path);
			goto out;
		}
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		strbuf_reset(&name);
		strbuf_addstr(&name, archive_entry_pathname(e));
		if (starts_with(name.buf, "./")) {
			memmove(name.buf, name.buf + 2, name.len - 1);
			strbuf_setlen(&name, name.len - 2);
		}
		slug_check_file(c, name.buf,
				archive_entry_size(e) > 0 ?
					(uint64_t)archive_entry_size(e) :
					0);
		for (;;) {
			const void *p;
			size_t n;
			la_int64_t off;

			r = archive_read_data_block(a, &p, &n, &off);
			if (r == ARCHIVE_EOF)
				break;
			if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
				rc = archive_fail(a, slug_path);
				goto out;
			}
			rc = slug_check_block(c, p, n);
			if (rc < 0)
				goto out;
		}
		rc = slug_check_file_end(c);
		if (rc < 0)
			goto out;
	}
	rc = 0;
out:
	if (bytes)
		*bytes = slug_check_bytes(c);
	if (a)
		archive_read_free(a);
	if (slug_check_error(c))
		rc = slug_check_error(c);
	slug_check_free(c);
	strbuf_release(&name);
	return rc;
}
