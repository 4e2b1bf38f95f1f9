/* SPDX-License-Identifier: GPL-2.0-only */
/* The hook table (which eBPF programs fill which counter rows) and the
 * hook plan: for one backend, which of them this kernel can run and what
 * each counter row then is (observed, inferred, or absent, and why). The
 * plan is a pure function of the kernel's facts (kfacts.h): the tracer
 * loads what it says; tests feed it facts recorded on other kernels. */
#ifndef CT_HOOKS_H
#define CT_HOOKS_H
#include <stddef.h>
#include <linux/types.h>

#include "copytrace.h"
#include "kfacts.h"

enum ct_backend { BK_FENTRY, BK_KPROBE, BK_TRACEPOINT, BK_COUNT };

enum hook_kind {
	HK_KFUNC, /* kernel function: fentry+fexit, or kprobe+kretprobe */
	HK_TP, /* tracepoint: tp_btf, or classic */
	HK_RAWSYS, /* tp_btf sys_enter/sys_exit for all four syscalls */
	HK_SYSCALL, /* classic per-syscall tracepoints (fallback of HK_RAWSYS) */
	HK_UPROBE, /* user-space function of the traced binary */
};

#define CT_MAX_HOOKS 64
#define CT_MAX_NOTES 24
#define CT_NOTE_LEN 200

/* hooks_plan flags. */
#define CT_TR_ZC_HOOKS 1u /* load the zerocopy-only tracepoint hooks (a3, a4, programs) */
#define CT_TR_NO_SYSTIME 2u /* no syscall hooks: no kernel time per call */
#define CT_TR_NO_UPROBE 4u /* a foreign program: no ct_gather to probe */
/* always attached (--exporter): no hook that feeds only an informational
 * row and runs more than once per call (tcp_sendmsg_locked, per skb) */
#define CT_TR_LEAN 16u
/* classic tracepoints where tp_btf would do (tests
 * the fallback for kernels without tp_btf) */
#define CT_TR_TP_CLASSIC 8u

/* What a counter row is called and which hook fills it in this run. */
struct ct_row_info {
	const char *name; /* kernel (or user) function the row measures */
	char hook[128]; /* e.g. "fentry+fexit", "tp_btf/sock_send_length" */
	int present; /* a program for the row is attached */
	int inferred; /* bytes are inferred, not observed */
	int timed; /* the hook measures time per call */
};

struct hook_plan {
	enum ct_backend backend;
	unsigned flags; /* CT_TR_* */
	unsigned char use[CT_MAX_HOOKS]; /* per hook: 0 unused, else 1 + variant */
	int ret_slot[CT_MAX_HOOKS]; /* fexit's return-value slot of a used hook */
	struct ct_row_info rows[FN_COUNT];
	char notes[CT_MAX_NOTES][CT_NOTE_LEN];
	int nnotes;
	int zc_skipped; /* zerocopy-only tracepoint hooks left out */
	int raw_sys; /* syscall time from tp_btf sys_enter/sys_exit */
	/* every way to ask for a zerocopy send is watched (the raw sys_enter,
	 * io_uring's submitted requests): the zerocopy-only hooks may wait
	 * for the first (cfg.zc_gated) */
	int zc_gated;
	int send_from_syscall; /* tracepoint send bytes from the send syscalls */
	int splice_from_syscall; /* tracepoint sendfile/splice bytes from the syscalls */
	int recvmsg_flags_arg; /* tcp_recvmsg's flags argument (BTF parameter count) */
};

/* The hooks of backend b on a kernel with facts kf. Returns 0 when the
 * backend is usable (the plan in *p), else -1 with why. */
int hooks_plan(const struct kernel_facts *kf, enum ct_backend b, unsigned flags,
	       struct hook_plan *p, char *why, size_t wlen);
/* Drops hook i from the plan (its attach failed) and its rows. */
void hooks_drop(struct hook_plan *p, int i);
/* Whether the run is useless without hook i (tcp_sendmsg on the fentry and
 * kprobe backends: a failed attach then fails the run). */
int hook_required(const struct hook_plan *p, int i);
/* The functions and tracepoints ("category/event") whose facts the plan
 * reads; both lists end with NULL. */
void hooks_fact_names(const char *const **funcs, int *nf, const char *const **tps, int *nt);

/* The table. */
int hook_count(void);
enum hook_kind hook_kind(int i);
const char *hook_target(int i);
unsigned hook_rows(int i); /* one bit per enum ct_fn */
/* The skeleton offsets (struct copytrace_bpf) of hook i's entry and exit
 * programs in the variant p chose (0: none); 0 when p does not use it. */
int hook_prog_offsets(const struct hook_plan *p, int i, size_t off[2]);
/* The .rodata offset of hook i's fexit return-slot setting, or
 * (size_t)-1 when it has none. */
size_t hook_nargs_offset(int i);

const char *backend_name(enum ct_backend b);
/* Name of counter row fn (the kernel or user function it measures). */
const char *row_name(int fn);

#endif
