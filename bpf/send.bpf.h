/* SPDX-License-Identifier: GPL-2.0-only */
/* Send path: tcp_sendmsg and the user->skb copy inside it (fentry/kprobe),
 * or the bytes it accepted (sock_send_length tracepoint) split into copied
 * and pinned by the send call's flags; retransmissions. */
#ifndef CT_SEND_BPF_H
#define CT_SEND_BPF_H
#include "base.bpf.h"
#include "calls.bpf.h"
#include "slots.bpf.h"
#include "hookdef.bpf.h"

#define MSG_SPLICE_PAGES 0x8000000 /* 6.5+: sendfile/splice hand pages over */
#define NETIF_F_SG 1ULL /* 1 << NETIF_F_SG_BIT (0) */

/* tcp_sendmsg of a traced task (any send call, io_uring's included; since
 * 6.5 sendfile and splice too, with MSG_SPLICE_PAGES). */
static __always_inline void on_sendmsg_enter(struct sock *sk, struct msghdr *msg, __u64 size)
{
	int side = task_sk_slot(sk);
	if (side < 0)
		return;
	enter_ptr(FN_TCP_SENDMSG, side, size, (__u64)msg, sk);
	struct start_val *s = peek(FN_TCP_SENDMSG);
	if (s)
		s->spliced = !!(BPF_CORE_READ(msg, msg_flags) & MSG_SPLICE_PAGES);
}

static __always_inline void on_sendmsg_exit(long ret)
{
	struct start_val v;
	__s64 ns = leave(FN_TCP_SENDMSG, &v);
	if (ns < 0)
		return;
	count_timed(v.side, FN_TCP_SENDMSG, ret > 0 ? ret : 0, ns, v.arg, 0);
	conn_add((void *)v.sk, CC_SENT, ret);
	if (v.spliced && ret > 0) { /* spliced pages: referenced, not copied */
		count(v.side, FN_SPLICE, ret, ret, 0); /* aux: bytes also in tcp_sendmsg's */
		conn_add((void *)v.sk, CC_SPLICE, ret);
	}
}

/* Before 6.5 sendfile/splice reach TCP through do_tcp_sendpages. */
static __always_inline void on_sendpages_enter(struct sock *sk)
{
	if (sk_ktls(sk))
		return; /* kTLS pushing its encrypted records: no pages of the user's */
	int side = task_sk_slot(sk);
	if (side >= 0)
		enter_ptr(FN_SPLICE, side, 0, 0, sk);
}

static __always_inline void on_sendpages_exit(long ret)
{
	struct start_val v;
	if (!leave_count(FN_SPLICE, ret, &v))
		return;
	conn_add((void *)v.sk, CC_SENT, ret);
	conn_add((void *)v.sk, CC_SPLICE, ret);
}

/* The user->kernel copy: counted only when it copies from the msghdr of
 * one of our tcp_sendmsg calls in flight on this thread, so an entry
 * record whose exit was missed cannot adopt unrelated copies (a write()
 * to a file copies with the same functions). */
static __always_inline void on_copy_enter(__u32 fn, __u64 bytes, const void *iter)
{
	struct start_val *s = peek(FN_TCP_SENDMSG);
	if (s && s->ptr + bpf_core_field_offset(struct msghdr, msg_iter) == (__u64)iter)
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

/* Fallback where _copy_from_iter is not traceable (Debian 6.1: not an
 * ftrace site, fentry attach fails with EBUSY): with hardened usercopy,
 * copy_from_iter() calls __check_object_size(addr, bytes, false) right
 * before _copy_from_iter(addr, bytes, i); inside tcp_sendmsg that is the
 * user->kernel copy's length. Bytes only (inferred), no copy time; and
 * with no iterator argument, the msghdr guard of on_copy_enter cannot
 * apply: a tcp_sendmsg record whose exit was missed is trusted until the
 * thread's next tcp_sendmsg replaces it (and counts it as missed). */
static __always_inline void on_usercopy_check(__u64 bytes, int to_user)
{
	if (to_user)
		return;
	struct start_val *s = peek(FN_TCP_SENDMSG);
	if (s)
		count(s->side, FN_SEND_COPY_CHK, bytes, 0, 0);
}

CT_ENTRY(tcp_sendmsg, tcp_sendmsg, on_sendmsg_enter(sk, msg, size), struct sock *sk,
	 struct msghdr *msg, size_t size)
CT_EXIT(tcp_sendmsg, tcp_sendmsg, on_sendmsg_exit((int)ret))
CT_ENTRY(sendpages, do_tcp_sendpages, on_sendpages_enter(sk), struct sock *sk)
CT_EXIT(sendpages, do_tcp_sendpages, on_sendpages_exit((int)ret))

/* The copy family: one of these does the copy, depending on the kernel
 * version and the route's checksum offload. */
CT_ENTRY(copy_from_iter, _copy_from_iter, on_copy_enter(FN_SEND_COPY, 0, i), void *addr,
	 size_t bytes, struct iov_iter *i)
CT_EXIT(copy_from_iter, _copy_from_iter, on_copy_exit(FN_SEND_COPY, ret, 0))
CT_ENTRY(copy_from_iter_nocache, _copy_from_iter_nocache, on_copy_enter(FN_SEND_COPY_NC, 0, i),
	 void *addr, size_t bytes, struct iov_iter *i)
CT_EXIT(copy_from_iter_nocache, _copy_from_iter_nocache, on_copy_exit(FN_SEND_COPY_NC, ret, 0))
CT_ENTRY(csum_copy, csum_and_copy_from_iter_full, on_copy_enter(FN_SEND_COPY_CSUM, bytes, i),
	 void *addr, size_t bytes, __wsum *csum, struct iov_iter *i)
CT_EXIT(csum_copy, csum_and_copy_from_iter_full, on_copy_exit(FN_SEND_COPY_CSUM, ret & 0xff, 1))
CT_ENTRY(copy_full, _copy_from_iter_full, on_copy_enter(FN_SEND_COPY_FULL, bytes, i), void *addr,
	 size_t bytes, struct iov_iter *i)
CT_EXIT(copy_full, _copy_from_iter_full, on_copy_exit(FN_SEND_COPY_FULL, ret & 0xff, 1))
/* to_user as a byte: only the low 8 bits of a bool argument's register are
 * defined (5.10 leaves garbage above them). */
CT_ENTRY(usercopy_check, __check_object_size, on_usercopy_check(n, to_user), const void *ptr,
	 unsigned long n, __u8 to_user)

/* Bytes accepted by tcp_sendmsg. MSG_ZEROCOPY is not visible here (the
 * flags argument is 0 on the send path), so the send syscall's flags,
 * recorded at syscall entry, tell copied from pinned: the kernel pins
 * when the call asked for MSG_ZEROCOPY, the socket has SO_ZEROCOPY and the
 * route can scatter-gather (tcp_sendmsg_locked). io_uring's SEND_ZC pins
 * without SO_ZEROCOPY: the opcode submitted last on this thread (an
 * inline issue follows its submission) stands in for the flag. Inferred,
 * not observed. */
static __always_inline void on_send_length(struct sock *sk, int ret)
{
	int side = task_sk_slot(sk);
	if (side < 0)
		return;
	__u64 bytes = ret > 0 ? ret : 0;
	int zc = 0;
	struct sys_val *s = sys_slot(0);
	if (s && s->ts && s->kind == SK_SPLICE_IN)
		return; /* sendfile/splice: counted from the syscall's result */
	if (sk_ktls(sk))
		return; /* kTLS: counted from the syscall's result (FN_TLS_TX) */
	conn_add(sk, CC_SENT, bytes);
	int iou = s && !s->ts && s->iou_zc;
	if (iou || (s && s->ts && s->fn == FN_SYS_SEND && (s->flags & MSG_ZEROCOPY))) {
		__u64 skflags = BPF_CORE_READ(sk, __sk_common.skc_flags);
		__u64 caps = BPF_CORE_READ(sk, sk_route_caps);
		int bit = bpf_core_enum_value(enum sock_flags, SOCK_ZEROCOPY);
		zc = (iou || ((skflags >> (bit & 63)) & 1)) && (caps & NETIF_F_SG);
	}
	count(side, FN_TCP_SENDMSG, bytes, zc ? bytes : 0, 0);
	if (bytes)
		count(side, zc ? FN_ZC_PIN : FN_SEND_COPY, bytes, 0, 0);
}
SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(tb_retransmit, const struct sock *sk, const struct sk_buff *skb)
{
	int side = sk_slot(sk);
	if (side < 0)
		return 0;
	__u32 len = BPF_CORE_READ(skb, len);
	count(side, FN_RETRANS, len, 0, 0);
	conn_add(sk, CC_RETRANS, len);
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(tb_send_length, struct sock *sk, int ret, int flags)
{
	on_send_length(sk, ret);
	return 0;
}

SEC("tp_btf/tcp_sendmsg_locked")
int BPF_PROG(tb_sendmsg_locked, const struct sock *sk)
{
	int side = sk_slot(sk);
	if (side >= 0)
		count(side, FN_SENDMSG_LOCKED, 0, 0, 0);
	return 0;
}
/* Classic tracepoints (no BTF for the event): same handlers, pointers
 * read with probe reads. */
SEC("tracepoint/sock/sock_send_length")
int tc_send_length(struct trace_event_raw_sock_msg_length *ctx)
{
	on_send_length((struct sock *)BPF_CORE_READ(ctx, sk), BPF_CORE_READ(ctx, ret));
	return 0;
}

#endif
