// SPDX-License-Identifier: GPL-2.0-only
/* Latency histogram: percentiles within the promised relative error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "common/hist.h"

static struct hist h;

static void empty_is_zero(void **st)
{
	(void)st;
	hist_init(&h);
	assert_int_equal(hist_quantile(&h, 0.5), 0);
	assert_true(hist_mean(&h) == 0);
}

static void small_values_are_exact(void **st)
{
	(void)st;
	hist_init(&h);
	for (uint64_t v = 1; v <= 20; v++)
		hist_add(&h, v);
	assert_int_equal(hist_quantile(&h, 0.5), 10);
	assert_int_equal(hist_quantile(&h, 0.9), 18);
	assert_int_equal(hist_quantile(&h, 1.0), 20);
	assert_int_equal(hist_quantile(&h, 0.0), 1);
}

static void uniform_percentiles_within_error(void **st)
{
	(void)st;
	hist_init(&h);
	for (uint64_t v = 1; v <= 100000; v++)
		hist_add(&h, v * 1000);
	double qs[] = { 0.5, 0.9, 0.99, 0.999 };
	for (int i = 0; i < 4; i++) {
		double want = qs[i] * 100000 * 1000;
		double got = (double)hist_quantile(&h, qs[i]);
		assert_true(got >= want * 0.999);
		assert_true(got <= want * (1 + 1.0 / HIST_SUB) + 1000);
	}
	assert_int_equal(hist_quantile(&h, 1.0), 100000000);
	assert_true(hist_mean(&h) > 50000000 && hist_mean(&h) < 50001000);
}

static void outlier_shows_in_tail_only(void **st)
{
	(void)st;
	hist_init(&h);
	for (int i = 0; i < 999; i++)
		hist_add(&h, 20000);
	hist_add(&h, 40000000); /* one 40 ms stall */
	assert_true(hist_quantile(&h, 0.99) < 21000);
	assert_true(hist_quantile(&h, 0.9999) >= 40000000 * 0.97);
	assert_int_equal(h.max, 40000000);
}

static void merge_adds_counts(void **st)
{
	(void)st;
	struct hist a, b;
	hist_init(&a);
	hist_init(&b);
	hist_add(&a, 5);
	hist_add(&b, 500);
	hist_add(&b, 7);
	hist_merge(&a, &b);
	assert_int_equal(a.count, 3);
	assert_int_equal(a.min, 5);
	assert_int_equal(a.max, 500);
	assert_int_equal(hist_quantile(&a, 0.5), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_is_zero),
		cmocka_unit_test(small_values_are_exact),
		cmocka_unit_test(uniform_percentiles_within_error),
		cmocka_unit_test(outlier_shows_in_tail_only),
		cmocka_unit_test(merge_adds_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
