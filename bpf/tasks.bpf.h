/* SPDX-License-Identifier: GPL-2.0-only */
/* What is traced over time: the children a traced process forks, the
 * names processes take at exec, and the birth of sockets (an address
 * reused by a new socket forgets the dead one's trace). */
#ifndef CT_TASKS_BPF_H
#define CT_TASKS_BPF_H
#include "base.bpf.h"
#include "maps.bpf.h"
#include "slots.bpf.h"

/* tgid of a task as trace_run numbers it: in trace_run's pid namespace
 * (cfg.pidns_ino) when it runs in one. That is the pid of the thread
 * group's leader: a new thread's own pid would make every thread of a
 * program a process of its own. The namespace's level is found by its
 * inode among the pid's levels: user space cannot tell it when its /proc
 * is the namespace's own (NSpid then lists that namespace down only). */
static __always_inline __u32 task_tgid(struct task_struct *task)
{
	if (!cfg.pidns_ino)
		return BPF_CORE_READ(task, tgid);
	struct pid *p = BPF_CORE_READ(task, group_leader, thread_pid);
	unsigned int top = BPF_CORE_READ(p, level);
	struct upid up = {};
	if (!bpf_core_field_exists(((struct ns_common *)0)->inum)) {
		bpf_probe_read_kernel(&up, sizeof(up), &p->numbers[cfg.pidns_level & 31]);
		return up.nr;
	}
	for (unsigned int i = 0; i < 32 && i <= top; i++) { /* MAX_PID_NS_LEVEL */
		bpf_probe_read_kernel(&up, sizeof(up), &p->numbers[i]);
		if (BPF_CORE_READ(up.ns, ns.inum) == (unsigned int)cfg.pidns_ino)
			return up.nr;
	}
	return 0; /* not seen from trace_run's namespace */
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tb_fork, struct task_struct *parent, struct task_struct *child)
{
	if (!filter.enabled || !filter.follow_fork)
		return 0;
	__u32 ptgid = cur_tgid(), ctgid = task_tgid(child);
	if (!ptgid || !ctgid || ctgid == ptgid)
		return 0; /* a thread: its process is already traced, or not */
	if (bpf_map_lookup_elem(&tasks, &ptgid))
		add_task(ctgid, ptgid);
	return 0;
}

/* A traced process's end (filter.recycle): the last of its threads
 * passes here with signal->live at 0 (do_exit counts it down before this
 * tracepoint; two threads exiting at once may both see 0, and only one
 * deletes the entry). The entry goes, so a new process given the same pid
 * is a new one; the slot's generation is raised, so that later work for
 * the dead process's sockets goes to CT_SLOT_LATE, never to the slot's next
 * process; then the slot is marked dead: user space harvests its counters
 * into the process's row and frees it (user/trace/reaper.c). */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(tb_exit, struct task_struct *p)
{
	/* before 5.11 a thread's syscall record is a hash entry by thread id
	 * (core_fixes.bpf.h, sys_slot): it goes with its thread, as task
	 * storage does, so that many short threads cannot fill the table */
	if (!cfg.have_task_storage) {
		__u32 tid = cur_tid();
		bpf_map_delete_elem(&sysc_h, &tid);
	}
	if (!filter.enabled || !filter.recycle)
		return 0;
	__u32 tgid = cur_tgid();
	struct ct_task *t = tgid ? bpf_map_lookup_elem(&tasks, &tgid) : NULL;
	if (!t || BPF_CORE_READ(p, signal, live.counter))
		return 0; /* untraced, or other threads live on */
	__u32 slot = t->slot;
	if (bpf_map_delete_elem(&tasks, &tgid))
		return 0;
	__sync_fetch_and_add(&procs_exited, 1);
	if (slot >= CT_SLOT_LATE)
		return 0;
	struct ct_proc *pr = bpf_map_lookup_elem(&procs, &slot);
	if (!pr || pr->tgid != tgid)
		return 0;
	/* read here, not where the slot is handed out: that is inlined in
	 * hooks whose stack 5.10's verifier already finds near its limit */
	pr->start_ns = BPF_CORE_READ(p, group_leader, start_time);
	barrier_var(slot); /* keep the masks (slot_gen_now says why) */
	__sync_fetch_and_add(&slot_gen[slot & (CT_NSLOTS - 1)], 1);
	slot_dead[slot & (CT_NSLOTS - 1)] = 1;
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tb_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if (!filter.enabled)
		return 0;
	__u32 tgid = cur_tgid();
	struct ct_task *t = bpf_map_lookup_elem(&tasks, &tgid);
	if (!t || t->slot >= CT_SLOT_LATE)
		return 0;
	__u32 slot = t->slot;
	struct ct_proc *pr = bpf_map_lookup_elem(&procs, &slot);
	if (pr)
		bpf_get_current_comm(pr->comm, sizeof(pr->comm));
	return 0;
}

/* A socket starting a connection (SYN_SENT: connect; SYN_RECV: a new
 * child of a listener) is a new socket, whatever its address held before:
 * the old entry goes (to conns_done with --per-connection). A traced task
 * connecting marks it at once; its 4-tuple is learnt at ESTABLISHED. */
static __always_inline void on_set_state(const struct sock *sk, int newstate)
{
	if (!filter.enabled)
		return;
	__u64 key = (__u64)sk;
	struct ct_sock *c = bpf_map_lookup_elem(&socks, &key);
	if (newstate == 2 /* TCP_SYN_SENT */ || newstate == 3 /* TCP_SYN_RECV */) {
		if (c) {
			if (filter.per_conn) {
				struct ct_conn_key ck = { .sk = key, .born = c->born };
				if (bpf_map_update_elem(&conns_done, &ck, c, BPF_ANY))
					__sync_fetch_and_add(&map_stat[MS_CONNS_FULL], 1);
			}
			if (c->has_tuple && bpf_map_delete_elem(&tuples, &c->t) == 0)
				__sync_fetch_and_add(&map_stat[MS_TUPLES_DEL], 1);
			if (bpf_map_delete_elem(&socks, &key) == 0)
				__sync_fetch_and_add(&map_stat[MS_SOCKS_DEL], 1);
		}
		if (newstate == 2)
			sk_mark(sk, task_slot());
	} else if (newstate == 1 /* TCP_ESTABLISHED */ && c) {
		sk_learn_tuple(sk, c);
	}
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tb_set_state, const struct sock *sk, const int oldstate, const int newstate)
{
	on_set_state(sk, newstate);
	return 0;
}

SEC("tracepoint/sock/inet_sock_set_state")
int tc_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	on_set_state(BPF_CORE_READ(ctx, skaddr), BPF_CORE_READ(ctx, newstate));
	return 0;
}

#endif
