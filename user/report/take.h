/* SPDX-License-Identifier: GPL-2.0-only */
/* Taking a finished run's snapshot: the detached tracer's counters and
 * plan copied out once, and everything the writers and --check read
 * derived from them. */
#ifndef CT_TAKE_H
#define CT_TAKE_H

#include "snapshot.h"

struct ct_opts;
struct tracer;
/* --exporter: a process gone this long has its series dropped (Prometheus
 * has scraped its last values; the label set stays bounded). */
#define CT_EXPORTER_GRACE_S 60.0

/* Takes the detached tracer's counters, processes (every row: the slots'
 * and the exited ones'), connections, plan rows and notes into s, whose
 * run or prog, cmp, prof, tl and cost the caller has set, then derives
 * the rest (snapshot_derive). 0, or -1 on no memory. */
int snapshot_take(struct ct_snapshot *s, const struct ct_opts *o, struct tracer *t);
/* The same from the running tracer (--interval, --exporter): its
 * counters as they are now, the slots' processes and which of them still
 * exist, and the exited processes harvested since the last such take
 * (--interval) or in the exporter's grace period before now (exporter);
 * no notes, no connections, no profiler. 0, or -1 on no memory. */
int snapshot_take_live(struct ct_snapshot *s, const struct ct_opts *o, struct tracer *t,
		       int exporter, double now);
/* Gives s room for nrow rows, zeroed (what it held is freed). 0, or -1. */
int snapshot_rows(struct ct_snapshot *s, int nrow);
/* Gives s extra rows after its own, zeroed; the derived parts are stale
 * until snapshot_derive. 0, or -1 (s as it was). */
int snapshot_grow(struct ct_snapshot *s, int extra);
/* Row a of x and row b of y are the same process: its slot and which of
 * the slot's processes it is. */
int snapshot_same_proc(const struct ct_snapshot *x, int a, const struct ct_snapshot *y, int b);
/* d = a deep copy of s (without its connections). */
void snapshot_copy(struct ct_snapshot *d, const struct ct_snapshot *s);
/* d = what happened between prev and cur, two takes of one trace: every
 * process's counters in cur less its counters in prev (found by its slot
 * and which of the slot's processes it is, wherever its row is now), the
 * exited processes harvested in between with all of theirs, the
 * processes marked new or exited, then derived. */
void snapshot_delta(struct ct_snapshot *d, const struct ct_snapshot *cur,
		    const struct ct_snapshot *prev, struct ct_interval *iv,
		    const struct ct_opts *o);
/* Derives from s's counters and o: names, labels, ledgers, medians,
 * time-ledger order, flame-graph title, BPF cost sums. Pure. */
void snapshot_derive(struct ct_snapshot *s, const struct ct_opts *o);
/* Frees what a take allocated (rows, connections). */
void snapshot_free(struct ct_snapshot *s);

#endif
