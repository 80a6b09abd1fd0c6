/* SPDX-License-Identifier: MIT */
/*
 * .gitleaks.toml: the mapping of a gitleaks config onto struct
 * config_scan (see include/slugguard/config.h and docs/rules.md), and the
 * top-level loop over its tables and keys. The TOML reader it drives
 * (strings, numbers, arrays, keys) is in toml.c, split off for issue #12
 * (no source file over 900 lines); the parser state they share, struct
 * tparse, is in scan-internal.h.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/rules.h"
#include "slugguard/scan.h"
#include "slugguard/strbuf.h"
#include "slugguard/strvec.h"
#include "scan-internal.h"

#define GITLEAKS_MAX (1024 * 1024)
/* pcre2_match_data in rules holds 16 pairs: groups 1 to 15 */
#define SECRET_GROUP_MAX 15

/* ---- mapping onto struct config_scan ------------------------------- */

static const char *table_name(enum table table)
{
	switch (table) {
	case T_ALLOWLIST:
		return "allowlist";
	case T_RULE:
		return "rules";
	case T_EXTEND:
		return "extend";
	case T_ROOT:
		break;
	}
	return "the top level";
}

static const char *own(struct tparse *t, const char *s)
{
	return strvec_push(&t->c->owned, s);
}

/* A regex from the file, compiled now so that its line is named. */
static int check_regex(struct tparse *t, const char *re, const char *k)
{
	int rc = rules_check_regex(re);

	if (rc < 0) {
		rc = toml_perr(t, "%s: %s", k, error_last());
	}
	return rc;
}

static int want(struct tparse *t, const struct tval *v, enum tval_kind kind,
		const char *k)
{
	static const char *const names[] = { "a string", "an integer",
					     "a number", "a boolean",
					     "an array of strings" };

	if (v->kind == kind || (kind == TV_FLOAT && v->kind == TV_INT))
		return 0;
	return toml_perr(t, "'%s' must be %s", k, names[kind]);
}

static int push_regexes(struct tparse *t, struct strvec *to,
			const struct strvec *from, const char *k)
{
	for (size_t i = 0; i < from->nr; i++) {
		int rc = check_regex(t, from->v[i], k);

		if (rc < 0)
			return rc;
		strvec_push(to, from->v[i]);
	}
	return 0;
}

/* Stored lowercase: finding commits are lowercase hex. */
static int add_commit(struct tparse *t, const char *id)
{
	struct strbuf low = STRBUF_INIT;
	size_t n = strlen(id);
	bool ok = n >= 7 && n <= 64;

	for (size_t i = 0; ok && i < n; i++)
		ok = hex_value(id[i]) >= 0;
	if (!ok)
		return toml_perr(
			t,
			"commits: '%s' is not a commit id (7 to 64 hex "
			"digits)",
			id);
	for (size_t i = 0; i < n; i++)
		strbuf_addch(&low, id[i] >= 'A' && id[i] <= 'F' ?
					   (char)(id[i] - 'A' + 'a') :
					   id[i]);
	strvec_push(&t->c->allow_commits, low.buf);
	strbuf_release(&low);
	return 0;
}

static int allow_key(struct tparse *t, const char *k, const struct tval *v)
{
	struct config_scan *c = t->c;
	int rc;

	if (!strcmp(k, "description"))
		return want(t, v, TV_STRING, k);
	if (!strcmp(k, "paths")) {
		rc = want(t, v, TV_ARRAY, k);
		return rc ? rc : push_regexes(t, &c->allow_paths, &v->arr, k);
	}
	if (!strcmp(k, "regexes")) {
		rc = want(t, v, TV_ARRAY, k);
		return rc ? rc : push_regexes(t, &t->regexes, &v->arr, k);
	}
	if (!strcmp(k, "stopwords")) {
		rc = want(t, v, TV_ARRAY, k);
		for (size_t i = 0; !rc && i < v->arr.nr; i++)
			if (*v->arr.v[i])
				strvec_push(&c->stopwords, v->arr.v[i]);
		return rc;
	}
	if (!strcmp(k, "commits")) {
		rc = want(t, v, TV_ARRAY, k);
		for (size_t i = 0; !rc && i < v->arr.nr; i++)
			rc = add_commit(t, v->arr.v[i]);
		return rc;
	}
	if (!strcmp(k, "regexTarget")) {
		rc = want(t, v, TV_STRING, k);
		if (rc < 0)
			return rc;
		if (!strcmp(v->s.buf, "secret"))
			t->target = TARGET_SECRET;
		else if (!strcmp(v->s.buf, "match"))
			t->target = TARGET_MATCH;
		else if (!strcmp(v->s.buf, "line"))
			t->target = TARGET_LINE;
		else
			return toml_perr(t, "regexTarget must be \"secret\", "
					    "\"match\" or \"line\"");
		return 0;
	}
	if (!strcmp(k, "condition")) {
		rc = want(t, v, TV_STRING, k);
		if (rc < 0)
			return rc;
		if (!strcmp(v->s.buf, "OR"))
			return 0;
		/* AND narrows an allowlist: read as OR it would hide more */
		return toml_perr(
			t,
			"unsupported: condition = \"%s\" (only \"OR\", "
			"each entry on its own)",
			!strcmp(v->s.buf, "AND") ? "AND" : "?");
	}
	if (!strcmp(k, "targetRules"))
		return toml_perr(t,
				 "unsupported: targetRules (an allowlist here "
				 "applies to every rule)");
	return toml_perr(t, "unknown key '%s' in [%s]", k,
			 table_name(t->table));
}

static int rule_string(struct tparse *t, const char **out, const char *k,
		       const struct tval *v)
{
	int rc = want(t, v, TV_STRING, k);

	if (rc < 0)
		return rc;
	if (!v->s.len)
		return toml_perr(t, "'%s' must not be empty", k);
	*out = own(t, v->s.buf);
	return 0;
}

static int rule_key(struct tparse *t, const char *k, const struct tval *v)
{
	struct rule *r = &t->rule;
	int rc;

	if (!strcmp(k, "id")) {
		rc = rule_string(t, &r->id, k, v);
		if (!rc && !config_scan_valid_id(r->id))
			rc = toml_perr(
				t,
				"id '%s' must be lowercase letters, digits, "
				"'-', '_' and '.'",
				r->id);
		return rc;
	}
	if (!strcmp(k, "description"))
		return rule_string(t, &r->description, k, v);
	if (!strcmp(k, "regex")) {
		rc = rule_string(t, &r->regex, k, v);
		return rc ? rc : check_regex(t, r->regex, k);
	}
	if (!strcmp(k, "path")) {
		rc = rule_string(t, &r->path, k, v);
		return rc ? rc : check_regex(t, r->path, k);
	}
	if (!strcmp(k, "secretGroup")) {
		rc = want(t, v, TV_INT, k);
		if (!rc &&
		    (v->kind != TV_INT || v->i < 0 || v->i > SECRET_GROUP_MAX))
			rc = toml_perr(
				t,
				"secretGroup must be an integer from 0 to "
				"%d",
				SECRET_GROUP_MAX);
		if (!rc)
			r->secret_group = (unsigned)v->i;
		return rc;
	}
	if (!strcmp(k, "entropy")) {
		rc = want(t, v, TV_FLOAT, k);
		if (!rc && (v->d < 0 || v->d > 8))
			rc = toml_perr(t,
				       "entropy must be a number from 0 to 8");
		if (!rc)
			r->entropy = v->d;
		return rc;
	}
	if (!strcmp(k, "keywords")) {
		struct strbuf joined = STRBUF_INIT;

		rc = want(t, v, TV_ARRAY, k);
		for (size_t i = 0; !rc && i < v->arr.nr; i++) {
			if (!*v->arr.v[i] || strchr(v->arr.v[i], ','))
				rc = toml_perr(t,
					       "keywords[%zu] must be a "
					       "non-empty string without ','",
					       i);
			if (i)
				strbuf_addch(&joined, ',');
			for (const char *p = v->arr.v[i]; *p; p++)
				strbuf_addch(&joined,
					     *p >= 'A' && *p <= 'Z' ?
						     (char)(*p - 'A' + 'a') :
						     *p);
		}
		if (!rc && joined.len)
			r->keywords = own(t, joined.buf);
		strbuf_release(&joined);
		return rc;
	}
	if (!strcmp(k, "tags"))
		return want(t, v, TV_ARRAY, k);
	if (!strcmp(k, "allowlist") || !strcmp(k, "allowlists"))
		return toml_perr(t, "unsupported: per-rule allowlists");
	return toml_perr(t, "unknown key '%s' in [[rules]]", k);
}

static int extend_key(struct tparse *t, const char *k, const struct tval *v)
{
	int rc;

	/* slugguard's own rules are always on: useDefault changes nothing */
	if (!strcmp(k, "useDefault"))
		return want(t, v, TV_BOOL, k);
	if (!strcmp(k, "disabledRules")) {
		rc = want(t, v, TV_ARRAY, k);
		for (size_t i = 0; !rc && i < v->arr.nr; i++)
			strvec_push(&t->c->disabled, v->arr.v[i]);
		return rc;
	}
	if (!strcmp(k, "path") || !strcmp(k, "url"))
		return toml_perr(
			t,
			"unsupported: [extend] %s (slugguard reads one "
			".gitleaks.toml; copy what you need into it)",
			k);
	return toml_perr(t, "unknown key '%s' in [extend]", k);
}

static int root_key(struct tparse *t, const char *k, const struct tval *v)
{
	if (!strcmp(k, "title") || !strcmp(k, "description") ||
	    !strcmp(k, "minVersion"))
		return want(t, v, TV_STRING, k);
	return toml_perr(t, "unknown key '%s'", k);
}

/* The table that ends here: flush what waited for all its keys. */
static int close_table(struct tparse *t)
{
	struct config_scan *c = t->c;
	size_t alloc = c->rules.extra_nr;
	size_t save = t->line;
	int rc = 0;

	if (t->table == T_ALLOWLIST) {
		struct strvec *to =
			t->target == TARGET_MATCH ? &c->allow_match :
			t->target == TARGET_LINE  ? &c->allow_line :
						    &c->allow_regexes;

		for (size_t i = 0; i < t->regexes.nr; i++)
			strvec_push(to, t->regexes.v[i]);
	} else if (t->table == T_RULE) {
		struct rule *r = &t->rule;

		t->line = t->table_line;
		if (!r->id)
			rc = toml_perr(t, "[[rules]] without an id");
		else if (!r->regex && !r->path)
			rc = toml_perr(t,
				       "rule '%s' has neither regex nor path",
				       r->id);
		if (rc < 0)
			goto out;
		if (!r->regex)
			r->flags |= RULE_PATH_CONTENT;
		if (!r->description)
			r->description = r->id;
		if (!r->remediation)
			r->remediation = "";
		ALLOC_GROW(c->extra, c->rules.extra_nr + 1, alloc);
		c->extra[c->rules.extra_nr++] = *r;
	}
out:
	t->line = save;
	strvec_clear(&t->regexes);
	strvec_clear(&t->keys);
	memset(&t->rule, 0, sizeof(t->rule));
	t->target = TARGET_SECRET;
	t->table = T_ROOT;
	return rc;
}

/* "[name]" or "[[name]]"; t->p is at the first '['. */
static int header(struct tparse *t)
{
	struct strbuf name = STRBUF_INIT, part = STRBUF_INIT;
	bool arr = toml_at(t, "[[");
	int rc;

	rc = close_table(t);
	if (rc < 0)
		goto out;
	t->p += arr ? 2 : 1;
	t->table_line = t->line;
	for (;;) {
		toml_skip_blank(t);
		rc = toml_key(t, &part);
		if (rc < 0)
			goto out;
		if (name.len)
			strbuf_addch(&name, '.');
		strbuf_addstr(&name, part.buf);
		toml_skip_blank(t);
		if (t->p < t->end && *t->p == '.') {
			t->p++;
			continue;
		}
		break;
	}
	if (!toml_at(t, arr ? "]]" : "]")) {
		rc = toml_perr(t, "expected '%s' after a table name",
			       arr ? "]]" : "]");
		goto out;
	}
	t->p += arr ? 2 : 1;
	if (!arr && !strcmp(name.buf, "allowlist") && !t->seen_allowlist) {
		t->seen_allowlist = true;
		t->table = T_ALLOWLIST;
	} else if (arr && !strcmp(name.buf, "allowlists")) {
		t->table = T_ALLOWLIST;
	} else if (arr && !strcmp(name.buf, "rules")) {
		t->table = T_RULE;
	} else if (!arr && !strcmp(name.buf, "extend") && !t->seen_extend) {
		t->seen_extend = true;
		t->table = T_EXTEND;
	} else if (!arr && (!strcmp(name.buf, "allowlist") ||
			    !strcmp(name.buf, "extend"))) {
		rc = toml_perr(t, "table [%s] defined twice", name.buf);
	} else if (starts_with(name.buf, "rules.")) {
		rc = toml_perr(t, "unsupported: [%s%s%s] (per-rule tables)",
			       arr ? "[" : "", name.buf, arr ? "]" : "");
	} else {
		rc = toml_perr(t, "unknown table [%s%s%s]", arr ? "[" : "",
			       name.buf, arr ? "]" : "");
	}
	if (!rc)
		rc = toml_end_of_line(t);
out:
	strbuf_release(&name);
	strbuf_release(&part);
	return rc;
}

static int key_value(struct tparse *t)
{
	struct strbuf k = STRBUF_INIT;
	struct tval v = { TV_STRING, STRBUF_INIT, STRVEC_INIT, 0, 0, false };
	size_t line = t->line;
	int rc;

	rc = toml_key(t, &k);
	if (rc < 0)
		goto out;
	toml_skip_blank(t);
	if (t->p < t->end && *t->p == '.') {
		rc = toml_unsupported(t, "dotted keys");
		goto out;
	}
	if (t->p >= t->end || *t->p != '=') {
		rc = toml_perr(t, "expected '=' after the key");
		goto out;
	}
	t->p++;
	toml_skip_blank(t);
	for (size_t i = 0; i < t->keys.nr; i++)
		if (!strcmp(t->keys.v[i], k.buf)) {
			rc = toml_perr(t, "duplicate key \"%s\"", k.buf);
			goto out;
		}
	strvec_push(&t->keys, k.buf);
	rc = toml_value(t, &v);
	if (rc < 0)
		goto out;
	/* a multi-line value is named by the line its key is on */
	{
		size_t end_line = t->line;

		t->line = line;
		switch (t->table) {
		case T_ROOT:
			rc = root_key(t, k.buf, &v);
			break;
		case T_ALLOWLIST:
			rc = allow_key(t, k.buf, &v);
			break;
		case T_RULE:
			rc = rule_key(t, k.buf, &v);
			break;
		case T_EXTEND:
			rc = extend_key(t, k.buf, &v);
			break;
		}
		if (rc < 0)
			goto out;
		t->line = end_line;
	}
	rc = toml_end_of_line(t);
out:
	strbuf_release(&k);
	strbuf_release(&v.s);
	strvec_clear(&v.arr);
	return rc;
}

int config_gitleaks_parse(struct config_scan *c, const char *buf, size_t len,
			  const char *what)
{
	struct tparse t;
	const char *nul;
	int rc = 0;

	memset(&t, 0, sizeof(t));
	t.buf = buf;
	t.p = buf;
	t.end = buf + len;
	t.line = 1;
	t.what = what;
	t.c = c;
	strvec_init(&t.keys);
	strvec_init(&t.regexes);
	if (len > GITLEAKS_MAX)
		return error_set("'%s' is larger than %d bytes", what,
				 GITLEAKS_MAX);
	nul = memchr(buf, '\0', len);
	if (nul) {
		for (const char *q = buf; q < nul; q++)
			t.line += *q == '\n';
		return toml_perr(&t, "NUL byte");
	}
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		t.p += 3; /* a UTF-8 byte order mark */
	while (t.p < t.end) {
		toml_skip_blank(&t);
		if (t.p >= t.end)
			break;
		if (*t.p == '#' || *t.p == '\n' || *t.p == '\r')
			rc = toml_end_of_line(&t);
		else if (*t.p == '[')
			rc = header(&t);
		else
			rc = key_value(&t);
		if (rc < 0)
			goto out;
	}
	rc = close_table(&t);
out:
	config_scan_sync(c);
	strvec_clear(&t.keys);
	strvec_clear(&t.regexes);
	return rc;
}
