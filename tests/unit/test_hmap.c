/* Unit tests of util/hmap: put, get, replace, delete (backward shift keeps
 * every other key findable), growth, each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "util/hmap.h"

#define N 20000

static void
count_cb(void *val, void *arg)
{
	(void)val;
	(*(size_t *)arg)++;
}

static void
test_put_get_del(void **state)
{
	struct hmap m = { 0 };
	uint64_t k;
	size_t seen = 0;

	(void)state;
	assert_null(hmap_get(&m, 5));
	assert_null(hmap_del(&m, 5));
	/* keys that collide in the low bits stress the probing */
	for (k = 1; k <= N; k++)
		hmap_put(&m, k << 20, (void *)(uintptr_t)k);
	assert_int_equal(m.count, N);
	for (k = 1; k <= N; k++)
		assert_int_equal((uintptr_t)hmap_get(&m, k << 20), k);
	hmap_put(&m, 7 << 20, (void *)(uintptr_t)99);
	assert_int_equal(m.count, N);
	assert_int_equal((uintptr_t)hmap_get(&m, 7 << 20), 99);
	/* delete every third key; the rest stay findable */
	for (k = 3; k <= N; k += 3)
		assert_non_null(hmap_del(&m, k << 20));
	for (k = 1; k <= N; k++) {
		if (k % 3 == 0)
			assert_null(hmap_get(&m, k << 20));
		else
			assert_non_null(hmap_get(&m, k << 20));
	}
	assert_int_equal(m.count, N - N / 3);
	hmap_each(&m, count_cb, &seen);
	assert_int_equal(seen, m.count);
	for (k = 1; k <= N; k++)
		hmap_del(&m, k << 20);
	assert_int_equal(m.count, 0);
	assert_null(hmap_get(&m, 1 << 20));
	hmap_release(&m);
}

static void
test_random_against_array(void **state)
{
	static void *ref[4096];
	struct hmap m = { 0 };
	unsigned i, k;

	(void)state;
	srand(7);
	for (i = 0; i < 200000; i++) {
		k = (unsigned)rand() % 4096;
		if (rand() % 2) {
			hmap_put(&m, k + 1, (void *)(uintptr_t)(i + 1));
			ref[k] = (void *)(uintptr_t)(i + 1);
		} else {
			assert_ptr_equal(hmap_del(&m, k + 1), ref[k]);
			ref[k] = NULL;
		}
		k = (unsigned)rand() % 4096;
		assert_ptr_equal(hmap_get(&m, k + 1), ref[k]);
	}
	hmap_release(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_del),
		cmocka_unit_test(test_random_against_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
