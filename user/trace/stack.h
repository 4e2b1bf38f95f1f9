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
	int side;            /* 0 server (sender), 1 client (receiver) */
	int event;           /* enum prof_event */
	uint64_t count;
	int nk, nu;
	const char **frames;
};

struct prof_data {
	int enabled;         /* 0: --sample-freq 0, nothing sampled */
	unsigned freq_hz;
	uint64_t period_ns;  /* CPU time one cpu-clock sample stands for */
	int cycles;          /* hardware cycles sampled too */
	char cycles_why[160];/* why not, when not */
	uint64_t stats[PS_COUNT];
	struct prof_stack *st;
	int n;
};

#endif
