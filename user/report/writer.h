/* SPDX-License-Identifier: GPL-2.0-only */
/* One interface for every output of trace_run: a writer prints one
 * finished run (its snapshot) in one format, and nothing else reads or
 * changes. --format picks table, json or csv for the report; --folded and
 * --flamegraph write the profiler's stacks with the folded and svg ones. */
#ifndef CT_WRITER_H
#define CT_WRITER_H
#include <stdio.h>

#include "snapshot.h"

struct report_writer {
	const char *format;
	/* 0, or -1 when writing failed */
	int (*write)(FILE *f, const struct ct_snapshot *s);
	/* --interval: one interval's snapshot (s->iv set); NULL: no such output */
	int (*write_interval)(FILE *f, const struct ct_snapshot *s);
};

extern const struct report_writer writer_table, writer_json, writer_csv, writer_folded, writer_svg,
	writer_prom, writer_openmetrics;

/* The writer of a --format name (table, json, csv), or NULL. */
const struct report_writer *writer_find(const char *format);

/* CPU ns per message of a time-ledger row of `samples` (0 without messages). */
static inline double snap_ns_per_msg(const struct ct_snapshot *s, uint64_t samples)
{
	uint64_t m = s->ledger.messages;
	return m ? (double)samples * (double)s->tl->period_ns / (double)m : 0;
}

#endif
