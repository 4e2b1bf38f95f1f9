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

#define CT_MAX_NOTES 24
#define CT_MAX_LINKS 64

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
	__u64 rec_missed[FN_COUNT]; /* events skipped by recursion protection, per row */
};

/* tracer_open flags. */
#define CT_TR_ZC_HOOKS    1u /* load the zerocopy-only tracepoint hooks (a3) */
#define CT_TR_NO_SYSTIME  2u /* no syscall hooks: no kernel time per call */

/* Checks root, BTF, tracefs/bpffs (mounting them), picks the backend
 * ("auto" or a name), loads the programs. 0, or -1 with one line in err. */
int tracer_open(struct tracer *t, const char *backend, unsigned flags, char *err,
		size_t errlen);
/* Clears the counters, points the filter at the experiment, attaches. */
int tracer_attach(struct tracer *t, const struct run_targets *tg, char *err,
		  size_t errlen);
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
