/* SPDX-License-Identifier: GPL-2.0-only */
/* What a kernel offers the tracer: for each function and tracepoint the
 * hook plan may use, whether BTF, ftrace, kprobes and tracefs have it, and
 * the few global features the programs branch on. Gathered once on the
 * running kernel (probe_kernel_facts, probe.h) or read back from a file
 * recorded on another kernel (tests/unit/kfacts/), so that choosing hooks
 * (hooks_plan) is a pure function of these facts. */
#ifndef CT_KFACTS_H
#define CT_KFACTS_H
#include <stdbool.h>
#include <stdio.h>

#define KF_NAME 64
#define KF_MAX 64

struct kf_func {
	char name[KF_NAME];
	bool btf; /* a BTF FUNC: fentry can name it */
	int ftrace; /* in available_filter_functions: 1, 0, or -1 unreadable */
	int fentry; /* 0: an fentry program on it loads; else -errno */
	bool kprobe; /* kprobes exist and it can take one */
	int params; /* parameters in BTF, -1 unknown */
	int ret_slot; /* fexit's slot of the return value, -1 void or unknown */
};

struct kf_tp {
	char name[KF_NAME]; /* "category/event" */
	bool btf; /* a btf_trace_<event> typedef: tp_btf can attach */
	bool event; /* tracefs events/<category>/<event> exists */
};

struct kernel_facts {
	char release[96]; /* uname -r of the kernel they describe */
	bool kprobes; /* kprobe_events or the kprobe PMU */
	bool cmpxchg; /* BPF compare-and-swap passes the verifier (5.12+) */
	bool task_storage; /* BPF_MAP_TYPE_TASK_STORAGE (5.11+) */
	bool task_btf; /* bpf_get_current_task_btf (5.11+) */
	int nfunc, ntp;
	struct kf_func func[KF_MAX];
	struct kf_tp tp[KF_MAX];
};

/* The facts of one function or tracepoint, or NULL: not recorded (the
 * plan treats it as absent). */
const struct kf_func *kf_func(const struct kernel_facts *kf, const char *name);
const struct kf_tp *kf_tp(const struct kernel_facts *kf, const char *name);
/* Adds a name (once); returns its entry, or NULL when the table is full. */
struct kf_func *kf_add_func(struct kernel_facts *kf, const char *name);
struct kf_tp *kf_add_tp(struct kernel_facts *kf, const char *name);

/* One line per fact ("func NAME btf=1 ..."), the format kfacts_read takes. */
void kfacts_write(FILE *f, const struct kernel_facts *kf);
/* Reads what kfacts_write wrote. 0, or -1 with the line that is wrong in
 * err. */
int kfacts_read(FILE *f, struct kernel_facts *kf, char *err, size_t errlen);

#endif
