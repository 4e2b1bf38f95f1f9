/* SPDX-License-Identifier: GPL-2.0-only */
/* --exporter --by comm: a name's counters never go down. A process's
 * rows leave the exporter's snapshot (its grace period over, or folded
 * with other exited processes); what they had counted stays in its name's
 * series, kept here as one sum per name and shown as one row per name. */
#ifndef CT_BYCOMM_H
#define CT_BYCOMM_H

#include "snapshot.h"

struct ct_opts;

struct comm_sum {
	char comm[16]; /* as the kernel holds it (ct_proc.comm) */
	struct ct_stat st[FN_COUNT];
};

struct comm_carry {
	struct comm_sum *v;
	int n, cap;
	struct ct_snapshot last; /* the processes the last publish showed */
};
#define CT_CARRY_MAX 4096
#define CT_CARRY_MORE "(more names)"

/* Adds the processes s's predecessor showed and s does not to their
 * names' sums, hides s's folded rows (their processes are in the sums),
 * appends a row per name (pid 0) and derives s again. 0, or -1 on no
 * memory (s then shows what it showed). */
int comm_carry_apply(struct comm_carry *cc, struct ct_snapshot *s, const struct ct_opts *o);
void comm_carry_free(struct comm_carry *cc);

#endif
