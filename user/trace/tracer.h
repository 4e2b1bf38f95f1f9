/* SPDX-License-Identifier: GPL-2.0-only */
/* Loads the copytrace eBPF programs for one backend, attaches them to one
 * experiment (runner targets), and reads the per-CPU counters. */
#ifndef CT_TRACER_H
#define CT_TRACER_H
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "copytrace.h"
#include "hooks.h"
#include "kfacts.h"

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
};

/* What to trace: processes (slot i = pids[i]), optionally their children
 * and the tasks of a cgroup. */
struct trace_filter {
	int pids[CT_NSLOTS - 1];
	char comms[CT_NSLOTS - 1][16]; /* names until an exec renames them */
	int npids;
	int follow_fork;
	int cgroup_fd;       /* cgroup v2 directory, or -1 */
	int per_conn;        /* per-connection counters */
	const char *uprobe_exe; /* binary holding ct_gather, or NULL */
};

/* A traced process as BPF recorded it. */
struct ct_proc_info {
	struct ct_proc p;
	int used;            /* its slot counted something, or was listed */
};


/* Checks root, BTF, tracefs/bpffs (mounting them), probes the kernel's
 * facts, plans the backend ("auto": the first usable; or a name) with
 * flags (CT_TR_*), loads its programs. 0, or -1 with one line in err. */
int tracer_open(struct tracer *t, const char *backend, unsigned flags, char *err,
		size_t errlen);
/* Only the facts of the running kernel (trace_run --kernel-facts): 0, or
 * -1 with one line in err. */
int tracer_facts(struct kernel_facts *kf, char *err, size_t errlen);
/* Clears the counters, points the filter at what f names, attaches. */
int tracer_attach(struct tracer *t, const struct trace_filter *f, char *err,
		  size_t errlen);
/* The map of traced processes (tgid -> struct ct_task), for the profiler
 * to share. */
int tracer_tasks_fd(const struct tracer *t);
/* The loaded object (its programs, for --bpf-stats). */
struct bpf_object *tracer_object(const struct tracer *t);
/* The processes per slot (procs[CT_NSLOTS]); returns how many processes
 * beyond the slots were summed in the last one. */
unsigned long long tracer_procs(struct tracer *t, struct ct_proc_info *procs);
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
/* Sums the per-CPU counters into out[CT_NSTATS], with the calls whose
 * exit was missed (counters.c). */
int tracer_read(struct tracer *t, struct ct_stat *out);
/* The same sums while attached (--interval, --exporter): no leftover
 * entries (calls in flight then), no notes; safe from a second thread,
 * as it only reads the maps. */
int tracer_read_live(struct tracer *t, struct ct_stat *out);
void tracer_close(struct tracer *t);
/* The events every program missed so far (recursion_misses), read only. */
unsigned long long tracer_recursion_total(const struct tracer *t);
/* Adds a note for every program that missed events (recursion_misses). */
void tracer_note_misses(struct tracer *t);
void tracer_note(struct tracer *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
