// SPDX-License-Identifier: GPL-2.0-only
/* Zerocopy id tracking: coalesced, out-of-order, bogus and wrapping ranges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "net/zc_track.h"

static struct zc_track t;

static void in_order_ranges(void **st)
{
	(void)st;
	zc_init(&t);
	zc_taken(&t, 10);
	assert_int_equal(zc_outstanding(&t), 10);
	assert_false(zc_is_done(&t, 0));
	assert_int_equal(zc_complete(&t, 0, 3, true), 4); /* coalesced 0..3 */
	assert_true(zc_is_done(&t, 3));
	assert_false(zc_is_done(&t, 4));
	assert_int_equal(zc_complete(&t, 4, 9, false), 6);
	assert_int_equal(zc_outstanding(&t), 0);
	assert_int_equal(t.completed, 10);
	assert_int_equal(t.copied, 4);
	assert_int_equal(t.notifications, 2);
}

static void out_of_order_waits_for_prefix(void **st)
{
	(void)st;
	zc_init(&t);
	zc_taken(&t, 6);
	assert_int_equal(zc_complete(&t, 3, 5, false), 3);
	assert_false(zc_is_done(&t, 0));
	assert_false(zc_is_done(&t, 4)); /* conservative until the prefix is in */
	assert_int_equal(zc_complete(&t, 0, 2, false), 3);
	assert_true(zc_is_done(&t, 5));
	assert_int_equal(zc_outstanding(&t), 0);
}

static void bogus_ranges_rejected(void **st)
{
	(void)st;
	zc_init(&t);
	zc_taken(&t, 4);
	assert_int_equal(zc_complete(&t, 2, 7, false), -1); /* never sent */
	assert_int_equal(zc_complete(&t, 1, 1, false), 1);
	assert_int_equal(zc_complete(&t, 1, 1, false), -1); /* duplicate */
	assert_int_equal(zc_complete(&t, 0, 0, false), 1);
	assert_int_equal(zc_complete(&t, 0, 0, false), -1); /* already done */
	assert_int_equal(t.bad, 3);
}

/* lo > hi with both ends outstanding is not a
 * wrapped range (it would span about 2^32 ids): rejected, not walked. */
static void reversed_range_rejected(void **st)
{
	(void)st;
	zc_init(&t);
	zc_taken(&t, 10);
	assert_int_equal(zc_complete(&t, 5, 2, false), -1);
	assert_int_equal(t.bad, 1);
	assert_int_equal(t.completed, 0);
	assert_int_equal(zc_outstanding(&t), 10);
	assert_int_equal(zc_complete(&t, 0, 9, false), 10); /* state untouched */
}

static void ids_wrap_at_32_bits(void **st)
{
	(void)st;
	zc_init(&t);
	t.next_id = t.done_below = UINT32_MAX - 1; /* as after 2^32-2 sends */
	zc_taken(&t, 4); /* ids ...FE, FF, 0, 1 */
	assert_int_equal(zc_complete(&t, UINT32_MAX - 1, 1, true), 4);
	assert_int_equal(zc_outstanding(&t), 0);
	assert_int_equal(t.done_below, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_order_ranges),
		cmocka_unit_test(out_of_order_waits_for_prefix),
		cmocka_unit_test(bogus_ranges_rejected),
		cmocka_unit_test(reversed_range_rejected),
		cmocka_unit_test(ids_wrap_at_32_bits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
