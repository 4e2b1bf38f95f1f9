/* The hook table: which eBPF programs fill which counter rows, and the
 * choice of hooks for one backend on the running kernel. */
#ifndef CT_HOOKS_H
#define CT_HOOKS_H
#include <stddef.h>
#include <linux/types.h>

#include "copytrace.h"

struct tracer;
struct bpf_program;

enum ct_backend { BK_FENTRY, BK_KPROBE, BK_TRACEPOINT, BK_COUNT };

enum hook_kind {
	HK_KFUNC,   /* kernel function: fentry+fexit, or kprobe+kretprobe */
	HK_TP,      /* tracepoint: tp_btf, or classic */
	HK_RAWSYS,  /* tp_btf sys_enter/sys_exit for all four syscalls */
	HK_SYSCALL, /* classic per-syscall tracepoints (fallback of HK_RAWSYS) */
	HK_UPROBE,  /* user-space function of the traced binary */
};

#define CT_MAX_HOOKS 64

/* The hook's kind and target ("cat/name" for tracepoints), for attaching. */
enum hook_kind hook_kind(int i);
const char *hook_target(int i);
/* The counter rows hook i fills, one bit per enum ct_fn. */
unsigned hook_rows(int i);
int hook_count(void);

const char *backend_name(enum ct_backend b);
/* Name of counter row fn (the kernel or user function it measures). */
const char *row_name(int fn);

/* Chooses the hooks of backend b for this kernel into t->use, t->rows and
 * t->notes. Returns 0 when the backend is usable, else -1 with why. */
int hooks_choose(struct tracer *t, enum ct_backend b, char *why, size_t wlen);
/* Tells each fexit program of a chosen hook where its function's return
 * value is (the number of arguments, from BTF), before the load. */
void hooks_set_nargs(const struct tracer *t);
/* The entry and exit programs (exit may be NULL) of hook i in the variant
 * t->use[i] chose; 0 when hook i is not used. */
int hook_programs(const struct tracer *t, int i, struct bpf_program *p[2]);
/* Whether the run is useless without hook i (tcp_sendmsg on the fentry and
 * kprobe backends: a failed attach then fails the run). */
int hook_required(const struct tracer *t, int i);
/* Drops hook i (a failed attach) and its rows. */
void hook_drop(struct tracer *t, int i);

#endif
