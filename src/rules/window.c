/* SPDX-License-Identifier: MIT */
/*
 * Running one rule over a window of the buffer: the rule's regex
 * (compiled on first use, shared between threads), then the filters
 * (entropy, placeholders, stopwords, the rule's own check, allowlists)
 * on each candidate; survivors become hits for match.c.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "rules/matcher.h"
#include "slugguard/strbuf.h"

bool rules_re_matches(const struct rules *r, pcre2_code *code,
		      pcre2_match_data *md, const char *s, size_t len)
{
	return pcre2_match(code, (PCRE2_SPTR)s, len, 0, 0, md, r->mctx) >= 0;
}

bool rules_any_matches(const struct rules *r, pcre2_code *const *code,
		       size_t nr, pcre2_match_data *md, const char *s,
		       size_t len)
{
	for (size_t i = 0; i < nr; i++)
		if (rules_re_matches(r, code[i], md, s, len))
			return true;
	return false;
}

/* The shared JIT-compiled copy of code in *slot, made on first call
 * (under lz->lock). */
static pcre2_code *jit_copy(pcre2_code **slot, const pcre2_code *code)
{
	if (!*slot) {
		*slot = pcre2_code_copy(code);
		if (!*slot)
			die("out of memory");
		/* No JIT (an unsupported CPU): the copy runs interpreted. */
		(void)pcre2_jit_compile(*slot, PCRE2_JIT_COMPLETE);
	}
	return *slot;
}

/*
 * Rule ri's regex for this scratch, to run over len more bytes: compiled
 * on first use, interpreted until JIT_AFTER bytes, then the JIT copy.
 */
static int get_code(struct rules_scratch *s, size_t ri, size_t len,
		    pcre2_code **out)
{
	const struct rules *r = s->r;
	struct rules_lazy *lz = r->lazy;
	int rc = 0;

	*out = s->code[ri];
	if (*out && s->uses[ri] >= JIT_AFTER)
		return 0;
	s->uses[ri] += len;
	if (*out && s->uses[ri] < JIT_AFTER)
		return 0;
	pthread_mutex_lock(&lz->lock);
	if (!lz->code[ri])
		rc = rules_compile_re(&lz->code[ri], "rule", r->rule[ri]->id,
				      r->rule[ri]->regex);
	if (!rc)
		s->code[ri] = s->uses[ri] >= JIT_AFTER ?
				      jit_copy(&lz->jit[ri], lz->code[ri]) :
				      lz->code[ri];
	pthread_mutex_unlock(&lz->lock);
	*out = s->code[ri];
	return rc;
}

pcre2_code *rules_path_code(struct rules_scratch *s, size_t ri, size_t len)
{
	const struct rules *r = s->r;

	if (s->path_uses[ri] >= JIT_AFTER)
		return s->path_code[ri];
	s->path_uses[ri] += len;
	if (s->path_uses[ri] < JIT_AFTER)
		return r->path_code[ri];
	pthread_mutex_lock(&r->lazy->lock);
	s->path_code[ri] = jit_copy(&r->lazy->path_jit[ri], r->path_code[ri]);
	pthread_mutex_unlock(&r->lazy->lock);
	return s->path_code[ri];
}

static bool has_classes(const char *s, size_t len)
{
	bool up = false, lo = false, dig = false;

	for (size_t i = 0; i < len; i++) {
		if (s[i] >= 'A' && s[i] <= 'Z')
			up = true;
		else if (s[i] >= 'a' && s[i] <= 'z')
			lo = true;
		else if (s[i] >= '0' && s[i] <= '9')
			dig = true;
	}
	return up && lo && dig;
}

static bool stopped(const struct rules *r, const char *s, size_t len)
{
	for (size_t i = 0; i < r->stop_nr; i++)
		if (rules_memcasemem(s, len, r->stop[i], r->stop_len[i]))
			return true;
	return false;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* Bytes before and after a match searched for a vendor's name. */
#define VENDOR_BEFORE 512
#define VENDOR_AFTER 256

/* A vendor named on the lines around buf[moff, moff + mlen). */
static bool vendor_near(const struct rules_scratch *s, size_t moff, size_t mlen)
{
	size_t from = moff > VENDOR_BEFORE ? moff - VENDOR_BEFORE : 0;
	size_t to = moff + mlen;

	to = s->len - to > VENDOR_AFTER ? to + VENDOR_AFTER : s->len;
	return rules_names_vendor(s->buf + from, to - from);
}

static void consider(struct rules_scratch *s, size_t ri, size_t moff,
		     size_t mlen, size_t off, size_t len)
{
	const struct rules *r = s->r;
	const struct rule *rule = r->rule[ri];
	const struct builtin_rule *bx = r->bx[ri];
	const char *sec = s->buf + off;
	double h;
	struct hit *hit;

	if (!len)
		return;
	if (rule->flags & RULE_GENERIC) {
		/* The match starts at the secret word: widen it to the whole
		 * name so that checks see e.g. "public_" in public_key. */
		size_t lim = moff > 64 ? moff - 64 : 0;

		while (moff > lim && name_char(s->buf[moff - 1])) {
			moff--;
			mlen++;
		}
	}
	h = rules_entropy(sec, len);
	if (rule->entropy > 0 && h < rule->entropy)
		return;
	if (bx) {
		if (bx->xflags & RX_NOLOCK && s->lockfile)
			return;
		if (bx->xflags & RX_MIXED && !has_classes(sec, len))
			return;
		if (bx->check && !bx->check(s->buf + moff, mlen, sec, len))
			return;
		if (bx->xflags & RX_VENDOR && !s->vendor_path &&
		    !vendor_near(s, moff, mlen))
			return;
	}
	if (rules_is_placeholder(sec, len, rule->flags & RULE_GENERIC))
		return;
	if (stopped(r, sec, len))
		return;
	if (rules_any_matches(r, r->allow_re, r->allow_re_nr, s->md, sec, len))
		return;
	ALLOC_GROW(s->hits, s->hits_nr + 1, s->hits_alloc);
	hit = &s->hits[s->hits_nr++];
	hit->rule = ri;
	hit->off = off;
	hit->len = len;
	hit->moff = moff;
	hit->mlen = mlen;
	hit->entropy = h;
}

int rules_run_window(struct rules_scratch *s, size_t ri, size_t ws, size_t we)
{
	const char *sub = s->buf + ws;
	size_t sublen = we - ws;
	size_t off = 0;
	pcre2_code *code = NULL;
	unsigned g = s->r->rule[ri]->secret_group;
	int rc;

	rc = get_code(s, ri, sublen, &code);
	if (rc < 0)
		return rc;
	while (off <= sublen) {
		PCRE2_SIZE *ov;
		size_t ms, me, ss, se;
		int n = pcre2_match(code, (PCRE2_SPTR)sub, sublen, off, 0,
				    s->md, s->mctx);

		/* No match, or a limit hit: nothing (more) in this window. */
		if (n < 0)
			break;
		ov = pcre2_get_ovector_pointer(s->md);
		ms = ov[0];
		me = ov[1];
		ss = ms;
		se = me;
		if (g && (unsigned)n > g && ov[2 * g] != PCRE2_UNSET) {
			ss = ov[2 * g];
			se = ov[2 * g + 1];
		} else if (g) {
			/* An explicit group that took no part: no secret, as
			 * with gitleaks' secretGroup */
			se = ss;
		} else if (n >= 2 && ov[2] != PCRE2_UNSET) {
			ss = ov[2];
			se = ov[3];
		}
		if (me < ms) /* \K games */
			break;
		consider(s, ri, ws + ms, me - ms, ws + ss, se - ss);
		off = me > off ? me : off + 1;
	}
	return 0;
}

size_t rules_line_start(const char *buf, size_t pos, size_t cap)
{
	size_t lim = pos > cap ? pos - cap : 0;

	while (pos > lim && buf[pos - 1] != '\n')
		pos--;
	return pos;
}

size_t rules_line_end(const char *buf, size_t len, size_t pos, size_t cap)
{
	size_t n = len - pos < cap ? len - pos : cap;
	const char *nl = memchr(buf + pos, '\n', n);

	return nl ? (size_t)(nl - buf) : pos + n;
}

int rules_keyword_hit(struct rules_scratch *s, size_t id, size_t end)
{
	const struct rules *r = s->r;
	size_t start = end - r->kw_len[id];

	for (size_t k = r->kw_first[id]; k < r->kw_first[id + 1]; k++) {
		size_t ri = r->kw_rule[k];
		const struct builtin_rule *bx = r->bx[ri];
		size_t ws, we;
		int rc;

		if (s->skip[ri])
			continue;
		if (start >= s->win_start[ri] && end <= s->win_end[ri])
			continue;
		ws = rules_line_start(s->buf, start, WINDOW_CAP);
		if (bx && bx->xflags & RX_MULTILINE)
			we = s->len - ws < MULTILINE_WINDOW ?
				     s->len :
				     ws + MULTILINE_WINDOW;
		else
			we = rules_line_end(s->buf, s->len, end, WINDOW_CAP);
		rc = rules_run_window(s, ri, ws, we);
		if (rc < 0) {
			s->err = rc;
			return 1;
		}
		s->win_start[ri] = ws;
		s->win_end[ri] = we;
	}
	return 0;
}
