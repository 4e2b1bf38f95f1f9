/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel time of each data system call a traced process makes on a TCP
 * socket (send*, write*, recv*, read*, sendfile, splice, and getsockopt's
 * TCP_ZEROCOPY_RECEIVE), and io_uring_enter (no socket: its calls and
 * their time, those that wait for completions apart): tp_btf
 * sys_enter/sys_exit (one pair for all), or the classic per-syscall
 * tracepoints. The fd's socket is marked traced here, on every backend,
 * and a MSG_ZEROCOPY send's id is stamped for the completion latency. */
#ifndef CT_SYSCALLS_BPF_H
#define CT_SYSCALLS_BPF_H
#include "base.bpf.h"
#include "calls.bpf.h"
#include "slots.bpf.h"
#include "core_fixes.bpf.h" /* cur_fds, sys_slot */

#define TCP_ZEROCOPY_RECEIVE 35
#define S_IFMT 0170000
#define S_IFSOCK 0140000

enum sys_call {
	SY_SENDTO,
	SY_SENDMSG,
	SY_WRITE,
	SY_RECVFROM,
	SY_RECVMSG,
	SY_READ,
	SY_SENDFILE,
	SY_SPLICE,
	SY_GETSOCKOPT,
	SY_IOU_ENTER,
	SY_NONE
};

#define IORING_ENTER_GETEVENTS 1u

/* The TCP socket behind fd in the current task's file table, or NULL.
 * The file array's slot and the file's fields are probe reads, the
 * dearest part of a syscall hook: the thread's last TCP socket (memo, in
 * its sys_val) saves half of them. fd -> file -> socket -> sock read the
 * same as then is the same TCP socket, so the file's inode mode and the
 * sock's protocol are not read again; a closed fd whose file and socket
 * are reused at the same addresses fails at the sock unless that is the
 * same address too, which only a sock of the same protocol's cache can
 * have (the memo is checked on every call, never trusted alone). */
static __always_inline struct sock *fd_tcp_sock(long fd, struct sys_val *m)
{
	struct file **fds = cur_fds(fd);
	if (!fds)
		return NULL;
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd & 0xffffff]);
	if (!f)
		return NULL;
	struct socket *so;
	struct sock *sk;
	if (m && m->memo_fd == fd && m->memo_file == (__u64)f) {
		so = BPF_CORE_READ(f, private_data);
		sk = BPF_CORE_READ(so, sk);
		if (sk && m->memo_so == (__u64)so && m->memo_sk == (__u64)sk)
			return sk;
	}
	/* the full walk; a file that is no socket costs what it did */
	if ((BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	so = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(so, sk);
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != 6 /* IPPROTO_TCP */)
		return NULL;
	if (m) {
		m->memo_fd = fd;
		m->memo_file = (__u64)f;
		m->memo_so = (__u64)so;
		m->memo_sk = (__u64)sk;
	}
	return sk;
}

/* The data syscall id is one of ours (enum sys_call), or SY_NONE. */
static __always_inline int sys_call_of(long id)
{
	return id == cfg.nr_sendto			    ? SY_SENDTO
		: id == cfg.nr_sendmsg			    ? SY_SENDMSG
		: id == cfg.nr_write || id == cfg.nr_writev ? SY_WRITE
		: id == cfg.nr_recvfrom			    ? SY_RECVFROM
		: id == cfg.nr_recvmsg			    ? SY_RECVMSG
		: id == cfg.nr_read || id == cfg.nr_readv   ? SY_READ
		: id == cfg.nr_sendfile			    ? SY_SENDFILE
		: id == cfg.nr_splice			    ? SY_SPLICE
		: id == cfg.nr_getsockopt		    ? SY_GETSOCKOPT
		: id == cfg.nr_io_uring_enter		    ? SY_IOU_ENTER
							    : SY_NONE;
}

/* Entry of a data syscall (a0..a4: its arguments): the traced-task
 * filter, the fd's TCP socket, then one write to the thread's record. */
static __always_inline void sys_begin(int call, __u64 a0, __u64 a1, __u64 a2, __u64 a3)
{
	int side = task_slot();
	if (side < 0)
		return;
	if (call == SY_IOU_ENTER) {
		/* io_uring_enter(fd, to_submit, min_complete, flags, ...): the
		 * ring's fd is no socket; waiting = GETEVENTS with a minimum */
		struct sys_val *u = sys_slot(1);
		if (!u)
			return;
		u->iou_wait = (a3 & IORING_ENTER_GETEVENTS) && (__u32)a2 > 0;
		u->iou_side = side;
		u->iou_ts = bpf_ktime_get_ns();
		return;
	}
	long fd = (long)a0;
	__u64 flags = 0, uptr = 0;
	__u32 kind = SK_SEND;
	switch (call) {
	case SY_SENDTO:
		flags = a3;
		break;
	case SY_SENDMSG:
		flags = a2;
		break;
	case SY_WRITE:
		break;
	case SY_RECVFROM:
		flags = a3;
		kind = SK_RECV;
		break;
	case SY_RECVMSG:
		flags = a2;
		kind = SK_RECV;
		break;
	case SY_READ:
		kind = SK_RECV;
		break;
	case SY_SENDFILE:
		kind = SK_SPLICE_IN;
		break; /* sendfile(out_fd, ...) */
	case SY_SPLICE:
		kind = SK_SPLICE_OUT;
		break; /* splice(fd_in, _, fd_out, ...) */
	case SY_GETSOCKOPT:
		if (a1 != 6 /* SOL_TCP */ || a2 != TCP_ZEROCOPY_RECEIVE)
			return;
		kind = SK_RECV_ZC;
		uptr = a3;
		break;
	default:
		return;
	}
	/* the thread's record is made at its first TCP socket: before 5.11 it
	 * is a hash entry by thread id, which no file that is no socket
	 * should fill */
	struct sys_val *v = sys_slot(0);
	struct sock *sk;
	if (call == SY_SPLICE && (sk = fd_tcp_sock((long)a2, v)))
		kind = SK_SPLICE_IN;
	else if (!(sk = fd_tcp_sock(fd, v)))
		return;
	if (!v && !(v = sys_slot(1)))
		return;
	sk_mark(sk, side);
	int send = kind == SK_SEND || kind == SK_SPLICE_IN;
	__u32 fn = send ? FN_SYS_SEND : flags & MSG_ERRQUEUE ? FN_SYS_ERRQ : FN_SYS_RECV;
	/* A tcp_sendmsg/tcp_recvmsg record left from an earlier call whose exit
	 * was missed would adopt this call's other copies (its iovec import
	 * goes through __check_object_size too). */
	drop_stale(send ? FN_TCP_SENDMSG : FN_TCP_RECVMSG);
	if (send && (flags & MSG_ZEROCOPY)) {
		__sync_fetch_and_add(&zc_sends_seen, 1);
		zc_seen = 1;
		v->zckey = BPF_CORE_READ(sk, sk_zckey.counter);
	}
	v->flags = flags;
	v->fn = fn;
	v->side = side;
	v->kind = kind;
	v->sk = (__u64)sk;
	v->uptr = uptr;
	v->tls_rx_copied = 0;
	v->ts = bpf_ktime_get_ns();
}

/* The part of struct tcp_zerocopy_receive every kernel fills. */
struct zc_recv_head {
	__u64 address;
	__u32 length; /* bytes mapped */
	__u32 recv_skip_hint;
};

/* A MSG_ZEROCOPY send that took a zerocopy id (the socket's counter
 * moved: one id per tcp_sendmsg call, whether or not the pages were
 * pinned): its id and start, for the completion that credits it. */
static __always_inline void zc_stamp(const struct sys_val *v)
{
	struct sock *sk = (void *)v->sk;
	__u32 key = BPF_CORE_READ(sk, sk_zckey.counter);
	if (key == v->zckey)
		return;
	struct zc_sent_key k = { .obj = v->sk, .id = (__u32)(key - 1) };
	struct zc_sent_val t = { .ts = v->ts, .side = v->side };
	bpf_map_update_elem(&zcsent, &k, &t, BPF_ANY);
}

/* Exit of io_uring_enter: its time, and apart the time of the calls that
 * waited for completions. */
static __always_inline void iou_exit(struct sys_val *v)
{
	__u64 ns = bpf_ktime_get_ns() - v->iou_ts;
	v->iou_ts = 0;
	int w = !!v->iou_wait;
	count_timed(v->iou_side, FN_SYS_IOU_ENTER, 0, ns, w, w ? ns : 0);
}

/* Exit of any syscall: the thread's record of a call of ours, if any. */
static __always_inline void sys_exit(long ret)
{
	struct sys_val *v = sys_slot(0);
	if (!v)
		return;
	if (v->iou_ts) {
		iou_exit(v);
		return;
	}
	if (!v->ts)
		return;
	__u64 ns = bpf_ktime_get_ns() - v->ts;
	if (v->kind == SK_SEND && (v->flags & MSG_ZEROCOPY))
		zc_stamp(v);
	v->ts = 0;
	struct sock *sk = (void *)v->sk;
	__u64 bytes = ret > 0 ? ret : 0;
	if (v->kind == SK_RECV_ZC) {
		/* the kernel's own account of the pages it mapped */
		struct zc_recv_head zc = {};
		if (ret == 0 && !bpf_probe_read_user(&zc, sizeof(zc), (void *)v->uptr)) {
			bytes = zc.length;
			count(v->side, FN_RECV_ZC, bytes, 0, 0);
			conn_add(sk, CC_RECV_ZC, bytes);
		}
	}
	count_timed(v->side, v->fn, bytes, ns, 0, 0);
	if (ret <= 0)
		return;
	if (sk_ktls(sk)) {
		/* kTLS: the bytes only; none of the inferences below holds (the
		 * kernel encrypts into, or decrypts from, buffers of its own) */
		if (v->kind == SK_SEND || v->kind == SK_SPLICE_IN) {
			count(v->side, FN_TLS_TX, ret, 0, 0);
			conn_add(sk, CC_SENT, ret);
		} else if (v->kind == SK_RECV && v->fn == FN_SYS_RECV) {
			/* aux: of them, copied from tls.ko's own buffer (the
			 * skb_copy_datagram_iovec tracepoint, recv.bpf.h) */
			count(v->side, FN_TLS_RX, ret, v->tls_rx_copied, 0);
			conn_add(sk, CC_RECV, ret);
		}
		return;
	}
	if (cfg.splice_from_syscall && v->kind == SK_SPLICE_IN) {
		/* no hook sees the pages handed to TCP: the syscall's result */
		count(v->side, FN_SPLICE, ret, 0, 0);
		conn_add(sk, CC_SENT, ret);
		conn_add(sk, CC_SPLICE, ret);
	} else if (cfg.splice_from_syscall && v->kind == SK_SPLICE_OUT) {
		count(v->side, FN_SPLICE_OUT, ret, 0, 0);
	} else if (cfg.send_from_syscall && v->kind == SK_SEND) {
		/* No sock_send_length (before 6.3): the bytes a send call of
		 * ours returned stand in for tcp_sendmsg's, split by the call's
		 * MSG_ZEROCOPY flag (the socket's SO_ZEROCOPY and route are
		 * not known here). Inferred. */
		int zc = !!(v->flags & MSG_ZEROCOPY);
		count(v->side, FN_TCP_SENDMSG, ret, zc ? ret : 0, 0);
		count(v->side, zc ? FN_ZC_PIN : FN_SEND_COPY, ret, 0, 0);
		conn_add(sk, CC_SENT, ret);
	} else if (cfg.send_from_syscall && v->kind == SK_RECV && v->fn == FN_SYS_RECV) {
		conn_add(sk, CC_RECV, ret);
	}
}

/* Raw syscall tracepoints (tp_btf, no perf buffer): the syscall number is
 * the first check, before the task filter. Arguments from the saved user
 * registers. */
SEC("tp_btf/sys_enter")
int BPF_PROG(sr_enter, struct pt_regs *regs, long id)
{
	int call = sys_call_of(id);
	if (call == SY_NONE) {
		/* sendmmsg(fd, vec, n, flags): not timed, but it can ask for
		 * zerocopy, which opens the zerocopy-only hooks */
		if (id == cfg.nr_sendmmsg && !zc_seen &&
		    (PT_REGS_PARM4_SYSCALL(regs) & MSG_ZEROCOPY) && task_slot() >= 0)
			zc_seen = 1;
		return 0;
	}
	/* regs is a BTF pointer here: direct loads, no probe-read helper */
	sys_begin(call, PT_REGS_PARM1_SYSCALL(regs), PT_REGS_PARM2_SYSCALL(regs),
		  PT_REGS_PARM3_SYSCALL(regs), PT_REGS_PARM4_SYSCALL(regs));
	return 0;
}

/* Every syscall of every task passes here too: the syscall number (in
 * the saved registers, x86) goes first, so that the others cost no
 * lookup of the thread's record. */
SEC("tp_btf/sys_exit")
int BPF_PROG(sr_exit, struct pt_regs *regs, long ret)
{
#if defined(__TARGET_ARCH_x86)
	if (sys_call_of(regs->orig_ax) == SY_NONE)
		return 0;
#endif
	sys_exit(ret);
	return 0;
}

/* Classic per-syscall tracepoints: the fallback without tp_btf (and with
 * CT_TP_CLASSIC=1). Same records. */
#define CT_SYSCALL(name, call)                                                           \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                      \
	int sc_enter_##name(struct trace_event_raw_sys_enter *ctx)                       \
	{                                                                                \
		sys_begin(call, ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3]); \
		return 0;                                                                \
	}                                                                                \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                       \
	int sc_exit_##name(struct trace_event_raw_sys_exit *ctx)                         \
	{                                                                                \
		sys_exit(ctx->ret);                                                      \
		return 0;                                                                \
	}
CT_SYSCALL(sendto, SY_SENDTO)
CT_SYSCALL(sendmsg, SY_SENDMSG)
CT_SYSCALL(write, SY_WRITE)
CT_SYSCALL(writev, SY_WRITE)
CT_SYSCALL(recvfrom, SY_RECVFROM)
CT_SYSCALL(recvmsg, SY_RECVMSG)
CT_SYSCALL(read, SY_READ)
CT_SYSCALL(readv, SY_READ)
CT_SYSCALL(sendfile64, SY_SENDFILE)
CT_SYSCALL(splice, SY_SPLICE)
CT_SYSCALL(getsockopt, SY_GETSOCKOPT)
CT_SYSCALL(io_uring_enter, SY_IOU_ENTER)

#endif
