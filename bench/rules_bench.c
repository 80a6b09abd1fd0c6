/* SPDX-License-Identifier: MIT */
/*
 * Micro benchmark of the rules module (built by bench/rules.sh):
 *   - rules_compile() + rules_scratch_new() time (what every process pays)
 *   - a pre-push-sized scan (compile + 64 KiB of diff text), cold
 *   - single-thread throughput of rules_scan() over N MB of generated
 *     source-like text with planted fake secrets, against two floors
 *     measured on the same buffer: memchr over every line, and the
 *     Hyperscan keyword pass alone (rules with no regex work).
 * Medians of 5 runs. Usage: rules_bench [MB]
 */
#include "slugguard/common.h"
#include "slugguard/rules.h"
#include "slugguard/strbuf.h"

#include <time.h>

#define RUNS 5

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static void rand_chars(struct strbuf *sb, const char *set, size_t n)
{
	size_t k = strlen(set);

	for (size_t i = 0; i < n; i++)
		strbuf_addch(sb, set[next() % k]);
}

static const char *const words[] = {
	"user",	  "account", "order",  "item",	 "price", "total", "config",
	"client", "request", "params", "result", "value", "data",  "index",
	"name",	  "status",  "cache",  "logger", "event", "queue", "amount",
};

/* Lines that look like a Rails/JS/Python app, secret-ish words included
 * at a realistic rate (env lookups, not values). */
static const char *const lines[] = {
	"  def %s_for(%s)\n",
	"    @%s = %s.find_by(id: params[:id])\n",
	"    return render json: { %s: @%s.as_json }, status: :ok\n",
	"  end\n",
	"\n",
	"# Returns the %s of the %s, or nil when missing.\n",
	"const %s = await fetch(`/api/v1/%s/${id}`, { method: 'GET' });\n",
	"  if (!%s || %s.length === 0) { return null; }\n",
	"import { %s } from '../lib/%s';\n",
	"    %s = self.%s.get(key, default=None)\n",
	"        raise ValueError(f\"bad %s: {%s!r}\")\n",
	"  %s: ${%s_PORT:-5432}\n",
	"<div class=\"%s-card\"><span>{{ %s.title }}</span></div>\n",
	"SELECT %s, count(*) FROM %s GROUP BY 1 ORDER BY 2 DESC;\n",
	"- [%s](https://example.com/docs/%s) reference\n",
	"      expect(%s).to eq(%s)\n",
	"    %s.each_with_index do |%s, i|\n",
	"  validates :%s, presence: true, length: { maximum: 255 } # %s\n",
	"      <td><%%= link_to %s.name, %s_path(%s) %%></td>\n",
	"    }, [%s, %s]);\n",
};

/* Secret-ish lines (env lookups, URLs): about one line in 40. */
static const char *const rare[] = {
	"    token = ENV.fetch(\"%s_TOKEN\") # %s\n",
	"config.api_key = ENV[\"%s_API_KEY\"] || %s\n",
	"    headers['Authorization'] = `Bearer ${process.env.%s}` // %s\n",
	"  password: <%%= ENV['%s_PASSWORD'] %%> # %s\n",
	"  # see https://github.com/%s/%s/issues\n",
	"    secret = Rails.application.credentials.%s[:%s]\n",
	"  url: postgres://localhost/%s_%s\n",
	"    const key = `${%s}-${%s}`;\n",
};

static void gen_line(struct strbuf *sb)
{
	const char *l = next() % 40 ? lines[next() % ARRAY_SIZE(lines)] :
				      rare[next() % ARRAY_SIZE(rare)];

	const char *w1 = words[next() % ARRAY_SIZE(words)];
	const char *w2 = words[next() % ARRAY_SIZE(words)];

	strbuf_addf(sb, l, w1, w2, w1);
	if (next() % 8 == 0) {
		strbuf_setlen(sb, sb->len - 1);
		strbuf_addstr(sb, " # ");
		rand_chars(sb, "0123456789abcdef", 12);
		strbuf_addch(sb, '\n');
	}
}

static int count_cb(const struct rules_match *m, void *data)
{
	(void)m;
	(*(size_t *)data)++;
	return 0;
}

/* A rule set reduced to its keyword pass: one never-matching rule per
 * keyword list of the built-ins would cost regex time; instead use the
 * built-in keywords with a regex that fails at once. */
static int keyword_only(struct rules **out)
{
	struct rule *extra = xcalloc(rules_builtin_count(), sizeof(*extra));
	const char **disabled = xcalloc(rules_builtin_count(), sizeof(char *));
	struct rules_config cfg = { 0 };
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < rules_builtin_count(); i++) {
		const struct rule *b = rules_builtin(i);

		disabled[i] = b->id;
		if (!b->keywords)
			continue;
		extra[n].id = "kw";
		extra[n].description = "kw";
		extra[n].regex = "(*FAIL)";
		extra[n].keywords = b->keywords;
		n++;
	}
	cfg.extra = extra;
	cfg.extra_nr = n;
	cfg.disabled = disabled;
	cfg.disabled_nr = rules_builtin_count();
	rc = rules_compile(out, &cfg);
	free(extra);
	free(disabled);
	return rc;
}

static double scan_mbps(struct rules *r, const struct strbuf *sb, size_t *found)
{
	struct rules_scratch *s = NULL;
	double t[RUNS];

	if (rules_scratch_new(&s, r) < 0)
		die("scratch");
	for (int i = 0; i < RUNS; i++) {
		double t0 = now();

		*found = 0;
		if (rules_scan(r, s, "app/models/x.rb", sb->buf, sb->len,
			       count_cb, found) < 0)
			die("scan failed");
		t[i] = now() - t0;
	}
	rules_scratch_free(s);
	return (double)sb->len / 1e6 / median(t, RUNS);
}

int main(int argc, char **argv)
{
	long mb = 200;
	struct strbuf sb = STRBUF_INIT, small = STRBUF_INIT;
	struct rules *r = NULL, *kw = NULL;
	struct rules_scratch *s = NULL;
	double t[RUNS], t2[RUNS];
	size_t planted = 0, found = 0, lines_nr = 0;
	double floor_mbps, mbps;

	if (argc > 1 && parse_long(&mb, argv[1], 1, 4096) < 0)
		die("usage: rules_bench [MB]");

	/* rules_compile + scratch, and a cold pre-push-sized scan */
	while (small.len < 64 * 1024)
		gen_line(&small);
	strbuf_addstr(&small, "+ key = \"ghp_");
	rand_chars(&small, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789",
		   36);
	strbuf_addstr(&small, "\"\n");
	for (int i = 0; i < RUNS; i++) {
		double t0 = now(), t1;
		size_t n = 0;

		if (rules_compile(&r, NULL) < 0 || rules_scratch_new(&s, r) < 0)
			die("compile");
		t1 = now();
		if (rules_scan(r, s, "x.rb", small.buf, small.len, count_cb,
			       &n) < 0 ||
		    n != 1)
			die("small scan found %zu", n);
		t[i] = (t1 - t0) * 1e3;
		t2[i] = (now() - t0) * 1e3;
		rules_scratch_free(s);
		rules_free(r);
	}
	printf("rules: %zu built-in rules\n", rules_builtin_count());
	printf("compile (rules_compile + scratch): %.2f ms (median of %d)\n",
	       median(t, RUNS), RUNS);
	printf("compile + cold 64 KiB scan:        %.2f ms\n",
	       median(t2, RUNS));

	/* N MB of text, a fake token every ~16 MB */
	strbuf_grow(&sb, (size_t)mb * 1024 * 1024 + 4096);
	while (sb.len < (size_t)mb * 1024 * 1024) {
		gen_line(&sb);
		lines_nr++;
		if (lines_nr % 400000 == 0) {
			strbuf_addstr(&sb, "  gh_token = \"ghp_");
			rand_chars(&sb,
				   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123"
				   "456789",
				   36);
			strbuf_addstr(&sb, "\"\n");
			planted++;
		}
	}

	for (int i = 0; i < RUNS; i++) {
		double t0 = now();
		const char *p = sb.buf, *end = sb.buf + sb.len;
		size_t n = 0;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			if (!nl)
				break;
			n++;
			p = nl + 1;
		}
		t[i] = now() - t0;
		if (n < lines_nr)
			die("lines");
	}
	floor_mbps = (double)sb.len / 1e6 / median(t, RUNS);

	if (keyword_only(&kw) < 0)
		die("keyword-only rules");
	if (rules_compile(&r, NULL) < 0)
		die("compile");
	printf("text: %.1f MB, %zu lines, %zu planted fake tokens\n",
	       (double)sb.len / 1e6, lines_nr, planted);
	printf("floor  memchr per line:      %8.0f MB/s\n", floor_mbps);
	mbps = scan_mbps(kw, &sb, &found);
	printf("floor  keyword pass only:    %8.0f MB/s\n", mbps);
	mbps = scan_mbps(r, &sb, &found);
	printf("rules_scan full rule set:    %8.0f MB/s (1 thread, median "
	       "of %d), %zu findings\n",
	       mbps, RUNS, found);
	if (found != planted)
		printf("warning: expected %zu findings\n", planted);
	rules_free(kw);
	rules_free(r);
	strbuf_release(&sb);
	strbuf_release(&small);
	return found == planted ? 0 : 1;
}
