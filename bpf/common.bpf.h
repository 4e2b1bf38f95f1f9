/* Shared by every concern: constants, the filter and run-time settings,
 * the maps, the counting and entry/exit helpers, the "is this socket or
 * skb ours" tests, and the macros that make fentry/fexit and
 * kprobe/kretprobe programs from one definition. */
#ifndef CT_COMMON_BPF_H
#define CT_COMMON_BPF_H
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "copytrace.h"
#include "traced.bpf.h"   /* cfg, pid namespace, cur_tgid, the tasks map */

#define MSG_ERRQUEUE 0x2000
#define MSG_ZEROCOPY 0x4000000
#define SO_EE_ORIGIN_ZEROCOPY 5
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#define SKBFL_ZC_ENABLE 1 /* SKBFL_ZEROCOPY_ENABLE */
#define NETIF_F_SG 1ULL   /* 1 << NETIF_F_SG_BIT (0) */

/* Set by user space before the run (mmapped .bss). */
struct ct_filter filter = {};
/* Kernel features and the backend's choices: cfg (config.bpf.h, by way
 * of traced.bpf.h), constants to the verifier. */
/* Processes past the CT_NSLOTS - 1 slots, summed in the last one. */
__u64 slots_overflow = 0;
/* Send calls of the experiment seen with MSG_ZEROCOPY in their flags
 * (observed at syscall entry): user space warns when the zerocopy-only
 * hooks were left out although the sender asked for zerocopy. */
__u64 zc_sends_seen = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CT_NSTATS);
	__type(key, __u32);
	__type(value, struct ct_stat);
} stats SEC(".maps");

/* What is traced besides the processes in `tasks` (traced.bpf.h): the
 * cgroup, the slots handed out (insert-if-absent is the claim: atomic on
 * every kernel, where a fetch-and-add with a result needs 5.12), and per
 * slot the process's tgid and name. */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroups SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CT_NSLOTS);
	__type(key, __u32);
	__type(value, __u32);
} claims SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CT_NSLOTS);
	__type(key, __u32);
	__type(value, struct ct_proc);
} procs SEC(".maps");

/* Traced sockets by address, and their connections by 4-tuple (for skbs
 * met without a socket, on the receive path). LRU: a dead socket's entry
 * goes when its address is reused (tasks.bpf.h) or the map is full. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ct_sock);
} socks SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ct_tuple);
	__type(value, __u32);
} tuples SEC(".maps");
/* --per-connection: the counters of traced sockets whose address was
 * reused during the run. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ct_conn_key);
	__type(value, struct ct_sock);
} conns_done SEC(".maps");

/* Entry timestamps and arguments, per thread and function. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct start_key);
	__type(value, struct start_val);
} starts SEC(".maps");

/* The send/recv syscall in flight per thread (syscall hooks): task-local
 * storage, so sys_exit needs no hash lookup and leaves nothing behind;
 * before 5.11 (no task storage) a hash by thread id instead. User space
 * creates the one it uses (bpf_map__set_autocreate). */
enum sys_kind { SK_SEND, SK_RECV, SK_SPLICE_IN, SK_SPLICE_OUT, SK_RECV_ZC };
struct sys_val {
	__u64 ts;           /* 0: no call of ours in flight */
	__u64 flags;        /* the call's flags argument */
	__u64 sk;           /* its TCP socket */
	__u64 uptr;         /* TCP_ZEROCOPY_RECEIVE: the user's struct */
	__u32 fn;           /* FN_SYS_SEND / FN_SYS_RECV / FN_SYS_ERRQ */
	__s32 side;
	__u32 kind;         /* enum sys_kind */
	__u32 iou_zc;       /* io_uring: the last request submitted was a SEND_ZC */
};
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sys_val);
} sysc SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct sys_val);
} sysc_h SEC(".maps");

/* Zerocopy ids known completed per socket: the high-water mark hi + 1
 * (mod 2^32), raised with compare-and-swap because completions of one
 * socket race on two CPUs (a plain update before 5.12). */
struct zc_seen {
	__u64 done;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct zc_seen);
} zcstate SEC(".maps");

/* ---------------------------------------------------------------- helpers */

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 r = 0, shift;
	shift = (v > 0xFFFFFFFFULL) << 5; v >>= shift; r = shift;
	shift = (v > 0xFFFF) << 4; v >>= shift; r |= shift;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	if (r >= CT_HIST_SLOTS)
		r = CT_HIST_SLOTS - 1;
	return r;
}

/* Adds one call to the cell of (side, fn); returns the cell for
 * count_timed, or NULL when the side is not ours. */
static __always_inline struct ct_stat *count(int side, int fn, __u64 bytes, __u64 aux,
					     __u64 aux2)
{
	if (side < 0 || side >= CT_NSLOTS)
		return NULL;
	__u32 key = CT_STAT_KEY(side, fn);
	struct ct_stat *s = bpf_map_lookup_elem(&stats, &key);
	if (!s)
		return NULL;
	/* Atomic even per CPU: BPF programs can be preempted (migrate-only
	 * disabled) or interrupted by softirq work on the same CPU. The
	 * barriers keep clang from turning an add of a known 0 into an atomic
	 * "or" (BPF atomics beyond add need 5.12; 5.10 rejects the program). */
	barrier_var(bytes);
	barrier_var(aux);
	barrier_var(aux2);
	__sync_fetch_and_add(&s->calls, 1);
	__sync_fetch_and_add(&s->bytes, bytes);
	__sync_fetch_and_add(&s->aux, aux);
	__sync_fetch_and_add(&s->aux2, aux2);
	return s;
}

/* count, plus the call's time and its log2 histogram slot. */
static __always_inline void count_timed(int side, int fn, __u64 bytes,
					__u64 ns, __u64 aux, __u64 aux2)
{
	struct ct_stat *s = count(side, fn, bytes, aux, aux2);
	if (!s)
		return;
	__sync_fetch_and_add(&s->ns, ns);
	__sync_fetch_and_add(&s->timed, 1);
	__sync_fetch_and_add(&s->hist[log2_slot(ns) & (CT_HIST_SLOTS - 1)], 1);
}

/* Thread key; idle tasks (pid 0) are told apart by CPU. */
static __always_inline __u32 cur_tid(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	return tid ? tid : 0x80000000u | bpf_get_smp_processor_id();
}

/* Counts a call whose entry record outlived its exit (in the columns its
 * entry can vouch for) as missed. */
static __always_inline void count_missed(__u32 fn, const struct start_val *old)
{
	__u64 bytes, aux, aux2;
	ct_missed_columns(fn, old->arg, &bytes, &aux, &aux2);
	struct ct_stat *s = count(old->side, fn, bytes, aux, aux2);
	if (s)
		__sync_fetch_and_add(&s->missed, 1);
}

/* Drops this thread's record of fn, if any, as a missed call: a new
 * system call begins, so no call of fn from before is still running. */
static __always_inline void drop_stale(__u32 fn)
{
	if (!cfg.have_fn_pairs)
		return;
	struct start_key k = { .tid = cur_tid(), .fn = fn };
	struct start_val *old = bpf_map_lookup_elem(&starts, &k);
	if (!old)
		return;
	count_missed(fn, old);
	bpf_map_delete_elem(&starts, &k);
}

/* Records the entry of fn on this thread. A record already there is a
 * call whose exit was missed (fexit skipped by a trampoline update,
 * kretprobe instances exhausted): it is counted as missed, not lost. */
static __always_inline void enter_ptr(__u32 fn, int side, __u64 arg, __u64 ptr,
					const struct sock *sk)
{
	struct start_key k = { .tid = cur_tid(), .fn = fn };
	struct start_val v = { .ts = bpf_ktime_get_ns(), .arg = arg, .ptr = ptr,
			       .sk = (__u64)sk, .side = side };
	if (bpf_map_update_elem(&starts, &k, &v, BPF_NOEXIST) == 0)
		return;
	struct start_val *old = bpf_map_lookup_elem(&starts, &k);
	if (!old)
		return;
	count_missed(fn, old);
	*old = v;
}

static __always_inline void enter(__u32 fn, int side, __u64 arg)
{
	enter_ptr(fn, side, arg, 0, NULL);
}

static __always_inline struct start_val *peek(__u32 fn)
{
	struct start_key k = { .tid = cur_tid(), .fn = fn };
	return bpf_map_lookup_elem(&starts, &k);
}

/* Pops the entry record of fn; returns the elapsed ns, or -1 when the
 * entry was not ours. */
static __always_inline __s64 leave(__u32 fn, struct start_val *out)
{
	struct start_key k = { .tid = cur_tid(), .fn = fn };
	struct start_val *v = bpf_map_lookup_elem(&starts, &k);
	if (!v)
		return -1;
	*out = *v;
	bpf_map_delete_elem(&starts, &k);
	return (__s64)(bpf_ktime_get_ns() - out->ts);
}

/* Pops the entry record of fn and counts the call with the bytes it
 * returned (ret > 0) and its time; 1 when the entry was ours (*out holds
 * it), 0 otherwise. */
static __always_inline int leave_count(__u32 fn, long ret, struct start_val *out)
{
	__s64 ns = leave(fn, out);
	if (ns < 0)
		return 0;
	count_timed(out->side, fn, ret > 0 ? ret : 0, ns, 0, 0);
	return 1;
}

/* Hands out a free slot to process tgid (forked from ppid, or 0), with
 * the current task's name until its exec names it; the shared last slot
 * when every other is taken. */
static __noinline int claim_slot(__u32 tgid, __u32 ppid)
{
	/* unrolled: 5.10's verifier calls a loop whose counter lives on the
	 * stack (its address is the map key) infinite */
#pragma unroll
	for (__u32 i = 0; i < CT_SLOT_OTHERS; i++) {
		__u32 k = i;
		if (bpf_map_update_elem(&claims, &k, &tgid, BPF_NOEXIST))
			continue;
		struct ct_proc *p = bpf_map_lookup_elem(&procs, &k);
		if (p) {
			p->ppid = ppid;
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
	if (bpf_map_update_elem(&tasks, &tgid, &v, BPF_NOEXIST) == 0)
		return slot;
	if (slot != CT_SLOT_OTHERS) {
		__u32 k = slot;
		bpf_map_delete_elem(&claims, &k);
	}
	struct ct_task *t = bpf_map_lookup_elem(&tasks, &tgid);
	return t ? (int)t->slot : -1;
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
	__u32 slot = c->slot;
	bpf_map_update_elem(&tuples, &c->t, &slot, BPF_ANY);
}

/* Marks sk, a TCP socket the current (traced) task uses, as traced by
 * slot; the first process to use a socket keeps it. Returns whether sk is
 * traced now (0: not a TCP socket, or no slot). */
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
		struct ct_sock v = { .slot = slot, .born = bpf_ktime_get_ns() };
		bpf_map_update_elem(&socks, &key, &v, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&socks, &key);
		if (!c)
			return 0;
	}
	sk_learn_tuple(sk, c);
	return 1;
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
	return c ? (int)c->slot : -1;
}

/* --per-connection: adds bytes to column col of traced socket sk. */
static __always_inline void conn_add(const struct sock *sk, int col, __s64 bytes)
{
	if (!filter.per_conn || !sk || bytes <= 0 || col < 0 || col >= CC_COUNT)
		return;
	__u64 key = (__u64)sk;
	struct ct_sock *c = bpf_map_lookup_elem(&socks, &key);
	if (c)
		__sync_fetch_and_add(&c->col[col], bytes);
}

/* This thread's syscall record, created on demand (create), or NULL. */
static __always_inline struct sys_val *sys_slot(int create)
{
	if (cfg.have_task_storage) {
		struct task_struct *task = bpf_get_current_task_btf();
		/* a plain lookup first: the create path is slower even when the
		 * element exists (it is created once per thread) */
		struct sys_val *v = bpf_task_storage_get(&sysc, task, 0, 0);
		if (!v && create)
			v = bpf_task_storage_get(&sysc, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		return v;
	}
	__u32 tid = cur_tid();
	struct sys_val *v = bpf_map_lookup_elem(&sysc_h, &tid);
	if (!v && create) {
		struct sys_val zero = {};
		bpf_map_update_elem(&sysc_h, &tid, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&sysc_h, &tid);
	}
	return v;
}

/* The send/recv syscall of ours in flight on this thread, or NULL. */
static __always_inline struct sys_val *sys_cur(void)
{
	struct sys_val *v = sys_slot(0);
	return v && v->ts ? v : NULL;
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
	__u32 *slot = bpf_map_lookup_elem(&tuples, &t);
	return slot ? (int)*slot : -1;
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

/* Bytes that skb_copy_ubufs will copy: the paged part (frags). */
struct skb_shared_info___pre513 {
	__u8 tx_flags;
} __attribute__((preserve_access_index));
#define SKBTX_DEV_ZEROCOPY (1 << 3)

static __always_inline int skb_has_zc_frags(const struct sk_buff *skb)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u64 end = BPF_CORE_READ(skb, end);
	struct skb_shared_info *sh = (void *)(head + end);
	if (bpf_core_field_exists(sh->flags))
		return BPF_CORE_READ(sh, flags) & SKBFL_ZC_ENABLE;
	/* before 5.13 the mark was SKBTX_DEV_ZEROCOPY in tx_flags */
	struct skb_shared_info___pre513 *old = (void *)sh;
	return BPF_CORE_READ(old, tx_flags) & SKBTX_DEV_ZEROCOPY;
}

/* ------------------------------------- one definition, two kernel backends */

/* fexit's return value: the slot after the function's nargs arguments
 * (nargs from BTF, set by user space; a constant, so the verifier walks
 * one case). bpf_get_func_ret would need 5.17. Each load is its own asm:
 * clang would otherwise merge the cases into ctx + 8 * nargs, and the
 * verifier rejects a ctx pointer moved at run time. */
#define CT_CTX_LOAD(k) ({ __u64 v_; asm volatile("%0 = *(u64 *)(%1 + " #k " * 8)" \
						  : "=r"(v_) : "r"(ctx)); v_; })
static __always_inline long fexit_ret(__u64 *ctx, int nargs) /* -1: void */
{
	switch (nargs) {
	case 0: return (long)CT_CTX_LOAD(0);
	case 1: return (long)CT_CTX_LOAD(1);
	case 2: return (long)CT_CTX_LOAD(2);
	case 3: return (long)CT_CTX_LOAD(3);
	case 4: return (long)CT_CTX_LOAD(4);
	case 5: return (long)CT_CTX_LOAD(5);
	case 6: return (long)CT_CTX_LOAD(6);
	default: return 0;
	}
}

/* CT_ENTRY(name, func, call, args...) makes fe_<name> (fentry/func) and
 * kp_<name> (kprobe/func); both run `call`, which may use the typed args
 * by name. CT_EXIT(name, func, call) makes fe_<name>_ret (fexit) and
 * kp_<name>_ret (kretprobe); `call` sees the return value as `long ret`
 * (truncate it to the function's return type; fexit finds it after the
 * ct_nargs_<name> arguments user space sets from BTF). User space loads the
 * pair of the backend it chose (bpf_program__set_autoload). */
#define CT_ENTRY(name, func, call, args...)					\
	SEC("fentry/" #func)							\
	int BPF_PROG(fe_##name, ##args) { call; return 0; }			\
	SEC("kprobe/" #func)							\
	int BPF_KPROBE(kp_##name, ##args) { call; return 0; }

#define CT_EXIT(name, func, call)						\
	const volatile int ct_nargs_##name = -1; /* the return's slot, -1: void */ \
	SEC("fexit/" #func)							\
	int BPF_PROG(fe_##name##_ret)						\
	{ long ret = fexit_ret(ctx, ct_nargs_##name); (void)ret; call; return 0; } \
	SEC("kretprobe/" #func)							\
	int BPF_KRETPROBE(kp_##name##_ret)					\
	{ long ret = PT_REGS_RC(ctx); (void)ret; call; return 0; }

#endif
