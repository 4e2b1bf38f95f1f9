/* SPDX-License-Identifier: GPL-2.0-only */
/* Receive path: tcp_recvmsg and the skb->user copy (fentry/kprobe), or
 * the sock_recv_length and skb_copy_datagram_iovec tracepoints. */
#ifndef CT_RECV_BPF_H
#define CT_RECV_BPF_H
#include "base.bpf.h"
#include "calls.bpf.h"
#include "slots.bpf.h"
#include "hookdef.bpf.h"
#include "core_fixes.bpf.h" /* RECVMSG_FLAGS */

static __always_inline void on_recvmsg_enter(struct sock *sk, long flags)
{
	int side = task_sk_slot(sk);
	if (side >= 0 && !(flags & MSG_ERRQUEUE))
		enter_ptr(FN_TCP_RECVMSG, side, 0, 0, sk);
}

static __always_inline void on_recvmsg_exit(long ret)
{
	struct start_val v;
	if (leave_count(FN_TCP_RECVMSG, ret, &v))
		conn_add((void *)v.sk, CC_RECV, ret);
}

/* Slot of a copy from skb: the reading task's, when the skb belongs to a
 * traced socket; for an skb no longer owned by a socket, the tcp_recvmsg
 * (or kTLS's tls_sw_recvmsg, whose decrypted records are skbs of its own)
 * of ours in flight on this thread (its record exists only for traced
 * sockets). An skb owned by another socket is never ours, whatever the
 * thread. */
static __always_inline int recv_copy_side(const struct sk_buff *skb)
{
	struct sock *sk = BPF_CORE_READ(skb, sk);
	if (sk) {
		int owner = sk_slot(sk);
		if (owner < 0)
			return -1;
		int t = task_slot();
		return t >= 0 ? t : owner;
	}
	struct start_val *s = peek(FN_TCP_RECVMSG);
	if (!s && cfg.tls_rx_split)
		s = peek(FN_TLS_DECRYPT);
	return s ? s->side : -1;
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
	if (ns < 0)
		return;
	count_timed(v.side, FN_RECV_COPY, ret == 0 ? v.arg : 0, ns, 0, 0);
	/* inside tls_sw_recvmsg: a record decrypted into the kernel's buffer
	 * (the user's was too small, or a peek), now copied out; the record
	 * is this thread's own, so a plain add */
	struct start_val *t = cfg.tls_rx_split && ret == 0 ? peek(FN_TLS_DECRYPT) : NULL;
	if (t)
		t->arg += v.arg;
}

CT_ENTRY(tcp_recvmsg, tcp_recvmsg, on_recvmsg_enter(sk, RECVMSG_FLAGS()), struct sock *sk)
CT_EXIT(tcp_recvmsg, tcp_recvmsg, on_recvmsg_exit((int)ret))
CT_ENTRY(skb_copy_datagram_iter, skb_copy_datagram_iter, on_recv_copy_enter(skb, len),
	 const struct sk_buff *skb, int offset, struct iov_iter *to, int len)
CT_EXIT(skb_copy_datagram_iter, skb_copy_datagram_iter, on_recv_copy_exit((int)ret))

/* splice out of a socket: skb pages handed to a pipe by reference (the
 * linear part may be copied into a page first: linear_to_page). */
static __always_inline void on_splice_read_enter(struct socket *sock)
{
	int side = task_sk_slot(BPF_CORE_READ(sock, sk));
	if (side >= 0)
		enter(FN_SPLICE_OUT, side, 0);
}

static __always_inline void on_splice_read_exit(long ret)
{
	struct start_val v;
	leave_count(FN_SPLICE_OUT, ret, &v);
}
CT_ENTRY(splice_read, tcp_splice_read, on_splice_read_enter(sock), struct socket *sock)
CT_EXIT(splice_read, tcp_splice_read, on_splice_read_exit(ret))

static __always_inline void on_recv_length(struct sock *sk, int ret, int flags)
{
	if (flags & MSG_ERRQUEUE)
		return;
	int side = task_sk_slot(sk);
	if (side < 0 || sk_ktls(sk)) /* kTLS: from the syscall's result (FN_TLS_RX) */
		return;
	count(side, FN_TCP_RECVMSG, ret > 0 ? ret : 0, 0, 0);
	conn_add(sk, CC_RECV, ret);
}

/* A copy from an skb of no socket inside a kTLS receive call of ours: a
 * record tls.ko decrypted into its own buffer, now copied to the user
 * (the syscall's exit adds the sum to FN_TLS_RX's aux). */
static __always_inline void tls_rx_copy_seen(int len)
{
	struct sys_val *v = sys_slot(0);
	if (!v || !v->ts || v->kind != SK_RECV || !sk_ktls((struct sock *)v->sk))
		return;
	count(v->side, FN_RECV_COPY, len, 0, 0);
	v->tls_rx_copied += len;
}

static __always_inline void on_copy_datagram(const struct sk_buff *skb, int len)
{
	if (len <= 0 || !filter.enabled)
		return;
	if (!BPF_CORE_READ(skb, sk)) {
		tls_rx_copy_seen(len);
		return;
	}
	/* Through the skb's socket only: a traced process reading another
	 * socket (or a pipe of skbs, e.g. a unix socket) copies nothing that
	 * is traced. TCP receive-queue skbs are owned by their socket. */
	int side = task_tcp_slot(BPF_CORE_READ(skb, sk));
	if (side >= 0)
		count(side, FN_RECV_COPY, len, 0, 0);
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(tb_recv_length, struct sock *sk, int ret, int flags)
{
	on_recv_length(sk, ret, flags);
	return 0;
}

SEC("tp_btf/skb_copy_datagram_iovec")
int BPF_PROG(tb_copy_datagram, const struct sk_buff *skb, int len)
{
	on_copy_datagram(skb, len);
	return 0;
}
/* Classic tracepoints (no BTF for the event): same handlers, pointers
 * read with probe reads. */
SEC("tracepoint/sock/sock_recv_length")
int tc_recv_length(struct trace_event_raw_sock_msg_length *ctx)
{
	on_recv_length((struct sock *)BPF_CORE_READ(ctx, sk), BPF_CORE_READ(ctx, ret),
		       BPF_CORE_READ(ctx, flags));
	return 0;
}

SEC("tracepoint/skb/skb_copy_datagram_iovec")
int tc_copy_datagram(struct trace_event_raw_skb_copy_datagram_iovec *ctx)
{
	on_copy_datagram((const struct sk_buff *)BPF_CORE_READ(ctx, skbaddr),
			 BPF_CORE_READ(ctx, len));
	return 0;
}

#endif
