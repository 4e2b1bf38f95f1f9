/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by bpf/profile.bpf.c and user space (user/profile/profiler.c): the
 * key of one sampled stack and the sample counters. Fixed-width types only. */
#ifndef CT_PROFILE_H
#define CT_PROFILE_H

/* Which perf event a sample came from. */
enum prof_event { PE_CLOCK = 0, PE_CYCLES = 1, PE_COUNT };

/* One distinct sampled stack of a traced task; value: sample count. */
struct prof_key {
	__u32 tgid; /* as the tracer sees it (pid namespace aware) */
	__u32 slot; /* the tasks map's value: 0 server, 1 client */
	__s32 kstack; /* stack map id, < 0: none (user mode) or lost */
	__s32 ustack;
	__u64 leaf_ret; /* user mode: the word at the user stack pointer,
			 * the return address while a frameless leaf
			 * (memcpy) runs, which frame-pointer walks skip */
	__u32 event; /* enum prof_event */
	__u32 user_mode; /* the sample interrupted user space */
};

/* Per-CPU counters (index), summed by user space. */
enum prof_stat {
	PS_SEEN = 0, /* samples of every task */
	PS_KEPT, /* of a traced task (kept) */
	PS_KSOFTIRQD, /* in ksoftirqd: softirq work whose socket a
		       * perf_event program cannot know (not kept) */
	PS_STACK_LOST, /* kept samples whose kernel or user stack failed */
	PS_MAP_FULL, /* kept samples dropped: the counts map was full */
	PS_COUNT
};

#endif
