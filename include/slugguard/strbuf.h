/* SPDX-License-Identifier: MIT */
/*
 * A growable byte buffer, written from git's strbuf contract.
 *
 * Invariants: buf is never NULL (STRBUF_INIT points at a shared empty
 * string), buf[len] == '\0', and alloc == 0 means buf is not ours yet.
 * Appends return void: running out of memory is fatal.
 */
#ifndef SLUGGUARD_STRBUF_H
#define SLUGGUARD_STRBUF_H

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT                  \
	{                            \
		0, 0, strbuf_slopbuf \
	}

void strbuf_init(struct strbuf *sb, size_t hint);
/* Frees the buffer and leaves sb as STRBUF_INIT (reusable). */
void strbuf_release(struct strbuf *sb);
/* Hands the buffer to the caller (free(3) it); sb is reset. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) SG_PRINTF(2, 3);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_addbuf(struct strbuf *sb, const struct strbuf *other);
/* Appends s with control characters replaced by '?' (safe for a tty). */
void strbuf_add_sanitized(struct strbuf *sb, const char *s, size_t len);
/*
 * Appends s as plain text for a log file: terminal escape sequences
 * (colours, cursor moves: CSI, OSC and two-byte ESC sequences) dropped,
 * "\r\n" and a lone '\r' made '\n', other control characters but '\t'
 * replaced by '?'.
 */
void strbuf_add_plain(struct strbuf *sb, const char *s, size_t len);
void strbuf_trim(struct strbuf *sb);
void strbuf_rtrim(struct strbuf *sb);

bool starts_with(const char *s, const char *prefix);
bool ends_with(const char *s, const char *suffix);

#endif
