/* SPDX-License-Identifier: GPL-2.0-only */
/* The ledger model: from a snapshot's counters, the function table's
 * rows, the whole-run bytes of each copy (in total and per process), and
 * the --compare medians; and --check, the ledger asserted against the
 * application's own counts. */
#ifndef CT_LEDGER_H
#define CT_LEDGER_H
#include <stdint.h>
#include <stdio.h>

#include "snapshot.h"

/* Bytes side copied user->kernel, whichever copy function did it (kTLS's
 * copy into a record included). */
uint64_t ledger_send_copy(const struct ct_snapshot *s, int side);
/* The messages a run's ledger is per: the server's sent, or under --role
 * client the client's received (0 tracing a program). */
uint64_t ledger_messages(const struct ct_snapshot *s);
/* Fills s->rows (the rows with a hook and at least one call), s->slots,
 * the ledgers and the --compare medians from s->stats. */
void ledger_build(struct ct_snapshot *s);
/* The value at quantile q of a log2 histogram (slot i: [2^i, 2^(i+1))):
 * the upper edge of the slot holding it; 0 when empty. */
uint64_t log2_quantile(const __u64 hist[CT_HIST_SLOTS], double q);
/* --check: prints each failed invariant as one line to err, and each one
 * this kernel and backend cannot observe (counted in *skipped, never as a
 * pass); returns the number of failures. */
int ledger_check(const struct ct_snapshot *s, FILE *err, int *skipped);

#endif
