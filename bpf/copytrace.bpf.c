// SPDX-License-Identifier: GPL-2.0
/* copytrace: attributes the bytes and nanoseconds of one experiment's TCP
 * traffic to the kernel (and user) functions that copy them.
 *
 * Three kernel backends fill the same per-CPU counter rows (copytrace.h):
 *   fe_*  fentry/fexit        (BPF trampoline; preferred)
 *   kp_*  kprobe/kretprobe    (kernels with kprobes but no trampoline)
 *   tb_*  tp_btf tracepoints, tc_* classic tracepoints (fallback)
 * and in every backend:
 *   up_*  uprobe/uretprobe on the user-space gather (ct_gather)
 *   sc_*  syscall tracepoints for the kernel time of send/recv calls.
 * User space picks the programs with bpf_program__set_autoload.
 *
 * Filter: a socket counts when it lives in one of the experiment's network
 * namespaces and has the server's port (local port on the server side,
 * remote port on the client side). Work done in softirq on behalf of the
 * experiment is found through the skb's socket or the receiving device's
 * namespace plus the TCP ports, never through the current task alone. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "copytrace.h"

char LICENSE[] SEC("license") = "GPL";

#define MSG_ERRQUEUE 0x2000
#define MSG_ZEROCOPY 0x4000000
#define SO_EE_ORIGIN_ZEROCOPY 5
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#define SKBFL_ZC_ENABLE 1 /* SKBFL_ZEROCOPY_ENABLE */
#define NETIF_F_SG 1ULL   /* 1 << NETIF_F_SG_BIT (0) */

/* Set by user space before the run (mmapped .bss). */
struct ct_filter filter = {};
/* Index of tcp_recvmsg's flags argument (3 since 5.19, 4 before). */
const volatile int recvmsg_flags_arg = 3;
/* Syscall numbers of this architecture (from user space's <sys/syscall.h>),
 * for the raw sys_enter hook's first check. */
const volatile long nr_sendto = -1, nr_sendmsg = -1, nr_recvfrom = -1,
		    nr_recvmsg = -1;
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

/* Entry timestamps and arguments, per thread and function. */
struct start_key {
	__u32 tid;
	__u32 fn;
};
struct start_val {
	__u64 ts;
	__u64 arg;
	__s32 side;
	__u32 pad;
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct start_key);
	__type(value, struct start_val);
} starts SEC(".maps");

/* The send/recv syscall in flight per thread (syscall hooks): task-local
 * storage, so sys_exit needs no hash lookup and leaves nothing behind. */
struct sys_val {
	__u64 ts;           /* 0: no call of ours in flight */
	__u64 flags;        /* the call's flags argument */
	__u32 fn;           /* FN_SYS_SEND / FN_SYS_RECV / FN_SYS_ERRQ */
	__s32 side;
};
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sys_val);
} sysc SEC(".maps");

/* Zerocopy ids known completed per socket (tracepoint backend): the high-
 * water mark hi + 1, raised with compare-and-swap because the error report
 * (softirq) and consume_skb (the application's recvmsg) race on two CPUs. */
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

static __always_inline void count(int side, int fn, __u64 bytes, __u64 aux,
				  __u64 aux2)
{
	if (side < 0 || side >= CT_NSIDES)
		return;
	__u32 key = CT_STAT_KEY(side, fn);
	struct ct_stat *s = bpf_map_lookup_elem(&stats, &key);
	if (!s)
		return;
	/* Atomic even per CPU: BPF programs can be preempted (migrate-only
	 * disabled) or interrupted by softirq work on the same CPU. */
	__sync_fetch_and_add(&s->calls, 1);
	__sync_fetch_and_add(&s->bytes, bytes);
	__sync_fetch_and_add(&s->aux, aux);
	__sync_fetch_and_add(&s->aux2, aux2);
}

static __always_inline void count_timed(int side, int fn, __u64 bytes,
					__u64 ns, __u64 aux, __u64 aux2)
{
	if (side < 0 || side >= CT_NSIDES)
		return;
	__u32 key = CT_STAT_KEY(side, fn);
	struct ct_stat *s = bpf_map_lookup_elem(&stats, &key);
	if (!s)
		return;
	__sync_fetch_and_add(&s->calls, 1);
	__sync_fetch_and_add(&s->bytes, bytes);
	__sync_fetch_and_add(&s->aux, aux);
	__sync_fetch_and_add(&s->aux2, aux2);
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

static __always_inline void enter(__u32 fn, int side, __u64 arg)
{
	struct start_key k = { .tid = cur_tid(), .fn = fn };
	struct start_val v = { .ts = bpf_ktime_get_ns(), .arg = arg, .side = side };
	bpf_map_update_elem(&starts, &k, &v, BPF_ANY);
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

static __always_inline int pid_side(void)
{
	if (!filter.enabled)
		return -1;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (tgid == filter.pid[0])
		return CT_SERVER;
	if (tgid == filter.pid[1])
		return CT_CLIENT;
	return -1;
}

static __always_inline int ns_ours(__u32 inum)
{
	return inum && (inum == filter.netns[0] || inum == filter.netns[1]);
}

/* Side of a socket, or -1 when it is not the experiment's. Ports first
 * (one read each), the namespace (a pointer chase) only when one matches. */
static __always_inline int sk_side(const struct sock *sk)
{
	if (!sk || !filter.enabled)
		return -1;
	__u16 num = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (num == filter.port &&
	    BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum) == filter.netns[0])
		return CT_SERVER;
	__u16 dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (dport == filter.port &&
	    BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum) == filter.netns[1])
		return CT_CLIENT;
	return -1;
}

/* The same for a BTF-typed sk (tp_btf/fentry arguments): direct loads,
 * which the verifier turns into exception-handled loads, instead of
 * bpf_probe_read_kernel helper calls. */
static __always_inline int sk_side_btf(const struct sock *sk)
{
	if (!sk || !filter.enabled)
		return -1;
	__u16 num = sk->__sk_common.skc_num;
	if (num == filter.port &&
	    sk->__sk_common.skc_net.net->ns.inum == filter.netns[0])
		return CT_SERVER;
	__u16 dport = bpf_ntohs(sk->__sk_common.skc_dport);
	if (dport == filter.port &&
	    sk->__sk_common.skc_net.net->ns.inum == filter.netns[1])
		return CT_CLIENT;
	return -1;
}

/* The send/recv syscall of ours in flight on this thread, or NULL. */
static __always_inline struct sys_val *sys_cur(void)
{
	struct sys_val *v = bpf_task_storage_get(&sysc, bpf_get_current_task_btf(), 0, 0);
	return v && v->ts ? v : NULL;
}

/* Side that *sent* a received skb (no socket attached yet): the receiving
 * device must be in one of our namespaces and the TCP ports must match.
 * skb->data points at the network header on the receive path. */
static __always_inline int rx_skb_side(const struct sk_buff *skb)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	if (!dev || !filter.enabled)
		return -1;
	if (!ns_ours(BPF_CORE_READ(dev, nd_net.net, ns.inum)))
		return -1;
	unsigned char *nh = BPF_CORE_READ(skb, data);
	__u8 vihl = 0, proto = 0;
	__u32 thoff;
	bpf_probe_read_kernel(&vihl, 1, nh);
	if ((vihl >> 4) == 4) {
		bpf_probe_read_kernel(&proto, 1, nh + 9);
		thoff = (vihl & 15) * 4;
	} else if ((vihl >> 4) == 6) {
		bpf_probe_read_kernel(&proto, 1, nh + 6);
		thoff = 40;
	} else {
		return -1;
	}
	if (proto != 6 /* IPPROTO_TCP */)
		return -1;
	__be16 ports[2] = {};
	bpf_probe_read_kernel(ports, sizeof(ports), nh + thoff);
	if (bpf_ntohs(ports[0]) == filter.port)
		return CT_SERVER;
	if (bpf_ntohs(ports[1]) == filter.port)
		return CT_CLIENT;
	return -1;
}

/* Side of an skb: its socket if it has one of ours, else the sender found
 * from the headers. */
static __always_inline int skb_side(const struct sk_buff *skb)
{
	struct sock *sk = BPF_CORE_READ(skb, sk);
	int side = sk_side(sk);
	if (side >= 0)
		return side;
	return rx_skb_side(skb);
}

/* Bytes that skb_copy_ubufs will copy: the paged part (frags). */
static __always_inline int skb_has_zc_frags(const struct sk_buff *skb)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u64 end = BPF_CORE_READ(skb, end);
	struct skb_shared_info *sh = (void *)(head + end);
	__u8 fl = BPF_CORE_READ(sh, flags);
	return fl & SKBFL_ZC_ENABLE;
}

/* ------------------------------------------------ shared event handlers */

static __always_inline void on_sendmsg_enter(struct sock *sk, __u64 size)
{
	int side = sk_side(sk);
	if (side >= 0)
		enter(FN_TCP_SENDMSG, side, size);
}

static __always_inline void on_sendmsg_exit(long ret)
{
	struct start_val v;
	__s64 ns = leave(FN_TCP_SENDMSG, &v);
	if (ns >= 0)
		count_timed(v.side, FN_TCP_SENDMSG, ret > 0 ? ret : 0, ns, v.arg, 0);
}

/* The user->kernel copy: counted only inside one of our tcp_sendmsg. */
static __always_inline void on_copy_enter(__u32 fn, __u64 bytes)
{
	struct start_val *s = peek(FN_TCP_SENDMSG);
	if (s)
		enter(fn, s->side, bytes);
}

/* is_bool: the function returns true/false (csum_and_copy_from_iter_full)
 * and copied the requested bytes on true. */
static __always_inline void on_copy_exit(__u32 fn, long ret, int is_bool)
{
	struct start_val v;
	__s64 ns = leave(fn, &v);
	if (ns < 0)
		return;
	__u64 bytes = is_bool ? (ret ? v.arg : 0) : (ret > 0 ? ret : 0);
	count_timed(v.side, fn, bytes, ns, 0, 0);
}

static __always_inline void on_zc_pin_enter(void)
{
	struct start_val *s = peek(FN_TCP_SENDMSG);
	if (s)
		enter(FN_ZC_PIN, s->side, 0);
}

static __always_inline void on_zc_pin_exit(long ret)
{
	struct start_val v;
	__s64 ns = leave(FN_ZC_PIN, &v);
	if (ns >= 0)
		count_timed(v.side, FN_ZC_PIN, ret > 0 ? ret : 0, ns, 0, 0);
}

static __always_inline void on_recvmsg_enter(struct sock *sk, long flags)
{
	int side = sk_side(sk);
	if (side >= 0 && !(flags & MSG_ERRQUEUE))
		enter(FN_TCP_RECVMSG, side, 0);
}

static __always_inline void on_recvmsg_exit(long ret)
{
	struct start_val v;
	__s64 ns = leave(FN_TCP_RECVMSG, &v);
	if (ns >= 0)
		count_timed(v.side, FN_TCP_RECVMSG, ret > 0 ? ret : 0, ns, 0, 0);
}

static __always_inline int recv_copy_side(const struct sk_buff *skb)
{
	int side = sk_side(BPF_CORE_READ(skb, sk));
	if (side < 0) {
		struct start_val *s = peek(FN_TCP_RECVMSG);
		if (s)
			side = s->side;
	}
	return side;
}

static __always_inline void on_recv_copy_enter(const struct sk_buff *skb, long len)
{
	if (len <= 0)
		return; /* error-queue reads copy nothing */
	int side = recv_copy_side(skb);
	if (side >= 0)
		enter(FN_RECV_COPY, side, len);
}

static __always_inline void on_recv_copy_exit(long ret)
{
	struct start_val v;
	__s64 ns = leave(FN_RECV_COPY, &v);
	if (ns >= 0)
		count_timed(v.side, FN_RECV_COPY, ret == 0 ? v.arg : 0, ns, 0, 0);
}

/* __msg_zerocopy_callback(struct ubuf_info_msgzc *uarg): the uarg lives in
 * the cb of an skb charged to the socket; it covers uarg->len ids and
 * uarg->bytelen bytes; zerocopy == 0 means the data was copied. */

/* Credits the ids up to hi of socket sk as completed. Ids are consecutive
 * per socket from 0 and every id completes, so the high-water mark hi + 1
 * counts them, and a notification or callback that was missed (kprobes are
 * skipped while another BPF program runs on the CPU) is covered by any
 * later one. Raised with compare-and-swap: callers race on two CPUs. */
static __always_inline void zc_credit(int side, __u64 key, __u32 hi, int copied)
{
	struct zc_seen zero = {};
	/* Insert-if-absent, then raise the mark atomically: a plain
	 * lookup/update let two CPUs credit the same ids. */
	bpf_map_update_elem(&zcstate, &key, &zero, BPF_NOEXIST);
	struct zc_seen *z = bpf_map_lookup_elem(&zcstate, &key);
	if (!z)
		return;
	__u64 want = (__u64)hi + 1, old = z->done, ids = 0;
#pragma unroll
	for (int i = 0; i < 8; i++) {
		if (want <= old)
			break;
		__u64 prev = __sync_val_compare_and_swap(&z->done, old, want);
		if (prev == old) {
			ids = want - old;
			break;
		}
		old = prev;
	}
	if (!ids)
		return;
	/* ids only: calls count the callbacks (error reports) */
	__u32 k = CT_STAT_KEY(side, FN_ZC_CALLBACK);
	struct ct_stat *s = bpf_map_lookup_elem(&stats, &k);
	if (!s)
		return;
	__sync_fetch_and_add(&s->aux, ids);
	if (copied)
		__sync_fetch_and_add(&s->aux2, ids);
}

static __always_inline void on_zc_callback_enter(void *uarg)
{
	if (!bpf_core_type_exists(struct ubuf_info_msgzc))
		return;
	struct ubuf_info_msgzc *u = uarg;
	struct sk_buff *skb = (void *)((char *)uarg -
				       bpf_core_field_offset(struct sk_buff, cb));
	int side = sk_side(BPF_CORE_READ(skb, sk));
	if (side < 0)
		return;
	__u32 len = BPF_CORE_READ(u, len);
	__u64 zc = BPF_CORE_READ_BITFIELD_PROBED(u, zerocopy);
	__u64 bytelen = BPF_CORE_READ(u, bytelen);
	if (len)
		zc_credit(side, (__u64)BPF_CORE_READ(skb, sk), BPF_CORE_READ(u, id) + len - 1, !zc);
	enter(FN_ZC_CALLBACK, side, bytelen << 32);
}

static __always_inline void on_zc_callback_exit(void)
{
	struct start_val v;
	__s64 ns = leave(FN_ZC_CALLBACK, &v);
	if (ns < 0)
		return;
	/* ids were credited at entry (zc_credit); this adds calls, bytes, time */
	count_timed(v.side, FN_ZC_CALLBACK, v.arg >> 32, ns, 0, 0);
}

static __always_inline void on_copy_ubufs_enter(struct sk_buff *skb)
{
	int side = skb_side(skb);
	if (side >= 0)
		enter(FN_DEFERRED_COPY, side, BPF_CORE_READ(skb, data_len));
}

static __always_inline void on_copy_ubufs_exit(long ret)
{
	struct start_val v;
	__s64 ns = leave(FN_DEFERRED_COPY, &v);
	if (ns >= 0)
		count_timed(v.side, FN_DEFERRED_COPY, ret == 0 ? v.arg : 0, ns, 0, 0);
}

/* ------------------------------------------------------ fentry / fexit */

SEC("fentry/tcp_sendmsg")
int BPF_PROG(fe_tcp_sendmsg, struct sock *sk, struct msghdr *msg, size_t size)
{
	on_sendmsg_enter(sk, size);
	return 0;
}

SEC("fexit/tcp_sendmsg")
int BPF_PROG(fe_tcp_sendmsg_ret, struct sock *sk, struct msghdr *msg, size_t size,
	     int ret)
{
	on_sendmsg_exit(ret);
	return 0;
}

static __always_inline long func_ret(void *ctx)
{
	__u64 ret = 0;
	bpf_get_func_ret(ctx, &ret);
	return (long)ret;
}

SEC("fentry/_copy_from_iter")
int BPF_PROG(fe_copy_from_iter) { on_copy_enter(FN_SEND_COPY, 0); return 0; }
SEC("fexit/_copy_from_iter")
int BPF_PROG(fe_copy_from_iter_ret) { on_copy_exit(FN_SEND_COPY, func_ret(ctx), 0); return 0; }

SEC("fentry/_copy_from_iter_nocache")
int BPF_PROG(fe_copy_from_iter_nocache) { on_copy_enter(FN_SEND_COPY_NC, 0); return 0; }
SEC("fexit/_copy_from_iter_nocache")
int BPF_PROG(fe_copy_from_iter_nocache_ret) { on_copy_exit(FN_SEND_COPY_NC, func_ret(ctx), 0); return 0; }

SEC("fentry/csum_and_copy_from_iter_full")
int BPF_PROG(fe_csum_copy, void *addr, size_t bytes) { on_copy_enter(FN_SEND_COPY_CSUM, bytes); return 0; }
SEC("fexit/csum_and_copy_from_iter_full")
int BPF_PROG(fe_csum_copy_ret) { on_copy_exit(FN_SEND_COPY_CSUM, func_ret(ctx) & 0xff, 1); return 0; }

SEC("fentry/_copy_from_iter_full")
int BPF_PROG(fe_copy_full, void *addr, size_t bytes) { on_copy_enter(FN_SEND_COPY_FULL, bytes); return 0; }
SEC("fexit/_copy_from_iter_full")
int BPF_PROG(fe_copy_full_ret) { on_copy_exit(FN_SEND_COPY_FULL, func_ret(ctx) & 0xff, 1); return 0; }

/* Fallback where _copy_from_iter is not traceable (Debian 6.1: not an
 * ftrace site, fentry attach fails with EBUSY): with hardened usercopy,
 * copy_from_iter() calls __check_object_size(addr, bytes, false) right
 * before _copy_from_iter(addr, bytes, i); inside tcp_sendmsg that is the
 * user->kernel copy's length. Bytes only (inferred), no copy time. */
static __always_inline void on_usercopy_check(__u64 bytes, int to_user)
{
	if (to_user)
		return;
	struct start_val *s = peek(FN_TCP_SENDMSG);
	if (s)
		count(s->side, FN_SEND_COPY_CHK, bytes, 0, 0);
}

SEC("fentry/__check_object_size")
int BPF_PROG(fe_usercopy_check, const void *ptr, unsigned long n, bool to_user)
{
	on_usercopy_check(n, to_user);
	return 0;
}

SEC("fentry/skb_zerocopy_iter_stream")
int BPF_PROG(fe_zc_pin) { on_zc_pin_enter(); return 0; }
SEC("fexit/skb_zerocopy_iter_stream")
int BPF_PROG(fe_zc_pin_ret) { on_zc_pin_exit((int)func_ret(ctx)); return 0; }

SEC("fentry/tcp_recvmsg")
int BPF_PROG(fe_tcp_recvmsg, struct sock *sk)
{
	__u64 flags = 0;
	bpf_get_func_arg(ctx, recvmsg_flags_arg, &flags);
	on_recvmsg_enter(sk, (long)flags);
	return 0;
}
SEC("fexit/tcp_recvmsg")
int BPF_PROG(fe_tcp_recvmsg_ret) { on_recvmsg_exit((int)func_ret(ctx)); return 0; }

SEC("fentry/skb_copy_datagram_iter")
int BPF_PROG(fe_skb_copy_datagram_iter, const struct sk_buff *skb, int offset,
	     struct iov_iter *to, int len)
{
	on_recv_copy_enter(skb, len);
	return 0;
}
SEC("fexit/skb_copy_datagram_iter")
int BPF_PROG(fe_skb_copy_datagram_iter_ret) { on_recv_copy_exit((int)func_ret(ctx)); return 0; }

SEC("fentry/__msg_zerocopy_callback")
int BPF_PROG(fe_zc_callback, void *uarg) { on_zc_callback_enter(uarg); return 0; }
SEC("fexit/__msg_zerocopy_callback")
int BPF_PROG(fe_zc_callback_ret) { on_zc_callback_exit(); return 0; }

SEC("fentry/skb_copy_ubufs")
int BPF_PROG(fe_copy_ubufs, struct sk_buff *skb) { on_copy_ubufs_enter(skb); return 0; }
SEC("fexit/skb_copy_ubufs")
int BPF_PROG(fe_copy_ubufs_ret) { on_copy_ubufs_exit((int)func_ret(ctx)); return 0; }

/* --------------------------------------------------- kprobe / kretprobe */

SEC("kprobe/tcp_sendmsg")
int BPF_KPROBE(kp_tcp_sendmsg, struct sock *sk, struct msghdr *msg, size_t size)
{
	on_sendmsg_enter(sk, size);
	return 0;
}
SEC("kretprobe/tcp_sendmsg")
int BPF_KRETPROBE(kp_tcp_sendmsg_ret, int ret) { on_sendmsg_exit(ret); return 0; }

SEC("kprobe/_copy_from_iter")
int BPF_KPROBE(kp_copy_from_iter) { on_copy_enter(FN_SEND_COPY, 0); return 0; }
SEC("kretprobe/_copy_from_iter")
int BPF_KRETPROBE(kp_copy_from_iter_ret, long ret) { on_copy_exit(FN_SEND_COPY, ret, 0); return 0; }

SEC("kprobe/_copy_from_iter_nocache")
int BPF_KPROBE(kp_copy_from_iter_nocache) { on_copy_enter(FN_SEND_COPY_NC, 0); return 0; }
SEC("kretprobe/_copy_from_iter_nocache")
int BPF_KRETPROBE(kp_copy_from_iter_nocache_ret, long ret) { on_copy_exit(FN_SEND_COPY_NC, ret, 0); return 0; }

SEC("kprobe/csum_and_copy_from_iter_full")
int BPF_KPROBE(kp_csum_copy, void *addr, size_t bytes) { on_copy_enter(FN_SEND_COPY_CSUM, bytes); return 0; }
SEC("kretprobe/csum_and_copy_from_iter_full")
int BPF_KRETPROBE(kp_csum_copy_ret, long ret) { on_copy_exit(FN_SEND_COPY_CSUM, ret & 0xff, 1); return 0; }

SEC("kprobe/_copy_from_iter_full")
int BPF_KPROBE(kp_copy_full, void *addr, size_t bytes) { on_copy_enter(FN_SEND_COPY_FULL, bytes); return 0; }
SEC("kretprobe/_copy_from_iter_full")
int BPF_KRETPROBE(kp_copy_full_ret, long ret) { on_copy_exit(FN_SEND_COPY_FULL, ret & 0xff, 1); return 0; }

SEC("kprobe/__check_object_size")
int BPF_KPROBE(kp_usercopy_check, const void *ptr, unsigned long n, bool to_user)
{
	on_usercopy_check(n, to_user);
	return 0;
}

SEC("kprobe/skb_zerocopy_iter_stream")
int BPF_KPROBE(kp_zc_pin) { on_zc_pin_enter(); return 0; }
SEC("kretprobe/skb_zerocopy_iter_stream")
int BPF_KRETPROBE(kp_zc_pin_ret, int ret) { on_zc_pin_exit(ret); return 0; }

SEC("kprobe/tcp_recvmsg")
int BPF_KPROBE(kp_tcp_recvmsg, struct sock *sk)
{
	/* Read both registers, then choose: a ctx pointer offset chosen at
	 * run time would be rejected by the verifier. */
	long f4 = PT_REGS_PARM4(ctx), f5 = PT_REGS_PARM5(ctx);
	barrier_var(f4);
	barrier_var(f5);
	on_recvmsg_enter(sk, recvmsg_flags_arg == 4 ? f5 : f4);
	return 0;
}
SEC("kretprobe/tcp_recvmsg")
int BPF_KRETPROBE(kp_tcp_recvmsg_ret, int ret) { on_recvmsg_exit(ret); return 0; }

SEC("kprobe/skb_copy_datagram_iter")
int BPF_KPROBE(kp_skb_copy_datagram_iter, const struct sk_buff *skb, int offset,
	       struct iov_iter *to, int len)
{
	on_recv_copy_enter(skb, len);
	return 0;
}
SEC("kretprobe/skb_copy_datagram_iter")
int BPF_KRETPROBE(kp_skb_copy_datagram_iter_ret, int ret) { on_recv_copy_exit(ret); return 0; }

SEC("kprobe/__msg_zerocopy_callback")
int BPF_KPROBE(kp_zc_callback, void *uarg) { on_zc_callback_enter(uarg); return 0; }
SEC("kretprobe/__msg_zerocopy_callback")
int BPF_KRETPROBE(kp_zc_callback_ret) { on_zc_callback_exit(); return 0; }

SEC("kprobe/skb_copy_ubufs")
int BPF_KPROBE(kp_copy_ubufs, struct sk_buff *skb) { on_copy_ubufs_enter(skb); return 0; }
SEC("kretprobe/skb_copy_ubufs")
int BPF_KRETPROBE(kp_copy_ubufs_ret, int ret) { on_copy_ubufs_exit(ret); return 0; }

/* ----------------------------------------------------------- tracepoints */

/* Bytes accepted by tcp_sendmsg. MSG_ZEROCOPY is not visible here (the
 * flags argument is 0 on the send path), so the send syscall's flags,
 * recorded at syscall entry, tell copied from pinned: the kernel pins
 * when the call asked for MSG_ZEROCOPY, the socket has SO_ZEROCOPY and the
 * route can scatter-gather (tcp_sendmsg_locked). Inferred, not observed. */
static __always_inline void on_send_length(struct sock *sk, int ret, int btf)
{
	int side = btf ? sk_side_btf(sk) : sk_side(sk);
	if (side < 0)
		return;
	__u64 bytes = ret > 0 ? ret : 0;
	int zc = 0;
	struct sys_val *s = sys_cur();
	if (s && s->fn == FN_SYS_SEND && (s->flags & MSG_ZEROCOPY)) {
		__u64 skflags = BPF_CORE_READ(sk, __sk_common.skc_flags);
		__u64 caps = BPF_CORE_READ(sk, sk_route_caps);
		int bit = bpf_core_enum_value(enum sock_flags, SOCK_ZEROCOPY);
		zc = ((skflags >> (bit & 63)) & 1) && (caps & NETIF_F_SG);
	}
	count(side, FN_TCP_SENDMSG, bytes, zc ? bytes : 0, 0);
	if (bytes)
		count(side, zc ? FN_ZC_PIN : FN_SEND_COPY, bytes, 0, 0);
}

static __always_inline void on_recv_length(struct sock *sk, int ret, int flags, int btf)
{
	if (flags & MSG_ERRQUEUE)
		return;
	int side = btf ? sk_side_btf(sk) : sk_side(sk);
	if (side >= 0)
		count(side, FN_TCP_RECVMSG, ret > 0 ? ret : 0, 0, 0);
}

static __always_inline void on_copy_datagram(const struct sk_buff *skb, int len, int btf)
{
	if (len <= 0 || !filter.enabled)
		return;
	int side = btf ? sk_side_btf(skb->sk) : sk_side(BPF_CORE_READ(skb, sk));
	if (side < 0)
		side = pid_side();
	count(side, FN_RECV_COPY, len, 0, 0);
}

/* Deferred copy, inferred: an skb that still carries MSG_ZEROCOPY user
 * pages when it reaches the receive path of loopback or veth has its frags
 * copied by skb_orphan_frags_rx -> skb_copy_ubufs before delivery. */
static __always_inline void on_netif_receive(const struct sk_buff *skb)
{
	if (!filter.enabled || !skb_has_zc_frags(skb))
		return;
	int side = rx_skb_side(skb);
	if (side >= 0)
		count(side, FN_DEFERRED_COPY, BPF_CORE_READ(skb, data_len), 0, 0);
}

/* Zerocopy completions without a hook in the callback. Ids are consecutive
 * per socket from 0 and every id completes, so the highest id seen in any
 * notification range counts the ids completed. Ranges are read from
 *  - the error queue's tail at inet_sk_error_report (one event per callback;
 *    the notification may have been extended, and the application may
 *    already have dequeued it: the tracepoint runs after the wakeup), and
 *  - every notification skb when it is consumed (consume_skb): the ones
 *    the application dequeued and the ones merged into a queued one, so
 *    the last range is never missed. (kfree_skb is left out: it also sees
 *    zero-length skbs whose cb only looks like a notification.) */
static __always_inline void zc_range(int side, const struct sock *sk,
				     const struct sk_buff *nskb)
{
	struct sock_exterr_skb *serr = (void *)((char *)nskb +
				bpf_core_field_offset(struct sk_buff, cb));
	struct sock_extended_err ee;
	if (bpf_core_read(&ee, sizeof(ee), &serr->ee))
		return;
	if (ee.ee_origin != SO_EE_ORIGIN_ZEROCOPY || ee.ee_errno || ee.ee_type ||
	    ee.ee_code > 1 || ee.ee_info > ee.ee_data)
		return;
	__u32 hi = ee.ee_data;
	__u32 zckey = BPF_CORE_READ(sk, sk_zckey.counter);
	if (hi >= zckey) /* not an id this socket handed out: not a notification */
		return;
	zc_credit(side, (__u64)sk, hi, ee.ee_code & SO_EE_CODE_ZEROCOPY_COPIED);
}

static __always_inline void on_error_report(const struct sock *sk)
{
	int side = sk_side(sk);
	if (side < 0)
		return;
	count(side, FN_ZC_CALLBACK, 0, 0, 0); /* calls = callbacks */
	if (!BPF_CORE_READ(sk, sk_error_queue.qlen))
		return;
	zc_range(side, sk, BPF_CORE_READ(sk, sk_error_queue.prev));
}

static __always_inline void on_skb_free(const struct sk_buff *skb)
{
	if (!filter.enabled || BPF_CORE_READ(skb, len))
		return; /* notifications carry no data */
	struct sock *sk = BPF_CORE_READ(skb, sk);
	int side = sk_side(sk);
	if (side >= 0)
		zc_range(side, sk, skb);
}

SEC("tp_btf/consume_skb")
int BPF_PROG(tb_consume_skb, struct sk_buff *skb)
{
	on_skb_free(skb);
	return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(tb_retransmit, const struct sock *sk, const struct sk_buff *skb)
{
	int side = sk_side(sk);
	if (side >= 0)
		count(side, FN_RETRANS, BPF_CORE_READ(skb, len), 0, 0);
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(tb_send_length, struct sock *sk, int ret, int flags)
{
	on_send_length(sk, ret, 1);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(tb_recv_length, struct sock *sk, int ret, int flags)
{
	on_recv_length(sk, ret, flags, 1);
	return 0;
}

SEC("tp_btf/skb_copy_datagram_iovec")
int BPF_PROG(tb_copy_datagram, const struct sk_buff *skb, int len)
{
	on_copy_datagram(skb, len, 1);
	return 0;
}

SEC("tp_btf/tcp_sendmsg_locked")
int BPF_PROG(tb_sendmsg_locked, const struct sock *sk)
{
	int side = sk_side_btf(sk);
	if (side >= 0)
		count(side, FN_SENDMSG_LOCKED, 0, 0, 0);
	return 0;
}

SEC("tp_btf/inet_sk_error_report")
int BPF_PROG(tb_error_report, const struct sock *sk)
{
	on_error_report(sk);
	return 0;
}

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(tb_netif_receive, struct sk_buff *skb)
{
	on_netif_receive(skb);
	return 0;
}

/* Classic tracepoints (no BTF for the event): same handlers, pointers
 * read with probe reads. */
SEC("tracepoint/sock/sock_send_length")
int tc_send_length(struct trace_event_raw_sock_msg_length *ctx)
{
	on_send_length((struct sock *)BPF_CORE_READ(ctx, sk), BPF_CORE_READ(ctx, ret), 0);
	return 0;
}

SEC("tracepoint/sock/sock_recv_length")
int tc_recv_length(struct trace_event_raw_sock_msg_length *ctx)
{
	on_recv_length((struct sock *)BPF_CORE_READ(ctx, sk), BPF_CORE_READ(ctx, ret),
		       BPF_CORE_READ(ctx, flags), 0);
	return 0;
}

SEC("tracepoint/skb/skb_copy_datagram_iovec")
int tc_copy_datagram(struct trace_event_raw_skb_copy_datagram_iovec *ctx)
{
	on_copy_datagram((const struct sk_buff *)BPF_CORE_READ(ctx, skbaddr),
			 BPF_CORE_READ(ctx, len), 0);
	return 0;
}

SEC("tracepoint/net/netif_receive_skb")
int tc_netif_receive(struct trace_event_raw_net_dev_template *ctx)
{
	on_netif_receive((const struct sk_buff *)BPF_CORE_READ(ctx, skbaddr));
	return 0;
}

/* ------------------------------------------ syscalls: kernel time per call */

/* Entry of a send/recv syscall (fn already chosen): the pid filter, then
 * one task-storage write. */
static __always_inline void sys_enter(int side, __u32 fn, __u64 flags)
{
	struct task_struct *task = bpf_get_current_task_btf();
	/* a plain lookup first: the create path is slower even when the
	 * element exists (it is created once per thread) */
	struct sys_val *v = bpf_task_storage_get(&sysc, task, 0, 0);
	if (!v)
		v = bpf_task_storage_get(&sysc, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!v)
		return;
	if (fn == FN_SYS_SEND && (flags & MSG_ZEROCOPY))
		__sync_fetch_and_add(&zc_sends_seen, 1);
	v->flags = flags;
	v->fn = fn;
	v->side = side;
	v->ts = bpf_ktime_get_ns();
}

/* Exit of any syscall: the pid filter first (every process's syscalls come
 * through here with the raw hook), then the thread's record. */
static __always_inline void sys_exit(long ret)
{
	if (pid_side() < 0)
		return;
	struct sys_val *v = sys_cur();
	if (!v)
		return;
	__u64 ns = bpf_ktime_get_ns() - v->ts;
	v->ts = 0;
	count_timed(v->side, v->fn, ret > 0 ? ret : 0, ns, 0, 0);
}

static __always_inline __u32 recv_fn(__u64 flags)
{
	return flags & MSG_ERRQUEUE ? FN_SYS_ERRQ : FN_SYS_RECV;
}

/* Raw syscall tracepoints (tp_btf, no perf buffer): the syscall number is
 * the first check, before the pid filter. Arguments from the saved user
 * registers: sendto/recvfrom flags are the 4th, sendmsg/recvmsg the 3rd. */
SEC("tp_btf/sys_enter")
int BPF_PROG(sr_enter, struct pt_regs *regs, long id)
{
	int send = id == nr_sendto || id == nr_sendmsg;
	if (!send && id != nr_recvfrom && id != nr_recvmsg)
		return 0;
	int side = pid_side();
	if (side < 0)
		return 0;
	/* regs is a BTF pointer here: direct loads, no probe-read helper */
	__u64 flags = id == nr_sendto || id == nr_recvfrom ?
		PT_REGS_PARM4_SYSCALL(regs) : PT_REGS_PARM3_SYSCALL(regs);
	sys_enter(side, send ? FN_SYS_SEND : recv_fn(flags), flags);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sr_exit, struct pt_regs *regs, long ret)
{
	sys_exit(ret);
	return 0;
}

/* Classic per-syscall tracepoints: the fallback without tp_btf (and with
 * CT_TP_CLASSIC=1). Same records. */
SEC("tracepoint/syscalls/sys_enter_sendto")
int sc_enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	int side = pid_side();
	if (side >= 0)
		sys_enter(side, FN_SYS_SEND, BPF_CORE_READ(ctx, args[3]));
	return 0;
}
SEC("tracepoint/syscalls/sys_exit_sendto")
int sc_exit_sendto(struct trace_event_raw_sys_exit *ctx)
{
	sys_exit(ctx->ret);
	return 0;
}
SEC("tracepoint/syscalls/sys_enter_sendmsg")
int sc_enter_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	int side = pid_side();
	if (side >= 0)
		sys_enter(side, FN_SYS_SEND, BPF_CORE_READ(ctx, args[2]));
	return 0;
}
SEC("tracepoint/syscalls/sys_exit_sendmsg")
int sc_exit_sendmsg(struct trace_event_raw_sys_exit *ctx)
{
	sys_exit(ctx->ret);
	return 0;
}
SEC("tracepoint/syscalls/sys_enter_recvfrom")
int sc_enter_recvfrom(struct trace_event_raw_sys_enter *ctx)
{
	int side = pid_side();
	if (side < 0)
		return 0;
	__u64 flags = BPF_CORE_READ(ctx, args[3]);
	sys_enter(side, recv_fn(flags), flags);
	return 0;
}
SEC("tracepoint/syscalls/sys_exit_recvfrom")
int sc_exit_recvfrom(struct trace_event_raw_sys_exit *ctx)
{
	sys_exit(ctx->ret);
	return 0;
}
SEC("tracepoint/syscalls/sys_enter_recvmsg")
int sc_enter_recvmsg(struct trace_event_raw_sys_enter *ctx)
{
	int side = pid_side();
	if (side < 0)
		return 0;
	__u64 flags = BPF_CORE_READ(ctx, args[2]);
	sys_enter(side, recv_fn(flags), flags);
	return 0;
}
SEC("tracepoint/syscalls/sys_exit_recvmsg")
int sc_exit_recvmsg(struct trace_event_raw_sys_exit *ctx)
{
	sys_exit(ctx->ret);
	return 0;
}

/* ------------------------------------------------- uprobe: user gather */

SEC("uprobe")
int BPF_KPROBE(up_gather)
{
	int side = pid_side();
	if (side >= 0)
		enter(FN_GATHER, side, 0);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(up_gather_ret, long ret)
{
	struct start_val v;
	__s64 ns = leave(FN_GATHER, &v);
	if (ns >= 0)
		count_timed(v.side, FN_GATHER, ret > 0 ? ret : 0, ns, 0, 0);
	return 0;
}
