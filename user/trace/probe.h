/* SPDX-License-Identifier: GPL-2.0-only */
/* Feature probes for the tracer, the way bcc's libbpf-tools do them:
 * test-load (and attach) a tiny fentry program, look a function up in
 * tracefs' available_filter_functions or /proc/kallsyms for kprobes, look
 * a tracepoint's btf_trace_* typedef up in the kernel's BTF for tp_btf. */
#ifndef CT_PROBE_H
#define CT_PROBE_H
#include <stdbool.h>
#include <stddef.h>

struct btf;
struct kernel_facts;

/* Mounts tracefs at /sys/kernel/tracing and bpffs at /sys/fs/bpf when they
 * are missing. Returns 0, or -1 with a one-line "what is missing and how to
 * fix it" in err. */
int probe_mounts(char *err, size_t errlen);
/* The tracefs root in use ("/sys/kernel/tracing" or the debugfs one). */
const char *probe_tracefs(void);

/* Kernel BTF (/sys/kernel/btf/vmlinux); NULL when missing. Owned by probe. */
const struct btf *probe_vmlinux_btf(void);
void probe_free(void);

/* 0 when func is an ftrace site and an fentry program on it loads,
 * else -errno. */
int probe_fentry(const char *func);
/* The kernel can run kprobes (kprobe_events or the kprobe PMU exists). */
bool probe_kprobes(void);
/* func can take a kprobe: kprobes exist and func is in
 * available_filter_functions (or, without it, in /proc/kallsyms). */
bool probe_kprobe_func(const char *func);
/* The tracepoint has a btf_trace_<name> typedef (tp_btf can attach). */
bool probe_tp_btf(const char *name);
/* tracefs has events/<cat>/<name>. */
bool probe_tp(const char *cat, const char *name);
/* fexit's ctx slot holding func's return value (its number of
 * parameters), or -1 when func returns void or is unknown. */
int probe_func_ret_slot(const char *func);
/* BPF compare-and-swap (BPF atomics, 5.12+) passes the verifier. */
bool probe_cmpxchg(void);
/* Number of parameters of a kernel function in BTF, -1 if unknown. */
int probe_func_params(const char *func);
/* BPF_MAP_TYPE_TASK_STORAGE and bpf_get_current_task_btf exist (5.11+). */
bool probe_task_storage(void);
bool probe_task_btf(void);

/* The running kernel's facts for the named functions and tracepoints
 * ("category/event"), and the global ones (kfacts.h). Probes mount
 * nothing: call probe_mounts first. */
void probe_kernel_facts(struct kernel_facts *kf, const char *const *funcs, int nf,
			const char *const *tps, int nt);

#endif
