/* SPDX-License-Identifier: GPL-2.0-only */
/* The rows of traced processes over a run in which slots are reused: each
 * slot's counters at the moment its current process got it (the base its
 * own counts are measured from), and the rows of the processes that
 * exited, harvested from their slots before the slots went to new
 * processes. Pure (no BPF): the reaper (reaper.c) feeds it the counters
 * it reads. Past `max` exited rows, the smallest are folded into one row
 * ("exited processes (N)"), so memory stays bounded over hours while
 * every byte stays counted: the rows always add up to the counters. */
#ifndef CT_PROCROWS_H
#define CT_PROCROWS_H
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "copytrace.h"

#define CT_EXITED_ROWS 4096 /* exited processes kept as rows of their own */

/* A traced process as the report shows it: live in a slot (rows
 * 0..CT_NSLOTS-1) or exited (the rows after). */
struct ct_proc_info {
	struct ct_proc p;
	int used; /* its slot counted something, or was listed */
	int exited; /* its slot was harvested: it exited */
	__u32 slot, gen; /* the slot it had, and which of the slot's processes
			  * it was (0, 1, ...: BPF's slot_gen while it lived) */
	uint64_t seq; /* exited: harvest order, 1, 2, ... */
	double exit_time; /* exited: when it was harvested (CLOCK_REALTIME) */
	uint64_t folded; /* > 0: this row sums so many exited processes */
};

struct ct_prow {
	struct ct_proc_info info;
	struct ct_stat st[FN_COUNT];
};

struct ct_prows {
	struct ct_stat base[CT_NSLOTS][FN_COUNT]; /* each slot's counters when its
						   * process got it */
	struct ct_prow *v; /* exited processes, harvest order mostly */
	size_t n, cap, max;
	__u32 epoch[CT_NSLOTS]; /* harvests of each slot so far: the gen of its
				 * current process */
	/* the folded rows: those harvested up to `mark` (the last read of
	 * new rows, prows_mark), and those after */
	struct ct_prow fold, fold_new;
	uint64_t seq, mark; /* harvests so far; seq at the last prows_mark */
};

void prows_init(struct ct_prows *r, size_t max);
void prows_free(struct ct_prows *r);
/* The process p of slot exited; raw[FN_COUNT] are the
 * slot's counters now. Its row gets raw - base, the slot's base becomes
 * raw (what the slot counts from now on is its next process's). 0, or -1
 * on no memory (the row then goes to the folded one: still counted). */
int prows_harvest(struct ct_prows *r, int slot, const struct ct_proc *p,
		  const struct ct_stat raw[FN_COUNT], double now);
/* Rows harvested after this are new to the next reader (--interval). */
void prows_mark(struct ct_prows *r);
/* The counts of slot's current process: raw - base. */
void prows_live(const struct ct_prows *r, int slot, const struct ct_stat raw[FN_COUNT],
		struct ct_stat out[FN_COUNT]);
/* a += b, a -= b, column by column (histogram slots too). */
void ct_stat_add(struct ct_stat *a, const struct ct_stat *b);
void ct_stat_sub(struct ct_stat *a, const struct ct_stat *b);
/* What a row weighs when the smallest are folded: its bytes, then calls. */
uint64_t prow_weight(const struct ct_prow *w);

#endif
