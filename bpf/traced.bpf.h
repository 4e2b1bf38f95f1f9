/* Which processes are traced, as both BPF objects see it: trace_run's pid
 * namespace, the current task's tgid in it, and the map of traced
 * processes. One definition for the tracer (common.bpf.h), which fills
 * the map, and the profiler (profile.bpf.c), which user space points at
 * the same map (bpf_map__reuse_fd); the namespace is cfg.pidns_*
 * (config.bpf.h). */
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

#endif
