/* SPDX-License-Identifier: GPL-2.0-only */
/* The profiler's symbolized samples, as the time ledger, the folded
 * writer and the flame graph read them (no BPF, no libdwfl: pure data). */
#ifndef CT_STACK_H
#define CT_STACK_H
#include <stdint.h>
#include <linux/types.h>

#include "profile.h"

/* One distinct stack and how many samples had it. frames[] is leaf
 * first: the nk kernel frames, then the nu user frames. */
struct prof_stack {
	int side; /* the tracer's slot: with --impl 0 server (sender),
		   * 1 client (receiver); else one per process */
	int event; /* enum prof_event */
	uint64_t count;
	int nk, nu;
	const char **frames;
	uint32_t pid; /* the process (tgid) */
	const char *root; /* its folded root frame ("comm/pid"), or NULL:
			   * the side's name (--impl) */
};

/* The mmap side-band that gave user symbols to processes started or gone
 * during the trace (sideband.h, procmaps.h): what it read and dropped. */
struct prof_sideband {
	uint64_t records, kept, lost; /* lost: dropped by the kernel */
	uint64_t procs, images, maps; /* tracked */
	uint64_t dropped; /* processes, images, mappings,
			   * files past the caps */
	uint64_t files_refused; /* mapped files not read: not a
				 * regular file, or not the one
				 * that was mapped */
};

struct prof_data {
	int enabled; /* 0: --sample-freq 0, nothing sampled */
	unsigned freq_hz;
	uint64_t period_ns; /* CPU time one cpu-clock sample stands for */
	int cycles; /* hardware cycles sampled too */
	char cycles_why[160]; /* why not, when not */
	uint64_t stats[PS_COUNT];
	struct prof_sideband sb;
	struct prof_stack *st;
	int n;
};

#endif
