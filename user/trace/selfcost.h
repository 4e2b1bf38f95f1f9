/* SPDX-License-Identifier: GPL-2.0-only */
/* --bpf-stats: what tracing costs, measured by the kernel. With its BPF
 * run-time statistics on (BPF_ENABLE_STATS, 5.8+) every program run is
 * timed; the difference of each of trace_run's programs between attach
 * and detach is its time inside BPF during the traced run. The
 * dispatch around it (trampolines, tracepoint calls, the syscall slow
 * path, a uprobe's entry, the perf interrupt) is not in it: a floor of
 * the cost, by program. */
#ifndef CT_SELFCOST_H
#define CT_SELFCOST_H
#include <stddef.h>
#include <stdint.h>

struct bpf_object;

#define SC_MAX_PROGS 128

struct sc_prog {
	char name[48];
	int profiler; /* one of the sampling profiler's programs */
	int fd;
	uint64_t ns0, calls0; /* at the begin snapshot */
	uint64_t ns, calls; /* during the run */
};

struct selfcost {
	int stats_fd; /* the stats stay on while it is open */
	int n;
	struct sc_prog p[SC_MAX_PROGS];
};

/* Turns the kernel's BPF run-time statistics on: 0, or -1 with one line. */
int selfcost_open(struct selfcost *s, char *err, size_t errlen);
/* Snapshots the loaded programs of the tracer's object (and the
 * profiler's, NULL when off) before attach ... */
void selfcost_begin(struct selfcost *s, struct bpf_object *tracer, struct bpf_object *profiler);
/* ... and keeps each one's time and runs since, after detach (the last
 * begin/end pair counts: with --compare, the last traced run). */
void selfcost_end(struct selfcost *s);
/* While attached (--exporter): out = s with each program's time and runs
 * since begin, as selfcost_end would leave them; s is only read. */
void selfcost_now(const struct selfcost *s, struct selfcost *out);
void selfcost_close(struct selfcost *s);

#endif
