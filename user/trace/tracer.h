/* SPDX-License-Identifier: GPL-2.0-only */
/* Loads the copytrace eBPF programs for one backend, attaches them to one
 * experiment (runner targets), and reads the per-CPU counters. */
#ifndef CT_TRACER_H
#define CT_TRACER_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "copytrace.h"
#include "hooks.h"
#include "kfacts.h"
#include "procrows.h"

struct bpf_object;
struct bpf_program;

#define CT_MAX_LINKS 128

/* The tracer owns the kernel's facts it probed, the plan it chose from
 * them (and may drop hooks from when an attach fails), the skeleton and
 * its links, and the notes of this run (the plan's first). */
struct tracer {
	struct copytrace_bpf *skel;
	struct kernel_facts facts;
	struct hook_plan plan;
	struct bpf_link *links[CT_MAX_LINKS];
	int nlinks;
	int ncpu;
	char notes[CT_MAX_NOTES][CT_NOTE_LEN];
	int nnotes;
	char uprobe_exe[4096];
	__u64 rec_missed[FN_COUNT]; /* events skipped by recursion protection, per row */
	/* slot lifecycles (tracing a program): the processes' rows, which
	 * the reaper thread (reaper.c) harvests dead slots into; rows_mu
	 * orders its harvests with every read of the counters */
	int recycle;
	struct ct_prows rows;
	pthread_mutex_t rows_mu;
	pthread_t reaper;
	int reaper_on;
	volatile int reaper_stop;
};

/* What to trace: processes (slot i = pids[i]), optionally their children
 * and the tasks of a cgroup. */
struct trace_filter {
	int pids[CT_NSLOTS - 1];
	char comms[CT_NSLOTS - 1][16]; /* names until an exec renames them */
	int npids;
	int follow_fork;
	int cgroup_fd; /* cgroup v2 directory, or -1 */
	int per_conn; /* per-connection counters */
	int recycle; /* an exited process's slot goes to the next one */
	const char *uprobe_exe; /* binary holding ct_gather, or NULL */
};

/* Checks root, BTF, tracefs/bpffs (mounting them), probes the kernel's
 * facts, plans the backend ("auto": the first usable; or a name) with
 * flags (CT_TR_*), loads its programs. 0, or -1 with one line in err. */
int tracer_open(struct tracer *t, const char *backend, unsigned flags, char *err, size_t errlen);
/* Only the facts of the running kernel (trace_run --kernel-facts): 0, or
 * -1 with one line in err. */
int tracer_facts(struct kernel_facts *kf, char *err, size_t errlen);
/* Clears the counters, points the filter at what f names, attaches. */
int tracer_attach(struct tracer *t, const struct trace_filter *f, char *err, size_t errlen);
/* The map of traced processes (tgid -> struct ct_task), for the profiler
 * to share. */
int tracer_tasks_fd(const struct tracer *t);
/* The loaded object (its programs, for --bpf-stats). */
struct bpf_object *tracer_object(const struct tracer *t);
/* How many processes beyond the free slots were summed in the last one. */
unsigned long long tracer_overflow(const struct tracer *t);
/* Processes traced and exited so far (BPF's counts). */
void tracer_proc_counts(const struct tracer *t, uint64_t *seen, uint64_t *exited);

/* Which exited processes' rows a read returns. */
enum rows_mode {
	ROWS_ALL, /* every one (the report) */
	ROWS_NEW, /* those harvested since the last ROWS_NEW read (--interval) */
	ROWS_SINCE, /* those harvested at or after a time (--exporter's grace) */
};
/* One consistent read of every row: the slots' processes (rows
 * 0..CT_NSLOTS-1), each counted from when it got its slot, then the
 * exited processes' rows mode picks, then the folded ones that hold any.
 * *stats (rows * FN_COUNT) and *info (rows) are the caller's to free;
 * *seq is the harvests so far, total[FN_COUNT] every row's sum, the
 * processes no longer read included. final: the detached tracer's read, the
 * calls whose exit was never seen counted and noted. Returns the number
 * of rows, or -1 on no memory. */
int tracer_read_rows(struct tracer *t, int final, enum rows_mode mode, double since,
		     struct ct_stat **stats, struct ct_proc_info **info, uint64_t *seq,
		     struct ct_stat *total);
/* The reaper (reaper.c): started by tracer_attach when f->recycle,
 * stopped (after a last harvest) by tracer_detach. */
int reaper_start(struct tracer *t);
void reaper_stop(struct tracer *t);
/* Harvests every slot BPF marked dead (rows_mu held). */
void reaper_harvest(struct tracer *t);
/* The per-CPU sums of counter cells [first, first + n) into out
 * (reaper.c, which reads a dead slot's; counters.c reads them all). */
int tracer_sum_cells(struct tracer *t, __u32 first, __u32 n, struct ct_stat *out);
/* Every traced connection with a 4-tuple, most bytes first, into *out (to
 * free); returns how many, or -1 on no memory. */
int tracer_conns(struct tracer *t, struct ct_sock **out);
/* The entry and exit programs (exit may be NULL) of hook i in the plan's
 * variant; 0 when the plan does not use hook i. */
int tracer_hook_programs(const struct tracer *t, int i, struct bpf_program *p[2]);
/* After attach: traces process tgid (a child of ppid, named comm until
 * an exec renames it) as the BPF fork hook traces a child, in a free slot
 * or the shared last one. 1 added, 0 traced already, -1 with errno. */
int tracer_add_process(struct tracer *t, int tgid, int ppid, const char *comm);
/* Whether tgid is in the traced set now. */
int tracer_is_traced(const struct tracer *t, int tgid);
/* The traced processes now (the tasks map), at most max into out;
 * returns how many. */
int tracer_traced_pids(const struct tracer *t, int *out, int max);
/* Destroys every link (idempotent). */
void tracer_detach(struct tracer *t);
void tracer_close(struct tracer *t);
/* The events every program missed so far (recursion_misses), read only. */
unsigned long long tracer_recursion_total(const struct tracer *t);
/* Adds a note for every program that missed events (recursion_misses). */
void tracer_note_misses(struct tracer *t);
void tracer_note(struct tracer *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
