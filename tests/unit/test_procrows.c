// SPDX-License-Identifier: GPL-2.0-only
/* The rows of exited processes (user/trace/procrows.c): a harvest files
 * a slot's counters since its process got it, the slot counts anew for
 * the next one, the rows and the live slots always add up to the
 * counters, and past the limit the smallest rows fold into one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "trace/procrows.h"

static struct ct_prows r;
static struct ct_stat raw[CT_NSLOTS][FN_COUNT];

/* The slot's process sends n bytes (the counters only grow). */
static void sends(int slot, __u64 n)
{
	raw[slot][FN_TCP_SENDMSG].calls++;
	raw[slot][FN_TCP_SENDMSG].bytes += n;
	raw[slot][FN_TCP_SENDMSG].hist[3]++;
}

static struct ct_proc proc(__u32 pid, __u64 start)
{
	struct ct_proc p;
	memset(&p, 0, sizeof(p));
	p.tgid = pid;
	p.start_ns = start;
	strcpy(p.comm, "curl");
	return p;
}

/* Rows + every slot's live counts = the counters, column by column. */
static void assert_adds_up(void)
{
	__u64 rows = 0, live = 0, all = 0, hist = 0, allh = 0;
	for (size_t i = 0; i < r.n; i++) {
		rows += r.v[i].st[FN_TCP_SENDMSG].bytes;
		hist += r.v[i].st[FN_TCP_SENDMSG].hist[3];
	}
	rows += r.fold.st[FN_TCP_SENDMSG].bytes + r.fold_new.st[FN_TCP_SENDMSG].bytes;
	hist += r.fold.st[FN_TCP_SENDMSG].hist[3] + r.fold_new.st[FN_TCP_SENDMSG].hist[3];
	for (int k = 0; k < CT_NSLOTS; k++) {
		struct ct_stat out[FN_COUNT];
		prows_live(&r, k, raw[k], out);
		live += out[FN_TCP_SENDMSG].bytes;
		hist += out[FN_TCP_SENDMSG].hist[3];
		all += raw[k][FN_TCP_SENDMSG].bytes;
		allh += raw[k][FN_TCP_SENDMSG].hist[3];
	}
	assert_int_equal(rows + live, all);
	assert_int_equal(hist, allh);
}

static void harvest_then_reuse(void **st)
{
	(void)st;
	memset(raw, 0, sizeof(raw));
	prows_init(&r, 16);
	sends(3, 1000);
	struct ct_proc a = proc(500, 1), b = proc(500, 2); /* one pid, two processes */
	assert_int_equal(prows_harvest(&r, 3, &a, raw[3], 10.0), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].st[FN_TCP_SENDMSG].bytes, 1000);
	assert_int_equal(r.v[0].info.gen, 0);
	assert_int_equal(r.v[0].info.seq, 1);
	assert_true(r.v[0].info.exited);
	assert_int_equal(r.epoch[3], 1);
	/* the slot's next process starts from 0, not from the dead one's */
	sends(3, 2000);
	struct ct_stat out[FN_COUNT];
	prows_live(&r, 3, raw[3], out);
	assert_int_equal(out[FN_TCP_SENDMSG].bytes, 2000);
	assert_int_equal(out[FN_TCP_SENDMSG].calls, 1);
	assert_adds_up();
	assert_int_equal(prows_harvest(&r, 3, &b, raw[3], 11.0), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[1].st[FN_TCP_SENDMSG].bytes, 2000);
	assert_int_equal(r.v[1].info.gen, 1); /* a new row for the same pid */
	assert_int_equal(r.v[1].info.p.tgid, r.v[0].info.p.tgid);
	assert_true(r.v[1].info.p.start_ns != r.v[0].info.p.start_ns);
	assert_adds_up();
	prows_free(&r);
}

static void smallest_fold_past_the_limit(void **st)
{
	(void)st;
	memset(raw, 0, sizeof(raw));
	prows_init(&r, 3);
	__u64 sizes[] = { 500, 100, 900, 50, 700, 300 };
	for (int i = 0; i < 6; i++) {
		struct ct_proc p = proc(600 + (__u32)i, (__u64)i);
		sends(i % 4, sizes[i]);
		assert_int_equal(prows_harvest(&r, i % 4, &p, raw[i % 4], i), 0);
		assert_adds_up();
	}
	/* kept: the three largest (900, 700, 500); folded: 100, 50, 300 */
	assert_int_equal(r.n, 3);
	__u64 kept = 0;
	for (size_t i = 0; i < r.n; i++) {
		assert_true(r.v[i].st[FN_TCP_SENDMSG].bytes >= 500);
		kept += r.v[i].st[FN_TCP_SENDMSG].bytes;
	}
	assert_int_equal(kept, 2100);
	assert_int_equal(r.fold_new.info.folded, 3);
	assert_int_equal(r.fold_new.st[FN_TCP_SENDMSG].bytes, 450);
	assert_int_equal(r.fold_new.info.seq, 6); /* its newest row's */
	/* a reader took the new rows: what folds later was seen, or is new */
	prows_mark(&r);
	assert_int_equal(r.fold.info.folded, 3);
	assert_int_equal(r.fold_new.info.folded, 0);
	struct ct_proc p = proc(700, 7);
	sends(0, 10); /* the smallest: straight into the new folded row */
	assert_int_equal(prows_harvest(&r, 0, &p, raw[0], 7), 0);
	assert_int_equal(r.fold_new.info.folded, 1);
	assert_int_equal(r.fold_new.st[FN_TCP_SENDMSG].bytes, 10);
	p = proc(701, 8);
	sends(1, 5000); /* the largest: a kept row of before the mark folds into `fold` */
	assert_int_equal(prows_harvest(&r, 1, &p, raw[1], 8), 0);
	assert_int_equal(r.fold.info.folded, 4);
	assert_int_equal(r.fold.st[FN_TCP_SENDMSG].bytes, 950);
	assert_adds_up();
	prows_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(harvest_then_reuse),
		cmocka_unit_test(smallest_fold_past_the_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
