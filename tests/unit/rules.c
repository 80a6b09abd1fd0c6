/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for rules. Every fake secret is generated at run time from a
 * template ("ghp_%36a": a prefix and 36 random characters of class a), so
 * no secret-looking literal lives in this file. Marker strings such as
 * private-key headers are split across string literals.
 */
/* MAP_ANONYMOUS is not POSIX. */
#define _DEFAULT_SOURCE
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/rules.h"
#include "slugguard/strbuf.h"
#include "rules/matcher.h" /* JIT_AFTER, the lazy codes */

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

static struct rules *R;
static struct rules_scratch *S;
static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 88172645463325252ULL;
}

static uint64_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const char *class_chars(char c)
{
	switch (c) {
	case 'a':
		return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		       "0123456789";
	case 'h':
		return "0123456789abcdef";
	case 'H':
		return "0123456789ABCDEF";
	case 'u':
		return "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	case 'U':
		return "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	case 'l':
		return "abcdefghijklmnopqrstuvwxyz0123456789";
	case 'd':
		return "0123456789";
	case 'w':
		return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		       "0123456789_-";
	case 'b':
		return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		       "0123456789+/";
	case 'L':
		return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	case 'x':
		return "abcdefghijklmnopqrstuvwxyz";
	case 'c':
		return "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";
	default:
		return NULL;
	}
}

/* Expands a template with every random run replaced by x's. */
static void expand_x(struct strbuf *sb, const char *tpl)
{
	for (const char *p = tpl; *p; p++) {
		size_t n = 0;

		if (*p != '%') {
			strbuf_addch(sb, *p);
			continue;
		}
		p++;
		if (*p == '%') {
			strbuf_addch(sb, '%');
			continue;
		}
		if (*p == 'g') {
			strbuf_addstr(sb,
				      "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
			continue;
		}
		while (*p >= '0' && *p <= '9')
			n = n * 10 + (size_t)(*p++ - '0');
		while (n--)
			strbuf_addch(sb, 'x');
	}
}

/*
 * Expands a template: "%<n><class>" is n random characters of the class
 * (see class_chars), "%g" a random lowercase UUID, "%%" a percent sign.
 */
static void expand(struct strbuf *sb, const char *tpl)
{
	for (const char *p = tpl; *p; p++) {
		const char *chars;
		size_t n = 0, nc;

		if (*p != '%') {
			strbuf_addch(sb, *p);
			continue;
		}
		p++;
		if (*p == '%') {
			strbuf_addch(sb, '%');
			continue;
		}
		if (*p == 'g') {
			static const int groups[] = { 8, 4, 4, 4, 12 };

			for (size_t g = 0; g < 5; g++) {
				if (g)
					strbuf_addch(sb, '-');
				for (int i = 0; i < groups[g]; i++)
					strbuf_addch(
						sb,
						"0123456789abcdef"[rng_next() %
								   16]);
			}
			continue;
		}
		while (*p >= '0' && *p <= '9')
			n = n * 10 + (size_t)(*p++ - '0');
		chars = class_chars(*p);
		if (!chars)
			fail_msg("bad template class '%c' in %s", *p, tpl);
		nc = strlen(chars);
		for (size_t i = 0; i < n; i++)
			strbuf_addch(sb, chars[rng_next() % nc]);
	}
}

struct found {
	struct strbuf ids; /* ",id1,id2," */
	size_t nr;
	size_t line, column, offset, secret_len;
	struct strbuf secret;
};

static int collect(const struct rules_match *m, void *data)
{
	struct found *f = data;

	if (!f->nr) {
		f->line = m->line;
		f->column = m->column;
		f->offset = m->offset;
		f->secret_len = m->secret_len;
		strbuf_add(&f->secret, m->secret, m->secret_len);
	}
	f->nr++;
	if (!f->ids.len)
		strbuf_addch(&f->ids, ',');
	strbuf_addstr(&f->ids, m->rule->id);
	strbuf_addch(&f->ids, ',');
	return 0;
}

static void found_release(struct found *f)
{
	strbuf_release(&f->ids);
	strbuf_release(&f->secret);
	memset(f, 0, sizeof(*f));
}

static void scan_with(struct rules *r, struct rules_scratch *s, struct found *f,
		      const char *path, const char *buf, size_t len)
{
	memset(f, 0, sizeof(*f));
	strbuf_init(&f->ids, 0);
	strbuf_init(&f->secret, 0);
	assert_int_equal(rules_scan(r, s, path, buf, len, collect, f), 0);
}

static void scan(struct found *f, const char *path, const char *buf, size_t len)
{
	scan_with(R, S, f, path, buf, len);
}

static bool found_rule(const struct found *f, const char *id)
{
	struct strbuf needle = STRBUF_INIT;
	bool ok;

	strbuf_addf(&needle, ",%s,", id);
	ok = f->ids.len && strstr(f->ids.buf, needle.buf);
	strbuf_release(&needle);
	return ok;
}

/* A sample per built-in rule: (id, path or NULL, template). */
struct sample {
	const char *id;
	const char *path;
	const char *tpl;
};

static const struct sample samples[] = {
	{ "openai-api-key", NULL, "OPENAI_API_KEY=sk-%20aT3BlbkFJ%20a" },
	{ "openai-project-key", NULL, "key = \"sk-proj-%74wT3BlbkFJ%74w\"" },
	{ "openai-service-account-key", NULL, "sk-svcacct-%74wT3BlbkFJ%74w" },
	{ "openai-admin-key", NULL, "k: sk-admin-%74wT3BlbkFJ%74w" },
	{ "aws-access-key-id", NULL, "aws_access_key_id = AKIA%16u" },
	{ "aws-secret-access-key", NULL, "aws_secret_access_key = %40b" },
	{ "aws-session-token", NULL, "aws_session_token = %300b" },
	{ "aws-bedrock-api-key", NULL, "ABSK%120b" },
	{ "plaid-client-id", NULL, "PLAID_CLIENT_ID=%24h" },
	{ "plaid-secret", NULL, "PLAID_SECRET=%30l" },
	{ "plaid-access-token", NULL, "token: access-sandbox-%g" },
	{ "taxcloud-api-login-id", NULL, "TAXCLOUD_API_LOGIN_ID=%10u" },
	{ "taxcloud-api-key", NULL, "TAXCLOUD_API_KEY='%8u-%4u-%4u-%4u-%12u'" },
	{ "heroku-api-key", NULL, "HRKU-AA%58w" },
	{ "heroku-api-key-legacy", NULL, "HEROKU_API_KEY=%g" },
	{ "heroku-oauth-secret", NULL, "HEROKU_OAUTH_SECRET: %g" },
	{ "postgres-url", NULL,
	  "DATABASE_URL=postgresql+psycopg://app:%20a@db.internal.%6x.com:"
	  "5432/prod" },
	{ "mysql-url", NULL, "mysql2://root:%20a@%8x.rds.amazonaws.com/app" },
	{ "redis-url", NULL, "rediss://:%32a@%8x.cache.amazonaws.com:6379" },
	{ "amqp-url", NULL, "amqps://%8x:%24a@%8x.rmq.cloudamqp.com/%8x" },
	{ "mongodb-url", NULL,
	  "mongodb+srv://admin:%20a@cluster0.%6x.mongodb.net/app" },
	{ "jdbc-url-password", NULL,
	  "jdbc:postgresql://%8x.internal:5432/app?user=app&password=%16a" },
	{ "url-basic-auth", NULL,
	  "source \"https://deploy:%24a@gems.%8x.com/\"" },
	{ "rails-master-key", "config/master.key", "%32h\n" },
	{ "rails-secret-key-base", NULL, "SECRET_KEY_BASE=%128h" },
	{ "private-key", NULL,
	  "-----BEGIN "
	  "RSA PRIVATE"
	  " KEY-----\n%64b\n%64b\n%64b\n%20b==\n-----END "
	  "RSA PRIVATE"
	  " KEY-----\n" },
	{ "putty-private-key", NULL,
	  "PuTTY-User-Key-"
	  "File-2: ssh-rsa\nEncryption: none\nComment: k\nPublic-Lines: 2\n"
	  "%64b\n%20b\nPrivate-Lines: 2\n%64b\n%64b\n" },
	{ "age-secret-key", NULL, "AGE-SECRET-KEY-1%58c" },
	{ "pkcs12-file", "certs/prod.p12", "" },
	{ "htpasswd-hash", "deploy/.htpasswd", "admin:$apr1$%8a$%22a\n" },
	{ "github-pat", NULL, "ghp_%36a" },
	{ "github-fine-grained-pat", NULL, "github_pat_%22a_%59a" },
	{ "github-oauth-token", NULL, "gho_%36a" },
	{ "github-user-to-server-token", NULL, "ghu_%36a" },
	{ "github-server-to-server-token", NULL, "ghs_%36a" },
	{ "github-refresh-token", NULL, "ghr_%36a" },
	{ "gitlab-pat", NULL, "glpat-%20a" },
	{ "gitlab-deploy-token", NULL, "gldt-%20a" },
	{ "gitlab-runner-token", NULL, "glrt-%20a" },
	{ "gitlab-runner-registration-token", NULL, "GR1348941%20a" },
	{ "gitlab-pipeline-trigger-token", NULL, "glptt-%40a" },
	{ "gitlab-oauth-app-secret", NULL, "gloas-%64a" },
	{ "gitlab-feed-token", NULL, "glft-%20a" },
	{ "gitlab-ci-build-token", NULL, "glcbt-%24a" },
	{ "gitlab-agent-token", NULL, "glagent-%50a" },
	{ "stripe-secret-key", NULL, "sk_live_%24a" },
	{ "stripe-restricted-key", NULL, "rk_live_%24a" },
	{ "stripe-webhook-secret", NULL, "whsec_%32a" },
	{ "slack-bot-token", NULL, "xoxb-%10d-%12d-%24a" },
	{ "slack-user-token", NULL, "xoxp-%10d-%12d-%12d-%32h" },
	{ "slack-legacy-token", NULL, "xoxa-2-%40a" },
	{ "slack-config-token", NULL, "xoxe.xoxp-1-%150a" },
	{ "slack-app-token", NULL, "xapp-1-A%10u-%13d-%64h" },
	{ "slack-webhook-url", NULL,
	  "https://hooks.slack.com/services/T%8u/B%8u/%24a" },
	{ "slack-workflow-webhook-url", NULL,
	  "https://hooks.slack.com/workflows/T%8u/%40a" },
	{ "google-api-key", NULL, "AIza%35w" },
	{ "google-oauth-client-secret", NULL, "GOCSPX-%28w" },
	{ "google-oauth-refresh-token", NULL, "1//0%60w" },
	{ "gcp-service-account-key-id", NULL, "\"private_key_id\": \"%40h\"" },
	{ "firebase-cloud-messaging-key", NULL, "AAAA%7w:APA91b%134w" },
	{ "sendgrid-api-key", NULL, "SG.%22w.%43w" },
	{ "twilio-account-sid", NULL, "TWILIO_ACCOUNT_SID=AC%32h" },
	{ "twilio-api-key-sid", NULL, "TWILIO_API_KEY=SK%32h" },
	{ "twilio-auth-token", NULL, "TWILIO_AUTH_TOKEN=%32h" },
	{ "mailgun-api-key", NULL, "key-%32h" },
	{ "mailgun-signing-key", NULL, "MAILGUN_SIGNING_KEY=%32h-%8h-%8h" },
	{ "mailchimp-api-key", NULL, "%32h-us12" },
	{ "brevo-api-key", NULL, "xkeysib-%64h-%16a" },
	{ "postmark-server-token", NULL, "POSTMARK_API_TOKEN=%g" },
	{ "discord-bot-token", NULL, "DISCORD_BOT_TOKEN=M%24a.%6a.%27a" },
	{ "discord-webhook-url", NULL,
	  "https://discord.com/api/webhooks/%18d/%68w" },
	{ "telegram-bot-token", NULL, "TELEGRAM_BOT_TOKEN=%9d:AA%33w" },
	{ "anthropic-api-key", NULL, "sk-ant-api03-%93wAA" },
	{ "anthropic-admin-key", NULL, "sk-ant-admin01-%93wAA" },
	{ "huggingface-token", NULL, "hf_%34L" },
	{ "replicate-api-token", NULL, "r8_%37a" },
	{ "groq-api-key", NULL, "gsk_%52a" },
	{ "perplexity-api-key", NULL, "pplx-%48a" },
	{ "xai-api-key", NULL, "xai-%80a" },
	{ "openrouter-api-key", NULL, "sk-or-v1-%64h" },
	{ "npm-access-token", NULL, "npm_%36a" },
	{ "npmrc-auth", NULL, "//registry.npmjs.org/:_authToken=%36h" },
	{ "pypi-token", NULL, "pypi-AgEIcHlwaS5vcmc%60w" },
	{ "pypi-test-token", NULL, "pypi-AgENdGVzdC5weXBpLm9yZw%60w" },
	{ "rubygems-api-key", NULL, "rubygems_%48h" },
	{ "bundler-credentials", NULL,
	  "BUNDLE_GEMS__CONTRIBSYS__COM=%8x:%16h" },
	{ "dockerhub-pat", NULL, "dckr_pat_%27w" },
	{ "docker-config-auth", NULL, "\"auth\": \"%40b\"" },
	{ "jwt", NULL, "eyJ%20w.eyJ%40w.%43w" },
	{ "authorization-header", NULL, "Authorization: Bearer %40a" },
	{ "curl-user-password", NULL, "curl -u admin:%20a https://api.%8x.io" },
	{ "netrc-password", NULL,
	  "machine api.%8x.com\n  login me\n  password %24a\n" },
	{ "kubernetes-secret", NULL,
	  "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\ndata:\n"
	  "  password: %32b\n" },
	{ "shopify-access-token", NULL, "shpat_%32h" },
	{ "shopify-custom-app-token", NULL, "shpca_%32h" },
	{ "shopify-private-app-token", NULL, "shppa_%32h" },
	{ "shopify-shared-secret", NULL, "shpss_%32h" },
	{ "square-access-token", NULL, "EAAA%60w" },
	{ "square-oauth-secret", NULL, "sq0csp-%43w" },
	{ "braintree-access-token", NULL, "access_token$production$%16l$%32h" },
	{ "easypost-api-key", NULL, "EZAK%54a" },
	{ "datadog-api-key", NULL, "DD_API_KEY=%32h" },
	{ "datadog-app-key", NULL, "DD_APP_KEY=%40h" },
	{ "newrelic-user-key", NULL, "NRAK-%27u" },
	{ "newrelic-insert-key", NULL, "NRII-%32w" },
	{ "newrelic-license-key", NULL, "%36hNRAL" },
	{ "sentry-dsn-secret", NULL,
	  "dsn: https://%32h:%32h@o1.ingest.sentry.io/42" },
	{ "sentry-user-token", NULL, "sntryu_%64h" },
	{ "sentry-org-token", NULL, "sntrys_eyJ%100a" },
	{ "grafana-cloud-token", NULL, "glc_%40a" },
	{ "grafana-service-account-token", NULL, "glsa_%32a_%8h" },
	{ "dynatrace-api-token", NULL, "dt0c01.%24u.%64u" },
	{ "azure-storage-account-key", NULL,
	  "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=%86b==;" },
	{ "azure-ad-client-secret", NULL, "%3a8Q~%34a" },
	{ "digitalocean-pat", NULL, "dop_v1_%64h" },
	{ "digitalocean-oauth-token", NULL, "doo_v1_%64h" },
	{ "digitalocean-refresh-token", NULL, "dor_v1_%64h" },
	{ "hashicorp-vault-token", NULL, "hvs.%95w" },
	{ "terraform-cloud-token", NULL, "%14a.atlasv1.%64w" },
	{ "doppler-token", NULL, "dp.pt.%43a" },
	{ "pulumi-access-token", NULL, "pul-%40h" },
	{ "cloudflare-api-token", NULL, "CLOUDFLARE_API_TOKEN=%40a" },
	{ "cloudflare-global-api-key", NULL, "CLOUDFLARE_API_KEY=%37h" },
	{ "cloudflare-origin-ca-key", NULL, "v1.0-%24h-%146h" },
	{ "fly-io-token", NULL, "fm2_%120w" },
	{ "vercel-token", NULL, "VERCEL_TOKEN=%24a" },
	{ "netlify-token", NULL, "NETLIFY_AUTH_TOKEN=nfp_%36a" },
	{ "supabase-service-key", NULL, "sbp_%40h" },
	{ "planetscale-token", NULL, "pscale_tkn_%43a" },
	{ "databricks-token", NULL, "dapi%32h" },
	{ "tailscale-key", NULL, "tskey-auth-%12a-%30a" },
	{ "onepassword-service-account-token", NULL, "ops_eyJ%260a" },
	{ "scalingo-api-token", NULL, "tk-us-%48a" },
	{ "okta-api-token", NULL, "OKTA_API_TOKEN=00%40a" },
	{ "algolia-admin-key", NULL, "ALGOLIA_ADMIN_KEY=%32h" },
	{ "linear-api-key", NULL, "lin_api_%40a" },
	{ "notion-integration-token", NULL, "ntn_%11d%35a" },
	{ "postman-api-key", NULL, "PMAK-%24h-%34h" },
	{ "atlassian-api-token", NULL, "ATATT3%190a" },
	{ "atlassian-api-token-legacy", NULL, "JIRA_API_TOKEN=%24a" },
	{ "bitbucket-app-password", NULL, "ATBB%32a" },
	{ "circleci-token", NULL, "CCIPAT_%22a_%40h" },
	{ "circleci-token-legacy", NULL, "CIRCLE_TOKEN=%40h" },
	{ "travis-ci-token", NULL, "TRAVIS_TOKEN=%22a" },
	{ "buildkite-token", NULL, "bkua_%40h" },
	{ "sourcegraph-token", NULL, "sgp_%40h" },
	{ "figma-pat", NULL, "figd_%40a" },
	{ "contentful-pat", NULL, "CFPAT-%43a" },
	{ "prefect-api-key", NULL, "pnu_%36a" },
	{ "readme-api-key", NULL, "rdme_%70l" },
	{ "infracost-api-key", NULL, "ico-%32a" },
	{ "mapbox-secret-token", NULL, "sk.eyJ%60w.%22w" },
	{ "twitter-bearer-token", NULL, "AAAAAAAAAAAAAAAAAAAAA%50a" },
	{ "vendor-credential", "config/authorize_net.yml",
	  "production:\n  login: %4L%2d%4L%2d\n" },
	{ "generic-secret", NULL, "SESSION_SECRET = \"%32a\"" },
};

static const struct sample *sample_for(const char *id)
{
	for (size_t i = 0; i < ARRAY_SIZE(samples); i++)
		if (!strcmp(samples[i].id, id))
			return &samples[i];
	return NULL;
}

static int group_setup(void **state)
{
	(void)state;
	if (rules_compile(&R, NULL) < 0)
		return -1;
	return rules_scratch_new(&S, R);
}

static int group_teardown(void **state)
{
	(void)state;
	rules_scratch_free(S);
	rules_free(R);
	return 0;
}

/* Every built-in rule is complete, compiles, and fires on its sample. */
static void test_rules_every_builtin(void **state)
{
	(void)state;
	assert_true(rules_builtin_count() >= 100);
	assert_null(rules_builtin(rules_builtin_count()));
	for (size_t i = 0; i < rules_builtin_count(); i++) {
		const struct rule *rule = rules_builtin(i);
		const struct sample *smp = sample_for(rule->id);
		struct strbuf sb = STRBUF_INIT;
		struct found f;

		assert_non_null(rule->id);
		assert_non_null(rule->description);
		assert_true(*rule->description);
		assert_non_null(rule->remediation);
		assert_true(*rule->remediation);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(rules_builtin(j)->id, rule->id))
				fail_msg("duplicate rule id %s", rule->id);
		if (!(rule->flags & RULE_PATH_CONTENT))
			if (!rule->keywords || !*rule->keywords)
				fail_msg("rule %s has no keywords", rule->id);
		if (!smp)
			fail_msg("no sample for rule %s", rule->id);
		/* Several seeds: a rule must not depend on luck. */
		for (uint64_t seed = 1; seed <= 5; seed++) {
			rng_seed(seed * 7919 + i);
			strbuf_reset(&sb);
			if (!(rule->flags & RULE_PATH_CONTENT))
				strbuf_addstr(&sb, "line one\n");
			expand(&sb, smp->tpl);
			if (!(rule->flags & RULE_PATH_CONTENT))
				strbuf_addstr(&sb, "\nlast line\n");
			scan(&f, smp->path, sb.buf, sb.len);
			if (!found_rule(&f, rule->id))
				fail_msg("rule %s missed its sample (seed %d) "
					 "%s; found '%s'",
					 rule->id, (int)seed, sb.buf,
					 f.ids.buf);
			found_release(&f);
		}
		/* The same shape with a placeholder body is silent. */
		strbuf_reset(&sb);
		expand_x(&sb, smp->tpl);
		scan(&f, smp->path && rule->regex ? smp->path : NULL, sb.buf,
		     sb.len);
		if (f.nr)
			fail_msg("rule %s fired on placeholder %s: %s",
				 rule->id, sb.buf, f.ids.buf);
		found_release(&f);
		strbuf_release(&sb);
	}
	assert_int_equal(rules_count(R), rules_builtin_count());
	assert_string_equal(rules_at(R, 0)->id, rules_builtin(0)->id);
	assert_null(rules_at(R, rules_count(R)));
}

static void expect_clean(const char *path, const char *tpl)
{
	struct strbuf sb = STRBUF_INIT;
	struct found f;

	rng_seed(4242);
	expand(&sb, tpl);
	scan(&f, path, sb.buf, sb.len);
	if (f.nr)
		fail_msg("false positive %s on: %s (secret '%s')", f.ids.buf,
			 sb.buf, f.secret.buf);
	found_release(&f);
	strbuf_release(&sb);
}

static void expect_rule(const char *path, const char *tpl, const char *id)
{
	struct strbuf sb = STRBUF_INIT;
	struct found f;

	rng_seed(99);
	expand(&sb, tpl);
	scan(&f, path, sb.buf, sb.len);
	if (!found_rule(&f, id))
		fail_msg("expected %s on: %s; found '%s'", id, sb.buf,
			 f.ids.buf);
	found_release(&f);
	strbuf_release(&sb);
}

/*
 * Past a few MB a scratch switches from the pair-table prefilter to
 * Hyperscan: both must find the same things.
 */
static void test_rules_hyperscan_path(void **state)
{
	struct rules_scratch *s = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct found f;

	(void)state;
	assert_int_equal(rules_scratch_new(&s, R), 0);
	while (sb.len < 5 * 1024 * 1024)
		strbuf_addstr(&sb, "  token = ENV.fetch(\"TOKEN\") # http\n");
	scan_with(R, s, &f, NULL, sb.buf, sb.len);
	assert_int_equal(f.nr, 0);
	found_release(&f);
	for (size_t i = 0; i < ARRAY_SIZE(samples); i++) {
		rng_seed(i + 1);
		strbuf_reset(&sb);
		expand(&sb, samples[i].tpl);
		scan_with(R, s, &f, samples[i].path, sb.buf, sb.len);
		if (!found_rule(&f, samples[i].id))
			fail_msg("hyperscan path: %s missed %s", samples[i].id,
				 sb.buf);
		found_release(&f);
	}
	rules_scratch_free(s);
	strbuf_release(&sb);
}

static void region_scan(struct rules_scratch *s, struct found *f,
			const char *path, const struct strbuf *sb, size_t from,
			size_t to)
{
	memset(f, 0, sizeof(*f));
	strbuf_init(&f->ids, 0);
	strbuf_init(&f->secret, 0);
	assert_int_equal(rules_scan_region(R, s, path, sb->buf, sb->len, from,
					   to, collect, f),
			 0);
}

static void add_filler(struct strbuf *sb, size_t n)
{
	for (size_t end = sb->len + n; sb->len < end;)
		strbuf_addstr(sb, "  total = compute(rows, 3) # a note\n");
}

/* A new scratch; with hs, one past the threshold (Hyperscan from now on),
 * scanned with sb's filler. */
static struct rules_scratch *new_scratch(int hs, struct strbuf *sb)
{
	struct rules_scratch *s = NULL;
	struct found f;

	assert_int_equal(rules_scratch_new(&s, R), 0);
	if (hs) {
		add_filler(sb, 5 * 1024 * 1024);
		scan_with(R, s, &f, NULL, sb->buf, sb->len);
		found_release(&f);
		assert_true(rules_scratch_bulk(s));
	}
	return s;
}

/*
 * rules_scan_region(): a match reaching into the changed region is found
 * whatever lies around the region, through the keyword tables and through
 * Hyperscan, even a one-byte or an empty region (a deletion that joins a
 * name to a value), and a key whose BEGIN line is 6 KB before the change.
 */
static void test_rules_region(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct found f;
	size_t tried = 0;

	(void)state;
	for (int hs = 0; hs < 2; hs++) {
		struct rules_scratch *s = new_scratch(hs, &sb);

		for (size_t i = 0; i < ARRAY_SIZE(samples); i++) {
			size_t at, mid;

			if (samples[i].path)
				continue; /* the file's shape is the rule's */
			rng_seed(i + 7);
			strbuf_reset(&sb);
			add_filler(&sb, 80 * 1024);
			at = sb.len;
			expand(&sb, samples[i].tpl);
			strbuf_addch(&sb, '\n');
			add_filler(&sb, 80 * 1024);
			scan_with(R, s, &f, samples[i].path, sb.buf, sb.len);
			if (!found_rule(&f, samples[i].id)) {
				/* needs a file of its own (the sample whole) */
				found_release(&f);
				continue;
			}
			tried++;
			mid = f.offset + f.secret_len / 2;
			assert_true(mid >= at);
			found_release(&f);
			region_scan(s, &f, samples[i].path, &sb, mid, mid + 1);
			if (!found_rule(&f, samples[i].id))
				fail_msg("%s: not found by one byte (hs %d)",
					 samples[i].id, hs);
			found_release(&f);
			region_scan(s, &f, samples[i].path, &sb, mid, mid);
			if (!found_rule(&f, samples[i].id))
				fail_msg("%s: not found by an empty region",
					 samples[i].id);
			found_release(&f);
		}
		/* a long key, changed 6 KB after its BEGIN line */
		strbuf_reset(&sb);
		add_filler(&sb, 80 * 1024);
		strbuf_addstr(&sb, "-----BEGIN RSA PRIV");
		strbuf_addstr(&sb, "ATE KEY-----\n");
		for (int l = 0; l < 100; l++) {
			expand(&sb, "%64b");
			strbuf_addch(&sb, '\n');
		}
		strbuf_addstr(&sb, "-----END RSA PRIV");
		strbuf_addstr(&sb, "ATE KEY-----\n");
		add_filler(&sb, 80 * 1024);
		region_scan(s, &f, NULL, &sb, 80 * 1024 + 6000,
			    80 * 1024 + 6001);
		assert_true(found_rule(&f, "private-key"));
		found_release(&f);
		rules_scratch_free(s);
	}
	/* most samples stand in other text: the test is not hollow */
	assert_true(tried >= ARRAY_SIZE(samples));
	strbuf_release(&sb);
}

/*
 * Two changed spans whose margins do not meet: a multi-line rule's
 * keyword that starts in the first span's margin and ends past it
 * (Hyperscan reports a keyword where it ends) belongs to the first
 * range; the second's wide margin starts where the first ended. The
 * keyword slides over that seam; the password on the next line is in
 * the second span and must be found either way (found by the fuzzer).
 */
/* The seam case through the tables (hs 0) or Hyperscan (hs 1), with the
 * keyword at each of 96 places; the number of places tried. */
static size_t seam_case(int hs)
{
	struct strbuf sb = STRBUF_INIT;
	struct rules_scratch *s = new_scratch(hs, &sb);
	struct found f;
	size_t k;

	for (k = 0; k < 96; k++) {
		struct rules_span v[2] = { { 0, 0 }, { 0, 0 } };

		strbuf_reset(&sb);
		strbuf_addstr(&sb, "a\n");
		for (size_t i = 0; i < k; i++)
			strbuf_addch(&sb, ' ');
		strbuf_addstr(&sb, "machine h login u\npassword ");
		v[1].from = sb.len;
		/* from pieces: no password-looking literal here */
		strbuf_addstr(&sb, "Vq7");
		strbuf_addstr(&sb, "rT2");
		strbuf_addstr(&sb, "wK9x");
		v[1].to = sb.len;
		strbuf_addch(&sb, '\n');
		scan_with(R, s, &f, NULL, sb.buf, sb.len);
		assert_true(found_rule(&f, "netrc-password"));
		found_release(&f);
		memset(&f, 0, sizeof(f));
		strbuf_init(&f.ids, 0);
		strbuf_init(&f.secret, 0);
		assert_int_equal(rules_scan_spans(R, s, NULL, sb.buf, sb.len, v,
						  2, collect, &f),
				 0);
		if (!found_rule(&f, "netrc-password"))
			fail_msg("keyword %zu bytes in: lost (hs %d)", k, hs);
		found_release(&f);
	}
	rules_scratch_free(s);
	strbuf_release(&sb);
	return k;
}

static void test_rules_spans_keyword_across_ranges(void **state)
{
	(void)state;
	assert_int_equal(seam_case(0) + seam_case(1), 2 * 96);
}

struct worker {
	const char *buf;
	size_t len;
	size_t found;
	int rc;
};

static int count_found(const struct rules_match *m, void *data)
{
	(void)m;
	((struct worker *)data)->found++;
	return 0;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct rules_scratch *s = NULL;

	w->rc = rules_scratch_new(&s, R);
	/* 1 MB, 5 times: each thread compiles regexes and, past the
	 * threshold, the keyword database, racing the others. */
	for (int round = 0; !w->rc && round < 5; round++)
		w->rc = rules_scan(R, s, NULL, w->buf, w->len, count_found, w);
	rules_scratch_free(s);
	return NULL;
}

/*
 * Past the threshold the keywords go through Hyperscan, whose AVX-512
 * VBMI literal engine reads beyond the end of its input (see
 * RULES_HS_OVERREAD; tests/unit/mask.c reproduces it with the masker's
 * literals, this database did not hit it): texts ending right before an
 * unmapped page, every length up to 300, a token at the very end found
 * exactly once (it is in the copied tail), nothing read past the end.
 */
static void test_rules_hyperscan_at_page_end(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	struct rules_scratch *s = NULL;
	struct strbuf big = STRBUF_INIT, tok = STRBUF_INIT;
	struct worker w = { NULL, 0, 0, 0 };
	char *map;

	(void)state;
	expand(&tok, "x = ghp_%36a");
	while (big.len < (5u << 20))
		strbuf_addstr(&big, "def plain_line(arg): return arg + 1\n");
	map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + page, (size_t)page, PROT_NONE), 0);
	assert_int_equal(rules_scratch_new(&s, R), 0);
	/* past the threshold: this scratch uses Hyperscan from now on */
	assert_int_equal(
		rules_scan(R, s, NULL, big.buf, big.len, count_found, &w), 0);
	assert_int_equal(w.found, 0);
	for (size_t n = 1; n <= 300; n++) {
		char *p = map + page - n;
		size_t fill = n > tok.len ? n - tok.len : n;

		memset(p, ' ', fill);
		if (n > tok.len)
			memcpy(p + fill, tok.buf, tok.len);
		w.found = 0;
		assert_int_equal(rules_scan(R, s, NULL, p, n, count_found, &w),
				 0);
		assert_int_equal(w.found, n > tok.len ? 1 : 0);
	}
	rules_scratch_free(s);
	munmap(map, (size_t)page * 2);
	strbuf_release(&tok);
	strbuf_release(&big);
}

/* One compiled rule set, several threads, one scratch each. */
static void test_rules_threads(void **state)
{
	struct rules *saved = R;
	struct worker w[4];
	pthread_t t[4];
	struct strbuf sb = STRBUF_INIT;
	size_t per_copy = 0;

	(void)state;
	/* A fresh set, so that lazy compilation happens under the race. */
	assert_int_equal(rules_compile(&R, NULL), 0);
	rng_seed(11);
	for (size_t i = 0; i < ARRAY_SIZE(samples); i++) {
		if (samples[i].path)
			continue;
		expand(&sb, samples[i].tpl);
		strbuf_addch(&sb, '\n');
		per_copy++;
	}
	while (sb.len < 1024 * 1024)
		strbuf_addstr(&sb,
			      "  lorem ipsum dolor sit amet, consectetur\n");
	for (int i = 0; i < 4; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].buf = sb.buf;
		w[i].len = sb.len;
		assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]),
				 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].rc, 0);
		assert_true(w[i].found > 0);
		assert_int_equal(w[i].found, w[0].found);
	}
	assert_true(per_copy > 100);
	assert_true(w[0].found >= 5 * per_copy);
	rules_free(R);
	R = saved;
	strbuf_release(&sb);
}

static void test_rules_placeholders(void **state)
{
	static const char *const neg[] = {
		"OPENAI_API_KEY='sk-...'",
		"heroku config:set OPENAI_API_KEY='sk-...'",
		"api_key: '...'",
		"API_KEY=<YOUR_KEY>",
		"api_key = 'your-api-key'",
		"token: new-key",
		"password: changeme",
		"SECRET_TOKEN=xxxxxxxxxxxxxxxxxxxxxxxx",
		"api_key = '****************'",
		"secret = REDACTED",
		"api_key = 'example-key-1234567890'",
		"auth_token = 'dummy-token-1234567890'",
		"password = 'test-password-1234567'",
		"client_secret: YOUR_CLIENT_SECRET_HERE",
		"PLAID_SECRET=your-plaid-secret",
		"sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		"api_key = \"REPLACE_WITH_YOUR_KEY_123\"",
		"password = \"\"",
		"token = nil",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(neg); i++)
		expect_clean(NULL, neg[i]);
}

static void test_rules_env_lookups(void **state)
{
	static const char *const neg[] = {
		"SECRET_KEY = ENV.fetch(\"SECRET_KEY\")",
		"api_key = ENV[\"OPENAI_API_KEY\"]",
		"password: ${DB_PASSWORD}",
		"token = $GITHUB_TOKEN",
		"secret_key_base: <%%= ENV[\"SECRET_KEY_BASE\"] %%>",
		"const apiKey = process.env.OPENAI_API_KEY;",
		"api_key = os.environ[\"OPENAI_API_KEY\"]",
		"api_key = os.environ.get(\"OPENAI_API_KEY\")",
		"token := os.Getenv(\"TOKEN\")",
		"password = getenv(\"DB_PASSWORD\")",
		"secret = Rails.application.credentials.secret_key_base",
		"token: ${{ secrets.DEPLOY_TOKEN }}",
		"PLAID_SECRET=$PLAID_SECRET",
		"access_token = SecureRandom.hex(32)",
		"auth_token = generate_token(length: 32)",
		"password_digest = BCrypt::Password.create(password)",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(neg); i++)
		expect_clean(NULL, neg[i]);
}

static void test_rules_documented_examples(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct found f;

	(void)state;
	/* AWS's documentation key pair, assembled so it is not a literal. */
	strbuf_addstr(&sb, "aws_access_key_id = AKIA");
	strbuf_addstr(&sb, "IOSFODNN7");
	strbuf_addstr(&sb, "EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/");
	strbuf_addstr(&sb, "K7MDENG/bPxRfiCY");
	strbuf_addstr(&sb, "EXAMPLEKEY\n");
	scan(&f, NULL, sb.buf, sb.len);
	assert_int_equal(f.nr, 0);
	found_release(&f);
	strbuf_release(&sb);
	/* Anything ending in EXAMPLE, whatever the body. */
	expect_clean(NULL, "key = AKIA%9UEXAMPLE");
}

static void test_rules_database_urls(void **state)
{
	static const char *const neg[] = {
		"postgres://postgres:postgres@localhost:5432/app_dev",
		"DATABASE_URL=postgresql://postgres:postgres@127.0.0.1/app",
		"mysql://root:root@127.0.0.1/app",
		"mysql2://root:password@localhost/app_test",
		"redis://:password@localhost:6379/0",
		"redis://localhost:6379",
		"amqp://guest:guest@localhost:5672",
		"postgres://app:${DB_PASSWORD}@db.prod.internal/app",
		"postgresql://app:$DB_PASS@db.prod.internal/app",
		"postgres://app:%%{password}@db.prod.internal/app",
		"url: postgres://app:<%%= ENV['DB_PASSWORD'] %%>@x.internal/app",
		"postgres://app:password@db.prod.internal/app",
		"postgres://app:changeme@db.prod.internal/app",
		"postgres://app:pass@db.prod.internal/app",
		"postgres://user:secret@host:5432/database",
		"postgres://USER:PASSWORD@HOST:5432/DB",
		"postgres://app:s3cret@example.com/app",
		"https://user:pass@example.com/",
		"https://github.com/rails/rails.git",
		"git@github.com:rails/rails.git",
		"curl -u $USER:$TOKEN https://api.example.com",
		"curl -u user:password https://api.host",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(neg); i++)
		expect_clean(NULL, neg[i]);
	/* A real password on localhost still counts. */
	expect_rule(NULL, "postgres://app:%24a@localhost/app", "postgres-url");
	expect_rule(NULL, "postgres://postgres:%24a@db:5432/app",
		    "postgres-url");
}

static void test_rules_hashes_and_ids(void **state)
{
	static const char *const neg[] = {
		"    rails (7.1.3) sha256=%64h",
		"  \"integrity\": \"sha512-%86b==\",",
		"  integrity sha512-%86b==",
		"id: %g",
		"user_id = \"%24h\"",
		"request_id=%32h",
		"commit %40h",
		"sha: %40h",
		"Merge: %7h %7h",
		"icon = \"data:image/png;base64,%200b\"",
		"background: url(data:image/png;base64,%200b)",
		"uuid: \"%g\"",
	};
	static const char *const lockfiles[] = {
		"Gemfile.lock",
		"package-lock.json",
		"yarn.lock",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(neg); i++)
		expect_clean(NULL, neg[i]);
	for (size_t i = 0; i < ARRAY_SIZE(lockfiles); i++)
		expect_clean(lockfiles[i], "  \"token\": \"sha512-%86b==\"\n"
					   "CHECKSUMS\n  rack (3.0.9) "
					   "sha256=%64h\n");
}

static void test_rules_public_keys(void **state)
{
	(void)state;
	expect_clean(NULL, "-----BEGIN "
			   "PUBLIC"
			   " KEY-----\n%64b\n%64b\n%20b\n-----END "
			   "PUBLIC"
			   " KEY-----\n");
	expect_clean(NULL, "-----BEGIN "
			   "CERTIFICATE"
			   "-----\n%64b\n%64b\n%20b\n-----END "
			   "CERTIFICATE"
			   "-----\n");
	expect_clean(NULL, "ssh-rsa AAAAB3NzaC1yc2E%300b deploy@ci\n");
	expect_clean(NULL, "public_key = \"%44b\"");
	expect_clean(NULL, "publishable_key: pk_live_%24a");
	/* A private key header with no body is documentation. */
	expect_clean(NULL, "Paste your key, it starts with -----BEGIN "
			   "RSA PRIVATE"
			   " KEY----- and ends with -----END RSA "
			   "PRIVATE"
			   " KEY-----");
	expect_clean(NULL, "-----BEGIN "
			   "OPENSSH PRIVATE"
			   " KEY-----\n...\n-----END OPENSSH "
			   "PRIVATE"
			   " KEY-----\n");
}

/* Families: positives in other shapes than the table's samples. */
static void test_rules_families(void **state)
{
	(void)state;
	expect_rule(NULL,
		    "{\"private_key\": \"-----BEGIN "
		    "PRIVATE"
		    " KEY-----\\n%64b\\n%64b\\n%64b\\n-----END "
		    "PRIVATE"
		    " KEY-----\\n\"}",
		    "private-key");
	expect_rule(NULL,
		    "-----BEGIN "
		    "EC PRIVATE"
		    " KEY-----\r\n%64b\r\n%40b\r\n-----END EC "
		    "PRIVATE"
		    " KEY-----\r\n",
		    "private-key");
	expect_rule(NULL,
		    "-----BEGIN "
		    "ENCRYPTED PRIVATE"
		    " KEY-----\n%64b\n%64b\n-----END ENCRYPTED "
		    "PRIVATE"
		    " KEY-----\n",
		    "private-key");
	expect_rule(NULL,
		    "-----BEGIN "
		    "OPENSSH PRIVATE"
		    " KEY-----\n%70b\n%70b\n%70b\n-----END OPENSSH "
		    "PRIVATE"
		    " KEY-----\n",
		    "private-key");
	expect_rule(NULL,
		    "-----BEGIN "
		    "DSA PRIVATE"
		    " KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: "
		    "AES-128-CBC,%32H\n\n%64b\n%64b\n-----END DSA "
		    "PRIVATE"
		    " KEY-----\n",
		    "private-key");
	expect_rule("config/credentials/production.key", "%32h",
		    "rails-master-key");
	expect_rule(NULL, "\"SecretAccessKey\": \"%40b\"",
		    "aws-secret-access-key");
	expect_rule(NULL, "export AWS_SECRET_ACCESS_KEY=\"%40b\"",
		    "aws-secret-access-key");
	expect_rule(NULL, "ASIA%16U", "aws-access-key-id");
	expect_rule(NULL, "heroku config:set PLAID_SECRET=%30l",
		    "plaid-secret");
	expect_rule(NULL, "access-production-%g", "plaid-access-token");
	expect_rule(NULL, "redis://default:%24a@%8x.redis.cloud:6379",
		    "redis-url");
	expect_rule(NULL, "amqp://app:%24a@%8x.cloudamqp.com/vhost",
		    "amqp-url");
	expect_rule(NULL, "config.secret_key_base = \"%128h\"",
		    "rails-secret-key-base");
	expect_rule(NULL, "sk_test_%24a", "stripe-secret-key");
	expect_rule(NULL, "curl -H 'Authorization: Basic %32b' https://x.io",
		    "authorization-header");
	expect_rule(NULL, "export DJANGO_SECRET_KEY='%50a'", "generic-secret");
	expect_rule(NULL, "  api_key: %32h", "generic-secret");
	expect_rule(NULL, "  password: \"%4a#%4a!%4a@%4a\"", "generic-secret");
	expect_rule(NULL, "{\"client_secret\": \"%8a:%8a%%%8a\"}",
		    "generic-secret");
	expect_rule(NULL, "TAXCLOUD_API_KEY: %24u", "taxcloud-api-key");
}

/* The number of findings of rule id (NULL: of any rule) in tpl at path. */
static size_t count_rule(const char *path, const char *tpl, const char *id)
{
	struct strbuf sb = STRBUF_INIT;
	struct found f;
	size_t n = 0;

	rng_seed(7);
	expand(&sb, tpl);
	scan(&f, path, sb.buf, sb.len);
	if (!id) {
		n = f.nr;
	} else {
		for (const char *p = f.ids.buf; (p = strstr(p, id)); p++)
			if (p[-1] == ',' && p[strlen(id)] == ',')
				n++;
	}
	found_release(&f);
	strbuf_release(&sb);
	return n;
}

/* Issue 14: values assigned through an index, subscript or env mapping. */
static void test_rules_subscripts(void **state)
{
	static const char *const pos[] = {
		"headers[\"X-Api-Key\"] = \"%24a\"",
		"config[:secret_key] = '%28a'",
		"ENV[\"STRIPE_SECRET_KEY\"] = \"%32a\"",
		"os.environ[\"SERVICE_API_TOKEN\"] = \"%32a\"",
		"os.environ['PAYMENT_SECRET'] = '%30a'",
		"process.env.PAYMENT_API_KEY = \"%32a\";",
		"process.env['MAILER_SECRET'] = '%28a';",
		"ENV.fetch(\"SIGNING_SECRET\", \"%30a\")",
	};
	static const char *const neg[] = {
		"headers[\"X-Api-Key\"] = api_key",
		"ENV[\"SECRET_KEY_BASE\"] = ENV.fetch(\"OTHER_SECRET\")",
		"config[:secret_key] = Rails.application.credentials.secret_key",
		"params[:api_key] = nil",
		"ENV.fetch(\"API_KEY\", nil)",
		"t(\"api_key\", \"Your API key goes here\")",
		"os.environ[\"API_TOKEN\"] = token_from_vault()",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(pos); i++)
		expect_rule("app/x.rb", pos[i], "generic-secret");
	for (size_t i = 0; i < ARRAY_SIZE(neg); i++)
		expect_clean("app/x.rb", neg[i]);
}

/* Issue 14: an id and its secret passed positionally: both reported. */
static void test_rules_sdk_positional(void **state)
{
	(void)state;
	expect_rule(NULL, "Aws::Credentials.new(\"AKIA%16u\", \"%40b\")",
		    "aws-secret-access-key");
	expect_rule(NULL, "new AWS.Credentials('AKIA%16u', '%40b')",
		    "aws-access-key-id");
	expect_rule(NULL, "Twilio::REST::Client.new('AC%32h', '%32h')",
		    "twilio-auth-token");
	expect_rule(NULL, "client = Client(\"AC%32h\", \"%32h\")",
		    "twilio-account-sid");
	expect_rule(NULL, "plaid.Client('%24h', '%30l', 'sandbox')",
		    "plaid-secret");
	expect_rule(NULL, "plaid.Client('%24h', '%30l', 'sandbox')",
		    "plaid-client-id");
	expect_rule(NULL, "Algolia::Search::Client.create('%10u', '%32h')",
		    "algolia-admin-key");
	expect_clean(NULL, "Aws::Credentials.new(ENV[\"AWS_ACCESS_KEY_ID\"], "
			   "ENV[\"AWS_SECRET_ACCESS_KEY\"])");
	expect_clean(NULL, "Twilio::REST::Client.new(account_sid, token)");
}

/* Issue 14: \" around names and values (notebooks, JSON in strings). */
static void test_rules_json_escaped(void **state)
{
	(void)state;
	expect_rule("x.ipynb", "    \"api_key = \\\"%32a\\\"\\n\",",
		    "generic-secret");
	expect_rule(NULL, "{\"body\": \"{\\\"api_key\\\": \\\"%32a\\\"}\"}",
		    "generic-secret");
	expect_rule(NULL, "B = \"{\\\"client_secret\\\":\\\"%30a\\\"}\"",
		    "generic-secret");
	expect_rule(NULL, "\"{\\\"aws_secret_access_key\\\": \\\"%40b\\\"}\"",
		    "aws-secret-access-key");
	expect_clean(NULL, "B = \"{\\\"api_key\\\": \\\"${API_KEY}\\\"}\"");
}

static void base64_add(struct strbuf *sb, const char *s, size_t len)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
				  "opqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;

		if (i + 1 < len)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < len)
			v |= (unsigned char)s[i + 2];
		strbuf_addch(sb, tab[v >> 18 & 63]);
		strbuf_addch(sb, tab[v >> 12 & 63]);
		strbuf_addch(sb, i + 1 < len ? tab[v >> 6 & 63] : '=');
		strbuf_addch(sb, i + 2 < len ? tab[v & 63] : '=');
	}
}

/* Issue 14: every entry of a Secret; data: values decoded and scanned. */
static void test_rules_kubernetes(void **state)
{
	struct strbuf key = STRBUF_INIT, tpl = STRBUF_INIT;

	(void)state;
	assert_int_equal(count_rule("k.yaml",
				    "apiVersion: v1\nkind: Secret\nmetadata:\n"
				    "  name: a\ndata:\n  user: %16b\n"
				    "  # note\n  pass: %24b\n  token: %32b\n"
				    "type: Opaque\n",
				    "kubernetes-secret"),
			 3);
	/* kubectl's order: data: before kind: */
	assert_int_equal(count_rule("k.yaml",
				    "apiVersion: v1\ndata:\n  a: %16b\n"
				    "  b: %24b\nkind: Secret\nmetadata:\n"
				    "  name: a\n",
				    "kubernetes-secret"),
			 2);
	assert_int_equal(count_rule("k.yaml",
				    "apiVersion: v1\nkind: Secret\n"
				    "stringData:\n  A: \"%20a\"\n  B: %20a\n",
				    "kubernetes-secret"),
			 2);
	/* nothing past the Secret's document */
	assert_int_equal(count_rule("k.yaml",
				    "apiVersion: v1\nkind: Secret\ndata:\n"
				    "  p: {{ .Values.p | b64enc }}\n---\n"
				    "apiVersion: v1\nkind: ConfigMap\ndata:\n"
				    "  color: %24b\n",
				    NULL),
			 0);
	/* a data: value holding a vendor key is reported as that key */
	rng_seed(3);
	strbuf_addstr(&key, "sk_");
	strbuf_addstr(&key, "live_");
	expand(&key, "%24a");
	strbuf_addstr(&tpl, "apiVersion: v1\nkind: Secret\ndata:\n  k: ");
	base64_add(&tpl, key.buf, key.len);
	strbuf_addch(&tpl, '\n');
	assert_int_equal(count_rule("k.yaml", tpl.buf, "stripe-secret-key"), 1);
	assert_int_equal(count_rule("k.yaml", tpl.buf, NULL), 1);
	strbuf_release(&key);
	strbuf_release(&tpl);
}

/* Issue 14: a vendor named by the file's path or neighbouring keys. */
static void test_rules_vendor_file(void **state)
{
	(void)state;
	expect_rule("config/authorize_net.yml",
		    "production:\n  login: %4L%2d%4L\n", "vendor-credential");
	expect_rule("config/services.json",
		    "{\n \"sendgrid\": {\n  \"key\": \"%12L%4d\"\n }\n}\n",
		    "vendor-credential");
	expect_rule("config/initializers/p.rb",
		    "Pusher.app_id = '1'\nPusher.key = '%12L%4d'\n",
		    "vendor-credential");
	/* no vendor, no finding; not in other file types either */
	expect_clean("config/cache.yml", "production:\n  key: %12L%4d\n");
	expect_clean("app/stripe.txt", "key: %12L%4d\n");
	expect_clean("config/stripe.yml",
		     "production:\n  key: <%%= ENV[\"STRIPE_KEY\"] %%>\n"
		     "  login: admin\n  token: payment_method_id\n");
}

/* Issue 14: real-code shapes; one secret twice on a line is one. */
static void test_rules_code_shapes(void **state)
{
	(void)state;
	expect_clean("test/models/k.rb",
		     "    @api_key.expires_at = 1.day.from_now\n"
		     "    @token.refreshed_at = 30.minutes.ago\n");
	expect_clean("config/secrets.yml",
		     "#   api_key: a1B2c3D4e5F6\n#   token: abcdef123456\n");
	expect_clean("guides/source/setup.md", "    api_key = \"%32a\"\n");
	expect_rule("guides/source/setup.md", "    key = \"sk_live_%24a\"\n",
		    "stripe-secret-key");
	expect_clean("lib/f.c",
		     "printf(\"{\\\"token\\\": \\\"ab-%%86b==\\\"}\");");
	assert_int_equal(count_rule(NULL,
				    "H = { \"api_key\" => \"%32a\", "
				    "\"x-api-key\" => \"%32a\" }\n",
				    NULL),
			 2);
	rng_seed(5);
	{
		struct strbuf sb = STRBUF_INIT, v = STRBUF_INIT;
		struct found f;

		expand(&v, "%32a");
		strbuf_addf(&sb,
			    "H = { \"api_key\" => \"%s\", \"x-api-key\" "
			    "=> \"%s\" }\n",
			    v.buf, v.buf);
		scan(&f, NULL, sb.buf, sb.len);
		assert_int_equal(f.nr, 1);
		found_release(&f);
		strbuf_release(&sb);
		strbuf_release(&v);
	}
}

static void test_rules_generic_negatives(void **state)
{
	static const char *const neg[] = {
		"tokenizer = build_tokenizer_v2",
		"token_type = \"bearer_token_v2\"",
		"password_length = 1234567890123",
		"secret_name = \"prod-db-secret-v2\"",
		"csrf_token = form_authenticity_token",
		"TOKEN_URL=https://oauth2.googleapis.com/token",
		"api_key_path: /etc/keys/api1.key",
		"\"keyboard\": \"ctrl+shift+down\"",
		"monkey = banana",
		"apiVersion: apps/v1",
		"author: Jane Doe <jane@example.com>",
		"password = \"hunter2\"",
		"secret: MY_SECRET_NAME_123",
		"token_expired: \"Your token has expired 2 times\"",
		"password_format = \"[A-Za-z0-9]{12,}\"",
		"SECRET_ARN = \"arn:aws:secretsmanager:us-east-1:1234:x\"",
		"token: \"https://hooks.internal.io/abc123def456\"",
		"private_key: \"./config/keys/prod_2024.pem\"",
		"password: \"%%{password_2024_value}\"",
		"secret = \"${SECRET_VALUE_2024}\"",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(neg); i++)
		expect_clean(NULL, neg[i]);
}

static void test_rules_deploy_guide(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct found f;

	(void)state;
	assert_int_equal(fs_read_capped(&sb,
					"tests/fixtures/rules/deploy-guide.md",
					1 << 20),
			 0);
	assert_true(sb.len > 1000);
	scan(&f, "docs/deploy.md", sb.buf, sb.len);
	if (f.nr)
		fail_msg("deploy guide: %s at line %zu ('%s')", f.ids.buf,
			 f.line, f.secret.buf);
	found_release(&f);
	strbuf_release(&sb);
}

/* docs/rules.md has a row, with an anchor, for every built-in rule. */
static void test_rules_doc_table(void **state)
{
	struct strbuf sb = STRBUF_INIT, row = STRBUF_INIT;

	(void)state;
	assert_int_equal(fs_read_capped(&sb, "docs/rules.md", 1 << 20), 0);
	for (size_t i = 0; i < rules_builtin_count(); i++) {
		const char *at, *end;
		bool doc_binary;

		strbuf_reset(&row);
		/* the anchor is the helpUri of SARIF reports */
		strbuf_addf(&row, "| <a id=\"%s\"></a>`%s` | %s |",
			    rules_builtin(i)->id, rules_builtin(i)->id,
			    rules_builtin(i)->description);
		at = strstr(sb.buf, row.buf);
		end = at ? strchr(at, '\n') : NULL;

		if (!at || !end)
			fail_msg("docs/rules.md lacks a row for %s",
				 rules_builtin(i)->id);
		/* the last column says whether the rule runs on binary data */
		doc_binary = end - at > 6 && !strncmp(end - 6, " yes |", 6);
		if (doc_binary != !!(rules_builtin(i)->flags & RULE_BINARY))
			fail_msg("docs/rules.md: binary column of %s is wrong",
				 rules_builtin(i)->id);
	}
	strbuf_release(&row);
	strbuf_release(&sb);
}

/*
 * The rules module's own files must be clean under its own rules. Every
 * one must be read: a test that silently reads nothing (run from another
 * directory, a file renamed) would pass while checking nothing.
 */
static void test_rules_self_scan(void **state)
{
	static const char *const files[] = {
		"src/rules/builtin.c",
		"src/rules/match.c",
		"src/rules/compile.c",
		"src/rules/prefilter.c",
		"src/rules/window.c",
		"src/rules/matcher.h",
		"src/rules/filter.c",
		"bench/detect_corpus.py",
		"src/rules/rules-internal.h",
		"include/slugguard/rules.h",
		"tests/unit/rules.c",
		"docs/rules.md",
		"bench/rules_bench.c",
		"bench/rules.sh",
		"tests/fixtures/rules/deploy-guide.md",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		struct strbuf sb = STRBUF_INIT;
		struct found f;

		if (fs_read_capped(&sb, files[i], 16 << 20) < 0)
			fail_msg("%s (the unit tests run from the top "
				 "directory)",
				 error_last());
		scan(&f, files[i], sb.buf, sb.len);
		if (f.nr)
			fail_msg("%s: %s at line %zu ('%s')", files[i],
				 f.ids.buf, f.line, f.secret.buf);
		found_release(&f);
		strbuf_release(&sb);
	}
}

static void test_rules_entropy(void **state)
{
	(void)state;
	assert_true(rules_entropy("", 0) == 0);
	assert_true(rules_entropy("aaaa", 4) == 0);
	assert_true(rules_entropy("ab", 2) > 0.999 &&
		    rules_entropy("ab", 2) < 1.001);
	assert_true(rules_entropy("0123456789abcdef", 16) > 3.999);
	/* The entropy floor drops a low-entropy body. */
	expect_clean(NULL, "ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab");
}

static void test_rules_positions(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct found f;

	(void)state;
	rng_seed(5);
	strbuf_addstr(&sb, "first\r\nsecond line\r\n  x = ");
	expand(&sb, "ghp_%36a");
	strbuf_addstr(&sb, "\r\n");
	scan(&f, NULL, sb.buf, sb.len);
	assert_int_equal(f.nr, 1);
	assert_int_equal(f.line, 3);
	assert_int_equal(f.column, 7);
	assert_int_equal(f.offset, 26);
	assert_int_equal(f.secret_len, 40);
	assert_memory_equal(f.secret.buf, "ghp_", 4);
	found_release(&f);

	/* No trailing newline, secret at the very end. */
	strbuf_setlen(&sb, sb.len - 2);
	scan(&f, NULL, sb.buf, sb.len);
	assert_int_equal(f.nr, 1);
	assert_int_equal(f.line, 3);
	found_release(&f);

	/* Several findings come back in buffer order. */
	strbuf_reset(&sb);
	expand(&sb, "a npm_%36a\nb\nc ghp_%36a d glpat-%20a\n");
	scan(&f, NULL, sb.buf, sb.len);
	assert_int_equal(f.nr, 3);
	assert_string_equal(f.ids.buf,
			    ",npm-access-token,github-pat,gitlab-pat,");
	found_release(&f);
	strbuf_release(&sb);
}

static void test_rules_invalid_utf8_and_binary(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct found f;

	(void)state;
	rng_seed(6);
	strbuf_addstr(&sb, "\xff\xfe\xc3(\x80 caf\xe9 = ");
	expand(&sb, "ghp_%36a");
	strbuf_addstr(&sb, "\xc0\xaf\n\x01\x02\x7f tail \xed\xa0\x80");
	scan(&f, NULL, sb.buf, sb.len);
	assert_int_equal(f.nr, 1);
	assert_int_equal(f.column, 14);
	found_release(&f);
	/* Embedded NULs do not stop the scan. */
	strbuf_reset(&sb);
	strbuf_add(&sb, "a\0b\0", 4);
	expand(&sb, " ghp_%36a");
	scan(&f, NULL, sb.buf, sb.len);
	assert_int_equal(f.nr, 1);
	found_release(&f);
	strbuf_release(&sb);
}

static void test_rules_long_line(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct found f;

	(void)state;
	rng_seed(7);
	/* 5 MB on one line, keyword-dense, with two secrets inside. */
	while (sb.len < 5 * 1024 * 1024)
		strbuf_addstr(&sb, "token=abc key- secret: x; postgres http ");
	expand(&sb, " ghp_%36a ");
	while (sb.len < 10 * 1024 * 1024 / 2 + 4096)
		strbuf_addstr(&sb, "xoxb- api_key= eyJ sk-proj- ");
	expand(&sb, " npm_%36a");
	scan(&f, NULL, sb.buf, sb.len);
	assert_int_equal(f.nr, 2);
	assert_int_equal(f.line, 1);
	found_release(&f);
	strbuf_release(&sb);
}

static void test_rules_inline_allow(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct found f;

	(void)state;
	rng_seed(8);
	expand(&sb, "a = ghp_%36a # slugguard:allow\nb = npm_%36a\n"
		    "c = ghp_%36a # gitleaks:allow\n");
	scan(&f, NULL, sb.buf, sb.len);
	assert_int_equal(f.nr, 1);
	assert_true(found_rule(&f, "npm-access-token"));
	assert_int_equal(f.line, 2);
	found_release(&f);
	strbuf_release(&sb);
}

/* gitleaks' secretGroup and regexTarget "match" and "line". */
static void test_rules_secret_group_and_targets(void **state)
{
	static const char *const match_re[] = { "^acme_id=a" };
	static const char *const line_re[] = { "^seed " };
	struct rule extra[] = {
		{ .id = "acme-pair",
		  .description = "Acme pair",
		  .regex = "acme_id=([a-z]{6}) acme_key=([a-z0-9]{24})"
			   "(?: (x))?",
		  .keywords = "acme_",
		  .secret_group = 2 },
		{ .id = "acme-opt",
		  .description = "Acme optional group",
		  .regex = "acme_id=([a-z]{6}) acme_key=([a-z0-9]{24})"
			   "(?: (x))?",
		  .keywords = "acme_",
		  .secret_group = 3 },
	};
	struct rules_config cfg = { 0 };
	struct rules *r = NULL;
	struct rules_scratch *s = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct found f;

	(void)state;
	cfg.extra = extra;
	cfg.extra_nr = ARRAY_SIZE(extra);
	assert_int_equal(rules_compile(&r, &cfg), 0);
	assert_int_equal(rules_scratch_new(&s, r), 0);
	rng_seed(11);
	expand(&sb, "k acme_id=bcdefg acme_key=%24l\n");
	scan_with(r, s, &f, "a.txt", sb.buf, sb.len);
	/* group 3 took no part: acme-opt reports nothing */
	assert_string_equal(f.ids.buf, ",acme-pair,");
	assert_int_equal(f.column, 27);
	assert_int_equal(f.secret_len, 24);
	found_release(&f);
	rules_scratch_free(s);
	rules_free(r);

	cfg.extra_nr = 1;
	cfg.allow_match_regexes = match_re;
	cfg.allow_match_regexes_nr = 1;
	cfg.allow_line_regexes = line_re;
	cfg.allow_line_regexes_nr = 1;
	assert_int_equal(rules_compile(&r, &cfg), 0);
	assert_int_equal(rules_scratch_new(&s, r), 0);
	strbuf_reset(&sb);
	expand(&sb, "k acme_id=abcdef acme_key=%24l\n"
		    "seed acme_id=bcdefg acme_key=%24l\n"
		    "k acme_id=bcdefg acme_key=%24l\n");
	scan_with(r, s, &f, "a.txt", sb.buf, sb.len);
	assert_int_equal(f.nr, 1);
	assert_int_equal(f.line, 3);
	found_release(&f);
	rules_scratch_free(s);
	rules_free(r);
	assert_int_equal(rules_check_regex("a(b"), ERR_FAIL);
	assert_non_null(strstr(error_last(), "invalid regex at offset 3"));
	error_clear();
	assert_int_equal(rules_check_regex("(?i)a\\d{2,}"), 0);
	strbuf_release(&sb);
}

static void test_rules_config(void **state)
{
	static const char *const stop[] = { "FIXTURE" };
	static const char *const allow_re[] = { "^ghp_0" };
	static const char *const allow_path[] = { "^vendor/", "\\.snap$" };
	static const char *const disabled[] = { "npm-access-token" };
	static const char *const bad_path[] = { "([" };
	struct rule extra[] = {
		{ .id = "acme-token",
		  .description = "Acme token",
		  .regex = "\\b(acme_[a-z0-9]{20})\\b",
		  .keywords = "ACME_",
		  .remediation = "rotate at acme" },
		{ .id = "acme-nokw",
		  .description = "Acme, no keywords",
		  .regex = "\\b(zz[0-9]{12})\\b" },
	};
	struct rules_config cfg = { 0 };
	struct rules *r = NULL;
	struct rules_scratch *s = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct found f;

	(void)state;
	cfg.extra = extra;
	cfg.extra_nr = ARRAY_SIZE(extra);
	cfg.stopwords = stop;
	cfg.stopwords_nr = 1;
	cfg.allow_regexes = allow_re;
	cfg.allow_regexes_nr = 1;
	cfg.allow_paths = allow_path;
	cfg.allow_paths_nr = 2;
	cfg.disabled = disabled;
	cfg.disabled_nr = 1;
	assert_int_equal(rules_compile(&r, &cfg), 0);
	assert_int_equal(rules_count(r), rules_builtin_count() + 1);
	assert_int_equal(rules_scratch_new(&s, r), 0);
	assert_true(rules_path_allowed(r, "vendor/x.rb"));
	assert_true(rules_path_allowed(r, "a/b.snap"));
	assert_false(rules_path_allowed(r, "app/x.rb"));
	assert_false(rules_path_allowed(R, "vendor/x.rb"));

	rng_seed(9);
	expand(&sb, "x acme_%20l y\nz npm_%36a\nzz%12d\n"
		    "ghp_0%35a\nghp_1%34aFIXTURE\nghp_2%35a\n");
	scan_with(r, s, &f, "app/x.rb", sb.buf, sb.len);
	assert_string_equal(f.ids.buf, ",acme-token,acme-nokw,github-pat,");
	assert_int_equal(f.nr, 3);
	found_release(&f);
	scan_with(r, s, &f, "vendor/x.rb", sb.buf, sb.len);
	assert_int_equal(f.nr, 0);
	found_release(&f);
	rules_scratch_free(s);
	rules_free(r);

	/* A bad regex names the rule and the offset. */
	extra[0].regex = "(acme_[a-z";
	cfg.extra_nr = 1;
	assert_int_equal(rules_compile(&r, &cfg), ERR_FAIL);
	assert_null(r);
	assert_non_null(strstr(error_last(), "rule 'acme-token': invalid "
					     "regex at offset"));
	error_clear();
	/* A bad allow regex too. */
	cfg.extra_nr = 0;
	cfg.allow_paths = bad_path;
	cfg.allow_paths_nr = 1;
	assert_int_equal(rules_compile(&r, &cfg), ERR_FAIL);
	assert_non_null(strstr(error_last(), "invalid regex"));
	error_clear();
	strbuf_release(&sb);
}

/* A config rule with a built-in's id replaces the built-in. */
static void test_rules_override(void **state)
{
	struct rule extra = { .id = "github-pat",
			      .description = "GitHub token, our way",
			      .regex = "\\b(ghp_[A-Za-z0-9]{8})\\b",
			      .keywords = "ghp_" };
	struct rules_config cfg = { 0 };
	struct rules *r = NULL;
	struct rules_scratch *s = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct found f;

	(void)state;
	cfg.extra = &extra;
	cfg.extra_nr = 1;
	assert_int_equal(rules_compile(&r, &cfg), 0);
	assert_int_equal(rules_count(r), rules_builtin_count());
	assert_int_equal(rules_scratch_new(&s, r), 0);
	rng_seed(12);
	expand(&sb, "a ghp_%36a\nb ghp_%8a\n");
	scan_with(r, s, &f, NULL, sb.buf, sb.len);
	assert_int_equal(f.nr, 1);
	assert_int_equal(f.line, 2);
	assert_string_equal(f.ids.buf, ",github-pat,");
	found_release(&f);
	rules_scratch_free(s);
	rules_free(r);
	strbuf_release(&sb);
}

static int count_cb(const struct rules_match *m, void *data)
{
	(void)m;
	(*(int *)data)++;
	return 0;
}

static int stop_cb(const struct rules_match *m, void *data)
{
	(void)m;
	(void)data;
	return ERR_REJECTED;
}

static void test_rules_path_only_and_stop(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	int n = 0;

	(void)state;
	assert_int_equal(rules_scan_path(R, S, "keys/app.PFX", count_cb, &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(rules_scan_path(R, S, "keys/app.pem", count_cb, &n),
			 0);
	assert_int_equal(n, 1);
	rng_seed(10);
	expand(&sb, "ghp_%36a\n");
	assert_int_equal(rules_scan(R, S, NULL, sb.buf, sb.len, stop_cb, NULL),
			 ERR_REJECTED);
	/* Empty and NULL buffers are fine. */
	assert_int_equal(rules_scan(R, S, NULL, NULL, 0, count_cb, &n), 0);
	assert_int_equal(rules_scan(R, S, "x", "", 0, count_cb, &n), 0);
	assert_int_equal(n, 1);
	strbuf_release(&sb);
}

/*
 * A regex runs interpreted for its first JIT_AFTER bytes of subject in a
 * scratch, then through one JIT copy shared by the scratches: the same
 * finding at the same place on both sides of the switch, for a rule's
 * regex (github-pat) and a path rule's (pkcs12-file).
 */
static void test_rules_jit_after_use(void **state)
{
	struct rules *r = NULL;
	struct rules_scratch *s = NULL, *s2 = NULL;
	struct strbuf sb = STRBUF_INIT;
	size_t pat = SIZE_MAX, p12 = SIZE_MAX, rounds = 0;
	const char *path = "certs/prod.p12";
	struct found first;

	(void)state;
	memset(&first, 0, sizeof(first));
	assert_int_equal(rules_compile(&r, NULL), 0);
	assert_int_equal(rules_scratch_new(&s, r), 0);
	assert_int_equal(rules_scratch_new(&s2, r), 0);
	for (size_t i = 0; i < r->nr; i++) {
		if (!strcmp(r->rule[i]->id, "github-pat"))
			pat = i;
		if (!strcmp(r->rule[i]->id, "pkcs12-file"))
			p12 = i;
	}
	assert_true(pat < r->nr && p12 < r->nr);
	rng_seed(12);
	expand(&sb, "token = ghp_%36a\n");
	assert_int_equal(
		rules_scan(r, s, NULL, sb.buf, sb.len, collect, &first), 0);
	assert_int_equal(first.nr, 1);
	assert_null(r->lazy->jit[pat]);
	while (!r->lazy->jit[pat]) {
		struct found f;

		memset(&f, 0, sizeof(f));
		assert_true(rounds++ < JIT_AFTER);
		assert_int_equal(
			rules_scan(r, s, NULL, sb.buf, sb.len, collect, &f), 0);
		assert_int_equal(f.nr, 1);
		assert_int_equal(f.offset, first.offset);
		assert_int_equal(f.secret_len, first.secret_len);
		assert_string_equal(f.ids.buf, first.ids.buf);
		found_release(&f);
	}
	/* Past the switch: the copy, and another scratch's first use of it
	 * finds the same. */
	for (int k = 0; k < 2; k++) {
		struct found f;

		memset(&f, 0, sizeof(f));
		assert_int_equal(rules_scan(r, k ? s2 : s, NULL, sb.buf, sb.len,
					    collect, &f),
				 0);
		assert_int_equal(f.nr, 1);
		assert_int_equal(f.offset, first.offset);
		found_release(&f);
	}
	rounds = 0;
	assert_null(r->lazy->path_jit[p12]);
	while (!r->lazy->path_jit[p12]) {
		int n = 0;

		assert_true(rounds++ < JIT_AFTER);
		assert_int_equal(rules_scan_path(r, s, path, count_cb, &n), 0);
		assert_int_equal(n, 1);
	}
	for (int k = 0; k < 2; k++) {
		int n = 0;

		assert_int_equal(rules_scan_path(r, s, path, count_cb, &n), 0);
		assert_int_equal(rules_scan_path(r, s, "certs/prod.pem",
						 count_cb, &n),
				 0);
		assert_int_equal(n, 1);
	}
	found_release(&first);
	strbuf_release(&sb);
	rules_scratch_free(s2);
	rules_scratch_free(s);
	rules_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_every_builtin),
		cmocka_unit_test(test_rules_hyperscan_path),
		cmocka_unit_test(test_rules_threads),
		cmocka_unit_test(test_rules_placeholders),
		cmocka_unit_test(test_rules_env_lookups),
		cmocka_unit_test(test_rules_documented_examples),
		cmocka_unit_test(test_rules_database_urls),
		cmocka_unit_test(test_rules_hashes_and_ids),
		cmocka_unit_test(test_rules_public_keys),
		cmocka_unit_test(test_rules_families),
		cmocka_unit_test(test_rules_generic_negatives),
		cmocka_unit_test(test_rules_subscripts),
		cmocka_unit_test(test_rules_sdk_positional),
		cmocka_unit_test(test_rules_json_escaped),
		cmocka_unit_test(test_rules_kubernetes),
		cmocka_unit_test(test_rules_vendor_file),
		cmocka_unit_test(test_rules_code_shapes),
		cmocka_unit_test(test_rules_deploy_guide),
		cmocka_unit_test(test_rules_doc_table),
		cmocka_unit_test(test_rules_self_scan),
		cmocka_unit_test(test_rules_entropy),
		cmocka_unit_test(test_rules_positions),
		cmocka_unit_test(test_rules_invalid_utf8_and_binary),
		cmocka_unit_test(test_rules_long_line),
		cmocka_unit_test(test_rules_inline_allow),
		cmocka_unit_test(test_rules_secret_group_and_targets),
		cmocka_unit_test(test_rules_config),
		cmocka_unit_test(test_rules_override),
		cmocka_unit_test(test_rules_path_only_and_stop),
		cmocka_unit_test(test_rules_jit_after_use),
		cmocka_unit_test(test_rules_hyperscan_at_page_end),
		cmocka_unit_test(test_rules_region),
		cmocka_unit_test(test_rules_spans_keyword_across_ranges),
	};

	return cmocka_run_group_tests_name("rules", tests, group_setup,
					   group_teardown);
}
