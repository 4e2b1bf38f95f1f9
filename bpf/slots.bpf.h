/* SPDX-License-Identifier: GPL-2.0-only */
/* Who owns what: the slot (counter row) of a traced process, handed out
 * as processes are met; whether the current task is traced; a TCP socket
 * marked traced by the first traced task that uses it; and the slot of
 * work done for a traced socket anywhere else, found through the socket
 * or, for an skb without one, the connection's 4-tuple. */
#ifndef CT_SLOTS_BPF_H
#define CT_SLOTS_BPF_H
#include "base.bpf.h"
#include "maps.bpf.h"

/* Hands out a free slot to process tgid (forked from ppid, or 0), with
 * the current task's name until its exec names it;
 * the shared last slot when every process slot is taken. A slot is free once
 * user space has harvested its last process (claims entry deleted). */
static __noinline int claim_slot(__u32 tgid, __u32 ppid)
{
	/* unrolled: 5.10's verifier calls a loop whose counter lives on the
	 * stack (its address is the map key) infinite */
#pragma unroll
	for (__u32 i = 0; i < CT_SLOT_LATE; i++) {
		__u32 k = i;
		if (bpf_map_update_elem(&claims, &k, &tgid, BPF_NOEXIST))
			continue;
		struct ct_proc *p = bpf_map_lookup_elem(&procs, &k);
		if (p) {
			p->ppid = ppid;
			p->start_ns = 0; /* known at its exit (tb_exit) */
			bpf_get_current_comm(p->comm, sizeof(p->comm));
			p->tgid = tgid;
		}
		return i;
	}
	__sync_fetch_and_add(&slots_overflow, 1);
	return CT_SLOT_OTHERS;
}

/* Traces process tgid in a new slot; if another CPU got there first, its
 * slot wins and ours is handed back. */
static __always_inline int add_task(__u32 tgid, __u32 ppid)
{
	int slot = claim_slot(tgid, ppid);
	struct ct_task v = { .slot = slot };
	if (bpf_map_update_elem(&tasks, &tgid, &v, BPF_NOEXIST) == 0) {
		__sync_fetch_and_add(&procs_seen, 1);
		return slot;
	}
	if (slot != CT_SLOT_OTHERS) {
		__u32 k = slot;
		struct ct_proc *p = bpf_map_lookup_elem(&procs, &k);
		if (p)
			p->tgid = 0;
		bpf_map_delete_elem(&claims, &k);
	} else {
		__sync_fetch_and_add(&slots_overflow, -1); /* an add: 5.10 has no other atomic */
	}
	struct ct_task *t = bpf_map_lookup_elem(&tasks, &tgid);
	if (!t) /* the table is full: this process goes untraced, and is counted */
		__sync_fetch_and_add(&map_stat[MS_TASKS_FULL], 1);
	return t ? (int)t->slot : -1;
}

/* The current owner generation of slot (the shared last slot has one). */
static __always_inline __u32 slot_gen_now(__u32 slot)
{
	if (slot >= CT_SLOT_LATE)
		return 0;
	/* the mask stays (clang would drop it, knowing slot < 30): 5.10's
	 * verifier loses that bound when slot is spilled as 32 bits */
	barrier_var(slot);
	return slot_gen[slot & (CT_NSLOTS - 1)] & 0xffffff;
}

/* Slot of an owner (CT_OWNER): its slot while the process that marked
 * it holds it, else the row of exited processes' sockets. */
static __always_inline int owner_slot(__u32 slot, __u32 gen)
{
	if (slot >= CT_NSLOTS)
		return -1;
	return gen == slot_gen_now(slot) ? (int)slot : CT_SLOT_LATE;
}

/* Slot of the current task, or -1 when it is not traced: a listed
 * process (or a child of one), or a task of the traced cgroup, which gets
 * its slot the first time it is met. */
static __always_inline int task_slot(void)
{
	if (!filter.enabled)
		return -1;
	__u32 tgid = cur_tgid();
	if (!tgid)
		return -1;
	struct ct_task *t = bpf_map_lookup_elem(&tasks, &tgid);
	if (t)
		return t->slot;
	if (filter.cgroup && bpf_current_task_under_cgroup(&cgroups, 0) == 1)
		return add_task(tgid, 0);
	return -1;
}

/* IPv4 address a as IPv4-mapped IPv6 (network order throughout). */
static __always_inline void v4_mapped(__u32 *out, __u32 a)
{
	out[0] = 0;
	out[1] = 0;
	out[2] = bpf_htonl(0xffff);
	out[3] = a;
}

/* A socket's 4-tuple; 0 until it has both ports (connect() sets the peer
 * before it picks the local port). */
static __always_inline int sk_tuple(const struct sock *sk, struct ct_tuple *t)
{
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	t->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	t->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (fam == 2 /* AF_INET */) {
		v4_mapped(t->laddr, BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr));
		v4_mapped(t->raddr, BPF_CORE_READ(sk, __sk_common.skc_daddr));
	} else {
		BPF_CORE_READ_INTO(&t->laddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32);
		BPF_CORE_READ_INTO(&t->raddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr32);
	}
	return t->rport && t->lport;
}

/* Fills in the 4-tuple of a traced socket once it has a peer. */
static __always_inline void sk_learn_tuple(const struct sock *sk, struct ct_sock *c)
{
	if (c->has_tuple || !sk_tuple(sk, &c->t))
		return;
	c->has_tuple = 1;
	__u32 slot = CT_OWNER(c->slot, c->gen);
	/* a new entry is counted (LRU evictions are found from the counts);
	 * an old one of the same 4-tuple is replaced */
	if (bpf_map_update_elem(&tuples, &c->t, &slot, BPF_NOEXIST) == 0)
		__sync_fetch_and_add(&map_stat[MS_TUPLES_IN], 1);
	else
		bpf_map_update_elem(&tuples, &c->t, &slot, BPF_ANY);
}

/* Marks sk, a TCP socket the current (traced) task uses, as traced by
 * slot; the first process to use a socket keeps it while it lives (one
 * that exited hands it to the next user). Returns whether sk is traced
 * now (0: not a TCP socket, or no slot). */
static __always_inline int sk_mark(const struct sock *sk, int slot)
{
	if (!sk || slot < 0)
		return 0;
	__u64 key = (__u64)sk;
	struct ct_sock *c = bpf_map_lookup_elem(&socks, &key);
	if (!c) {
		if (BPF_CORE_READ(sk, sk_protocol) != 6 /* IPPROTO_TCP */ ||
		    BPF_CORE_READ(sk, sk_type) != 1 /* SOCK_STREAM */)
			return 0;
		__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
		if (fam != 2 && fam != 10 /* AF_INET, AF_INET6 */)
			return 0;
		struct ct_sock v = { .slot = slot,
				     .gen = slot_gen_now(slot),
				     .born = bpf_ktime_get_ns() };
		if (bpf_map_update_elem(&socks, &key, &v, BPF_NOEXIST) == 0)
			__sync_fetch_and_add(&map_stat[MS_SOCKS_IN], 1);
		c = bpf_map_lookup_elem(&socks, &key);
		if (!c)
			return 0;
	} else if (slot < CT_SLOT_LATE && c->slot < CT_SLOT_LATE &&
		   owner_slot(c->slot, c->gen) == CT_SLOT_LATE) {
		c->slot = slot;
		c->gen = slot_gen_now(slot);
		c->has_tuple = 0; /* its 4-tuple's owner follows (sk_learn_tuple) */
	}
	sk_learn_tuple(sk, c);
	return 1;
}

/* Whether sk runs kernel TLS (the "tls" upper-layer protocol): its data
 * goes through tls_sw_sendmsg/tls_sw_recvmsg, not tcp_sendmsg/tcp_recvmsg,
 * and no copy hook sees its bytes; the syscalls do. */
static __always_inline int sk_ktls(const struct sock *sk)
{
	const struct tcp_ulp_ops *ops =
		sk ? BPF_CORE_READ((const struct inet_connection_sock *)sk, icsk_ulp_ops) : NULL;
	if (!ops)
		return 0;
	char name[4] = {};
	BPF_CORE_READ_INTO(&name, ops, name);
	return name[0] == 't' && name[1] == 'l' && name[2] == 's' && !name[3];
}

/* Slot of the current task, marking sk (the socket it works on) as
 * traced: for hooks that run in the process's own context. */
static __always_inline int task_sk_slot(const struct sock *sk)
{
	int slot = task_slot();
	if (slot >= 0)
		sk_mark(sk, slot);
	return slot;
}

/* The same, but -1 unless sk is a traced TCP socket too: for work that
 * counts only on one (a copy out of a unix socket is no TCP copy). */
static __always_inline int task_tcp_slot(const struct sock *sk)
{
	int slot = task_slot();
	return slot >= 0 && sk_mark(sk, slot) ? slot : -1;
}

/* Slot of a traced socket, or -1: for work done on its behalf anywhere
 * (softirq, another task). */
static __always_inline int sk_slot(const struct sock *sk)
{
	if (!sk || !filter.enabled)
		return -1;
	__u64 key = (__u64)sk;
	struct ct_sock *c = bpf_map_lookup_elem(&socks, &key);
	return c ? owner_slot(c->slot, c->gen) : -1;
}

/* Slot of the traced socket that *sent* a received skb (no socket
 * attached yet), found by the connection's 4-tuple from the headers.
 * skb->data points at the network header on the receive path. */
static __always_inline int rx_skb_side(const struct sk_buff *skb)
{
	if (!filter.enabled)
		return -1;
	unsigned char *nh = BPF_CORE_READ(skb, data);
	__u8 vihl = 0, proto = 0;
	__u32 thoff;
	struct ct_tuple t = {};
	bpf_probe_read_kernel(&vihl, 1, nh);
	if ((vihl >> 4) == 4) {
		__u32 a[2] = {};
		bpf_probe_read_kernel(&proto, 1, nh + 9);
		bpf_probe_read_kernel(a, sizeof(a), nh + 12);
		v4_mapped(t.laddr, a[0]);
		v4_mapped(t.raddr, a[1]);
		thoff = (vihl & 15) * 4;
	} else if ((vihl >> 4) == 6) {
		bpf_probe_read_kernel(&proto, 1, nh + 6);
		bpf_probe_read_kernel(t.laddr, 16, nh + 8);
		bpf_probe_read_kernel(t.raddr, 16, nh + 24);
		thoff = 40;
	} else {
		return -1;
	}
	if (proto != 6 /* IPPROTO_TCP */)
		return -1;
	__be16 ports[2] = {};
	bpf_probe_read_kernel(ports, sizeof(ports), nh + thoff);
	t.lport = bpf_ntohs(ports[0]);
	t.rport = bpf_ntohs(ports[1]);
	__u32 *o = bpf_map_lookup_elem(&tuples, &t);
	return o ? owner_slot(CT_OWNER_SLOT(*o), CT_OWNER_GEN(*o)) : -1;
}

/* Slot of an skb: its socket's if that is traced, else the sender's found
 * from the headers. */
static __always_inline int skb_side(const struct sk_buff *skb)
{
	int side = sk_slot(BPF_CORE_READ(skb, sk));
	if (side >= 0)
		return side;
	return rx_skb_side(skb);
}

#endif
