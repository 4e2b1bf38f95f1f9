// SPDX-License-Identifier: GPL-2.0-only
/* copytrace's sampling profiler: perf_event programs (software cpu-clock,
 * and hardware cycles where there is a PMU) on every CPU keep the samples
 * of the experiment's tasks and count each distinct (task, kernel stack,
 * user stack) in a hash. Symbols are resolved in user space
 * (user/profile/symbolize.c).
 *
 * Which samples are kept: the current task's process is in `tasks`. That
 * includes softirq and interrupt work that runs while a traced task is
 * current (e.g. the loopback/veth receive path run from the sender's
 * local_bh_enable), whichever socket it serves: a perf_event program
 * does not know the socket. Softirq work in ksoftirqd is counted apart
 * and not kept; work in other tasks' context (idle) is not kept. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "copytrace.h"
#include "traced.bpf.h" /* the tracer's tasks map (shared), cur_tgid */
#include "maps_util.bpf.h"
#include "profile.h"

#define MAX_DEPTH 127 /* PERF_MAX_STACK_DEPTH */

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MAX_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct prof_key);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PS_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} pstats SEC(".maps");

static __always_inline void stat_add(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&pstats, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline int sample(struct bpf_perf_event_data *ctx, __u32 event)
{
	stat_add(PS_SEEN);
	__u32 tgid = cur_tgid();
	if (!tgid)
		return 0; /* outside trace_run's pid namespace, or idle */
	struct ct_task *t = bpf_map_lookup_elem(&tasks, &tgid);
	if (!t) {
		char comm[16];
		/* "ksoftirqd/N" */
		if (!bpf_get_current_comm(comm, sizeof(comm)) && comm[0] == 'k' && comm[1] == 's' &&
		    comm[2] == 'o' && comm[8] == 'd' && comm[9] == '/')
			stat_add(PS_KSOFTIRQD);
		return 0;
	}
	stat_add(PS_KEPT);
	struct prof_key k = { .tgid = tgid, .slot = t->slot, .event = event };
	/* user mode: x86-64 user addresses are the lower half (the code
	 * segment's CPL bits would need a 2-byte context read, refused) */
	k.user_mode = (__s64)PT_REGS_IP(&ctx->regs) >= 0;
	k.kstack = k.user_mode ? -1 : bpf_get_stackid(ctx, &stacks, 0);
	k.ustack = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	if (k.user_mode)
		bpf_probe_read_user(&k.leaf_ret, sizeof(k.leaf_ret), (void *)ctx->regs.sp);
	if ((!k.user_mode && k.kstack < 0) || k.ustack < 0)
		stat_add(PS_STACK_LOST);
	__u64 zero = 0, *c = map_lookup_or_try_init(&counts, &k, &zero);
	if (c)
		__sync_fetch_and_add(c, 1);
	else
		stat_add(PS_MAP_FULL);
	return 0;
}

SEC("perf_event")
int prof_clock(struct bpf_perf_event_data *ctx)
{
	return sample(ctx, PE_CLOCK);
}

SEC("perf_event")
int prof_cycles(struct bpf_perf_event_data *ctx)
{
	return sample(ctx, PE_CYCLES);
}

char LICENSE[] SEC("license") = "GPL";
