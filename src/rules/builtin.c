/* SPDX-License-Identifier: MIT */
/*
 * The built-in rule table, written from the providers' published key
 * formats. Every rule: id, description, PCRE2 regex (group 1 = secret),
 * lowercase prefilter keywords, optional entropy floor, remediation.
 * docs/rules.md lists them; tests/unit/rules.c generates a sample of each.
 *
 * Regexes are matched without PCRE2_UTF, with PCRE2_MULTILINE, over a
 * window around a keyword hit (the line, or 64 KiB for RX_MULTILINE).
 */
#include "slugguard/common.h"
#include "rules/rules-internal.h"

/* A token starts/ends where no token character touches it. */
#define B "(?<![A-Za-z0-9_-])"
#define E "(?![A-Za-z0-9_-])"
/* End of a base64-ish value. */
#define E64 "(?![A-Za-z0-9+/=_-])"
/* Assignment between a name and its value: = := : => ?= ||= with quotes. */
#define OP OP_BARE "(?:\\\\?[\"'\\x60])?"
/*
 * The same without the opening quote of the value. The name may close a
 * quote, JSON-escaped (\" inside a JSON string or a notebook) or not,
 * and a subscript: ENV["X"] =, headers['X'] =, config[:x] =.
 */
#define OP_BARE                               \
	"(?:\\\\?[\"'\\x60])?\\]?[ \\t]{0,3}" \
	"(?:=|:=|::=|:|=>|\\?=|\\|\\|=)[ \\t]{0,3}"
/*
 * Between two quoted arguments of a call: the first's closing quote, a
 * comma, the second's opening quote (SDK constructors that take an id
 * and its secret positionally).
 */
#define ARG "\\\\?[\"'][ \\t]*,[ \\t]*\\\\?[\"']"
/* A name containing ids (case-insensitive), then an assignment. */
#define CTX(ids) "(?i:" ids ")[A-Za-z0-9_.-]{0,30}?" OP
#define UUID                                                           \
	"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-" \
	"[0-9a-fA-F]{12}"
#define SETX(var) " and set the new one with heroku config:set " var "=..."

#define R(id_, desc_, re_, kw_, ent_, rem_)      \
	{                                        \
		.rule = { .id = id_,             \
			  .description = desc_,  \
			  .regex = re_,          \
			  .keywords = kw_,       \
			  .entropy = ent_,       \
			  .remediation = rem_ }, \
	}
#define RX(id_, desc_, re_, kw_, ent_, rem_, flags_, xflags_, check_) \
	{                                                             \
		.rule = { .id = id_,                                  \
			  .description = desc_,                       \
			  .regex = re_,                               \
			  .keywords = kw_,                            \
			  .entropy = ent_,                            \
			  .remediation = rem_,                        \
			  .flags = flags_ },                          \
		.xflags = xflags_, .check = check_,                   \
	}

/*
 * A rule that needs no context: the secret carries its own vendor prefix
 * (sk-proj-, AKIA, ghp_, xoxb-...), so a hit in the printable runs of a
 * binary file means as much as in text. Such rules also run on binary
 * files; rules that need a variable name or a URL around the value do
 * not (their context is what binary data garbles).
 */
#define P(id_, desc_, re_, kw_, ent_, rem_) \
	RX(id_, desc_, re_, kw_, ent_, rem_, RULE_BINARY, 0, NULL)

/* A quoted value of a generic rule, quotes JSON-escaped or not. */
#define GQUOTED                                      \
	"\\\\?\"([^\"\\s$<>{}\\\\]{12,200})\\\\?\"|" \
	"\\\\?'([^'\\s$<>{}\\\\]{12,200})\\\\?'"

/* DB URL: scheme (with an optional +driver), user, password, host. */
#define DBURL(schemes)                                \
	"(?i)\\b(?:" schemes ")(?:\\+[a-z0-9_]+)?://" \
	"[^\\s:@/'\"<>]*:([^\\s@/'\"<>]{1,256})@[^\\s/:?#'\"<>,;]+"

const struct builtin_rule rules_builtin_table[] = {
	/* ---- OpenAI ---- */
	P("openai-api-key", "OpenAI API key (legacy user key)",
	  B "(sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})" E, "t3blbkfj", 3.0,
	  "Revoke at https://platform.openai.com/api-keys" SETX(
		  "OPENAI_API_KEY")),
	P("openai-project-key", "OpenAI project API key",
	  B "(sk-proj-[A-Za-z0-9_-]{40,250})" E, "sk-proj-", 3.5,
	  "Revoke at https://platform.openai.com/api-keys" SETX(
		  "OPENAI_API_KEY")),
	P("openai-service-account-key", "OpenAI service account key",
	  B "(sk-svcacct-[A-Za-z0-9_-]{40,250})" E, "sk-svcacct-", 3.5,
	  "Revoke at https://platform.openai.com/settings/organization/"
	  "projects (service accounts)" SETX("OPENAI_API_KEY")),
	P("openai-admin-key", "OpenAI admin API key",
	  B "(sk-admin-[A-Za-z0-9_-]{40,250})" E, "sk-admin-", 3.5,
	  "Revoke at https://platform.openai.com/settings/organization/"
	  "admin-keys" SETX("OPENAI_ADMIN_KEY")),

	/* ---- AWS ---- */
	P("aws-access-key-id", "AWS access key ID",
	  "(?<![A-Z0-9])((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)"
	  "(?![A-Z0-9]{9}EXAMPLE)[A-Z0-9]{16})(?![A-Z0-9])",
	  "akia,asia,abia,acca,a3t", 3.0,
	  "Deactivate and delete the key in AWS IAM (https://console.aws.amazon"
	  ".com/iam/home#/security_credentials), create a new one" SETX(
		  "AWS_ACCESS_KEY_ID")),
	RX("aws-secret-access-key", "AWS secret access key",
	   "(?:(?i:aws[A-Za-z0-9_.-]{0,20}?secret|secret[_.-]?access[_.-]?"
	   "key)[A-Za-z0-9_.-]{0,20}?" OP "|"
	   /* Aws::Credentials.new("AKIA...", "...") */
	   "(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}" ARG ")"
	   "([A-Za-z0-9/+]{40})" E64,
	   "aws,secret_access,secretaccess,secret-access,akia,asia", 3.5,
	   "Deactivate the access key in AWS IAM, create a new pair" SETX(
		   "AWS_SECRET_ACCESS_KEY"),
	   0, RX_MIXED, NULL),
	R("aws-session-token", "AWS session token",
	  CTX("aws[_.-]?session[_.-]?token|sessiontoken|security[_.-]?token") "([A-Za-z0-9/+=]{100,2000})" E64,
	  "session_token,sessiontoken,session-token,security_token,"
	  "securitytoken",
	  4.0,
	  "Revoke the role session (AWS IAM: revoke active sessions) and "
	  "stop storing temporary credentials in files"),
	P("aws-bedrock-api-key", "Amazon Bedrock long-term API key",
	  B "(ABSK[A-Za-z0-9+/]{109,269}={0,2})" E64, "absk", 3.5,
	  "Delete the key in the Amazon Bedrock console (API keys)" SETX(
		  "AWS_BEARER_TOKEN_BEDROCK")),

	/* ---- Plaid ---- */
	R("plaid-client-id", "Plaid client ID",
	  "(?|" CTX("plaid") "([a-f0-9]{24})" E "|(?i:plaid)[^\\n]{0,80}?\\("
			     "[^\\n]{0,40}?[\"']([a-f0-9]{24})" ARG
			     "[a-z0-9]{30}[\"'])",
	  "plaid", 3.0,
	  "Client IDs are not secret alone, but rotate the secret paired with "
	  "it at https://dashboard.plaid.com/developers/keys" SETX(
		  "PLAID_CLIENT_ID")),
	R("plaid-secret", "Plaid secret",
	  "(?:" CTX("plaid") "|(?i:plaid)[^\\n]{0,80}?\\([^\\n]{0,40}?"
			     "[\"'][a-f0-9]{24}" ARG ")([a-z0-9]{30})" E,
	  "plaid", 3.0,
	  "Rotate at https://dashboard.plaid.com/developers/keys" SETX(
		  "PLAID_SECRET")),
	P("plaid-access-token", "Plaid access token",
	  B "(access-(?:sandbox|development|production)-" UUID ")" E,
	  "access-sandbox-,access-development-,access-production-", 3.0,
	  "Invalidate with Plaid /item/access_token/invalidate (or remove "
	  "the Item) and store tokens in the database, not in code"),

	/* ---- TaxCloud ---- */
	R("taxcloud-api-login-id", "TaxCloud API login ID",
	  CTX("taxcloud[A-Za-z0-9_.-]{0,20}?(?:login|id)") "([A-Za-z0-9]{6,12})" E,
	  "taxcloud", 2.5,
	  "Rotate the API credentials at https://taxcloud.com (Websites > "
	  "API) " SETX("TAXCLOUD_API_LOGIN_ID")),
	R("taxcloud-api-key", "TaxCloud API key",
	  CTX("taxcloud[A-Za-z0-9_.-]{0,20}?key") "([A-Za-z0-9]{8}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-"
						  "[A-Za-z0-9]{12}|[A-Za-z0-9]{16,40})" E,
	  "taxcloud", 3.0,
	  "Rotate the API key at https://taxcloud.com (Websites > API)" SETX(
		  "TAXCLOUD_API_KEY")),

	/* ---- Heroku ---- */
	P("heroku-api-key", "Heroku API key", B "(HRKU-AA[A-Za-z0-9_-]{58})" E,
	  "hrku-", 3.5,
	  "Revoke at https://dashboard.heroku.com/account/applications "
	  "(or heroku authorizations:revoke) and create a new authorization"),
	R("heroku-oauth-secret", "Heroku OAuth client secret",
	  CTX("heroku[A-Za-z0-9_.-]{0,20}?(?:oauth|client)[A-Za-z0-9_.-]{0,"
	      "20}?secret") "(" UUID ")" E,
	  "heroku", 3.0,
	  "Rotate the client secret at https://dashboard.heroku.com/account/"
	  "applications"),

	R("heroku-api-key-legacy", "Heroku API key (legacy UUID form)",
	  CTX("heroku[A-Za-z0-9_.-]{0,20}?(?:api[_.-]?key|token|auth|"
	      "password|secret)") "(" UUID ")" E,
	  "heroku", 3.0,
	  "Regenerate at https://dashboard.heroku.com/account (API Key) or "
	  "heroku authorizations:revoke"),
	/* ---- database and service URLs ---- */
	RX("postgres-url", "PostgreSQL URL with an embedded password",
	   DBURL("postgres(?:ql)?|pgsql"), "postgres,pgsql", 0,
	   "Rotate the database password (heroku pg:credentials:rotate) and "
	   "read the URL from DATABASE_URL",
	   0, 0, rules_check_url_password),
	RX("mysql-url", "MySQL/MariaDB URL with an embedded password",
	   DBURL("mysql2?|mariadb"), "mysql,mariadb", 0,
	   "Change the database user's password and read the URL from the "
	   "environment (DATABASE_URL)",
	   0, 0, rules_check_url_password),
	RX("redis-url", "Redis URL with an embedded password", DBURL("rediss?"),
	   "redis", 0,
	   "Rotate the Redis password (heroku redis:credentials --reset) and "
	   "read REDIS_URL from the environment",
	   0, 0, rules_check_url_password),
	RX("amqp-url", "AMQP (RabbitMQ) URL with an embedded password",
	   DBURL("amqps?"), "amqp", 0,
	   "Change the broker user's password and read the URL from the "
	   "environment (CLOUDAMQP_URL / RABBITMQ_URL)",
	   0, 0, rules_check_url_password),
	RX("mongodb-url", "MongoDB URL with an embedded password",
	   DBURL("mongodb(?:\\+srv)?"), "mongodb", 0,
	   "Change the database user's password and read MONGODB_URI from "
	   "the environment",
	   0, 0, rules_check_url_password),
	RX("jdbc-url-password", "JDBC URL with a password parameter",
	   "(?i)\\bjdbc:[a-z0-9]+:[^\\s'\"<>]*?[?&;]password=([^&;\\s'\"<>]{3,"
	   "128})",
	   "jdbc:", 0,
	   "Change the database password and pass it through the environment",
	   0, 0, rules_check_password),
	/* ---- Rails ---- */
	{ .rule = { .id = "rails-master-key",
		    .description = "Rails master key file",
		    .regex = "\\A\\s*([0-9a-f]{32})\\s*\\z",
		    .entropy = 3.0,
		    .remediation = "Remove the file from git (add it to "
				   ".gitignore), rotate with bin/rails "
				   "credentials:edit after a new key, and set "
				   "heroku config:set RAILS_MASTER_KEY=...",
		    .path = "(?:^|/)config/(?:master|credentials/[^/]+)\\.key$",
		    .flags = RULE_PATH_CONTENT } },
	R("rails-secret-key-base", "Rails secret_key_base",
	  "(?i:secret[_.-]?key[_.-]?base)[A-Za-z0-9_.-]{0,10}?" OP
	  "([0-9a-f]{128})(?![0-9a-f])",
	  "secret_key_base,secret-key-base,secretkeybase", 3.0,
	  "Generate a new one with bin/rails secret" SETX("SECRET_KEY_BASE")),

	/* ---- private keys ---- */
	RX("private-key", "Private key (PEM or OpenSSH)",
	   "-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----"
	   "(?:\\s|\\\\[nr])*(?:[A-Za-z-]+:[^\\r\\n\\\\]*(?:\\s|\\\\[nr])+)*"
	   "([A-Za-z0-9+/=\\s\\\\]{64,}?)(?:\\s|\\\\[nr])*"
	   "-----END[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----",
	   "private key-----,private key block-----", 4.0,
	   "Treat the key as compromised: revoke it where it is trusted "
	   "(authorized_keys, CA, cloud console), generate a new one and keep "
	   "it out of the repository",
	   RULE_BINARY, RX_MULTILINE, NULL),
	RX("putty-private-key", "PuTTY private key",
	   "PuTTY-User-Key-File-[23]:[^\\r\\n]*(?:\\r?\\n[^\\r\\n]*){0,12}?"
	   "\\r?\\nPrivate-Lines:[ \\t]*\\d+\\r?\\n([A-Za-z0-9+/=\\r\\n]{64,})",
	   "putty-user-key-file-", 4.0,
	   "Remove the key from wherever it is authorized and generate a new "
	   "one",
	   RULE_BINARY, RX_MULTILINE, NULL),
	P("age-secret-key", "age secret key",
	  B "(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})" E,
	  "age-secret-key-1", 3.5,
	  "Generate a new identity with age-keygen and re-encrypt what the "
	  "old one protected"),
	{ .rule = { .id = "pkcs12-file",
		    .description = "PKCS#12 key store file",
		    .remediation = "Remove the key store from git, revoke the "
				   "certificate/key it holds and issue a new "
				   "one",
		    .path = "(?i)(?:^|/)[^/]+\\.(?:p12|pfx)$",
		    .flags = RULE_PATH_CONTENT } },
	{ .rule = { .id = "htpasswd-hash",
		    .description = "Password hash in an htpasswd file",
		    .regex =
			    "^[^:\\s#]+:(\\$apr1\\$[./0-9A-Za-z]{1,8}\\$[./"
			    "0-9A-Za-z]{22}|\\$2[aby]\\$\\d\\d\\$[./0-9A-Za-z]"
			    "{53}|\\{SHA\\}[A-Za-z0-9+/]{27}=|\\$[56]\\$[^:\\s$]"
			    "{1,16}\\$[./0-9A-Za-z]{43,86})",
		    .keywords = "$apr1$,$2y$,$2a$,$2b$,{sha},$5$,$6$",
		    .remediation = "Remove the file from git and change the "
				   "passwords it holds (htpasswd -B)",
		    .path = "(?i)(?:^|/)[^/]*htpasswd[^/]*$" } },

	/* ---- GitHub ---- */
	P("github-pat", "GitHub personal access token (classic)",
	  B "(ghp_[A-Za-z0-9]{36})" E, "ghp_", 3.0,
	  "Revoke at https://github.com/settings/tokens"),
	P("github-fine-grained-pat", "GitHub fine-grained access token",
	  B "(github_pat_[A-Za-z0-9_]{82})" E, "github_pat_", 3.0,
	  "Revoke at https://github.com/settings/personal-access-tokens"),
	P("github-oauth-token", "GitHub OAuth access token",
	  B "(gho_[A-Za-z0-9]{36})" E, "gho_", 3.0,
	  "Revoke the OAuth app's grant at https://github.com/settings/"
	  "applications"),
	P("github-user-to-server-token", "GitHub App user-to-server token",
	  B "(ghu_[A-Za-z0-9]{36})" E, "ghu_", 3.0,
	  "Revoke the GitHub App authorization at https://github.com/settings/"
	  "apps/authorizations"),
	P("github-server-to-server-token", "GitHub App installation token",
	  B "(ghs_[A-Za-z0-9]{36})" E, "ghs_", 3.0,
	  "Installation tokens expire in an hour; rotate the GitHub App's "
	  "private key if it leaked too"),
	P("github-refresh-token", "GitHub refresh token",
	  B "(ghr_[A-Za-z0-9]{36,76})" E, "ghr_", 3.0,
	  "Revoke the GitHub App authorization at https://github.com/settings/"
	  "apps/authorizations"),

	/* ---- GitLab ---- */
	P("gitlab-pat", "GitLab personal access token",
	  B "(glpat-[A-Za-z0-9_.-]{20,80})" E, "glpat-", 3.0,
	  "Revoke at https://gitlab.com/-/user_settings/personal_access_"
	  "tokens"),
	P("gitlab-deploy-token", "GitLab deploy token",
	  B "(gldt-[A-Za-z0-9_-]{20,80})" E, "gldt-", 3.0,
	  "Revoke in the project's Settings > Repository > Deploy tokens"),
	P("gitlab-runner-token", "GitLab runner authentication token",
	  B "(glrt-[A-Za-z0-9_.-]{20,80})" E, "glrt-", 3.0,
	  "Reset the runner's token in Settings > CI/CD > Runners"),
	P("gitlab-runner-registration-token",
	  "GitLab runner registration token (legacy)",
	  B "(GR1348941[A-Za-z0-9_-]{20,40})" E, "gr1348941", 3.0,
	  "Reset the registration token in Settings > CI/CD > Runners"),
	P("gitlab-pipeline-trigger-token", "GitLab pipeline trigger token",
	  B "(glptt-[A-Za-z0-9_-]{40})" E, "glptt-", 3.0,
	  "Revoke in Settings > CI/CD > Pipeline trigger tokens"),
	P("gitlab-oauth-app-secret", "GitLab OAuth application secret",
	  B "(gloas-[A-Za-z0-9_-]{64})" E, "gloas-", 3.0,
	  "Renew the secret of the OAuth application in GitLab"),
	P("gitlab-feed-token", "GitLab feed token",
	  B "(glft-[A-Za-z0-9_-]{20,40})" E, "glft-", 3.0,
	  "Reset the feed token in the user's Access tokens settings"),
	P("gitlab-ci-build-token", "GitLab CI/CD job token",
	  B "(glcbt-[A-Za-z0-9_-]{20,80})" E, "glcbt-", 3.0,
	  "Job tokens expire with the job; check the job log was not leaked "
	  "elsewhere"),
	P("gitlab-agent-token", "GitLab agent for Kubernetes token",
	  B "(glagent-[A-Za-z0-9_-]{50,80})" E, "glagent-", 3.0,
	  "Revoke the agent token in Operate > Kubernetes clusters"),

	/* ---- Stripe ---- */
	P("stripe-secret-key", "Stripe secret key",
	  B "(sk_(?:live|test|prod)_[A-Za-z0-9]{20,247})" E,
	  "sk_live_,sk_test_,sk_prod_", 3.0,
	  "Roll the key at https://dashboard.stripe.com/apikeys" SETX(
		  "STRIPE_SECRET_KEY")),
	P("stripe-restricted-key", "Stripe restricted key",
	  B "(rk_(?:live|test|prod)_[A-Za-z0-9]{20,247})" E,
	  "rk_live_,rk_test_,rk_prod_", 3.0,
	  "Roll the key at https://dashboard.stripe.com/apikeys"),
	P("stripe-webhook-secret", "Stripe webhook signing secret",
	  B "(whsec_[A-Za-z0-9+/]{32,88})" E, "whsec_", 3.0,
	  "Roll the signing secret at https://dashboard.stripe.com/webhooks" SETX(
		  "STRIPE_WEBHOOK_SECRET")),

	/* ---- Slack ---- */
	P("slack-bot-token", "Slack bot token",
	  B "(xoxb-[0-9]{8,13}-[0-9]{8,13}-?[A-Za-z0-9]{20,34})" E, "xoxb-",
	  3.0, "Rotate at https://api.slack.com/apps (OAuth & Permissions)"),
	P("slack-user-token", "Slack user token",
	  B "(xoxp-[0-9]{8,13}-[0-9]{8,13}-[0-9]{8,13}-[a-fA-F0-9]{28,34})" E,
	  "xoxp-", 3.0,
	  "Revoke with auth.revoke or reinstall the app at https://api.slack."
	  "com/apps"),
	P("slack-legacy-token", "Slack legacy or workspace token",
	  B "(xox[aors]-(?:[0-9]-)?[0-9A-Za-z-]{8,60})" E,
	  "xoxa-,xoxr-,xoxo-,"
	  "xoxs-",
	  3.0, "Revoke at https://api.slack.com/legacy/custom-integrations"),
	P("slack-config-token", "Slack app configuration token",
	  B "(xoxe(?:\\.xox[bp])?-[0-9]-[A-Za-z0-9]{140,170})" E, "xoxe", 3.0,
	  "Revoke at https://api.slack.com/apps (your App Configuration "
	  "Tokens)"),
	P("slack-app-token", "Slack app-level token",
	  B "(xapp-[0-9]-[A-Z0-9]{8,12}-[0-9]{10,14}-[a-f0-9]{60,70})" E,
	  "xapp-", 3.0,
	  "Revoke in the app's Basic Information > App-Level Tokens"),
	P("slack-webhook-url", "Slack incoming webhook URL",
	  "((?:https?://)?hooks\\.slack\\.com/services/T[A-Z0-9]{6,12}/"
	  "B[A-Z0-9]{6,12}/[A-Za-z0-9]{20,32})" E,
	  "hooks.slack.com", 3.0,
	  "Remove the webhook at https://api.slack.com/apps (Incoming "
	  "Webhooks) and create a new one"),
	P("slack-workflow-webhook-url", "Slack workflow webhook URL",
	  "((?:https?://)?hooks\\.slack\\.com/(?:workflows|triggers)/"
	  "T[A-Z0-9]{6,12}/[A-Za-z0-9/]{20,80})" E,
	  "hooks.slack.com", 3.0,
	  "Delete the workflow trigger in Slack's Workflow Builder and create "
	  "a new one"),

	/* ---- Google ---- */
	P("google-api-key", "Google API key", B "(AIza[A-Za-z0-9_-]{35})" E,
	  "aiza", 3.0,
	  "Regenerate at https://console.cloud.google.com/apis/credentials "
	  "and restrict it"),
	P("google-oauth-client-secret", "Google OAuth client secret",
	  B "(GOCSPX-[A-Za-z0-9_-]{28})" E, "gocspx-", 3.0,
	  "Reset the secret at https://console.cloud.google.com/apis/"
	  "credentials"),
	P("google-oauth-refresh-token", "Google OAuth refresh token",
	  B "(1//0[A-Za-z0-9_-]{40,120})" E, "1//0", 3.5,
	  "Revoke at https://myaccount.google.com/permissions or with "
	  "https://oauth2.googleapis.com/revoke"),
	R("gcp-service-account-key-id", "GCP service account key (JSON)",
	  "\"private_key_id\"\\s*:\\s*\"([a-f0-9]{40})\"", "private_key_id",
	  3.0,
	  "Delete the key at https://console.cloud.google.com/iam-admin/"
	  "serviceaccounts and use workload identity or a new key"),
	P("firebase-cloud-messaging-key", "Firebase Cloud Messaging server key",
	  B "(AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{130,140})" E, "apa91b",
	  3.5, "Migrate to FCM HTTP v1 and delete the legacy server key"),

	/* ---- communication ---- */
	P("sendgrid-api-key", "SendGrid API key",
	  B "(SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43})" E, "sg.", 3.5,
	  "Delete at https://app.sendgrid.com/settings/api_keys" SETX(
		  "SENDGRID_API_KEY")),
	R("twilio-account-sid", "Twilio account SID",
	  "(?|" CTX("twilio") "(AC[a-f0-9]{32})" E "|" B "(AC[a-f0-9]{32})" ARG
			      "[A-Za-z0-9]{32}[\"'])",
	  "twilio,client(\"ac,client('ac", 3.0,
	  "The SID identifies the account; rotate the auth token paired "
	  "with it at https://console.twilio.com"),
	R("twilio-api-key-sid", "Twilio API key SID",
	  CTX("twilio") "(SK[a-f0-9]{32})" E, "twilio", 3.0,
	  "Delete the API key at https://console.twilio.com (API keys & "
	  "tokens)"),
	R("twilio-auth-token", "Twilio auth token or API key secret",
	  "(?:" CTX("twilio[A-Za-z0-9_.-]{0,20}?(?:token|secret|auth)") "|"
	  /* Twilio::REST::Client.new("AC...", "..."), Client("AC...", ...) */
	  B "AC[a-f0-9]{32}" ARG ")([a-f0-9]{32}|[A-Za-z0-9]{32})" E,
	  "twilio,client(\"ac,client('ac", 3.0,
	  "Rotate the auth token at https://console.twilio.com" SETX(
		  "TWILIO_AUTH_TOKEN")),
	P("mailgun-api-key", "Mailgun private API key",
	  B "(key-[a-f0-9]{32})" E, "key-", 3.0,
	  "Reset at https://app.mailgun.com/settings/api_security" SETX(
		  "MAILGUN_API_KEY")),
	R("mailgun-signing-key", "Mailgun webhook signing key",
	  CTX("mailgun") "([a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8})" E, "mailgun",
	  3.0, "Reset the HTTP webhook signing key in Mailgun's settings"),
	R("mailchimp-api-key", "Mailchimp API key",
	  B "([a-f0-9]{32}-us[0-9]{1,2})" E, "-us", 3.0,
	  "Revoke at https://admin.mailchimp.com/account/api/"),
	P("brevo-api-key", "Brevo (Sendinblue) API key",
	  B "(xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16})" E, "xkeysib-", 3.0,
	  "Delete at https://app.brevo.com/settings/keys/api"),
	R("postmark-server-token", "Postmark server token",
	  CTX("postmark") "(" UUID ")" E, "postmark", 3.0,
	  "Reset the server API token in the Postmark server's settings"),
	R("discord-bot-token", "Discord bot token",
	  CTX("discord") "([MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\."
			 "[A-Za-z0-9_-]{27,38})" E,
	  "discord", 3.5,
	  "Reset the token at https://discord.com/developers/applications "
	  "(Bot)"),
	P("discord-webhook-url", "Discord webhook URL",
	  "(https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/"
	  "[0-9]{17,20}/[A-Za-z0-9_-]{60,70})" E,
	  "discord", 3.0, "Delete the webhook in the channel's Integrations"),
	R("telegram-bot-token", "Telegram bot token",
	  "(?<![0-9])([0-9]{8,10}:AA[A-Za-z0-9_-]{33})" E, ":aa", 3.5,
	  "Revoke with /revoke in @BotFather"),

	/* ---- AI providers ---- */
	P("anthropic-api-key", "Anthropic API key",
	  B "(sk-ant-api03-[A-Za-z0-9_-]{93}AA)" E, "sk-ant-api03-", 3.5,
	  "Delete at https://console.anthropic.com/settings/keys" SETX(
		  "ANTHROPIC_API_KEY")),
	P("anthropic-admin-key", "Anthropic admin API key",
	  B "(sk-ant-admin01-[A-Za-z0-9_-]{93}AA)" E, "sk-ant-admin01-", 3.5,
	  "Delete at https://console.anthropic.com/settings/admin-keys"),
	P("huggingface-token", "Hugging Face access token",
	  B "(hf_[A-Za-z]{34})" E, "hf_", 3.5,
	  "Invalidate at https://huggingface.co/settings/tokens"),
	P("replicate-api-token", "Replicate API token",
	  B "(r8_[A-Za-z0-9]{37})" E, "r8_", 3.5,
	  "Disable at https://replicate.com/account/api-tokens"),
	P("groq-api-key", "Groq API key", B "(gsk_[A-Za-z0-9]{52})" E, "gsk_",
	  3.5, "Delete at https://console.groq.com/keys"),
	P("perplexity-api-key", "Perplexity API key",
	  B "(pplx-[A-Za-z0-9]{48})" E, "pplx-", 3.5,
	  "Delete at https://www.perplexity.ai/settings/api"),
	P("xai-api-key", "xAI API key", B "(xai-[A-Za-z0-9]{80})" E, "xai-",
	  3.5, "Delete at https://console.x.ai"),
	P("openrouter-api-key", "OpenRouter API key",
	  B "(sk-or-v1-[a-f0-9]{64})" E, "sk-or-v1-", 3.0,
	  "Delete at https://openrouter.ai/settings/keys"),

	/* ---- package registries ---- */
	P("npm-access-token", "npm access token", B "(npm_[A-Za-z0-9]{36})" E,
	  "npm_", 3.0,
	  "Revoke at https://www.npmjs.com/settings/~/tokens (npm token "
	  "revoke)"),
	RX("npmrc-auth", "Registry credential in .npmrc",
	   "(?:^[ \\t]*|//[^\\s'\"]*:)_(?:authToken|auth|password)[ \\t]*=[ \\t]*"
	   "[\"']?([A-Za-z0-9+/=._-]{16,})(?![A-Za-z0-9+/=._-])",
	   "_authtoken,_auth,_password", 3.0,
	   "Revoke the registry token and use ${NPM_TOKEN} in .npmrc", 0, 0,
	   rules_check_password),
	P("pypi-token", "PyPI upload token",
	  B "(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})" E,
	  "pypi-ageichlwas5vcmc", 3.5,
	  "Remove at https://pypi.org/manage/account/token/"),
	P("pypi-test-token", "TestPyPI upload token",
	  B "(pypi-AgENdGVzdC5weXBpLm9yZw[A-Za-z0-9_-]{50,})" E,
	  "pypi-agendgvzdc5wexbplm9yzw", 3.5,
	  "Remove at https://test.pypi.org/manage/account/token/"),
	P("rubygems-api-key", "RubyGems API key", B "(rubygems_[a-f0-9]{48})" E,
	  "rubygems_", 3.0, "Remove at https://rubygems.org/profile/api_keys"),
	RX("bundler-credentials", "Bundler gem source credentials",
	   "\\bBUNDLE_[A-Z0-9_]*__[A-Z0-9_]+[\"']?[ \\t]*[:=][ \\t]*[\"']?"
	   "([A-Za-z0-9._%-]+:[A-Za-z0-9._~%+-]{6,})",
	   "bundle_", 0,
	   "Rotate the gem server credentials (e.g. Sidekiq Pro at "
	   "https://sidekiq.org) and set them with heroku config:set "
	   "BUNDLE_GEMS__EXAMPLE__COM=...",
	   0, 0, rules_check_userpass),
	P("dockerhub-pat", "Docker Hub access token",
	  B "(dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,})" E, "dckr_pat_,dckr_oat_",
	  3.0,
	  "Delete at https://app.docker.com/settings/personal-access-tokens"),
	R("docker-config-auth", "Registry auth in a Docker config.json",
	  "\"auth\"\\s*:\\s*\"([A-Za-z0-9+/]{20,}={0,2})\"", "\"auth\"", 3.5,
	  "Log out (docker logout), rotate the registry password or token"),

	/* ---- tokens by shape ---- */
	P("jwt", "JSON Web Token",
	  B "(eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\."
	    "[A-Za-z0-9_-]{10,})" E,
	  "eyj", 3.0,
	  "Invalidate the token (rotate the signing key if it does not "
	  "expire soon)"),
	R("authorization-header", "Literal Authorization header",
	  "(?i)authorization[\"']?\\s*[:=,]\\s*[\"']?(?:bearer|basic|token)"
	  "[ \\t]+([A-Za-z0-9._~+/=-]{16,})",
	  "authorization", 3.5,
	  "Revoke that token at its issuer and read it from the environment"),
	RX("curl-user-password", "curl -u user:password",
	   "\\bcurl\\b[^\\r\\n]{0,300}?(?:\\s-u|\\s--user)[ \\t=]+[\"']?"
	   "([^\\s:\"'$]{1,64}:[^\\s\"']{3,128})",
	   "curl", 0, "Change that password and pass it with --netrc-file", 0,
	   0, rules_check_userpass),
	RX("netrc-password", "Password in a .netrc entry",
	   "\\bmachine\\s+\\S+\\s+login\\s+\\S+\\s+password\\s+"
	   "([^\\s\\\\$'\"{}<>%]{6,})(?=\\s|$)",
	   "machine", 3.0,
	   "Change the password or token and keep .netrc out of the "
	   "repository",
	   0, RX_MULTILINE, rules_check_password),
	/*
	 * Every entry of a Secret's data: or stringData: block, kind: before
	 * or after it (kubectl prints data: first). The first match starts
	 * at the manifest; each next one continues where the last ended
	 * (\G), over indented lines only, so the chain stops at the block's
	 * end. data: values are base64: the matcher decodes them and scans
	 * what they hold (RX_DECODE64).
	 */
	RX("kubernetes-secret", "Kubernetes Secret with inline data",
	   "(?:kind:[ \\t]*[\"']?Secret[\"']?[ \\t]*\\r?\\n"
	   "(?:(?!---)[^\\n]*\\n){0,100}?[ \\t]*(?:data|stringData):[ \\t]*\\r?"
	   "|^apiVersion:[^\\n]*\\n(?:data|stringData):[ \\t]*\\r?(?=\\n(?:(?!---)[^\\n]*\\n){0,200}?kind:[ \\t]*[\"']?Secret[\"']?[ \\t]*\\r?$)"
	   "|\\G)"
	   "\\n(?:[ \\t]+[^\\n]*\\n)*?[ \\t]+[A-Za-z0-9_.-]+:[ \\t]*[\"']?([^\\s\"'#{}$]{4,})[\"']?[ \\t]*\\r?$",
	   "kind: secret,kind:secret,kind: \"secret\",kind: 'secret',"
	   "apiversion:",
	   0,
	   "Rotate the values and keep Secrets out of git (SealedSecrets, "
	   "SOPS or an external secret store)",
	   0, RX_MULTILINE | RX_DECODE64, NULL),

	/* ---- commerce ---- */
	P("shopify-access-token", "Shopify access token",
	  B "(shpat_[a-fA-F0-9]{32})" E, "shpat_", 3.0,
	  "Uninstall/reinstall the custom app or rotate in the Shopify admin"),
	P("shopify-custom-app-token", "Shopify custom app access token",
	  B "(shpca_[a-fA-F0-9]{32})" E, "shpca_", 3.0,
	  "Rotate the token in the Shopify admin (Apps > Develop apps)"),
	P("shopify-private-app-token", "Shopify private app access token",
	  B "(shppa_[a-fA-F0-9]{32})" E, "shppa_", 3.0,
	  "Rotate the private app's password in the Shopify admin"),
	P("shopify-shared-secret", "Shopify app shared secret",
	  B "(shpss_[a-fA-F0-9]{32})" E, "shpss_", 3.0,
	  "Rotate the API secret key in the Shopify Partners dashboard"),
	P("square-access-token", "Square access token",
	  B "((?:EAAA|sq0atp-)[A-Za-z0-9_-]{22,60})" E, "eaaa,sq0atp-", 3.5,
	  "Revoke at https://developer.squareup.com/apps (Credentials)"),
	P("square-oauth-secret", "Square OAuth application secret",
	  B "(sq0csp-[A-Za-z0-9_-]{43})" E, "sq0csp-", 3.5,
	  "Replace the application secret at https://developer.squareup.com/"
	  "apps (OAuth)"),
	P("braintree-access-token", "Braintree/PayPal access token",
	  B "(access_token\\$(?:production|sandbox)\\$[a-z0-9]{16}\\$"
	    "[a-f0-9]{32})" E,
	  "access_token$", 3.0,
	  "Revoke the token in the Braintree control panel"),
	P("easypost-api-key", "EasyPost API key",
	  B "(EZ[AT]K[A-Za-z0-9]{54})" E, "ezak,eztk", 3.5,
	  "Rotate at https://www.easypost.com/account/api-keys"),

	/* ---- observability ---- */
	R("datadog-api-key", "Datadog API key",
	  CTX("datadog[A-Za-z0-9_.-]{0,20}?api|dd[_.-]?api") "([a-f0-9]{32})" E,
	  "datadog,dd_api,dd-api,ddapi", 3.0,
	  "Revoke at https://app.datadoghq.com/organization-settings/"
	  "api-keys" SETX("DD_API_KEY")),
	R("datadog-app-key", "Datadog application key",
	  CTX("datadog[A-Za-z0-9_.-]{0,20}?app|dd[_.-]?app") "([a-f0-9]{40})" E,
	  "datadog,dd_app,dd-app,ddapp", 3.0,
	  "Revoke at https://app.datadoghq.com/organization-settings/"
	  "application-keys"),
	P("newrelic-user-key", "New Relic user API key",
	  B "(NRAK-[A-Z0-9]{27})" E, "nrak-", 3.0,
	  "Delete at https://one.newrelic.com/api-keys"),
	P("newrelic-insert-key", "New Relic insert key",
	  B "(NRII-[A-Za-z0-9_-]{32})" E, "nrii-", 3.0,
	  "Delete at https://one.newrelic.com/api-keys"),
	R("newrelic-license-key", "New Relic license key",
	  B "([a-f0-9]{36}NRAL)" E, "nral", 3.0,
	  "Rotate at https://one.newrelic.com/api-keys" SETX(
		  "NEW_RELIC_LICENSE_KEY")),
	R("sentry-dsn-secret", "Sentry DSN with a secret key",
	  "(?i)\\bhttps?://[a-f0-9]{32}:([a-f0-9]{32})@[A-Za-z0-9.-]*sentry",
	  "sentry", 3.0,
	  "Revoke the client key in the Sentry project's Client Keys (DSN) "
	  "and use the public DSN form"),
	P("sentry-user-token", "Sentry user auth token",
	  B "(sntryu_[a-f0-9]{64})" E, "sntryu_", 3.0,
	  "Revoke at https://sentry.io/settings/account/api/auth-tokens/"),
	P("sentry-org-token", "Sentry organization auth token",
	  B "(sntrys_eyJ[A-Za-z0-9+/=_]{60,300})" E64, "sntrys_", 3.5,
	  "Revoke in Sentry's Organization Settings > Auth Tokens"),
	P("grafana-cloud-token", "Grafana Cloud API token",
	  B "(glc_[A-Za-z0-9+/]{32,400}={0,2})" E64, "glc_", 3.5,
	  "Delete at https://grafana.com (Access policies)"),
	P("grafana-service-account-token", "Grafana service account token",
	  B "(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})" E, "glsa_", 3.0,
	  "Delete the token in Grafana's Service accounts page"),
	P("dynatrace-api-token", "Dynatrace API token",
	  B "(dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64})" E, "dt0c01.", 3.5,
	  "Revoke in Dynatrace Access tokens"),

	/* ---- cloud and infrastructure ---- */
	R("azure-storage-account-key", "Azure storage account key",
	  "(?i:accountkey|azure[A-Za-z0-9_.-]{0,30}?key)[\"']?\\s*[=:]\\s*"
	  "[\"']?([A-Za-z0-9+/]{86}==)",
	  "accountkey,azure", 4.0,
	  "Rotate the access key in the Azure portal (Storage account > "
	  "Access keys)"),
	R("azure-ad-client-secret", "Azure AD (Entra ID) client secret",
	  "(?<![A-Za-z0-9_~.-])([A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})"
	  "(?![A-Za-z0-9_~.-])",
	  "q~", 3.5,
	  "Delete the secret in Entra ID App registrations > Certificates & "
	  "secrets"),
	P("digitalocean-pat", "DigitalOcean personal access token",
	  B "(dop_v1_[a-f0-9]{64})" E, "dop_v1_", 3.0,
	  "Delete at https://cloud.digitalocean.com/account/api/tokens"),
	P("digitalocean-oauth-token", "DigitalOcean OAuth token",
	  B "(doo_v1_[a-f0-9]{64})" E, "doo_v1_", 3.0,
	  "Revoke the OAuth authorization in DigitalOcean's API settings"),
	P("digitalocean-refresh-token", "DigitalOcean OAuth refresh token",
	  B "(dor_v1_[a-f0-9]{64})" E, "dor_v1_", 3.0,
	  "Revoke the OAuth authorization in DigitalOcean's API settings"),
	P("hashicorp-vault-token", "HashiCorp Vault service or batch token",
	  B "(hv[sb]\\.[A-Za-z0-9_-]{90,300})" E, "hvs.,hvb.", 3.5,
	  "Revoke with vault token revoke (or revoke the lease)"),
	R("terraform-cloud-token", "Terraform Cloud / Enterprise API token",
	  B "([A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,70})" E, "atlasv1",
	  3.5, "Delete at https://app.terraform.io/app/settings/tokens"),
	P("doppler-token", "Doppler token",
	  B "(dp\\.(?:pt|st|ct|sa|scim|audit)\\.[A-Za-z0-9]{40,44})" E,
	  "dp.pt.,dp.st.,dp.ct.,dp.sa.,dp.scim.,dp.audit.", 3.5,
	  "Revoke in the Doppler dashboard (Access / Service Tokens)"),
	P("pulumi-access-token", "Pulumi access token",
	  B "(pul-[a-f0-9]{40})" E, "pul-", 3.0,
	  "Delete at https://app.pulumi.com/account/tokens"),
	R("cloudflare-api-token", "Cloudflare API token",
	  CTX("cloudflare|cf[_.-]?api") "([A-Za-z0-9_-]{40})" E,
	  "cloudflare,cf_api,cf-api", 3.5,
	  "Roll or delete at https://dash.cloudflare.com/profile/api-tokens"),
	R("cloudflare-global-api-key", "Cloudflare global API key",
	  CTX("cloudflare|cf[_.-]?api") "([a-f0-9]{37})" E,
	  "cloudflare,cf_api,cf-api", 3.0,
	  "Change the Global API Key at https://dash.cloudflare.com/profile/"
	  "api-tokens"),
	P("cloudflare-origin-ca-key", "Cloudflare Origin CA key",
	  B "(v1\\.0-[a-f0-9]{24}-[a-f0-9]{146})" E, "v1.0-", 3.0,
	  "Change the Origin CA Key at https://dash.cloudflare.com/profile/"
	  "api-tokens"),
	P("fly-io-token", "Fly.io access token",
	  B "(fm[12][ar]?_[A-Za-z0-9+/=_-]{100,})" E64, "fm1_,fm2_,fm1a_,fm1r_",
	  3.5, "Revoke with fly tokens revoke"),
	R("vercel-token", "Vercel access token",
	  CTX("vercel") "([A-Za-z0-9]{24})" E, "vercel", 3.5,
	  "Delete at https://vercel.com/account/tokens"),
	R("netlify-token", "Netlify access token",
	  CTX("netlify") "(nfp_[A-Za-z0-9]{36}|[A-Za-z0-9_-]{43})" E, "netlify",
	  3.5, "Revoke at https://app.netlify.com/user/applications"),
	P("supabase-service-key", "Supabase secret or management key",
	  B "(sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{31,})" E,
	  "sbp_,sb_secret_", 3.0,
	  "Rotate at https://supabase.com/dashboard (Project Settings > API)"),
	P("planetscale-token", "PlanetScale token or password",
	  B "(pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64})" E,
	  "pscale_tkn_,pscale_pw_,pscale_oauth_", 3.5,
	  "Delete the token or password in the PlanetScale dashboard"),
	P("databricks-token", "Databricks personal access token",
	  B "(dapi[a-f0-9]{32}(?:-[0-9])?)" E, "dapi", 3.0,
	  "Revoke in Databricks User Settings > Access tokens"),
	P("tailscale-key", "Tailscale auth or API key",
	  B "(tskey-(?:auth|api|client|scim|webhook)-[A-Za-z0-9]{8,20}-"
	    "[A-Za-z0-9]{20,40})" E,
	  "tskey-", 3.5,
	  "Revoke at https://login.tailscale.com/admin/settings/keys"),
	P("onepassword-service-account-token",
	  "1Password service account token",
	  B "(ops_eyJ[A-Za-z0-9+/=_-]{250,})" E64, "ops_eyj", 3.5,
	  "Revoke the service account token at https://my.1password.com"),
	P("scalingo-api-token", "Scalingo API token",
	  B "(tk-us-[A-Za-z0-9_-]{48})" E, "tk-us-", 3.5,
	  "Revoke at https://dashboard.scalingo.com/account/tokens"),
	R("okta-api-token", "Okta API token",
	  CTX("okta") "(00[A-Za-z0-9_-]{40})" E, "okta", 3.5,
	  "Revoke in the Okta admin console (Security > API > Tokens)"),
	R("algolia-admin-key", "Algolia admin API key",
	  "(?:" CTX("algolia") "|(?i:algolia)[^\\n]{0,60}?\\([ \\t]*\\\\?[\"']"
			       "[A-Z0-9]{10}" ARG ")([a-f0-9]{32})" E,
	  "algolia", 3.0,
	  "Regenerate the Admin API key in the Algolia dashboard"),

	/* ---- developer tools ---- */
	P("linear-api-key", "Linear API key", B "(lin_api_[A-Za-z0-9]{40})" E,
	  "lin_api_", 3.5, "Revoke at https://linear.app/settings/api"),
	P("notion-integration-token", "Notion integration token",
	  B "(ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})" E,
	  "ntn_,secret_", 3.5,
	  "Refresh the secret at https://www.notion.so/my-integrations"),
	P("postman-api-key", "Postman API key",
	  B "(PMAK-[a-f0-9]{24}-[a-f0-9]{34})" E, "pmak-", 3.0,
	  "Delete at https://go.postman.co/settings/me/api-keys"),
	P("atlassian-api-token", "Atlassian API token",
	  B "(ATATT3[A-Za-z0-9_=-]{180,200})" E, "atatt3", 3.5,
	  "Revoke at https://id.atlassian.com/manage-profile/security/"
	  "api-tokens"),
	R("atlassian-api-token-legacy", "Atlassian API token (legacy form)",
	  CTX("atlassian|jira|confluence") "([A-Za-z0-9]{24})" E,
	  "atlassian,jira,confluence", 3.5,
	  "Revoke at https://id.atlassian.com/manage-profile/security/"
	  "api-tokens"),
	P("bitbucket-app-password", "Bitbucket app password",
	  B "(ATBB[A-Za-z0-9_=.-]{28,36})" E, "atbb", 3.5,
	  "Revoke in Bitbucket Personal settings > App passwords"),
	P("circleci-token", "CircleCI personal API token",
	  B "(CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40})" E, "ccipat_", 3.5,
	  "Delete at https://app.circleci.com/settings/user/tokens"),
	R("circleci-token-legacy", "CircleCI API token (legacy form)",
	  CTX("circle") "([a-f0-9]{40})" E, "circle", 3.0,
	  "Delete at https://app.circleci.com/settings/user/tokens"),
	R("travis-ci-token", "Travis CI API token",
	  CTX("travis") "([A-Za-z0-9_-]{22})" E, "travis", 3.5,
	  "Regenerate at https://app.travis-ci.com/account/preferences"),
	P("buildkite-token", "Buildkite API access token",
	  B "(bkua_[a-f0-9]{40})" E, "bkua_", 3.0,
	  "Revoke at https://buildkite.com/user/api-access-tokens"),
	P("sourcegraph-token", "Sourcegraph access token",
	  B "(sgp_(?:[a-f0-9]{16}_|local_)?[a-f0-9]{40})" E, "sgp_", 3.0,
	  "Delete in Sourcegraph user settings > Access tokens"),
	P("figma-pat", "Figma personal access token",
	  B "(figd_[A-Za-z0-9_-]{40})" E, "figd_", 3.5,
	  "Revoke in Figma Settings > Security > Personal access tokens"),
	P("contentful-pat", "Contentful personal access token",
	  B "(CFPAT-[A-Za-z0-9_-]{43})" E, "cfpat-", 3.5,
	  "Revoke in Contentful's CMA tokens settings"),
	P("prefect-api-key", "Prefect API key", B "(pnu_[A-Za-z0-9]{36})" E,
	  "pnu_", 3.5, "Delete in Prefect Cloud profile > API keys"),
	P("readme-api-key", "ReadMe API key", B "(rdme_[a-z0-9]{70})" E,
	  "rdme_", 3.5, "Revoke in the ReadMe dashboard (API keys)"),
	P("infracost-api-key", "Infracost API key", B "(ico-[A-Za-z0-9]{32})" E,
	  "ico-", 3.5,
	  "Rotate at https://dashboard.infracost.io (Org settings)"),
	P("mapbox-secret-token", "Mapbox secret access token",
	  B "(sk\\.eyJ[A-Za-z0-9_-]{50,}\\.[A-Za-z0-9_-]{20,})" E, "sk.eyj",
	  3.5, "Delete at https://account.mapbox.com/access-tokens/"),
	P("twitter-bearer-token", "Twitter/X API bearer token",
	  B "(AAAAAAAAAAAAAAAAAAAAA[A-Za-z0-9%]{30,120})" E,
	  "aaaaaaaaaaaaaaaaaaaaa", 3.0,
	  "Regenerate in the X developer portal (Keys and tokens)"),

	RX("url-basic-auth", "Credentials embedded in an http(s) URL",
	   "(?i)\\bhttps?://[^\\s:@/'\"<>()]{1,64}:([^\\s:@/'\"<>()]{3,128})@"
	   "[A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9]",
	   "http", 0,
	   "Change that password or token at the service and pass it through "
	   "the environment",
	   0, 0, rules_check_url_password),

	/* ---- generic (last: specific rules win an overlap) ---- */
	RX("generic-secret",
	   "Secret-named variable assigned a high-entropy literal",
	   "(?i)(?:secret|token|"
	   "passw(?:or)?d|pwd|api[_.-]?key|apikey|access[_.-]?key|auth[_.-]?"
	   "key|private[_.-]?key|signing[_.-]?key|encryption[_.-]?key|"
	   "master[_.-]?key|credentials?)[A-Za-z0-9_.-]{0,20}?"
	   "(?|" OP_BARE "(?|" GQUOTED "|"
	   "\\x60([^\\x60\\s$<>{}\\\\]{12,200})\\x60|"
	   "([A-Za-z0-9+/_.=~-]{12,200})"
	   "(?=[\\x60'\"\\s;,)\\]}]|\\\\[nrt\"]|$))|"
	   /* a quoted name, then its value as the next argument:
	    * ENV.fetch("API_KEY", "..."), headers.set("X-Api-Key", "...") */
	   "\\\\?[\"'][ \\t]{0,3},[ \\t]{0,3}(?|" GQUOTED "))",
	   "secret,token,passw,pwd,api_key,apikey,api-key,api.key,access_key,"
	   "accesskey,access-key,auth_key,authkey,auth-key,private_key,"
	   "privatekey,signing_key,encryption_key,master_key,credential",
	   3.5,
	   "Revoke the value where it was issued, move it to the environment "
	   "(heroku config:set NAME=...) and read it with ENV.fetch",
	   RULE_GENERIC, RX_NOLOCK, rules_check_generic),
	/*
	 * Generic names (login, key, secret, apiKey) in a JSON, YAML or TOML
	 * file, or Ruby under config/, whose path or neighbouring lines name a
	 * vendor the rules know: config/plaid.yml, {"stripe": {"key": ...}}.
	 * The vendor is what makes a short value a credential (RX_VENDOR).
	 * Last, so that generic-secret names a value both find.
	 */
	RX("vendor-credential",
	   "Credential under a generic name in a vendor's configuration",
	   "(?i)(?<![A-Za-z0-9])(?:[A-Za-z0-9]{1,20}[_.-]?)?(?:login|key|secret|token|password|passphrase)" OP_BARE
	   "(?|\\\\?\"([A-Za-z0-9+/_.=~-]{8,200})\\\\?\"|\\\\?'([A-Za-z0-9+/_.=~-]{8,200})\\\\?'|([A-Za-z0-9+/_.=~-]{8,200})(?=[\\s,;)\\]}]|$))",
	   /* key with what follows it: a bare "key" is in every file */
	   "login,key:,key\":,key':,key\\\":,key =,key=,secret,token,"
	   "password,passphrase",
	   2.5,
	   "Revoke the value at the vendor named by the file, move it to the "
	   "environment (heroku config:set NAME=...) and read it with "
	   "ENV.fetch",
	   RULE_GENERIC, RX_NOLOCK | RX_VENDOR, rules_check_vendor),
};

const size_t rules_builtin_table_nr = ARRAY_SIZE(rules_builtin_table);
