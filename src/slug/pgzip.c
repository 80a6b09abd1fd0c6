/* SPDX-License-Identifier: MIT */
/*
 * Parallel gzip of one stream (pigz's idea, our code): the input is cut
 * into fixed blocks, each deflated on a worker thread with the previous
 * 32 KiB as its dictionary and ended with a sync flush so that the pieces
 * concatenate into one valid deflate stream; the CRCs are combined in
 * order. The block size is fixed, so the output does not depend on the
 * thread count or on timing: same input, same bytes.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/zstream.h"
#include "slug-internal.h"

#include <pthread.h>
#include <unistd.h>

#define PGZ_BLOCK (256 * 1024)
#define PGZ_DICT (32 * 1024)
#define PGZ_SLOTS 16

enum job_state { JOB_FREE = 0, JOB_READY, JOB_BUSY, JOB_DONE };

struct pgz_job {
	enum job_state state;
	uint64_t seq;
	unsigned char *in;
	size_t in_len;
	unsigned char dict[PGZ_DICT];
	size_t dict_len;
	bool last;
	unsigned char *out;
	size_t out_len, out_alloc;
	uint32_t crc;
	int zerr;
};

struct pgz {
	int fd;
	int level;
	unsigned nthreads;
	pthread_t *threads;
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	struct pgz_job jobs[PGZ_SLOTS];
	uint64_t next_submit, next_compress, next_write;
	unsigned char *cur;
	size_t cur_len;
	unsigned char dict[PGZ_DICT];
	size_t dict_len;
	uint32_t crc;
	uint64_t isize;
	uint64_t out_bytes;
	uint64_t limit; /* stop writing past this many bytes; 0 = none */
	bool over;
	bool stop;
	int werr; /* first write error (errno) */
};

static void compress_job(struct zs_deflate *z, struct pgz_job *j)
{
	size_t bound;

	j->crc = zs_crc32(0, j->in, j->in_len);
	bound = zs_deflate_bound(z, j->in_len);
	if (j->out_alloc < bound) {
		free(j->out);
		j->out = xmalloc(bound);
		j->out_alloc = bound;
	}
	if (zs_deflate_block(z, j->dict, j->dict_len, j->in, j->in_len, j->last,
			     j->out, j->out_alloc, &j->out_len) < 0)
		j->zerr = 1;
}

static void *worker(void *arg)
{
	struct pgz *g = arg;
	struct zs_deflate *z = NULL;

	if (zs_deflate_new(&z, g->level) < 0)
		die("zlib: cannot initialise deflate");
	pthread_mutex_lock(&g->lock);
	for (;;) {
		struct pgz_job *j = &g->jobs[g->next_compress % PGZ_SLOTS];

		if (j->state == JOB_READY && j->seq == g->next_compress) {
			j->state = JOB_BUSY;
			g->next_compress++;
			pthread_mutex_unlock(&g->lock);
			compress_job(z, j);
			pthread_mutex_lock(&g->lock);
			j->state = JOB_DONE;
			pthread_cond_broadcast(&g->done);
			/* Another ready job may be waiting for a worker. */
			continue;
		}
		if (g->stop)
			break;
		pthread_cond_wait(&g->work, &g->lock);
	}
	pthread_mutex_unlock(&g->lock);
	zs_deflate_free(z);
	return NULL;
}

static void out_write(struct pgz *g, const void *p, size_t n)
{
	if (g->werr || g->over)
		return;
	if (g->limit && g->out_bytes + n > g->limit) {
		g->over = true;
		return;
	}
	if (fs_write_all(g->fd, p, n) < 0)
		g->werr = errno ? errno : EIO;
	g->out_bytes += n;
}

/* Write finished jobs in order; with wait_all, until none is pending. */
static int drain(struct pgz *g, bool wait_all)
{
	int zerr = 0;

	pthread_mutex_lock(&g->lock);
	while (g->next_write < g->next_submit) {
		struct pgz_job *j = &g->jobs[g->next_write % PGZ_SLOTS];

		if (j->state != JOB_DONE) {
			if (!wait_all &&
			    g->next_submit - g->next_write < PGZ_SLOTS)
				break;
			pthread_cond_wait(&g->done, &g->lock);
			continue;
		}
		pthread_mutex_unlock(&g->lock);
		if (j->zerr)
			zerr = j->zerr;
		out_write(g, j->out, j->out_len);
		g->crc = zs_crc32_combine(g->crc, j->crc, j->in_len);
		pthread_mutex_lock(&g->lock);
		j->state = JOB_FREE;
		g->next_write++;
	}
	pthread_mutex_unlock(&g->lock);
	if (zerr)
		return error_set("zlib: cannot compress the slug");
	return 0;
}

static int submit(struct pgz *g, bool last)
{
	struct pgz_job *j;
	int rc;

	/* Keep at most PGZ_SLOTS blocks in flight (bounded memory). */
	rc = drain(g, false);
	if (rc < 0)
		return rc;
	j = &g->jobs[g->next_submit % PGZ_SLOTS];
	if (j->state != JOB_FREE)
		BUG("pgzip slot still busy");
	if (!j->in)
		j->in = xmalloc(PGZ_BLOCK);
	memcpy(j->in, g->cur, g->cur_len);
	j->in_len = g->cur_len;
	memcpy(j->dict, g->dict, g->dict_len);
	j->dict_len = g->dict_len;
	j->last = last;
	j->zerr = 0;
	/* The next block's dictionary: the last 32 KiB seen. */
	if (g->cur_len >= PGZ_DICT) {
		memcpy(g->dict, g->cur + g->cur_len - PGZ_DICT, PGZ_DICT);
		g->dict_len = PGZ_DICT;
	} else {
		size_t keep = PGZ_DICT - g->cur_len;

		if (keep > g->dict_len)
			keep = g->dict_len;
		memmove(g->dict, g->dict + g->dict_len - keep, keep);
		memcpy(g->dict + keep, g->cur, g->cur_len);
		g->dict_len = keep + g->cur_len;
	}
	g->isize += g->cur_len;
	g->cur_len = 0;
	pthread_mutex_lock(&g->lock);
	j->seq = g->next_submit++;
	j->state = JOB_READY;
	pthread_cond_broadcast(&g->work);
	pthread_mutex_unlock(&g->lock);
	return 0;
}

int pgz_open(struct pgz **out, int fd, int level, unsigned threads,
	     uint64_t limit)
{
	static const unsigned char header[10] = { 0x1f, 0x8b, 8, 0, 0,
						  0,	0,    0, 0, 3 };
	struct pgz *g = xcalloc(1, sizeof(*g));

	*out = NULL;
	g->fd = fd;
	g->level = level;
	g->nthreads = threads ? threads : 1;
	g->limit = limit;
	g->crc = 0;
	g->cur = xmalloc(PGZ_BLOCK);
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->work, NULL);
	pthread_cond_init(&g->done, NULL);
	g->threads = xcalloc(g->nthreads, sizeof(*g->threads));
	for (unsigned i = 0; i < g->nthreads; i++)
		if (pthread_create(&g->threads[i], NULL, worker, g))
			die("cannot start a compression thread");
	/* No name, no time, OS = Unix: the header is the same every run. */
	out_write(g, header, sizeof(header));
	*out = g;
	return 0;
}

int pgz_write(struct pgz *g, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	int rc;

	while (len) {
		size_t n = PGZ_BLOCK - g->cur_len;

		if (n > len)
			n = len;
		memcpy(g->cur + g->cur_len, p, n);
		g->cur_len += n;
		p += n;
		len -= n;
		if (g->cur_len == PGZ_BLOCK) {
			rc = submit(g, false);
			if (rc < 0)
				return rc;
		}
		if (g->werr || g->over)
			break;
	}
	if (g->werr) {
		errno = g->werr;
		return error_from_errno("cannot write slug");
	}
	return 0;
}

int pgz_finish(struct pgz *g)
{
	unsigned char trailer[8];
	int rc;

	rc = submit(g, true);
	if (!rc)
		rc = drain(g, true);
	if (rc < 0)
		return rc;
	for (int i = 0; i < 4; i++) {
		trailer[i] = (unsigned char)(g->crc >> (8 * i));
		trailer[4 + i] = (unsigned char)(g->isize >> (8 * i));
	}
	out_write(g, trailer, sizeof(trailer));
	if (g->werr) {
		errno = g->werr;
		return error_from_errno("cannot write slug");
	}
	return 0;
}

bool pgz_over_limit(const struct pgz *g)
{
	return g->over;
}

uint64_t pgz_out_bytes(const struct pgz *g)
{
	return g->out_bytes;
}

uint64_t pgz_in_bytes(const struct pgz *g)
{
	return g->isize + g->cur_len;
}

void pgz_free(struct pgz *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = true;
	pthread_cond_broadcast(&g->work);
	pthread_mutex_unlock(&g->lock);
	for (unsigned i = 0; i < g->nthreads; i++)
		pthread_join(g->threads[i], NULL);
	for (size_t i = 0; i < PGZ_SLOTS; i++) {
		free(g->jobs[i].in);
		free(g->jobs[i].out);
	}
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->work);
	pthread_cond_destroy(&g->done);
	free(g->threads);
	free(g->cur);
	free(g);
}
