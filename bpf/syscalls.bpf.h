/* Kernel time of each send/recv system call of the traced processes:
 * tp_btf sys_enter/sys_exit (one pair for all four calls), or the classic
 * per-syscall tracepoints. */
#ifndef CT_SYSCALLS_BPF_H
#define CT_SYSCALLS_BPF_H
#include "common.bpf.h"

/* Entry of a send/recv syscall (fn already chosen): the pid filter, then
 * one write to the thread's record. */
static __always_inline void sys_enter(int side, __u32 fn, __u64 flags)
{
	/* A tcp_sendmsg/tcp_recvmsg record left from an earlier call whose exit
	 * was missed would adopt this call's other copies (its iovec import
	 * goes through __check_object_size too). */
	drop_stale(fn == FN_SYS_SEND ? FN_TCP_SENDMSG : FN_TCP_RECVMSG);
	struct sys_val *v = sys_slot(1);
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
	if (send_from_syscall && v->fn == FN_SYS_SEND && ret > 0) {
		/* No sock_send_length (before 6.3): the bytes a send call of
		 * ours returned stand in for tcp_sendmsg's, split by the call's
		 * MSG_ZEROCOPY flag (the socket's SO_ZEROCOPY and route are
		 * not known here). Inferred. */
		int zc = !!(v->flags & MSG_ZEROCOPY);
		count(v->side, FN_TCP_SENDMSG, ret, zc ? ret : 0, 0);
		count(v->side, zc ? FN_ZC_PIN : FN_SEND_COPY, ret, 0, 0);
	}
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

#endif
