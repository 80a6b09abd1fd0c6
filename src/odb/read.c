/* SPDX-License-Identifier: MIT */
/*
 * Reading objects: pack entries (whole or delta), loose objects, and the
 * per-reader cache of resolved objects that makes a history walk cheap.
 *
 * Every object a reader resolves from a pack, the one asked for and the
 * bases on the way, goes into its cache keyed by (pack, offset). Walking
 * history newest first, the next version of a file is usually a delta on
 * the version just read, so its chain ends at the first step. The cache
 * is one ring of bytes, filled in order and reused from its oldest end
 * (a hit near that end moves forward, so a shared base stays, as under
 * LRU); objects larger than an eighth of it are never kept.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/zstream.h"
#include "odb-internal.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Under AddressSanitizer the ring keeps what per-object malloc() gave
 * it: a poisoned red zone after every entry (an overrun is caught), and
 * a dropped entry's bytes poisoned until reused (so is a caller that
 * keeps a pointer past the next read).
 */
#ifdef SG_ASAN
#include <sanitizer/asan_interface.h>
#define RING_REDZONE 16
#else
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define RING_REDZONE 0
#endif

#define DEFAULT_CACHE ((size_t)256 << 20)
/*
 * The cache's hash table starts small and doubles with its entries: a
 * small push reads a few hundred objects, and a fixed 65,536-bucket
 * table (512 KiB zeroed per reader) was 4% of its time in memset and
 * fresh pages. It is open (linear probing), each slot holding its
 * entry's key: a lookup reads one run of slots, not the header of every
 * entry on a chain, each far away in the ring (those reads were a third
 * of read_obj() in a history scan). It doubles when more than half full,
 * up to an eighth of the ring's size (git.git's history needs 2^16
 * slots, 1 MiB, beside a 192 MiB ring); at that size it fills up to
 * SLOTS_MAX_FILL, and past that the ring drops its oldest entries before
 * it takes a new one. Only a ring of very small objects gets there (an
 * entry takes at least ENTRY_HEAD + 16 bytes of it); without the cap, a
 * history of tiny objects would grow the table to two thirds of the ring.
 */
#define SLOTS_MIN_LOG2 10
#define SLOTS_MAX_FILL(n) ((n) / 8 * 7)
/* git itself stops at 4095 (pack.depth); a longer chain is a loop. */
#define MAX_CHAIN 10000
/* Beyond this an object is not ours to read (zlib's 32-bit counts). */
#define MAX_OBJECT ((size_t)UINT_MAX & ~(size_t)0xfff)
#define MAX_LOOSE_FILE ((size_t)1 << 30)
/* deflate never expands more than ~1032:1 (runs of one byte). */
#define ZLIB_MAX_RATIO 1032

/*
 * A small read takes pack bytes through pread() into a few windows, not
 * through the pack's mapping: on a VM a first touch of a mapped page
 * costs 30-40 us (the fault, then mapping the 16 pages around it), a
 * pread() of 64 KiB ~10 us, and a small push touched ~70 such pages.
 * After WIN_LOADS windows the reader is walking history, where every
 * mapped page is read many times over, and it turns to the mapping (a
 * small push loads 40-180 windows on git.git, maybe and rails; 4,096
 * made a full-history scan 1.7% slower, copying 256 MB it then maps).
 * SLUGGUARD_NO_WINDOWS=1 reads through the mapping from the start (tests
 * compare both ways; benches measure them).
 */
#define WIN_SIZE ((size_t)64 << 10)
#define WIN_NR 32 /* 2 MiB: one huge page (see huge_alloc()) */
#define WIN_LOADS 1024
/* A window is reused for a read that has at least this much in it. */
#define WIN_MIN_VIEW ((size_t)4 << 10)
/*
 * Ids found lately and where: a walk reads a commit as a commit and again
 * as the next one's parent, a tree from both sides of a diff, a blob as
 * a change and as the next change's base. On git.git a small push looked
 * up 320 ids, 231 distinct; each lookup is two pread()s of the index.
 * Direct-mapped on the id's first bytes: a collision forgets the older.
 */
#define MEMO_NR 1024
/* An entry's header: a type-and-size varint and an offset or an id. */
#define ENTRY_HEADER_MAX 32

enum pack_type {
	PT_OFS_DELTA = 6,
	PT_REF_DELTA = 7,
};

/*
 * A cached object: its header and bytes sit together in the reader's
 * ring (see ring_reserve()). An entry leaves the hash when it is dropped
 * or moved; its bytes stay until the ring reaches them again.
 */
struct entry {
	struct entry *fnext; /* the ring's order: next younger entry */
	uint32_t pack;
	uint64_t off;
	enum odb_type type;
	bool live; /* in the hash */
	size_t len;
	size_t at, span; /* where in the ring, and how many bytes */
	uint64_t seq; /* ring bytes written before it: its age */
	unsigned char *buf;
};

/* An object being resolved: in the cache (e) or owned by the caller. */
struct obj {
	struct entry *e;
	enum odb_type type;
	unsigned char *buf;
	size_t len;
	bool owned;
};

/* One delta on the way down a chain, applied on the way back up. */
struct step {
	uint32_t pack;
	uint64_t off;
	size_t data_at; /* start of the zlib stream */
	size_t delta_len; /* its inflated size */
};

struct odb_reader {
	struct odb *db;
	struct zs_inflate *z;
	struct slot {
		uint64_t key; /* slot_key() of e */
		struct entry *e; /* NULL: empty */
	} * slots; /* 1 << slots_log2 of them */
	unsigned slots_log2, slots_max_log2;
	size_t entries_nr;
	/*
	 * The cache's bytes: one ring, written in order and reused from
	 * its oldest end. A walk allocates and frees an object per version
	 * it reads; malloc's bins, splits and fresh pages were a tenth of a
	 * history scan, and the ring's pages, once touched, stay warm.
	 */
	unsigned char *ring;
	size_t ring_size, head; /* next write at ring + head */
	uint64_t seq; /* bytes reserved so far */
	struct entry *oldest, *youngest; /* the ring's order */
	size_t max_entry;
	uint32_t last_pack;
	size_t lookups; /* index lookups so far (see PREAD_LOOKUPS) */
	struct memo {
		unsigned char id[ODB_RAWSZ];
		uint32_t pack;
		uint64_t off; /* 0: empty (no entry starts there) */
	} * memo; /* MEMO_NR of them, on first lookup */
	unsigned char *delta; /* scratch: one inflated delta */
	size_t delta_alloc;
	struct step *steps;
	size_t steps_alloc;
	unsigned char *big; /* the last answer when it is not cached */
	struct entry *last; /* the last answer's entry when it is cached */
	/* an answer odb_hold() keeps valid: never dropped nor moved */
	struct entry *held;
	unsigned char *held_big;
	unsigned char *loose; /* scratch: a loose object's file */
	size_t loose_alloc;
	/* Pack bytes read so far by pread() (see WIN_SIZE). */
	unsigned char *wbuf; /* WIN_NR windows of WIN_SIZE; NULL: not yet */
	struct {
		uint32_t pack;
		uint64_t off;
		size_t len; /* 0: empty */
	} win[WIN_NR];
	unsigned win_next; /* the window to reuse next (round robin) */
	size_t win_loads;
};

struct odb_reader *odb_reader_new(struct odb *db, size_t cache_bytes)
{
	struct odb_reader *r = xcalloc(1, sizeof(*r));

	r->db = db;
	r->slots_log2 = SLOTS_MIN_LOG2;
	r->slots = xcalloc((size_t)1 << r->slots_log2, sizeof(*r->slots));
	r->ring_size = (cache_bytes ? cache_bytes : DEFAULT_CACHE) &
		       ~(size_t)15;
	r->max_entry = r->ring_size / 8;
	r->slots_max_log2 = SLOTS_MIN_LOG2;
	while (((size_t)sizeof(*r->slots) << (r->slots_max_log2 + 1)) <=
	       r->ring_size / 8)
		r->slots_max_log2++;
	if (getenv("SLUGGUARD_NO_WINDOWS"))
		r->win_loads = WIN_LOADS;
	if (zs_inflate_new(&r->z) < 0)
		die("zlib: cannot initialise inflate");
	return r;
}

/* Unique while offsets stay below 2^48 (256 TiB); lookups check both. */
static uint64_t slot_key(uint32_t pack, uint64_t off)
{
	return off ^ ((uint64_t)pack << 48);
}

static size_t slot_of(const struct odb_reader *r, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> (64 - r->slots_log2));
}

static void slot_put(struct odb_reader *r, uint64_t key, struct entry *e)
{
	size_t mask = ((size_t)1 << r->slots_log2) - 1, i = slot_of(r, key);

	while (r->slots[i].e)
		i = (i + 1) & mask;
	r->slots[i].key = key;
	r->slots[i].e = e;
}

/* Double the table when it is more than half full. */
static void cache_grow(struct odb_reader *r)
{
	size_t n = (size_t)1 << r->slots_log2;
	struct slot *old = r->slots;

	if (r->entries_nr <= n / 2 || r->slots_log2 >= r->slots_max_log2)
		return;
	r->slots_log2++;
	r->slots = xcalloc(n * 2, sizeof(*r->slots));
	for (size_t i = 0; i < n; i++)
		if (old[i].e)
			slot_put(r, old[i].key, old[i].e);
	free(old);
}

/* No room for another entry: the table is at its largest and full. */
static bool cache_full(const struct odb_reader *r)
{
	return r->slots_log2 >= r->slots_max_log2 &&
	       r->entries_nr >= SLOTS_MAX_FILL((size_t)1 << r->slots_log2);
}

/* Take e out of the table: its slot empties, the run after it closes up. */
static void hash_remove(struct odb_reader *r, struct entry *e)
{
	size_t mask = ((size_t)1 << r->slots_log2) - 1, i, j;

	if (!e->live)
		return;
	i = slot_of(r, slot_key(e->pack, e->off));
	while (r->slots[i].e != e)
		i = (i + 1) & mask;
	/*
	 * Move back each later slot of the run whose home is not in
	 * (i, j]: a lookup must still reach it from its home.
	 */
	for (j = (i + 1) & mask; r->slots[j].e; j = (j + 1) & mask) {
		size_t home = slot_of(r, r->slots[j].key);

		if (((j - home) & mask) >= ((j - i) & mask)) {
			r->slots[i] = r->slots[j];
			i = j;
		}
	}
	r->slots[i].e = NULL;
	e->live = false;
	r->entries_nr--;
}

static void hash_add(struct odb_reader *r, struct entry *e)
{
	slot_put(r, slot_key(e->pack, e->off), e);
	e->live = true;
	r->entries_nr++;
	cache_grow(r);
}

#define RING_ALIGN(n) (((n) + 15) & ~(size_t)15)
#define ENTRY_HEAD RING_ALIGN(sizeof(struct entry))

/*
 * Map the ring on first use. The whole size is reserved at once, so an
 * address-space limit (ulimit -v) that a growing heap would have met
 * later can refuse it: then a ring half the size, down to 1 MiB, and
 * below that no cache at all (every object on the heap, as when too
 * large) rather than a walk that cannot start.
 */
static bool ring_map(struct odb_reader *r)
{
	while (!r->ring && r->ring_size) {
		r->ring = huge_alloc(r->ring_size);
		if (r->ring)
			break;
		r->ring_size = r->ring_size / 2 >= ((size_t)1 << 20) ?
				       (r->ring_size / 2) & ~(size_t)15 :
				       0;
		r->max_entry = r->ring_size / 8;
	}
	return r->ring != NULL;
}

/*
 * Room in the ring for an object of len bytes, not yet in the hash
 * (ring_publish() puts it there once its bytes are written). Space is
 * taken at the write position, or at the ring's start when the end is
 * too near; the oldest entries in the way are dropped. NULL when the
 * object is too large to cache or pinned stands in the way: the caller
 * then allocates it on its own.
 */
static struct entry *ring_reserve(struct odb_reader *r, size_t len,
				  const struct entry *pinned)
{
	size_t need;
	struct entry *e;

	if (len > r->max_entry)
		return NULL;
	need = ENTRY_HEAD + RING_ALIGN(len + 1) + RING_REDZONE;
	if (need > r->ring_size) /* a ring of a few bytes holds nothing */
		return NULL;
	/* mapping may leave a smaller ring: the checks again */
	if (!r->ring &&
	    (!ring_map(r) || len > r->max_entry || need > r->ring_size))
		return NULL;
	for (;;) {
		struct entry *o = r->oldest;
		size_t at = SIZE_MAX;

		/*
		 * In use: [o->at, head) when o->at < head, else [o->at, end)
		 * and [0, head). Free space after head, or from the start.
		 */
		if (!o) {
			r->head = r->head + need <= r->ring_size ? r->head : 0;
			at = r->head;
		} else if (o->at >= r->head) {
			if (r->head + need <= o->at)
				at = r->head;
		} else if (r->head + need <= r->ring_size) {
			at = r->head;
		} else if (need <= o->at) {
			at = 0;
		}
		if (at != SIZE_MAX && !cache_full(r)) {
			ASAN_UNPOISON_MEMORY_REGION(r->ring + at, need);
			e = (struct entry *)(void *)(r->ring + at);
			memset(e, 0, sizeof(*e));
			e->at = at;
			e->span = need;
			e->seq = r->seq;
			e->buf = r->ring + at + ENTRY_HEAD;
			r->head = at + need;
			r->seq += need;
			if (r->youngest)
				r->youngest->fnext = e;
			else
				r->oldest = e;
			r->youngest = e;
			return e;
		}
		if (o == pinned || o == r->held)
			return NULL;
		hash_remove(r, o);
		r->oldest = o->fnext;
		if (!r->oldest)
			r->youngest = NULL;
		ASAN_POISON_MEMORY_REGION(r->ring + o->at, o->span);
	}
}

static void ring_publish(struct odb_reader *r, struct entry *e, uint32_t pack,
			 uint64_t off, enum odb_type type, size_t len)
{
	e->pack = pack;
	e->off = off;
	e->type = type;
	e->len = len;
	e->buf[len] = '\0';
	/* past the NUL: alignment and the red zone */
	ASAN_POISON_MEMORY_REGION(
		e->buf + len + 1,
		(size_t)(r->ring + e->at + e->span - (e->buf + len + 1)));
	hash_add(r, e);
}

static struct entry *cache_get(struct odb_reader *r, uint32_t pack,
			       uint64_t off)
{
	size_t mask = ((size_t)1 << r->slots_log2) - 1;
	uint64_t key = slot_key(pack, off);
	size_t i = slot_of(r, key);
	struct entry *e, *moved;

	while ((e = r->slots[i].e) &&
	       (r->slots[i].key != key || e->pack != pack || e->off != off))
		i = (i + 1) & mask;
	/*
	 * A hit in the oldest quarter moves to the young end (one copy):
	 * a base many versions share stays, as it would under LRU.
	 */
	if (!e || e == r->held ||
	    r->seq - e->seq < r->ring_size - r->ring_size / 4)
		return e;
	moved = ring_reserve(r, e->len, e);
	if (!moved)
		return e;
	memcpy(moved->buf, e->buf, e->len);
	hash_remove(r, e);
	ring_publish(r, moved, pack, off, e->type, e->len);
	/* its header stays readable: the ring's order still runs through */
	ASAN_POISON_MEMORY_REGION(e->buf, e->len + 1);
	return moved;
}

int odb_reader_check(const struct odb_reader *r, bool *full)
{
	size_t n = (size_t)1 << r->slots_log2, mask = n - 1, used = 0;
	size_t live = 0;

	for (size_t i = 0; i < n; i++) {
		const struct entry *e = r->slots[i].e;
		size_t at;

		if (!e)
			continue;
		used++;
		if (!e->live || r->slots[i].key != slot_key(e->pack, e->off))
			return -1;
		/* reachable from its home: no empty slot on the way */
		for (at = slot_of(r, r->slots[i].key); at != i;
		     at = (at + 1) & mask)
			if (!r->slots[at].e)
				return -1;
	}
	for (const struct entry *e = r->oldest; e; e = e->fnext) {
		size_t i;

		if (!e->live)
			continue;
		live++;
		for (i = slot_of(r, slot_key(e->pack, e->off));
		     r->slots[i].e && r->slots[i].e != e; i = (i + 1) & mask)
			;
		if (r->slots[i].e != e)
			return -1;
	}
	if (used != live || live != r->entries_nr)
		return -1;
	*full = cache_full(r);
	if (r->slots_log2 < r->slots_max_log2)
		return used <= n / 2 ? 0 : -1;
	return used <= SLOTS_MAX_FILL(n) ? 0 : -1;
}

void odb_reader_free(struct odb_reader *r)
{
	if (!r)
		return;
	zs_inflate_free(r->z);
	free(r->slots);
	/* the next mapping at this address must not start poisoned */
	if (r->ring)
		ASAN_UNPOISON_MEMORY_REGION(r->ring, r->ring_size);
	huge_free(r->ring, r->ring_size);
	free(r->delta);
	free(r->steps);
	free(r->big);
	free(r->held_big);
	free(r->loose);
	free(r->memo);
	huge_free(r->wbuf, WIN_NR * WIN_SIZE);
	free(r);
}

static void obj_release(struct obj *o)
{
	if (o->owned)
		free(o->buf);
	memset(o, 0, sizeof(*o));
}

/*
 * Pack bytes at off, where an entry never reaches the trailing checksum:
 * *avail (>= 1) of them are valid until the next call, at least
 * min(need, what is left) when they come from a window. From a window
 * while the reader reads little (see WIN_SIZE) and need fits one, else
 * from the mapping. NULL when off is past the entries.
 */
static const unsigned char *pack_view(struct odb_reader *r, uint32_t pack,
				      uint64_t off, size_t need, size_t *avail)
{
	const struct odb_pack *p = &r->db->packs[pack];
	uint64_t end = p->data_len - 20, start;
	size_t len;
	unsigned w;

	if (off >= end)
		return NULL;
	if (need > end - off)
		need = (size_t)(end - off);
	/* a history walk: no search of windows on every read */
	if (r->win_loads >= WIN_LOADS)
		goto mapped;
	for (w = 0; w < WIN_NR && r->wbuf; w++) {
		uint64_t wend = r->win[w].off + r->win[w].len;

		if (r->win[w].len && r->win[w].pack == pack &&
		    off >= r->win[w].off && off < wend && wend - off >= need &&
		    (wend - off >= WIN_MIN_VIEW || wend == end)) {
			*avail = (size_t)(wend - off);
			return r->wbuf + w * WIN_SIZE +
			       (size_t)(off - r->win[w].off);
		}
	}
	if (need > WIN_SIZE / 2 || p->data_fd < 0)
		goto mapped;
	if (!r->wbuf) {
		r->wbuf = huge_alloc(WIN_NR * WIN_SIZE);
		if (!r->wbuf) {
			r->win_loads = WIN_LOADS; /* the mapping from now on */
			goto mapped;
		}
	}
	/* From the page off is in: reads of neighbours often come back. */
	start = off & ~(uint64_t)4095;
	len = end - start < WIN_SIZE ? (size_t)(end - start) : WIN_SIZE;
	w = r->win_next++ % WIN_NR;
	r->win[w].len = 0;
	r->win_loads++;
	if (!odb_pack_pread(p, r->wbuf + w * WIN_SIZE, len, start))
		goto mapped;
	r->win[w].pack = pack;
	r->win[w].off = start;
	r->win[w].len = len;
	*avail = (size_t)(start + len - off);
	return r->wbuf + w * WIN_SIZE + (size_t)(off - start);
mapped:
	*avail = (size_t)(end - off);
	return p->data + off;
}

/* Parse the entry header at off: type, size, and where its data starts. */
static int entry_header(struct odb_reader *r, uint32_t pack, uint64_t off,
			int *type, size_t *size, size_t *data_at,
			uint64_t *base_off, unsigned char base_id[ODB_RAWSZ])
{
	const struct odb_pack *p = &r->db->packs[pack];
	const unsigned char *d;
	size_t end, pos = 0, avail = 0;
	unsigned shift = 4;
	uint64_t sz;
	unsigned c;

	if (off < 12 || off >= p->data_len - 20)
		return ERR_FAIL;
	/* d[0] is the byte at off; end bounds the header to the view */
	d = pack_view(r, pack, off, ENTRY_HEADER_MAX, &avail);
	if (!d)
		return ERR_FAIL;
	end = avail;
	c = d[pos++];
	*type = (c >> 4) & 7;
	sz = c & 15;
	while (c & 0x80) {
		if (pos >= end || shift > 56)
			return ERR_FAIL;
		c = d[pos++];
		sz += (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	}
	if (sz > MAX_OBJECT)
		return ERR_NOTFOUND;
	*size = (size_t)sz;
	if (*type == PT_OFS_DELTA) {
		uint64_t rel;

		if (pos >= end)
			return ERR_FAIL;
		c = d[pos++];
		rel = c & 0x7f;
		while (c & 0x80) {
			if (pos >= end || rel > (UINT64_MAX >> 8))
				return ERR_FAIL;
			c = d[pos++];
			rel = ((rel + 1) << 7) | (c & 0x7f);
		}
		if (!rel || rel > off)
			return ERR_FAIL;
		*base_off = off - rel;
	} else if (*type == PT_REF_DELTA) {
		if (end - pos < 20)
			return ERR_FAIL;
		/* copied: the window may be reused before it is looked up */
		memcpy(base_id, d + pos, 20);
		pos += 20;
	} else if (*type < ODB_COMMIT || *type > ODB_TAG) {
		return ERR_FAIL;
	}
	/* More than the compressed bytes left could inflate to: forged,
	 * and it must not size an allocation (found by fuzzing). */
	if (*size / ZLIB_MAX_RATIO > p->data_len - 20 - (off + pos))
		return ERR_FAIL;
	*data_at = (size_t)off + pos;
	return 0;
}

/*
 * zlib's worst case for len bytes (deflateBound(), with its header and
 * trailer) and some: git writes its entries with zlib, so a window this
 * long holds the whole stream.
 */
static size_t deflate_bound(size_t len)
{
	return len + (len >> 11) + 64;
}

/* The first bytes of the stream at at (a delta's sizes lead it). */
static int inflate_prefix_at(struct odb_reader *r, uint32_t pack, size_t at,
			     unsigned char *out, size_t cap, size_t *got)
{
	const struct odb_pack *p = &r->db->packs[pack];
	size_t avail = 0, left = p->data_len - 20 - at;
	const unsigned char *in = pack_view(r, pack, at, WIN_MIN_VIEW, &avail);
	int rc;

	if (!in)
		return ERR_FAIL;
	rc = zs_inflate_prefix(r->z, in, avail, out, cap, got);
	/* Short of cap from a window: the stream may go on past it. */
	if ((rc < 0 || *got < cap) && avail < left) {
		error_clear();
		rc = zs_inflate_prefix(r->z, p->data + at, left, out, cap, got);
	}
	return rc;
}

static int inflate_at(struct odb_reader *r, uint32_t pack, size_t at,
		      unsigned char *out, size_t len)
{
	const struct odb_pack *p = &r->db->packs[pack];
	size_t avail = 0, left = p->data_len - 20 - at;
	const unsigned char *in =
		pack_view(r, pack, at, deflate_bound(len), &avail);
	int rc;

	if (!in)
		return ERR_FAIL;
	rc = zs_inflate_exact(r->z, in, avail, out, len, NULL);
	/* A stream longer than the bound (not zlib's, or forged): whole. */
	if (rc < 0 && avail < left) {
		error_clear();
		rc = zs_inflate_exact(r->z, p->data + at, left, out, len, NULL);
	}
	return rc;
}

/* Lookups through pread() before a reader uses the index mappings: a
 * small push stays below, a history walk soon passes it. */
#define PREAD_LOOKUPS 8192

static bool pack_find(struct odb_reader *r, const struct odb_pack *p,
		      const unsigned char *id, uint64_t *off)
{
	if (r->lookups < PREAD_LOOKUPS) {
		r->lookups++;
		return odb_pack_find_pread(p, id, off);
	}
	return odb_pack_find(p, id, off);
}

static bool find_packed(struct odb_reader *r, const unsigned char *id,
			uint32_t *pack, uint64_t *off)
{
	const struct odb *db = r->db;
	struct memo *m;

	if (!r->memo)
		r->memo = xcalloc(MEMO_NR, sizeof(*r->memo));
	m = &r->memo[(id[0] | (unsigned)id[1] << 8) & (MEMO_NR - 1)];
	if (m->off && !memcmp(m->id, id, ODB_RAWSZ)) {
		*pack = m->pack;
		*off = m->off;
		return true;
	}
	if (r->last_pack < db->packs_nr &&
	    pack_find(r, &db->packs[r->last_pack], id, off)) {
		*pack = r->last_pack;
		goto found;
	}
	for (size_t i = 0; i < db->packs_nr; i++) {
		if (i == r->last_pack || !pack_find(r, &db->packs[i], id, off))
			continue;
		*pack = r->last_pack = (uint32_t)i;
		goto found;
	}
	return false;
found:
	memcpy(m->id, id, ODB_RAWSZ);
	m->pack = *pack;
	m->off = *off;
	return true;
}

/* A delta's header: two little-endian base-128 sizes. */
static bool delta_size(const unsigned char **p, const unsigned char *end,
		       size_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;
	unsigned c;

	do {
		if (*p >= end || shift > 56)
			return false;
		c = *(*p)++;
		v |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	if (v > MAX_OBJECT)
		return false;
	*out = (size_t)v;
	return true;
}

/*
 * Apply delta[0..len) to base, giving the object at (pack, off): in the
 * ring when cache (base stays pinned there meanwhile), else in a buffer
 * out owns.
 */
static int apply_delta(struct odb_reader *r, const struct obj *base,
		       const unsigned char *delta, size_t len, bool cache,
		       uint32_t pack, uint64_t off, struct obj *out)
{
	const unsigned char *p = delta, *end = delta + len;
	size_t src_len, dst_len, pos = 0;
	struct entry *e = NULL;
	unsigned char *dst;

	if (!delta_size(&p, end, &src_len) || !delta_size(&p, end, &dst_len) ||
	    src_len != base->len)
		return ERR_FAIL;
	/* Each opcode byte yields at most a 16 MiB copy: a larger result
	 * is forged, and must not size the allocation below. */
	if (dst_len / 0x1000000 > (size_t)(end - p))
		return ERR_FAIL;
	if (cache)
		e = ring_reserve(r, dst_len, base->e);
	dst = e ? e->buf : xmalloc(st_add(dst_len, 1));
	while (p < end) {
		unsigned cmd = *p++;

		if (cmd & 0x80) {
			size_t coff = 0, csz = 0;

			for (int i = 0; i < 4; i++)
				if (cmd & (1u << i)) {
					if (p >= end)
						goto bad;
					coff |= (size_t)*p++ << (8 * i);
				}
			for (int i = 0; i < 3; i++)
				if (cmd & (0x10u << i)) {
					if (p >= end)
						goto bad;
					csz |= (size_t)*p++ << (8 * i);
				}
			if (!csz)
				csz = 0x10000;
			if (coff > src_len || csz > src_len - coff ||
			    csz > dst_len - pos)
				goto bad;
			memcpy(dst + pos, base->buf + coff, csz);
			pos += csz;
		} else if (cmd) {
			if (cmd > (size_t)(end - p) || cmd > dst_len - pos)
				goto bad;
			memcpy(dst + pos, p, cmd);
			p += cmd;
			pos += cmd;
		} else {
			goto bad; /* opcode 0 is reserved */
		}
	}
	if (pos != dst_len)
		goto bad;
	out->type = base->type;
	out->buf = dst;
	out->len = dst_len;
	out->owned = !e;
	out->e = e;
	if (e)
		ring_publish(r, e, pack, off, base->type, dst_len);
	else
		dst[dst_len] = '\0';
	return 0;
bad:
	/* A reserved entry never published is dead space in the ring. */
	if (!e)
		free(dst);
	return ERR_FAIL;
}

static int read_loose(struct odb_reader *r, const unsigned char *id, size_t max,
		      struct obj *out, bool size_only);

/*
 * Resolve the object at (pack, off): walk down its delta chain to a
 * cached or whole object, then apply the deltas on the way back up,
 * caching each result (the object asked for only when keep). With max,
 * stop early when the final size is larger (out->buf stays NULL).
 */
static int resolve(struct odb_reader *r, uint32_t pack, uint64_t off,
		   size_t max, bool keep, struct obj *out)
{
	struct obj base = { NULL, ODB_NONE, NULL, 0, false };
	size_t nsteps = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (;;) {
		struct entry *e = cache_get(r, pack, off);
		unsigned char base_id[ODB_RAWSZ];
		uint64_t base_off = 0;
		size_t size, at;
		int type;

		if (e) {
			base.e = e;
			base.type = e->type;
			base.buf = e->buf;
			base.len = e->len;
			break;
		}
		rc = entry_header(r, pack, off, &type, &size, &at, &base_off,
				  base_id);
		if (rc < 0)
			goto out;
		if (type != PT_OFS_DELTA && type != PT_REF_DELTA) {
			if (max && !nsteps && size > max) {
				out->type = (enum odb_type)type;
				out->len = size;
				goto out;
			}
			if (keep || nsteps)
				e = ring_reserve(r, size, NULL);
			base.type = (enum odb_type)type;
			base.len = size;
			base.buf = e ? e->buf : xmalloc(st_add(size, 1));
			base.owned = !e;
			rc = inflate_at(r, pack, at, base.buf, size);
			if (rc < 0)
				goto out; /* e, never published, is dead space
					   */
			if (e)
				ring_publish(r, e, pack, off, base.type, size);
			else
				base.buf[size] = '\0';
			base.e = e;
			break;
		}
		if (max && !nsteps) {
			/* The result size leads the delta: peek at it. */
			unsigned char head[32];
			const unsigned char *hp = head;
			size_t got = 0, src, dst;

			if (inflate_prefix_at(r, pack, at, head, sizeof(head),
					      &got) < 0 ||
			    !delta_size(&hp, head + got, &src) ||
			    !delta_size(&hp, head + got, &dst)) {
				rc = ERR_FAIL;
				goto out;
			}
			if (dst > max) {
				out->len = dst;
				out->type = ODB_NONE; /* unknown yet */
				goto out;
			}
		}
		if (nsteps >= MAX_CHAIN) {
			rc = ERR_FAIL;
			goto out;
		}
		ALLOC_GROW(r->steps, nsteps + 1, r->steps_alloc);
		r->steps[nsteps].pack = pack;
		r->steps[nsteps].off = off;
		r->steps[nsteps].data_at = at;
		r->steps[nsteps].delta_len = size;
		nsteps++;
		if (type == PT_OFS_DELTA) {
			off = base_off;
			continue;
		}
		if (!find_packed(r, base_id, &pack, &off)) {
			/* A thin base stored loose (rare: quarantine). */
			rc = read_loose(r, base_id, 0, &base, false);
			if (rc < 0)
				goto out;
			break;
		}
	}
	while (nsteps) {
		const struct step *s = &r->steps[--nsteps];
		struct obj next = { NULL, ODB_NONE, NULL, 0, false };

		if (r->delta_alloc < s->delta_len + 1) {
			free(r->delta);
			r->delta_alloc = s->delta_len + 1;
			r->delta = xmalloc(r->delta_alloc);
		}
		rc = inflate_at(r, s->pack, s->data_at, r->delta, s->delta_len);
		if (!rc)
			rc = apply_delta(r, &base, r->delta, s->delta_len,
					 keep || nsteps, s->pack, s->off,
					 &next);
		if (rc < 0)
			goto out;
		obj_release(&base);
		base = next;
	}
	*out = base;
	base.owned = false;
out:
	obj_release(&base);
	return rc;
}

static int parse_loose_header(const unsigned char *h, size_t n,
			      enum odb_type *type, size_t *size, size_t *hlen)
{
	static const char *const names[] = { NULL, "commit", "tree", "blob",
					     "tag" };
	const unsigned char *sp = memchr(h, ' ', n);
	const unsigned char *nul = memchr(h, '\0', n);
	uint64_t v = 0;

	if (!sp || !nul || nul < sp)
		return ERR_FAIL;
	*type = ODB_NONE;
	for (int t = ODB_COMMIT; t <= ODB_TAG; t++)
		if ((size_t)(sp - h) == strlen(names[t]) &&
		    !memcmp(h, names[t], (size_t)(sp - h)))
			*type = (enum odb_type)t;
	if (*type == ODB_NONE || sp + 1 == nul)
		return ERR_FAIL;
	for (const unsigned char *p = sp + 1; p < nul; p++) {
		if (*p < '0' || *p > '9' || v > MAX_OBJECT)
			return ERR_FAIL;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v > MAX_OBJECT)
		return ERR_NOTFOUND;
	*size = (size_t)v;
	*hlen = (size_t)(nul - h) + 1;
	return 0;
}

/* Read a loose object into a buffer the caller owns (out->owned). */
static int read_loose(struct odb_reader *r, const unsigned char *id, size_t max,
		      struct obj *out, bool size_only)
{
	static const char hexd[] = "0123456789abcdef";
	const struct odb *db = r->db;
	char name[2 * ODB_RAWSZ + 2];
	unsigned char head[64];
	size_t got = 0, hlen = 0, size = 0;
	enum odb_type type = ODB_NONE;
	int rc = ERR_NOTFOUND;
	int fd = -1;
	struct stat st;

	memset(out, 0, sizeof(*out));
	for (int i = 0, j = 0; i < ODB_RAWSZ; i++) {
		name[j++] = hexd[id[i] >> 4];
		name[j++] = hexd[id[i] & 15];
		if (!i)
			name[j++] = '/';
	}
	name[sizeof(name) - 1] = '\0';
	for (size_t i = 0; i < db->dirs_nr && fd < 0; i++) {
		char path[PATH_MAX];

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", db->dirs[i],
				     name) < sizeof(path))
			fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return ERR_NOTFOUND;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (size_t)st.st_size > MAX_LOOSE_FILE)
		goto out;
	if (r->loose_alloc < (size_t)st.st_size) {
		free(r->loose);
		r->loose_alloc = (size_t)st.st_size;
		r->loose = xmalloc(r->loose_alloc);
	}
	for (size_t n = 0; n < (size_t)st.st_size;) {
		ssize_t k = read(fd, r->loose + n, (size_t)st.st_size - n);

		if (k <= 0) {
			rc = ERR_FAIL;
			goto out;
		}
		n += (size_t)k;
	}
	rc = zs_inflate_prefix(r->z, r->loose, (size_t)st.st_size, head,
			       sizeof(head), &got);
	if (!rc)
		rc = parse_loose_header(head, got, &type, &size, &hlen);
	if (rc < 0)
		goto out;
	if (size / ZLIB_MAX_RATIO > (size_t)st.st_size) {
		rc = ERR_FAIL;
		goto out;
	}
	out->type = type;
	out->len = size;
	if (size_only || (max && size > max))
		goto out;
	out->buf = xmalloc(hlen + size + 1);
	out->owned = true;
	rc = zs_inflate_exact(r->z, r->loose, (size_t)st.st_size, out->buf,
			      hlen + size, NULL);
	if (rc < 0) {
		obj_release(out);
		goto out;
	}
	memmove(out->buf, out->buf + hlen, size);
	out->buf[size] = '\0';
out:
	close(fd);
	return rc;
}

static int read_obj(struct odb_reader *r, const unsigned char *id, size_t max,
		    bool keep, enum odb_type *type, const unsigned char **data,
		    size_t *len)
{
	struct obj o;
	uint32_t pack;
	uint64_t off;
	int rc;

	*type = ODB_NONE;
	*data = NULL;
	*len = 0;
	free(r->big);
	r->big = NULL;
	r->last = NULL;
	if (find_packed(r, id, &pack, &off))
		rc = resolve(r, pack, off, max, keep, &o);
	else
		rc = read_loose(r, id, max, &o, false);
	if (rc < 0)
		return rc;
	if (!o.buf) {
		/* Over max: the type of a delta's result is not known yet,
		 * and the caller only needs to know it is too large. */
		*type = o.type;
		*len = o.len;
		return 0;
	}
	if (o.owned)
		r->big = o.buf;
	r->last = o.e;
	*type = o.type;
	*data = o.buf;
	*len = o.len;
	return 0;
}

int odb_read(struct odb_reader *r, const unsigned char *id, size_t max,
	     enum odb_type *type, const unsigned char **data, size_t *len)
{
	return read_obj(r, id, max, true, type, data, len);
}

int odb_read_once(struct odb_reader *r, const unsigned char *id,
		  enum odb_type *type, const unsigned char **data, size_t *len)
{
	return read_obj(r, id, 0, false, type, data, len);
}

void odb_hold(struct odb_reader *r)
{
	odb_unhold(r);
	r->held = r->last;
	r->held_big = r->big;
	r->big = NULL;
}

void odb_unhold(struct odb_reader *r)
{
	r->held = NULL;
	free(r->held_big);
	r->held_big = NULL;
}
