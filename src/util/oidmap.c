/* SPDX-License-Identifier: MIT */
/* struct oidmap: see include/slugguard/oidmap.h. */
#include "slugguard/common.h"
#include "slugguard/oidmap.h"

/* Object ids are already uniformly spread: their first bytes will do. */
static size_t oid_hash(const unsigned char *id)
{
	uint64_t v;

	memcpy(&v, id, sizeof(v));
	return (size_t)v;
}

static size_t find(const struct oidmap *m, const unsigned char *id)
{
	size_t j = oid_hash(id) & (m->alloc - 1);

	while (m->used[j] && memcmp(m->keys[j], id, OIDMAP_RAWSZ))
		j = (j + 1) & (m->alloc - 1);
	return j;
}

static void grow(struct oidmap *m)
{
	struct oidmap n = OIDMAP_INIT;

	n.alloc = m->alloc ? st_mult(m->alloc, 2) : 1024;
	n.keys = xcalloc(n.alloc, sizeof(*n.keys));
	n.vals = xcalloc(n.alloc, sizeof(*n.vals));
	n.used = xcalloc(n.alloc, 1);
	for (size_t i = 0; i < m->alloc; i++) {
		size_t j;

		if (!m->used[i])
			continue;
		j = find(&n, m->keys[i]);
		n.used[j] = 1;
		memcpy(n.keys[j], m->keys[i], OIDMAP_RAWSZ);
		n.vals[j] = m->vals[i];
	}
	n.nr = m->nr;
	oidmap_release(m);
	*m = n;
}

bool oidmap_get(const struct oidmap *m, const unsigned char *id, size_t *val)
{
	size_t j;

	if (!m->alloc)
		return false;
	j = find(m, id);
	if (!m->used[j])
		return false;
	if (val)
		*val = m->vals[j];
	return true;
}

bool oidmap_put(struct oidmap *m, const unsigned char *id, size_t *val)
{
	size_t j;

	if ((m->nr + 1) * 2 > m->alloc)
		grow(m);
	j = find(m, id);
	if (m->used[j]) {
		*val = m->vals[j];
		return true;
	}
	m->used[j] = 1;
	memcpy(m->keys[j], id, OIDMAP_RAWSZ);
	m->vals[j] = *val;
	m->nr++;
	return false;
}

void oidmap_release(struct oidmap *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	memset(m, 0, sizeof(*m));
}
