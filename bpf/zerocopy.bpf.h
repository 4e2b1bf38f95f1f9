/* SPDX-License-Identifier: GPL-2.0-only */
/* MSG_ZEROCOPY: pages pinned at send (skb_zerocopy_iter_stream), the
 * completions (__msg_zerocopy_callback, or the error report and the
 * notification skbs), and the deferred copy (skb_copy_ubufs, or zerocopy
 * frags seen at receive). */
#ifndef CT_ZEROCOPY_BPF_H
#define CT_ZEROCOPY_BPF_H
#include "base.bpf.h"
#include "calls.bpf.h"
#include "slots.bpf.h"
#include "hookdef.bpf.h"
#include "core_fixes.bpf.h" /* zc_mark_raise, zc_uarg, skb_has_zc_frags */

#define SO_EE_ORIGIN_ZEROCOPY 5

/* Whether the zerocopy-only tracepoints count: tracing is on and, where
 * they are gated (cfg.zc_gated), a traced task has asked for a zerocopy
 * send. Until then these hooks, which see every skb of the host, cost
 * their dispatch and two loads; no zerocopy skb exists before the first
 * such send. */
static __always_inline int zc_open(void)
{
	return filter.enabled && (!cfg.zc_gated || zc_seen);
}
#define SO_EE_CODE_ZEROCOPY_COPIED 1

/* Pages pinned inside one of our tcp_sendmsg calls; the uarg goes into
 * `uargs`, where io_uring's callback finds the process. */
static __always_inline void on_zc_pin_enter(void *uarg)
{
	struct start_val *s = peek(FN_TCP_SENDMSG);
	if (!s)
		return;
	enter(FN_ZC_PIN, s->side, 0);
	__u64 k = (__u64)uarg;
	__u32 owner = CT_OWNER(s->side, slot_gen_now((__u32)s->side));
	if (k)
		bpf_map_update_elem(&uargs, &k, &owner, BPF_ANY);
}

static __always_inline void on_zc_pin_exit(long ret)
{
	struct start_val v;
	leave_count(FN_ZC_PIN, ret, &v);
}

CT_ENTRY(zc_pin, skb_zerocopy_iter_stream, on_zc_pin_enter(uarg), struct sock *sk,
	 struct sk_buff *skb, struct msghdr *msg, int len, void *uarg)
CT_EXIT(zc_pin, skb_zerocopy_iter_stream, on_zc_pin_exit((int)ret))

/* __msg_zerocopy_callback(struct ubuf_info_msgzc *uarg): the uarg lives in
 * the cb of an skb charged to the socket; it covers uarg->len ids and
 * uarg->bytelen bytes; zerocopy == 0 means the data was copied. */

/* Completion latency of the ids from..from + n - 1 of socket key,
 * completed now: each stamped at its send (zc_stamp, syscalls.bpf.h) is
 * timed and taken out. A bounded loop (ZC_LAT_IDS ids per completion;
 * those beyond, and ids whose send was not seen, count as not timed in
 * aux) keeps the program small on every kernel. */
#define ZC_LAT_IDS 64
static __always_inline void zc_latency(int side, __u64 key, __u32 from, __u32 n)
{
	__u32 k = CT_STAT_KEY(side, FN_ZC_LATENCY);
	struct ct_stat *s = bpf_map_lookup_elem(&stats, &k);
	if (!s)
		return;
	__u64 now = bpf_ktime_get_ns(), timed = 0;
	for (__u32 i = 0; i < ZC_LAT_IDS; i++) {
		if (i >= n)
			break;
		struct zc_sent_key sk = { .obj = key, .id = (__u32)(from + i) };
		struct zc_sent_val *v = bpf_map_lookup_elem(&zcsent, &sk);
		if (!v)
			continue;
		__u64 t = v->ts;
		bpf_map_delete_elem(&zcsent, &sk);
		if (t && t < now) {
			count_latency(s, now - t);
			timed++;
		}
	}
	barrier_var(timed);
	__sync_fetch_and_add(&s->aux, n - timed);
}

/* Credits the ids up to hi of socket sk as completed. Ids are consecutive
 * per socket from 0 and every id completes, so the high-water mark hi + 1
 * counts them, and a notification or callback that was missed (kprobes are
 * skipped while another BPF program runs on the CPU) is covered by any
 * later one. Callers race on two CPUs: the socket's mark is inserted if
 * absent, then raised atomically (zc_mark_raise; a plain lookup/update
 * let two CPUs credit the same ids). */
static __always_inline void zc_credit(int side, __u64 key, __u32 hi, int copied, const int cas)
{
	struct zc_seen zero = {};
	struct zc_seen *z = map_lookup_or_try_init(&zcstate, &key, &zero);
	if (!z)
		return;
	__u32 ids = zc_mark_raise(&z->done, hi, cas);
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
	zc_latency(side, key, hi + 1 - ids, ids);
}

/* Credits the ids of a completed uarg (copied unless zerocopy && success)
 * to its socket; returns the side with the uarg's bytes, or -1 when the
 * socket is not ours. The uarg lives in the cb of the notification skb,
 * which is charged to the socket. */
static __always_inline int zc_uarg_done(void *uarg, int success, const int cas, __u64 *bytelen)
{
	struct sk_buff *skb = (void *)((char *)uarg - bpf_core_field_offset(struct sk_buff, cb));
	struct sock *sk = BPF_CORE_READ(skb, sk);
	int side = sk_slot(sk);
	if (side < 0)
		return -1;
	__u32 id, len;
	__u64 zc;
	zc_uarg(uarg, &id, &len, bytelen, &zc);
	if (len)
		zc_credit(side, (__u64)sk, id + len - 1, !(zc && success), cas);
	return side;
}

static __always_inline void on_zc_callback_enter(void *uarg, const int cas)
{
	__u64 bytelen;
	int side = zc_uarg_done(uarg, 1, cas, &bytelen);
	if (side >= 0)
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

CT_ENTRY(zc_callback, __msg_zerocopy_callback, on_zc_callback_enter(uarg, 1), void *uarg)
CT_EXIT(zc_callback, __msg_zerocopy_callback, on_zc_callback_exit())
/* Before 5.12 the callback was sock_zerocopy_callback(uarg, success), called
 * once when the last reference went (and BPF had no compare-and-swap). */
CT_ENTRY(zc_callback_510, sock_zerocopy_callback, on_zc_callback_enter(uarg, 0), void *uarg)
CT_EXIT(zc_callback_510, sock_zerocopy_callback, on_zc_callback_exit())
/* Where __msg_zerocopy_callback is inlined (7.x): the function that drops
 * a reference to the uarg and calls it on the last one. A drop that finds one
 * reference left completes the uarg; two CPUs dropping the last two at
 * once both see 2 and credit nothing, which the next completion's mark
 * covers. No time per callback (the drop is not the callback). */
static __always_inline void on_zc_complete(void *uarg, __u8 success, const int cas)
{
	struct ubuf_info *ub = uarg;
	if (BPF_CORE_READ(ub, refcnt.refs.counter) != 1)
		return;
	__u64 bytelen;
	int side = zc_uarg_done(uarg, success, cas, &bytelen);
	if (side >= 0)
		count(side, FN_ZC_CALLBACK, bytelen, 0, 0);
}

CT_ENTRY(zc_complete, msg_zerocopy_complete, on_zc_complete(uarg, success, 1), struct sk_buff *skb,
	 struct ubuf_info *uarg, __u8 success) /* 6.7+ */
CT_ENTRY(zc_complete_61, msg_zerocopy_callback, on_zc_complete(uarg, success, 1),
	 struct sk_buff *skb, struct ubuf_info *uarg, __u8 success) /* 5.13-6.6 */
/* io_uring's zerocopy callback, once per skb that held the request's
 * pages (and once more at the request's own last reference, with no
 * skb): success is false when the pages were copied (skb_copy_ubufs). */
static __always_inline void on_iou_ubuf(struct sk_buff *skb, void *uarg, __u8 success)
{
	__u64 k = (__u64)uarg;
	__u32 *owner = bpf_map_lookup_elem(&uargs, &k);
	if (!owner || !skb)
		return;
	int slot = owner_slot(CT_OWNER_SLOT(*owner), CT_OWNER_GEN(*owner));
	if (slot >= 0)
		count(slot, FN_IOU_UBUF, 0, !success, 0);
}
CT_ENTRY(iou_ubuf, io_tx_ubuf_complete, on_iou_ubuf(skb, uarg, success), struct sk_buff *skb,
	 struct ubuf_info *uarg, __u8 success) /* 6.10+ */
CT_ENTRY(iou_ubuf_60, io_uring_tx_zerocopy_callback, on_iou_ubuf(skb, uarg, success),
	 struct sk_buff *skb, struct ubuf_info *uarg, __u8 success) /* 6.0-6.9 */
CT_ENTRY(copy_ubufs, skb_copy_ubufs, on_copy_ubufs_enter(skb), struct sk_buff *skb)
CT_EXIT(copy_ubufs, skb_copy_ubufs, on_copy_ubufs_exit((int)ret))

/* Deferred copy, inferred: an skb that still carries MSG_ZEROCOPY user
 * pages when it reaches the receive path of loopback or veth has its frags
 * copied by skb_orphan_frags_rx -> skb_copy_ubufs before delivery. */
static __always_inline void on_netif_receive(const struct sk_buff *skb)
{
	if (!zc_open() || !skb_has_zc_frags(skb))
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
static __always_inline void zc_range(int side, const struct sock *sk, const struct sk_buff *nskb,
				     const int cas)
{
	struct sock_exterr_skb *serr =
		(void *)((char *)nskb + bpf_core_field_offset(struct sk_buff, cb));
	struct sock_extended_err ee;
	if (bpf_core_read(&ee, sizeof(ee), &serr->ee))
		return;
	/* ids are 32 bits and wrap: distances, not comparisons */
	if (ee.ee_origin != SO_EE_ORIGIN_ZEROCOPY || ee.ee_errno || ee.ee_type || ee.ee_code > 1 ||
	    (__u32)(ee.ee_data - ee.ee_info) >= 0x80000000u)
		return;
	__u32 hi = ee.ee_data;
	__u32 ahead = BPF_CORE_READ(sk, sk_zckey.counter) - hi; /* ids handed out are < zckey */
	if (!ahead || ahead >= 0x80000000u) /* not an id of this socket: not a notification */
		return;
	zc_credit(side, (__u64)sk, hi, ee.ee_code & SO_EE_CODE_ZEROCOPY_COPIED, cas);
}

static __always_inline void on_error_report(const struct sock *sk, const int cas)
{
	if (!zc_open())
		return;
	int side = sk_slot(sk);
	if (side < 0)
		return;
	count(side, FN_ZC_CALLBACK, 0, 0, 0); /* calls = callbacks */
	if (!BPF_CORE_READ(sk, sk_error_queue.qlen))
		return;
	zc_range(side, sk, BPF_CORE_READ(sk, sk_error_queue.prev), cas);
}

static __always_inline void on_skb_free(const struct sk_buff *skb, const int cas)
{
	if (!zc_open() || BPF_CORE_READ(skb, len))
		return; /* notifications carry no data */
	struct sock *sk = BPF_CORE_READ(skb, sk);
	int side = sk_slot(sk);
	if (side >= 0)
		zc_range(side, sk, skb, cas);
}

/* Each completion tracepoint in two builds: with compare-and-swap, and
 * (tb_*_nocas) without, for kernels before 5.12. */
#define CT_ZC_TP(name, tp, handler, type, var)    \
	SEC("tp_btf/" #tp)                        \
	int BPF_PROG(tb_##name, type var)         \
	{                                         \
		handler(var, 1);                  \
		return 0;                         \
	}                                         \
	SEC("tp_btf/" #tp)                        \
	int BPF_PROG(tb_##name##_nocas, type var) \
	{                                         \
		handler(var, 0);                  \
		return 0;                         \
	}
CT_ZC_TP(consume_skb, consume_skb, on_skb_free, struct sk_buff *, skb)
CT_ZC_TP(error_report, inet_sk_error_report, on_error_report, const struct sock *, sk)

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(tb_netif_receive, struct sk_buff *skb)
{
	on_netif_receive(skb);
	return 0;
}

/* Classic tracepoint (no BTF for the event): same handler, pointers read
 * with probe reads. */
SEC("tracepoint/net/netif_receive_skb")
int tc_netif_receive(struct trace_event_raw_net_dev_template *ctx)
{
	on_netif_receive((const struct sk_buff *)BPF_CORE_READ(ctx, skbaddr));
	return 0;
}

#endif
