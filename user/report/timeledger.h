/* SPDX-License-Identifier: GPL-2.0-only */
/* The time ledger: each copy's share of the traced CPU time, from the
 * samples whose stack holds it (copy primitives are classified by the
 * caller that holds them), and the top functions by self time. */
#ifndef CT_TIMELEDGER_H
#define CT_TIMELEDGER_H
#include <math.h>
#include <stdint.h>
#include <linux/types.h>

#include "copytrace.h"
#include "profile/stack.h"

enum tl_row {
	TL_USER_GATHER, /* ct_gather and the memcpy it calls */
	TL_USER_OTHER, /* a user-space copy primitive under any other caller */
	TL_SEND_COPY, /* user->skb copy inside tcp_sendmsg */
	TL_ZC_PIN, /* skb_zerocopy_iter_stream: pinning, no copy */
	TL_DEFERRED, /* skb_copy_ubufs */
	TL_RECV_COPY, /* skb_copy_datagram_iter */
	TL_KERNEL_OTHER, /* a kernel copy primitive under any other caller */
	TL_COUNT
};

struct tl_row_info {
	const char *key; /* JSON key */
	const char *label;
	int copy; /* copies bytes (pinning does not) */
};
extern const struct tl_row_info tl_rows[TL_COUNT];

/* Rows with fewer samples than this are marked as too few to trust. */
#define TL_MIN_SAMPLES 20
#define TL_TOP 12

struct tl_fn {
	const char *name;
	uint64_t samples;
};

/* Per slot: with --impl the sides (0 sender, 1 receiver), tracing a
 * program one per process, as the byte ledger has them. */
struct time_ledger {
	uint64_t period_ns;
	uint64_t total[CT_NSLOTS]; /* kept cpu-clock samples */
	uint64_t rows[TL_COUNT][CT_NSLOTS];
	uint64_t irq[CT_NSLOTS]; /* in softirq/irq on a traced task */
	uint64_t total_all, row_all[TL_COUNT], irq_all; /* the same over all slots */
	struct tl_fn self[TL_TOP]; /* leaf function, most samples first */
	int nself;
	struct tl_fn other[TL_TOP]; /* callers of the "other" copies */
	int nother;
};

/* Frame kinds for highlighting: 0 none, 1 copy primitive, 2 copy site. */
int tl_frame_kind(const char *name);
/* The row of one stack (enum tl_row), or -1: no copy. *irq is set when
 * the walk from the leaf met an interrupt/softirq entry first. *caller is
 * the first frame past a primitive (for the "other" rows), or NULL. */
int tl_classify(const struct prof_stack *s, int *irq, const char **caller);
/* Tracing a program: the ledger's rows are processes, not the tracer's
 * slots (a slot is reused by the processes that come and go). Renumbers
 * each stack's side to its process's row: the pids with the most samples
 * first, in pids[] (up to max - 1 of them), the rest in row max - 1, whose
 * pids[] entry is 0. Returns the rows used. */
int tl_by_process(struct prof_stack *st, int n, uint32_t *pids, int max);
/* Builds the ledger from the cpu-clock stacks. Returns -1 on no memory. */
int tl_build(struct time_ledger *tl, const struct prof_stack *st, int n, uint64_t period_ns);
/* A row of s samples: its relative error, 1/sqrt(s) (1 for none). */
static inline double tl_rel_err(uint64_t s)
{
	return s ? 1 / sqrt((double)s) : 1;
}

#endif
