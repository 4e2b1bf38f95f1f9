/* Which processes are traced, as both BPF objects see it: trace_run's pid
 * namespace, the current task's tgid in it, and the map of traced
 * processes. One definition for the tracer (common.bpf.h), which fills
 * the map, and the profiler (profile.bpf.c), which user space points at
 * the same map (bpf_map__reuse_fd). Include after vmlinux.h, the libbpf
 * headers and copytrace.h. */
#ifndef CT_TRACED_BPF_H
#define CT_TRACED_BPF_H

/* trace_run's pid namespace (device, inode) when it is not the initial one
 * (a container): the traced tgids are numbers in that namespace, at
 * nesting level pidns_level. */
const volatile __u64 pidns_dev = 0, pidns_ino = 0;
const volatile __u32 pidns_level = 0;

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
	if (pidns_ino) { /* a constant: the other branch is not even loaded */
		struct bpf_pidns_info ns = {};
		if (bpf_get_ns_current_pid_tgid(pidns_dev, pidns_ino, &ns, sizeof(ns)))
			return 0;
		return ns.tgid;
	}
	return bpf_get_current_pid_tgid() >> 32;
}

#endif
