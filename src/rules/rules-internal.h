/* SPDX-License-Identifier: MIT */
/* Private to src/rules/: the built-in table's extra fields and filters. */
#ifndef SLUGGUARD_RULES_INTERNAL_H
#define SLUGGUARD_RULES_INTERNAL_H

#include "slugguard/rules.h"

enum rule_xflags {
	/* The match may span lines (PEM blocks, YAML): the window around a
	 * keyword hit runs from its line start to RULES_MULTILINE_WINDOW
	 * bytes further. */
	RX_MULTILINE = 1 << 0,
	/* Never reported in lockfiles (Gemfile.lock, package-lock.json...). */
	RX_NOLOCK = 1 << 1,
	/* The secret must mix upper case, lower case and digits. */
	RX_MIXED = 1 << 2,
	/* The secret may be base64 of text: decode it and scan that too,
	 * reporting what it holds in place of the encoded value. */
	RX_DECODE64 = 1 << 3,
	/* Reported only when the file's path or the lines around the
	 * match name a vendor (rules_names_vendor). */
	RX_VENDOR = 1 << 4,
};

/*
 * A validator on one candidate: match is the whole regex match, secret
 * group 1 inside it. Returns true to keep the finding.
 */
typedef bool (*rule_check_fn)(const char *match, size_t match_len,
			      const char *secret, size_t secret_len);

struct builtin_rule {
	struct rule rule; /* first: rules_builtin() hands out &b->rule */
	unsigned xflags; /* enum rule_xflags */
	rule_check_fn check;
};

extern const struct builtin_rule rules_builtin_table[];
extern const size_t rules_builtin_table_nr;

/* Checks shared by the table (filter.c). */
bool rules_check_url_password(const char *match, size_t match_len,
			      const char *secret, size_t secret_len);
bool rules_check_userpass(const char *match, size_t match_len,
			  const char *secret, size_t secret_len);
bool rules_check_password(const char *match, size_t match_len,
			  const char *secret, size_t secret_len);
bool rules_check_generic(const char *match, size_t match_len,
			 const char *secret, size_t secret_len);
bool rules_check_vendor(const char *match, size_t match_len, const char *secret,
			size_t secret_len);
/* True when s names a vendor the rules know (stripe, plaid, twilio...). */
bool rules_names_vendor(const char *s, size_t len);
/* JSON, YAML, TOML, and Ruby under config/: where vendors are set up. */
bool rules_is_config_file(const char *path);

/*
 * True when secret looks like a placeholder, an environment lookup or a
 * documented example. strict adds the word-ish checks of generic rules.
 */
bool rules_is_placeholder(const char *s, size_t len, bool strict);
/* Case-insensitive substring search; needle is lowercase. */
const char *rules_memcasemem(const char *hay, size_t hay_len,
			     const char *needle, size_t needle_len);
/*
 * Decodes s (standard or URL-safe base64, padding optional) into out
 * (len * 3 / 4 + 1 bytes) and returns the decoded length, or 0 when s is
 * not base64 or does not decode to text.
 */
size_t rules_base64_text(char *out, const char *s, size_t len);
/* True for paths of lockfiles whose hashes look random. */
bool rules_is_lockfile(const char *path);
/*
 * True for prose documentation (Markdown, AsciiDoc, reStructuredText, RDoc):
 * their keys are samples, so only rules whose secret carries its own
 * vendor prefix (RULE_BINARY) report there.
 */
bool rules_is_docs(const char *path);

#endif
