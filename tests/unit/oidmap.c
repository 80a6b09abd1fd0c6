/* SPDX-License-Identifier: MIT */
/* Unit tests for struct oidmap (util): the one object-id map. */
#include "slugguard/common.h"
#include "slugguard/oidmap.h"

#include <setjmp.h>
#include <cmocka.h>

/* A spread id from n: the first eight bytes hash, so vary them. */
static void make_id(unsigned char *id, size_t n)
{
	uint64_t x = (uint64_t)n * 0x9e3779b97f4a7c15ULL;

	memset(id, 0, OIDMAP_RAWSZ);
	memcpy(id, &x, sizeof(x));
	id[OIDMAP_RAWSZ - 1] = (unsigned char)n;
}

static void test_oidmap_put_get_grow(void **state)
{
	struct oidmap m = OIDMAP_INIT;
	unsigned char id[OIDMAP_RAWSZ];
	size_t v;

	(void)state;
	make_id(id, 1);
	assert_false(oidmap_get(&m, id, &v)); /* empty, never allocated */
	for (size_t i = 0; i < 5000; i++) {
		make_id(id, i);
		v = i * 3;
		assert_false(oidmap_put(&m, id, &v));
	}
	assert_int_equal(m.nr, 5000);
	assert_true(m.alloc >= 10000); /* grown, at most half full */
	for (size_t i = 0; i < 5000; i++) {
		make_id(id, i);
		v = 0;
		assert_true(oidmap_get(&m, id, &v));
		assert_int_equal(v, i * 3);
		v = 7;
		assert_true(oidmap_put(&m, id, &v)); /* present: not replaced */
		assert_int_equal(v, i * 3);
	}
	assert_int_equal(m.nr, 5000);
	make_id(id, 5000);
	assert_false(oidmap_get(&m, id, NULL));
	make_id(id, 4999);
	assert_true(oidmap_get(&m, id, NULL));
	/* ids equal in their first eight bytes still differ */
	make_id(id, 1);
	id[OIDMAP_RAWSZ - 1] ^= 0xff;
	assert_false(oidmap_get(&m, id, NULL));
	oidmap_release(&m);
	assert_int_equal(m.nr, 0);
	assert_null(m.keys);
	oidmap_release(&m); /* an empty map again */
	make_id(id, 3);
	v = 9;
	assert_false(oidmap_put(&m, id, &v)); /* reusable */
	assert_true(oidmap_get(&m, id, &v));
	assert_int_equal(v, 9);
	oidmap_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oidmap_put_get_grow),
	};

	return cmocka_run_group_tests_name("oidmap", tests, NULL, NULL);
}
