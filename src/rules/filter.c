/* SPDX-License-Identifier: MIT */
/*
 * False-positive discipline: placeholders, environment lookups,
 * documented examples, default local passwords, lockfiles, and the
 * benign names a generic "secret-named variable" rule trips over.
 */
#include "slugguard/common.h"
#include "rules/rules-internal.h"

#include <ctype.h>
#include <math.h>
#include <strings.h>

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

const char *rules_memcasemem(const char *hay, size_t hay_len,
			     const char *needle, size_t needle_len)
{
	int first;

	if (!needle_len)
		return hay;
	if (needle_len > hay_len)
		return NULL;
	first = (unsigned char)needle[0];
	for (size_t i = 0; i + needle_len <= hay_len; i++) {
		size_t j;

		if (lower((unsigned char)hay[i]) != first)
			continue;
		for (j = 1; j < needle_len; j++)
			if (lower((unsigned char)hay[i + j]) !=
			    (unsigned char)needle[j])
				break;
		if (j == needle_len)
			return hay + i;
	}
	return NULL;
}

static bool contains(const char *s, size_t len, const char *needle)
{
	return rules_memcasemem(s, len, needle, strlen(needle));
}

static bool contains_any(const char *s, size_t len, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (contains(s, len, list[i]))
			return true;
	return false;
}

static bool equals_any(const char *s, size_t len, const char *const *list)
{
	for (size_t i = 0; list[i]; i++) {
		size_t n = strlen(list[i]);
		size_t j;

		if (n != len)
			continue;
		for (j = 0; j < n; j++)
			if (lower((unsigned char)s[j]) != list[i][j])
				break;
		if (j == n)
			return true;
	}
	return false;
}

static bool starts_any(const char *s, size_t len, const char *const *list)
{
	for (size_t i = 0; list[i]; i++) {
		size_t n = strlen(list[i]);

		if (n <= len && rules_memcasemem(s, n, list[i], n))
			return true;
	}
	return false;
}

/* Words that mark a value as a stand-in, for every rule. */
static const char *const placeholder_words[] = {
	"example",     "xxxx",	     "****",	   "...",	"redacted",
	"placeholder", "changeme",   "change_me",  "change-me", "dummy",
	"your",	       "<",	     ">",	   "${",	"{{",
	"%{",	       "<%",	     "$(",	   "#{",	"1234567",
	"abcdefg",     "replace_me", "replace-me", "insert_",	"insert-",
	NULL
};

/* Published examples (RFC 6749, jwt.io, PyJWT's README), lowercase. */
static const char *const documented_examples[] = {
	"2yotnfzfejr1zcsicmwpaa",
	"tgzv3jokf0xg5qx2tlkwia",
	"czzcagrsa3f0mzpnwdfmqmf0m2jw",
	"splxlobezqqybys6wxsbia",
	"eyjzdwiioiixmjm0nty3odkwiiwibmftzsi6ikpvag4grg9liiwiawf0ijoxnte2mjm5mdiyfq",
	"eyjzb21lijoicgf5bg9hzcj9",
	NULL
};

/* More words for generic rules, which have no structure to lean on. */
static const char *const strict_words[] = {
	"test",	     "sample",	 "fake",   "mock",	"demo", "todo",
	"fixme",     "password", "secret", "token",	"none", "null",
	"undefined", "foobar",	 "lorem",  "localhost", "://",	"arn:",
	".pem",	     ".json",	 ".yml",   ".yaml",	".txt", NULL
};

/* Variable references that look like values to a regex. */
static const char *const lookup_prefixes[] = {
	"env.",	    "env[",	   "env(",	    "$",	"%",
	"process.", "os.environ",  "getenv",	    "config.",	"settings.",
	"self.",    "this.",	   "params",	    "secrets.", "credentials.",
	"rails.",   "import.meta", "system.getenv", "./",	"../",
	"~/",	    NULL
};

static size_t distinct(const char *s, size_t len)
{
	bool seen[256] = { false };
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!seen[c]) {
			seen[c] = true;
			n++;
		}
	}
	return n;
}

static bool ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == '$';
}

static bool ident_char(char c)
{
	return ident_start(c) || (c >= '0' && c <= '9');
}

/*
 * a.b.c where every part is an identifier, or a number then identifiers
 * (1.day.from_now, 30.minutes.ago): a property path or a method chain in
 * code, not a value.
 */
static bool is_dotted_path(const char *s, size_t len)
{
	size_t parts = 0;
	bool start = true, number = false;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (start)
				return false;
			start = true;
			continue;
		}
		if (start) {
			number = !parts && s[i] >= '0' && s[i] <= '9';
			if (!number && !ident_start(s[i]))
				return false;
			start = false;
			parts++;
		} else if (number ? !(s[i] >= '0' && s[i] <= '9') :
				    !ident_char(s[i])) {
			return false;
		}
	}
	return !start && parts >= 2 && !number;
}

/*
 * Letters and digits that each count up (abcdef123456, a1B2c3D4e5F6,
 * 0123456789abcdef): a typed-in stand-in, not random key material.
 */
static bool is_sequential(const char *s, size_t len)
{
	int last_alpha = -1, last_digit = -1;
	size_t alpha = 0, digit = 0;

	for (size_t i = 0; i < len; i++) {
		int c = lower((unsigned char)s[i]);

		if (c >= 'a' && c <= 'z') {
			if (last_alpha >= 0 && c != last_alpha + 1)
				return false;
			last_alpha = c;
			alpha++;
		} else if (c >= '0' && c <= '9') {
			if (last_digit >= 0 && c != last_digit + 1 &&
			    !(last_digit == '9' && c == '0'))
				return false;
			last_digit = c;
			digit++;
		} else if (c != '-' && c != '_') {
			return false;
		}
	}
	return alpha + digit >= 8;
}

static bool is_identifier(const char *s, size_t len)
{
	bool digit = false, alpha = false, upper_only = true, under = false;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			digit = true;
		else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			alpha = true;
		if (c >= 'a' && c <= 'z')
			upper_only = false;
		if (c == '_')
			under = true;
	}
	/* No digit: a word, a dotted name, kebab-case; all caps with an
	 * underscore: an environment variable's name. */
	if (!digit || !alpha)
		return true;
	return upper_only && under;
}

/*
 * A printf conversion with a width (%86b, %08x) or a lone %s / %d before
 * a non-word byte: a format string, not a value.
 */
static bool has_conversion(const char *s, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		size_t j = i + 1;

		if (s[i] != '%')
			continue;
		while (j < len && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j >= len || !strchr("sdbxXu", s[j]))
			continue;
		if (j > i + 1 || j + 1 == len ||
		    !isalnum((unsigned char)s[j + 1]))
			return true;
	}
	return false;
}

bool rules_is_placeholder(const char *s, size_t len, bool strict)
{
	if (contains_any(s, len, placeholder_words) ||
	    contains_any(s, len, documented_examples))
		return true;
	if (len >= 8 && distinct(s, len) <= 3)
		return true;
	if (!strict)
		return false;
	if (contains_any(s, len, strict_words))
		return true;
	if (starts_any(s, len, lookup_prefixes))
		return true;
	if (is_dotted_path(s, len) || is_sequential(s, len) ||
	    has_conversion(s, len))
		return true;
	return is_identifier(s, len);
}

static const char *const default_passwords[] = {
	"password", "passwd",	"pass",	    "pwd",	  "pw",
	"changeme", "secret",	"postgres", "postgresql", "root",
	"admin",    "mysql",	"mariadb",  "redis",	  "guest",
	"user",	    "username", "test",	    "dev",	  "development",
	"example",  "rabbitmq", "sa",	    "123456",	  "qwerty",
	"letmein",  "default",	"p@ssw0rd", "password1",  "toor",
	"docker",   "app",	"db",	    "database",	  NULL
};

static const char *const local_hosts[] = {
	"localhost",  "127.0.0.1", "0.0.0.0",
	"::1",	      "[::1]",	   "host.docker.internal",
	"db",	      "database",  "postgres",
	"postgresql", "mysql",	   "mariadb",
	"redis",      "rabbitmq",  "amqp",
	"mongo",      "mongodb",   "cache",
	"queue",      NULL
};

static const char *const host_placeholders[] = { "example", "your", "company.",
						 "<",	    "$",    NULL };
static const char *const host_words[] = { "host",   "hostname", "server",
					  "domain", "db_host",	"dbhost",
					  "myhost", NULL };

static bool env_ref(const char *s, size_t len)
{
	if (!len)
		return true;
	return s[0] == '$' || s[0] == '%' || s[0] == '<' || s[0] == '{' ||
	       contains(s, len, "${") || contains(s, len, "{{") ||
	       contains(s, len, "%{") || contains(s, len, "#{") ||
	       contains(s, len, "<%");
}

static bool weak_password(const char *user, size_t user_len, const char *pw,
			  size_t pw_len)
{
	if (env_ref(pw, pw_len))
		return true;
	if (equals_any(pw, pw_len, default_passwords))
		return true;
	if (user_len == pw_len && !memcmp(user, pw, pw_len))
		return true;
	return rules_is_placeholder(pw, pw_len, false);
}

/*
 * scheme://user:PASSWORD@host...: secret is the password. Skips env
 * references, placeholders, defaults, user==password, and weak passwords
 * on local hosts.
 */
bool rules_check_url_password(const char *match, size_t match_len,
			      const char *secret, size_t secret_len)
{
	const char *end = match + match_len;
	const char *user, *host, *p;
	size_t user_len, host_len;

	p = rules_memcasemem(match, match_len, "://", 3);
	if (!p || p + 3 > secret || secret[-1] != ':')
		return false;
	user = p + 3;
	user_len = (size_t)(secret - 1 - user);
	host = secret + secret_len;
	if (host < end && *host == '@')
		host++;
	p = host;
	while (p < end && !strchr(":/?#'\" \t\r\n,;", *p))
		p++;
	host_len = (size_t)(p - host);

	if (weak_password(user, user_len, secret, secret_len))
		return false;
	if (user_len && env_ref(user, user_len))
		return false;
	if (!host_len || contains_any(host, host_len, host_placeholders) ||
	    equals_any(host, host_len, host_words))
		return false;
	if (equals_any(host, host_len, local_hosts) ||
	    (host_len > 4 && !memcmp(host, "127.", 4))) {
		if (secret_len < 8 || rules_entropy(secret, secret_len) < 3.0)
			return false;
	}
	return true;
}

/* A bare password value (jdbc ...password=X). */
bool rules_check_password(const char *match, size_t match_len,
			  const char *secret, size_t secret_len)
{
	(void)match;
	(void)match_len;
	return !weak_password("", 0, secret, secret_len);
}

/* "user:password" in one group (curl -u, bundler credentials). */
bool rules_check_userpass(const char *match, size_t match_len,
			  const char *secret, size_t secret_len)
{
	const char *colon = memchr(secret, ':', secret_len);
	size_t user_len, pw_len;

	(void)match;
	(void)match_len;
	if (!colon)
		return false;
	user_len = (size_t)(colon - secret);
	pw_len = secret_len - user_len - 1;
	if (pw_len < 3 || env_ref(secret, user_len))
		return false;
	return !weak_password(secret, user_len, colon + 1, pw_len);
}

/* Names that contain a secret word but never hold a secret. */
static const char *const benign_names[] = { "public",
					    "publishable",
					    "pubkey",
					    "pub_key",
					    "token_type",
					    "tokenizer",
					    "tokens_",
					    "csrf",
					    "xsrf",
					    "_url",
					    "_uri",
					    "_path",
					    "_file",
					    "_name",
					    "key_id",
					    "keyid",
					    "_length",
					    "_len",
					    "_size",
					    "_count",
					    "_max",
					    "_min",
					    "_type",
					    "_format",
					    "_prefix",
					    "_header",
					    "_field",
					    "_param",
					    "_regex",
					    "_pattern",
					    "_hash",
					    "_expir",
					    "_ttl",
					    "_timeout",
					    "_version",
					    "_enabled",
					    "_required",
					    "_policy",
					    "_digest",
					    "_label",
					    "_placeholder",
					    "_hint",
					    "_confirmation",
					    "_reset",
					    "_env",
					    "_endpoint",
					    "_store",
					    "_manager",
					    "_provider",
					    "_class",
					    "_mode",
					    "-url",
					    "-path",
					    "-file",
					    "-name",
					    "-id",
					    ".url",
					    ".path",
					    "author",
					    "ice-pwd",
					    NULL };

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/*
 * True when s is base64 of readable text with a space in it ("not my
 * real password"): a documentation stand-in, not random key material.
 */
static bool is_encoded_prose(const char *s, size_t len)
{
	unsigned acc = 0;
	int bits = 0;
	bool space = false;

	while (len && s[len - 1] == '=')
		len--;
	if (len < 16)
		return false;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value(s[i]);

		if (v < 0)
			return false;
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			unsigned char c = (unsigned char)(acc >> (bits - 8));

			bits -= 8;
			if (c < 0x20 || c > 0x7e)
				return false;
			if (c == ' ')
				space = true;
		}
	}
	return space;
}

size_t rules_base64_text(char *out, const char *s, size_t len)
{
	unsigned acc = 0;
	int bits = 0;
	size_t n = 0;

	while (len && s[len - 1] == '=')
		len--;
	if (len < 4 || len % 4 == 1)
		return 0;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value(s[i]);

		if (v < 0)
			return 0;
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			unsigned char c = (unsigned char)(acc >> (bits - 8));

			bits -= 8;
			/* text: printable ASCII, tabs, line ends, UTF-8 */
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return 0;
			if (c == 0x7f)
				return 0;
			out[n++] = (char)c;
		}
	}
	return n;
}

bool rules_check_generic(const char *match, size_t match_len,
			 const char *secret, size_t secret_len)
{
	size_t name_len = secret > match ? (size_t)(secret - match) : 0;

	(void)match_len;
	if (secret_len < 12)
		return false;
	if (contains_any(match, name_len, benign_names))
		return false;
	return !is_encoded_prose(secret, secret_len);
}

/* A value under a vendor's generic name: letters and digits both. */
bool rules_check_vendor(const char *match, size_t match_len, const char *secret,
			size_t secret_len)
{
	size_t name_len = secret > match ? (size_t)(secret - match) : 0;
	bool alpha = false, digit = false;

	(void)match_len;
	for (size_t i = 0; i < secret_len; i++) {
		char c = secret[i];

		if (c >= '0' && c <= '9')
			digit = true;
		else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			alpha = true;
	}
	if (!alpha || !digit)
		return false;
	if (contains_any(match, name_len, benign_names))
		return false;
	return !is_encoded_prose(secret, secret_len);
}

/* Vendors with rules of their own (lowercase, as rules_memcasemem wants). */
static const char *const vendors[] = { "stripe",	"plaid",
				       "twilio",	"sendgrid",
				       "mailgun",	"mailchimp",
				       "postmark",	"braintree",
				       "paypal",	"authorize.net",
				       "authorize_net", "authorizenet",
				       "squareup",	"shopify",
				       "algolia",	"pusher",
				       "openai",	"anthropic",
				       "sentry",	"datadog",
				       "newrelic",	"new_relic",
				       "cloudinary",	"okta",
				       "auth0",		"intercom",
				       "mapbox",	"salesforce",
				       "hubspot",	"zendesk",
				       "dropbox",	"digitalocean",
				       "cloudflare",	"mandrill",
				       "sparkpost",	"vonage",
				       "nexmo",		NULL };

bool rules_names_vendor(const char *s, size_t len)
{
	for (size_t i = 0; vendors[i]; i++)
		if (rules_memcasemem(s, len, vendors[i], strlen(vendors[i])))
			return true;
	return false;
}

static const char *const config_suffixes[] = { ".json", ".yml", ".yaml",
					       ".toml", NULL };
static const char *const ruby_suffixes[] = { ".rb", NULL };

static bool has_suffix(const char *path, const char *const *list)
{
	size_t n = strlen(path);

	for (size_t i = 0; list[i]; i++) {
		size_t k = strlen(list[i]);

		if (n > k && !strcasecmp(path + n - k, list[i]))
			return true;
	}
	return false;
}

bool rules_is_config_file(const char *path)
{
	if (has_suffix(path, config_suffixes))
		return true;
	/* Ruby configures vendors in config/ (initializers, environments);
	 * elsewhere it is application code */
	return has_suffix(path, ruby_suffixes) &&
	       (!strncmp(path, "config/", 7) || strstr(path, "/config/"));
}

static const char *const lockfiles[] = {
	"Gemfile.lock",	     "gems.locked",
	"package-lock.json", "npm-shrinkwrap.json",
	"yarn.lock",	     "pnpm-lock.yaml",
	"bun.lock",	     "Cargo.lock",
	"poetry.lock",	     "Pipfile.lock",
	"composer.lock",     "go.sum",
	"mix.lock",	     "pubspec.lock",
	"Podfile.lock",	     "packages.lock.json",
	"uv.lock",	     "flake.lock",
	"deno.lock",	     NULL
};

bool rules_is_lockfile(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (size_t i = 0; lockfiles[i]; i++)
		if (!strcmp(base, lockfiles[i]))
			return true;
	return false;
}

double rules_entropy(const char *s, size_t len)
{
	size_t count[256] = { 0 };
	double h = 0;

	if (!len)
		return 0;
	for (size_t i = 0; i < len; i++)
		count[(unsigned char)s[i]]++;
	for (size_t i = 0; i < 256; i++) {
		double p;

		if (!count[i])
			continue;
		p = (double)count[i] / (double)len;
		h -= p * log2(p);
	}
	return h;
}

static const char *const docs_suffixes[] = { ".md",   ".markdown", ".mdx",
					     ".adoc", ".asciidoc", ".rst",
					     ".rdoc", ".textile",  NULL };

bool rules_is_docs(const char *path)
{
	return has_suffix(path, docs_suffixes);
}
