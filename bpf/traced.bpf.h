/* SPDX-License-Identifier: GPL-2.0-only */
/* Which processes are traced, as both BPF objects see it: the map of
 * traced processes and the current task's ids (trace_run's pid namespace
 * is cfg.pidns_*, config.bpf.h). One definition for the tracer, which
 * fills the map (slots.bpf.h), and the profiler (profile.bpf.c), which
 * user space points at the same map (bpf_map__reuse_fd). */
#ifndef CT_TRACED_BPF_H
#define CT_TRACED_BPF_H
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "copytrace.h"
#include "config.bpf.h"

/* Traced processes: tgid -> slot. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct ct_task);
} tasks SEC(".maps");

/* The current task's tgid as trace_run numbers it (0: outside its pid
 * namespace, or the idle task: never traced). */
static __always_inline __u32 cur_tgid(void)
{
	if (cfg.pidns_ino) { /* a constant: the other branch is not even loaded */
		struct bpf_pidns_info ns = {};
		if (bpf_get_ns_current_pid_tgid(cfg.pidns_dev, cfg.pidns_ino, &ns, sizeof(ns)))
			return 0;
		return ns.tgid;
	}
	return bpf_get_current_pid_tgid() >> 32;
}

/* The current thread, as the key of per-thread maps; idle tasks (pid 0)
 * are told apart by CPU. */
static __always_inline __u32 cur_tid(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	return tid ? tid : 0x80000000u | bpf_get_smp_processor_id();
}

#endif
