// SPDX-License-Identifier: GPL-2.0-only
/* What the eBPF programs and user space compute alike (bpf/copytrace.h):
 * the zerocopy completion mark across the 32-bit id wrap, and the columns
 * a call whose exit was missed is counted in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <cmocka.h>

#include "copytrace.h"

static void zc_advance_counts_new_ids(void **state)
{
	(void)state;
	assert_int_equal(ct_zc_advance(0, 0), 1); /* the first id */
	assert_int_equal(ct_zc_advance(10, 19), 10);
	assert_int_equal(ct_zc_advance(20, 19), 0); /* repeated range */
	assert_int_equal(ct_zc_advance(20, 5), 0); /* stale range */
}

/* A socket's ids wrap after 2^32 sends; crediting must go on. */
static void zc_advance_across_the_wrap(void **state)
{
	(void)state;
	assert_int_equal(ct_zc_advance(0xFFFFFFF0u, 0xFFFFFFFFu), 16);
	assert_int_equal(ct_zc_advance(0xFFFFFFF0u, 5), 22);
	assert_int_equal(ct_zc_advance(0, 0xFFFFFFFFu), 0); /* behind, not 2^32 ahead */
	assert_int_equal(ct_zc_advance(6, 0xFFFFFFFFu), 0);
}

static void missed_sendmsg_counts_bytes_asked_not_sent(void **state)
{
	(void)state;
	__u64 bytes, aux, aux2;
	ct_missed_columns(FN_TCP_SENDMSG, 65536, &bytes, &aux, &aux2);
	assert_int_equal(bytes, 0);
	assert_int_equal(aux, 65536);
	assert_int_equal(aux2, 65536); /* asked by calls whose exit was missed */
}

static void missed_copies_count_their_length(void **state)
{
	(void)state;
	__u64 bytes, aux, aux2;
	ct_missed_columns(FN_RECV_COPY, 4096, &bytes, &aux, &aux2);
	assert_int_equal(bytes, 4096);
	assert_int_equal(aux, 0);
	ct_missed_columns(FN_DEFERRED_COPY, 100, &bytes, &aux, &aux2);
	assert_int_equal(bytes, 100);
}

/* The callback's entry records bytelen << 32 and credits its ids itself. */
static void missed_callback_counts_bytes_only(void **state)
{
	(void)state;
	__u64 bytes, aux, aux2;
	ct_missed_columns(FN_ZC_CALLBACK, (__u64)70000 << 32, &bytes, &aux, &aux2);
	assert_int_equal(bytes, 70000);
	assert_int_equal(aux, 0);
	ct_missed_columns(FN_GATHER, 123, &bytes, &aux, &aux2);
	assert_int_equal(bytes, 0);
	assert_int_equal(aux, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zc_advance_counts_new_ids),
		cmocka_unit_test(zc_advance_across_the_wrap),
		cmocka_unit_test(missed_sendmsg_counts_bytes_asked_not_sent),
		cmocka_unit_test(missed_copies_count_their_length),
		cmocka_unit_test(missed_callback_counts_bytes_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
