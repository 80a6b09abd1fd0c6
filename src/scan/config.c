/* SPDX-License-Identifier: MIT */
/* .slugguard.json: the scanner's extra rules and allowlists. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/json.h"
#include "slugguard/scan.h"
#include "slugguard/strbuf.h"
#include "scan-internal.h"

/* Every key the parser knows, level by level (see config_scan_keys()). */
static const char *const top_keys[] = {
	"rules",	   "disabledRules", "allowlist", "maxBlobSize",
	"fingerprintSalt", "$schema",	    NULL
};
static const char *const allow_keys[] = { "paths", "regexes", "stopwords",
					  NULL };
static const char *const rule_keys[] = { "id",	    "description",
					 "regex",   "keywords",
					 "entropy", "remediation",
					 "path",    NULL };

static bool key_is(const char *k, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(k, names[i]))
			return true;
	return false;
}

void config_scan_keys(struct strvec *out)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; top_keys[i]; i++)
		strvec_push(out, top_keys[i]);
	for (size_t i = 0; allow_keys[i]; i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "allowlist.%s", allow_keys[i]);
		strvec_push(out, sb.buf);
	}
	for (size_t i = 0; rule_keys[i]; i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "rules[].%s", rule_keys[i]);
		strvec_push(out, sb.buf);
	}
	strbuf_release(&sb);
}

bool config_scan_key_known(const char *key)
{
	return key_is(key, top_keys);
}

/*
 * Reject members not in names: a typo must not weaken the scan. A
 * top-level stranger is most often a deploy policy key put in the wrong
 * one of the two files, so say which file is which.
 */
static int check_keys(const struct json *obj, const char *const *names,
		      const char *what, const char *where)
{
	for (struct json *m = json_child(obj); m; m = json_next(m)) {
		const char *k = json_key(m);

		if (k && key_is(k, names))
			continue;
		if (names == top_keys)
			return error_set(
				"'%s': unknown member '%s': the scanner config "
				"(%s) takes rules, disabledRules, allowlist, "
				"maxBlobSize and fingerprintSalt; deploy policy "
				"keys belong in slugguard.json (see "
				"docs/policy.md)",
				what, k ? k : "?", CONFIG_SCAN_FILE);
		return error_set("'%s': %sunknown member '%s'", what, where,
				 k ? k : "?");
	}
	return 0;
}

/* A list of strings into sv (borrowed from the document). */
static int string_list(struct strvec *sv, const struct json *arr,
		       const char *what, const char *name)
{
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return error_set("'%s': '%s' must be an array of strings", what,
				 name);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *s = json_string(json_array_at(arr, i));

		if (!s || !*s)
			return error_set("'%s': %s[%zu] must be a non-empty "
					 "string",
					 what, name, i);
		strvec_push(sv, s);
	}
	return 0;
}

static int rule_string(const char **out, const struct json *r, const char *key,
		       bool required, const char *what, size_t i)
{
	struct json *v = json_get(r, key);

	*out = NULL;
	if (!v) {
		if (required)
			return error_set("'%s': rules[%zu]: missing '%s'", what,
					 i, key);
		return 0;
	}
	if (!json_string(v) || !*json_string(v))
		return error_set("'%s': rules[%zu]: '%s' must be a non-empty "
				 "string",
				 what, i, key);
	*out = json_string(v);
	return 0;
}

void config_scan_sync(struct config_scan *c)
{
	c->rules.extra = c->extra;
	c->rules.disabled = c->disabled.v;
	c->rules.disabled_nr = c->disabled.nr;
	c->rules.allow_paths = c->allow_paths.v;
	c->rules.allow_paths_nr = c->allow_paths.nr;
	c->rules.allow_regexes = c->allow_regexes.v;
	c->rules.allow_regexes_nr = c->allow_regexes.nr;
	c->rules.stopwords = c->stopwords.v;
	c->rules.stopwords_nr = c->stopwords.nr;
	c->rules.allow_match_regexes = c->allow_match.v;
	c->rules.allow_match_regexes_nr = c->allow_match.nr;
	c->rules.allow_line_regexes = c->allow_line.v;
	c->rules.allow_line_regexes_nr = c->allow_line.nr;
}

bool config_scan_valid_id(const char *id)
{
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

static int parse_rule(struct config_scan *c, struct rule *r,
		      const struct json *j, const char *what, size_t i)
{
	struct json *kw;
	struct json *ent;
	char where[64];
	int rc;

	if (!json_is_object(j))
		return error_set("'%s': rules[%zu] must be an object", what, i);
	if (snprintf(where, sizeof(where), "rules[%zu]: ", i) >=
	    (int)sizeof(where))
		return error_set("'%s': too many rules", what);
	rc = check_keys(j, rule_keys, what, where);
	if (!rc)
		rc = rule_string(&r->id, j, "id", true, what, i);
	if (!rc && !config_scan_valid_id(r->id))
		rc = error_set("'%s': rules[%zu]: id '%s' must be lowercase "
			       "letters, digits and '-'",
			       what, i, r->id);
	if (!rc)
		rc = rule_string(&r->regex, j, "regex", true, what, i);
	if (!rc)
		rc = rule_string(&r->description, j, "description", false, what,
				 i);
	if (!rc)
		rc = rule_string(&r->remediation, j, "remediation", false, what,
				 i);
	if (!rc)
		rc = rule_string(&r->path, j, "path", false, what, i);
	if (rc < 0)
		return rc;
	if (!r->description)
		r->description = r->id;
	if (!r->remediation)
		r->remediation = "";
	ent = json_get(j, "entropy");
	if (ent && (!json_number(ent, &r->entropy) || r->entropy < 0 ||
		    r->entropy > 8))
		return error_set("'%s': rules[%zu]: 'entropy' must be a number "
				 "from 0 to 8",
				 what, i);
	kw = json_get(j, "keywords");
	if (kw && json_string(kw)) {
		r->keywords = json_string(kw);
	} else if (kw && json_is_array(kw)) {
		struct strvec list = STRVEC_INIT;
		struct strbuf joined = STRBUF_INIT;

		rc = string_list(&list, kw, what, "keywords");
		for (size_t k = 0; !rc && k < list.nr; k++) {
			if (k)
				strbuf_addch(&joined, ',');
			for (const char *p = list.v[k]; *p; p++)
				strbuf_addch(&joined, *p >= 'A' && *p <= 'Z' ?
							      *p + 32 :
							      *p);
		}
		if (!rc && joined.len)
			r->keywords = strvec_push(&c->owned, joined.buf);
		strbuf_release(&joined);
		strvec_clear(&list);
		if (rc < 0)
			return rc;
	} else if (kw) {
		return error_set("'%s': rules[%zu]: 'keywords' must be an "
				 "array of strings",
				 what, i);
	}
	return 0;
}

int config_scan_parse(struct config_scan *out, const char *buf, size_t len,
		      const char *what)
{
	struct config_scan c = CONFIG_SCAN_INIT;
	struct json *rules, *al, *mbs, *salt;
	int rc;

	rc = json_parse(&c.doc, buf, len, what);
	if (rc < 0)
		goto out;
	if (!json_is_object(c.doc)) {
		rc = error_set("'%s': the top level must be an object", what);
		goto out;
	}
	rc = check_keys(c.doc, top_keys, what, "");
	if (rc < 0)
		goto out;
	rules = json_get(c.doc, "rules");
	if (rules && !json_is_array(rules)) {
		rc = error_set("'%s': 'rules' must be an array", what);
		goto out;
	}
	if (rules && json_array_size(rules)) {
		c.extra = xcalloc(json_array_size(rules), sizeof(*c.extra));
		for (size_t i = 0; i < json_array_size(rules); i++) {
			rc = parse_rule(&c, &c.extra[i],
					json_array_at(rules, i), what, i);
			if (rc < 0)
				goto out;
		}
		c.rules.extra = c.extra;
		c.rules.extra_nr = json_array_size(rules);
	}
	rc = string_list(&c.disabled, json_get(c.doc, "disabledRules"), what,
			 "disabledRules");
	if (rc < 0)
		goto out;
	al = json_get(c.doc, "allowlist");
	if (al) {
		if (!json_is_object(al)) {
			rc = error_set("'%s': 'allowlist' must be an object",
				       what);
			goto out;
		}
		rc = check_keys(al, allow_keys, what, "allowlist: ");
		if (!rc)
			rc = string_list(&c.allow_paths, json_get(al, "paths"),
					 what, "allowlist.paths");
		if (!rc)
			rc = string_list(&c.allow_regexes,
					 json_get(al, "regexes"), what,
					 "allowlist.regexes");
		if (!rc)
			rc = string_list(&c.stopwords,
					 json_get(al, "stopwords"), what,
					 "allowlist.stopwords");
		if (rc < 0)
			goto out;
	}
	mbs = json_get(c.doc, "maxBlobSize");
	if (mbs) {
		double d = 0;

		if (!json_number(mbs, &d) || d < 1 || d > 1e12 ||
		    d != (double)(uint64_t)d) {
			rc = error_set("'%s': 'maxBlobSize' must be a positive "
				       "integer (bytes)",
				       what);
			goto out;
		}
		c.max_blob_size = (size_t)d;
	}
	salt = json_get(c.doc, "fingerprintSalt");
	if (salt) {
		if (!json_string(salt) || !*json_string(salt)) {
			rc = error_set("'%s': 'fingerprintSalt' must be a "
				       "non-empty string",
				       what);
			goto out;
		}
		c.fingerprint_salt = json_string(salt);
	}
	config_scan_sync(&c);
	*out = c;
	memset(&c, 0, sizeof(c));
out:
	config_scan_release(&c);
	return rc;
}

void config_scan_release(struct config_scan *c)
{
	if (!c)
		return;
	json_free(c->doc);
	free(c->extra);
	strvec_clear(&c->owned);
	strvec_clear(&c->disabled);
	strvec_clear(&c->allow_regexes);
	strvec_clear(&c->allow_paths);
	strvec_clear(&c->stopwords);
	strvec_clear(&c->allow_commits);
	strvec_clear(&c->allow_match);
	strvec_clear(&c->allow_line);
	memset(c, 0, sizeof(*c));
	strvec_init(&c->owned);
	strvec_init(&c->disabled);
	strvec_init(&c->allow_regexes);
	strvec_init(&c->allow_paths);
	strvec_init(&c->stopwords);
	strvec_init(&c->allow_commits);
	strvec_init(&c->allow_match);
	strvec_init(&c->allow_line);
}
