/* SPDX-License-Identifier: GPL-2.0-only */
/* Taking a finished run's snapshot: the detached tracer's counters and
 * plan copied out once, and everything the writers and --check read
 * derived from them. */
#ifndef CT_TAKE_H
#define CT_TAKE_H

#include "snapshot.h"

struct ct_opts;
struct tracer;
/* Takes the detached tracer's counters, processes, connections, plan rows
 * and notes into s, whose run or prog, cmp, prof, tl and cost the caller
 * has set, then derives the rest (snapshot_derive). */
void snapshot_take(struct ct_snapshot *s, const struct ct_opts *o, struct tracer *t);
/* The same from the running tracer (--interval, --exporter): its
 * counters as they are now (tracer_read_live), the processes and which
 * of them still exist; no notes, no connections, no profiler. */
void snapshot_take_live(struct ct_snapshot *s, const struct ct_opts *o, struct tracer *t);
/* d = what happened between prev and cur, two takes of one trace: every
 * counter cur - prev (each a sum of monotonic per-CPU cells), the
 * processes marked new or exited in iv, then derived. */
void snapshot_delta(struct ct_snapshot *d, const struct ct_snapshot *cur,
		    const struct ct_snapshot *prev, struct ct_interval *iv,
		    const struct ct_opts *o);
/* Derives from s's counters and o: names, labels, ledgers, medians,
 * time-ledger order, flame-graph title, BPF cost sums. Pure. */
void snapshot_derive(struct ct_snapshot *s, const struct ct_opts *o);
/* Frees what snapshot_take allocated (the connections). */
void snapshot_free(struct ct_snapshot *s);

#endif
