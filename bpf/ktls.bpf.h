/* SPDX-License-Identifier: GPL-2.0-only */
/* kTLS (tls.ko): the plaintext bytes tls_sw_sendmsg took to encrypt (and,
 * before 6.5, tls_sw_sendpage: sendfile's pages) and the bytes
 * tls_sw_recvmsg returned decrypted, per call, on a traced socket. Module
 * functions: the plan has them only while tls.ko is loaded (fentry finds
 * them in the module's BTF, a kprobe by its symbol). The plaintext tls_sw_sendmsg
 * copies into the open record first, rather than encrypting from the
 * user's pages, goes through sk_msg_memcopy_from_iter (vmlinux), which
 * copied its bytes argument unless it returns an error. A record
 * tls_sw_recvmsg decrypts into its own buffer and then copies to the user
 * goes through skb_copy_datagram_iter (recv.bpf.h), which adds those
 * bytes to the tls_sw_recvmsg record's arg. */
#ifndef CT_KTLS_BPF_H
#define CT_KTLS_BPF_H
#include "base.bpf.h"
#include "calls.bpf.h"
#include "slots.bpf.h"
#include "hookdef.bpf.h"

static __always_inline void on_tls_enter(__u32 fn, struct sock *sk)
{
	int side = task_sk_slot(sk);
	if (side >= 0)
		enter_ptr(fn, side, 0, 0, sk);
}

static __always_inline void on_tls_exit(__u32 fn, long ret)
{
	struct start_val v;
	leave_count(fn, ret, &v);
}

/* tls_sw_recvmsg's exit: the bytes it returned, and in aux those the
 * receive copies inside it added to its record (on_recv_copy_exit). */
static __always_inline void on_tls_recv_exit(long ret)
{
	struct start_val v;
	__s64 ns = leave(FN_TLS_DECRYPT, &v);
	if (ns >= 0)
		count_timed(v.side, FN_TLS_DECRYPT, ret > 0 ? ret : 0, ns, v.arg, 0);
}

static __always_inline void on_tls_copy_enter(struct sock *sk, __u32 bytes)
{
	if (!sk_ktls(sk)) /* sockmap's other users */
		return;
	int side = task_sk_slot(sk);
	if (side >= 0)
		enter_ptr(FN_TLS_COPY, side, bytes, 0, sk);
}

static __always_inline void on_tls_copy_exit(int ret)
{
	struct start_val v;
	__s64 ns = leave(FN_TLS_COPY, &v);
	if (ns >= 0)
		count_timed(v.side, FN_TLS_COPY, ret >= 0 ? v.arg : 0, ns, 0, 0);
}

CT_ENTRY(tls_send, tls_sw_sendmsg, on_tls_enter(FN_TLS_ENCRYPT, sk), struct sock *sk)
CT_EXIT(tls_send, tls_sw_sendmsg, on_tls_exit(FN_TLS_ENCRYPT, (int)ret))
CT_ENTRY(tls_sendpage, tls_sw_sendpage, on_tls_enter(FN_TLS_ENCRYPT, sk), struct sock *sk)
CT_EXIT(tls_sendpage, tls_sw_sendpage, on_tls_exit(FN_TLS_ENCRYPT, (int)ret))
CT_ENTRY(tls_recv, tls_sw_recvmsg, on_tls_enter(FN_TLS_DECRYPT, sk), struct sock *sk)
CT_EXIT(tls_recv, tls_sw_recvmsg, on_tls_recv_exit((int)ret))
CT_ENTRY(tls_copy, sk_msg_memcopy_from_iter, on_tls_copy_enter(sk, bytes), struct sock *sk,
	 struct iov_iter *from, struct sk_msg *msg, __u32 bytes)
CT_EXIT(tls_copy, sk_msg_memcopy_from_iter, on_tls_copy_exit((int)ret))

#endif
