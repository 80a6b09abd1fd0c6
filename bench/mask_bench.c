/* SPDX-License-Identifier: MIT */
/*
 * Bench driver for src/mask and the slug check (bench/mask.sh):
 *   mask_bench relay VARS       stdin -> masked -> stdout, 64 KiB reads,
 *                               as the build relays buildpack output
 *   mask_bench slug VARS SLUG   slug_scan_literals() over SLUG; prints
 *                               "<bytes> <cpu seconds>" (this thread)
 *   mask_bench scan VARS FILE   the matcher alone over FILE read into
 *                               memory; prints as slug does
 *   mask_bench pack VARS DIR OUT  slug_pack() of DIR without, then with
 *                               the check; prints "<raw bytes> <cpu s
 *                               without> <cpu s with>" (packing thread)
 * VARS holds one NAME=VALUE per line.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/mask.h"
#include "slugguard/rules.h"
#include "slugguard/slug.h"
#include "slugguard/strbuf.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int load_vars(struct mask_set **out, const char *path, const char *mode)
{
	struct strbuf sb = STRBUF_INIT;
	struct mask_var *v = NULL;
	size_t nr = 0, alloc = 0;
	char *p, *end;
	int rc;

	rc = fs_read_capped(&sb, path, 64 << 20);
	if (rc < 0)
		goto out;
	p = sb.buf;
	end = sb.buf + sb.len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *eq;

		if (!nl)
			nl = end;
		*nl = '\0';
		eq = strchr(p, '=');
		if (eq) {
			*eq = '\0';
			ALLOC_GROW(v, nr + 1, alloc);
			v[nr].name = p;
			v[nr].value = eq + 1;
			v[nr].value_len = (size_t)(nl - eq - 1);
			nr++;
		}
		p = nl + 1;
	}
	rc = mask_set_new(out, v, nr, NULL, 0);
	/* relay: the stream waits for the matcher itself; the others wait
	 * here, so their timings are of the check alone */
	if (!rc && strcmp(mode, "relay"))
		rc = mask_set_wait(*out);
out:
	free(v);
	strbuf_release(&sb);
	return rc;
}

static int count_lit(size_t id, size_t start, size_t end, void *data)
{
	(void)id;
	(void)start;
	(void)end;
	(*(size_t *)data)++;
	return 0;
}

static double cpu_s(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* The matcher alone over path's bytes, in memory. */
static int scan_file(const struct mask_set *set, const char *path)
{
	struct rules_literals_scratch *scr = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct timespec a, b;
	size_t found = 0;
	int rc;

	rc = fs_read_capped(&sb, path, (size_t)4 << 30);
	if (!rc)
		rc = rules_literals_scratch_new(&scr, mask_set_literals(set));
	if (rc < 0)
		goto out;
	/*
	 * An untimed pass first: the first user-mode touch of freshly read
	 * pages costs more than the matcher on some VMs (58 ms against
	 * 2 ms over 43 MB on the bench machine); the relay reuses one
	 * buffer, so the warm figure is the matcher's.
	 */
	rc = rules_literals_scan(mask_set_literals(set), scr, sb.buf, sb.len,
				 count_lit, &found);
	if (rc < 0)
		goto out;
	found = 0;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	rc = rules_literals_scan(mask_set_literals(set), scr, sb.buf, sb.len,
				 count_lit, &found);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	printf("%zu %.4f %zu %zu\n", sb.len, cpu_s(&a, &b), found,
	       mask_set_pattern_nr(set));
out:
	rules_literals_scratch_free(scr);
	strbuf_release(&sb);
	return rc;
}

static int count(const char *path, size_t id, void *data)
{
	(void)path;
	(void)id;
	(*(size_t *)data)++;
	return 0;
}

int main(int argc, char **argv)
{
	struct mask_set *set = NULL;
	struct mask_stream *ms = NULL;
	static char buf[65536];
	int out_fd = 1, rc;

	if (argc < 3)
		return 2;
	rc = load_vars(&set, argv[2], argv[1]);
	if (rc < 0)
		goto out;
	if (!strcmp(argv[1], "relay")) {
		ssize_t n;

		mask_stream_new(&ms, set, mask_write_fd, &out_fd);
		while ((n = read(0, buf, sizeof(buf))) > 0) {
			rc = mask_stream_write(ms, buf, (size_t)n);
			if (rc < 0)
				goto out;
		}
		rc = mask_stream_close(ms);
	} else if (!strcmp(argv[1], "slug") && argc == 4) {
		struct timespec a, b;
		uint64_t bytes = 0;
		size_t found = 0;

		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
		rc = slug_scan_literals(argv[3], mask_set_literals(set), count,
					&found, &bytes);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
		printf("%llu %.4f %zu %zu\n", (unsigned long long)bytes,
		       (double)(b.tv_sec - a.tv_sec) +
			       (double)(b.tv_nsec - a.tv_nsec) / 1e9,
		       found, mask_set_pattern_nr(set));
	} else if (!strcmp(argv[1], "scan") && argc == 4) {
		rc = scan_file(set, argv[3]);
	} else if (!strcmp(argv[1], "pack") && argc == 5) {
		struct slug_opts o = {
			NULL, NULL, 0, 0, 0, 1, NULL, NULL, NULL
		};
		struct slug_stats st;
		struct timespec a, b, c;
		size_t found = 0;

		o.dir = argv[3];
		o.out_path = argv[4];
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
		rc = slug_pack(&st, &o);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
		o.check = mask_set_literals(set);
		o.check_fn = count;
		o.check_data = &found;
		unlink(argv[4]);
		if (!rc)
			rc = slug_pack(NULL, &o);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c);
		printf("%llu %.4f %.4f %zu\n", (unsigned long long)st.raw_size,
		       (double)(b.tv_sec - a.tv_sec) +
			       (double)(b.tv_nsec - a.tv_nsec) / 1e9,
		       (double)(c.tv_sec - b.tv_sec) +
			       (double)(c.tv_nsec - b.tv_nsec) / 1e9,
		       found);
	} else {
		rc = 2;
	}
out:
	if (rc < 0)
		fprintf(stderr, "mask_bench: %s\n", error_last());
	mask_stream_free(ms);
	mask_set_free(set);
	return rc < 0 ? 1 : rc;
}
