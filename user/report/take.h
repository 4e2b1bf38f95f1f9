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
/* Derives from s's counters and o: names, labels, ledgers, medians,
 * time-ledger order, flame-graph title, BPF cost sums. Pure. */
void snapshot_derive(struct ct_snapshot *s, const struct ct_opts *o);
/* Frees what snapshot_take allocated (the connections). */
void snapshot_free(struct ct_snapshot *s);

#endif
