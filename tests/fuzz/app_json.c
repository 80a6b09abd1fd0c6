/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: app.json as the policy check reads it from a pushed tree
 * (src/policy: buildpacks and env against the policy).
 */
#include "fuzz.h"
#include "slugguard/policy.h"

static const char policy_text[] =
	"{\"version\": 1, \"buildpacks\": {\"source\": \"either\", "
	"\"order\": [\"heroku/ruby\", \"heroku/nodejs\"]}, "
	"\"config_vars\": {\"required\": [\"RAILS_ENV\", \"PLAID_ENV\"], "
	"\"allowed_values\": {\"PLAID_ENV\": [\"sandbox\"]}}, "
	"\"procfile\": {\"process_types\": [\"web\"], \"release\": true}}";

struct input {
	const char *buf;
	size_t len;
};

static int read_file(struct strbuf *out, const char *path, void *data)
{
	const struct input *in = data;

	if (!strcmp(path, "app.json")) {
		strbuf_add(out, in->buf, in->len);
		return 0;
	}
	if (!strcmp(path, "Procfile")) {
		strbuf_addstr(out, "web: bundle exec puma\n"
				   "release: bin/rails db:migrate\n");
		return 0;
	}
	return ERR_NOTFOUND;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy *p;
	struct input in = { (const char *)data, size };
	struct policy_tree t = { read_file, &in, "fuzz" };
	struct policy_report r = POLICY_REPORT_INIT;

	if (!p && policy_parse(&p, policy_text, strlen(policy_text), "fuzz"))
		abort();
	if (policy_check_tree(&r, p, &t, NULL) < 0)
		error_clear();
	policy_report_release(&r);
	return 0;
}
