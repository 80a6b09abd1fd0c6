/* SPDX-License-Identifier: MIT */
/*
 * Large and binary files through the matcher: windows of a bounded size
 * that overlap, so that memory stays bounded whatever the file's size and
 * a secret that straddles a window boundary is still seen whole, and
 * reported exactly once.
 */
#include "slugguard/common.h"
#include "slugguard/rules.h"
#include "scan-internal.h"

/* Bytes of text a printable run needs (as strings(1) counts). */
#define MIN_RUN 8

static bool printable(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r';
}

void scan_printable_runs(char *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t j = i;

		while (j < len && printable((unsigned char)buf[j]))
			j++;
		/*
		 * Blank to '\n', not remove: offsets stay those of the file,
		 * and no rule's match runs across a line end.
		 */
		if (j - i < MIN_RUN)
			memset(buf + i, '\n', j - i);
		if (j < len)
			buf[j++] = '\n';
		i = j;
	}
}

struct window {
	rules_match_fn fn;
	void *data;
	size_t ws; /* stream offset of the window's first byte */
	size_t is, ie; /* the inner part: matches starting here count */
	size_t lines; /* newlines before ws */
	size_t col; /* bytes between the last line start and ws */
	bool binary;
};

static int on_match(const struct rules_match *m, void *data)
{
	struct window *w = data;
	struct rules_match x = *m;

	x.offset = w->ws + m->offset;
	if (x.offset < w->is || x.offset >= w->ie)
		return 0; /* the previous or next window reports it */
	x.line = w->lines + m->line;
	if (m->line == 1)
		x.column = m->column + w->col;
	return w->fn(&x, w->data);
}

/* Fill win up to want bytes from rd; *eof when rd has no more. */
static int fill(struct strbuf *win, size_t want, scan_read_fn rd, void *rdd,
		bool *eof)
{
	strbuf_grow(win, want - win->len);
	while (win->len < want && !*eof) {
		size_t got = 0;
		int rc = rd(rdd, win->buf + win->len, want - win->len, &got);

		if (rc < 0)
			return rc;
		if (!got)
			*eof = true;
		win->len += got;
	}
	win->buf[win->len] = '\0';
	return 0;
}

int scan_chunked(const struct rules *r, struct rules_scratch *s,
		 const char *path, const struct scan_chunking *ck, bool binary,
		 scan_read_fn rd, void *rdd, struct strbuf *win,
		 struct strbuf *tmp, rules_match_fn fn, void *data)
{
	struct window w = { fn, data, 0, 0, 0, 0, 0, binary };
	bool eof = false;
	int rc = 0;

	if (ck->chunk <= ck->overlap)
		BUG("chunk smaller than its overlap");
	strbuf_setlen(win, 0);
	for (;;) {
		const char *buf;
		size_t keep;

		w.ie = w.is + ck->chunk;
		rc = fill(win, w.ie + ck->overlap - w.ws, rd, rdd, &eof);
		if (rc < 0)
			break;
		if (w.ws + win->len <= w.ie)
			w.ie = w.ws + win->len; /* the last window */
		buf = win->buf;
		if (binary) {
			/* a copy: the raw overlap is judged again next time */
			strbuf_setlen(tmp, 0);
			strbuf_add(tmp, win->buf, win->len);
			scan_printable_runs(tmp->buf, tmp->len);
			buf = tmp->buf;
			rc = rules_scan_binary(r, s, path, buf, win->len,
					       on_match, &w);
		} else {
			rc = rules_scan(r, s, path, buf, win->len, on_match,
					&w);
		}
		if (rc < 0 || w.ie >= w.ws + win->len)
			break;
		/* Next: the inner part starts at ie, with overlap before. */
		keep = w.ie - ck->overlap - w.ws;
		for (size_t i = 0; i < keep;) {
			const char *nl = memchr(win->buf + i, '\n', keep - i);

			if (!nl) {
				w.col += keep - i;
				break;
			}
			w.lines++;
			w.col = 0;
			i = (size_t)(nl - win->buf) + 1;
		}
		memmove(win->buf, win->buf + keep, win->len - keep);
		strbuf_setlen(win, win->len - keep);
		w.ws += keep;
		w.is = w.ie;
	}
	return rc;
}

int scan_read_mem(void *data, char *dst, size_t len, size_t *got)
{
	struct scan_mem_reader *m = data;
	size_t n = m->len - m->pos < len ? m->len - m->pos : len;

	memcpy(dst, m->buf + m->pos, n);
	m->pos += n;
	*got = n;
	return 0;
}
