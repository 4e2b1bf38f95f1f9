/* Loads the copytrace eBPF programs for one backend, attaches them to one
 * experiment (runner targets), and reads the per-CPU counters. */
#ifndef CT_TRACER_H
#define CT_TRACER_H
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "copytrace.h"
#include "hooks.h"
#include "run/runner.h"

/* What a counter row is called and which hook fills it in this run. */
struct ct_row_info {
	const char *name;   /* kernel (or user) function the row measures */
	char hook[128];     /* e.g. "fentry+fexit", "tp_btf/sock_send_length" */
	int present;        /* a program for the row is attached */
	int inferred;       /* bytes are inferred, not observed */
	int timed;          /* the hook measures time per call */
};

struct bpf_object;

#define CT_MAX_NOTES 24
#define CT_MAX_LINKS 128

struct tracer {
	struct copytrace_bpf *skel;
	enum ct_backend backend;
	unsigned char use[CT_MAX_HOOKS]; /* per hook: 0 unused, else 1 + variant */
	struct bpf_link *links[CT_MAX_LINKS];
	int nlinks;
	int ncpu;
	struct ct_row_info rows[FN_COUNT];
	char notes[CT_MAX_NOTES][200];
	int nnotes;
	char uprobe_exe[4096];
	unsigned flags;      /* CT_TR_* given to tracer_open */
	int zc_skipped;      /* zerocopy-only tracepoint hooks left out */
	int raw_sys;         /* syscall time from tp_btf sys_enter/sys_exit */
	int send_from_syscall; /* tracepoint send bytes from the send syscalls */
	int splice_from_syscall; /* tracepoint sendfile/splice bytes from the syscalls */
	__u64 rec_missed[FN_COUNT]; /* events skipped by recursion protection, per row */
};

/* tracer_open flags. */
#define CT_TR_ZC_HOOKS    1u /* load the zerocopy-only tracepoint hooks (a3, a4, programs) */
#define CT_TR_NO_SYSTIME  2u /* no syscall hooks: no kernel time per call */
#define CT_TR_NO_UPROBE   4u /* a foreign program: no ct_gather to probe */

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


/* Checks root, BTF, tracefs/bpffs (mounting them), picks the backend
 * ("auto" or a name), loads the programs. 0, or -1 with one line in err. */
int tracer_open(struct tracer *t, const char *backend, unsigned flags, char *err,
		size_t errlen);
/* Clears the counters, points the filter at what f names, attaches. */
int tracer_attach(struct tracer *t, const struct trace_filter *f, char *err,
		  size_t errlen);
/* The map of traced processes (tgid -> struct ct_task), for the profiler
 * to share. */
int tracer_tasks_fd(const struct tracer *t);
/* The loaded object (its programs, for --bpf-stats). */
struct bpf_object *tracer_object(const struct tracer *t);
/* The filter for one experiment of the runner: its server and client. */
void tracer_filter_run(struct trace_filter *f, const struct run_targets *tg);
/* The processes per slot (procs[CT_NSLOTS]); returns how many processes
 * beyond the slots were summed in the last one. */
unsigned long long tracer_procs(struct tracer *t, struct ct_proc_info *procs);
/* The traced connections with a 4-tuple, most bytes first; returns how
 * many were written (at most max). */
int tracer_conns(struct tracer *t, struct ct_sock *out, int max);
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
void tracer_close(struct tracer *t);
/* Adds a note for every program that missed events (recursion_misses). */
void tracer_note_misses(struct tracer *t);
void tracer_note(struct tracer *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
