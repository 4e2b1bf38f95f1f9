// SPDX-License-Identifier: GPL-2.0-only
/* The hook table and the plan of one backend on one kernel: see hooks.h.
 * Programs are named by their offset in the skeleton (P(x)), so a name
 * that does not exist is a compile error, not a run-time lookup; nothing
 * here touches the kernel. */
#include "hooks.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copytrace.skel.h"

/* Hook flags. */
#define HF_REQUIRED 1u /* the backend needs at least one of its required hooks */
#define HF_INFERRED 2u /* bytes inferred, not observed */
#define HF_ZC_ONLY 4u /* tracepoint hook useful only for MSG_ZEROCOPY senders */
#define HF_COPY_MAIN 8u /* _copy_from_iter: the copy most sends go through */
#define HF_COPY_ALT 16u /* the other copy functions: only beside HF_COPY_MAIN */
/* __check_object_size: every copy's length, when
 * HF_COPY_MAIN cannot be hooked (the others would
 * then count some copies twice) */
#define HF_COPY_LAST 2048u
#define HF_ALL_BK 32u /* a tracepoint used by every backend */
#define HF_ZC_CB 64u /* the zerocopy callback, under one of its names */
/* completion tracepoints: on fentry/kprobe too, where
 * no callback hook works (inlined, as on 7.x) */
#define HF_ZC_STANDIN 128u
#define HF_QUIET 256u /* an alternative name: its absence is no news */
#define HF_CAS 512u /* holds a BPF compare-and-swap (5.12+) */
#define HF_NOCAS 1024u /* its twin without one, for older kernels */
#define HF_TRACK 4096u /* keeps the set of traced processes and sockets */
#define HF_INFO 8192u /* a row no ledger line needs, dear per byte (CT_TR_LEAN drops it) */

#define ROW(fn) (1u << (fn))
#define P(x) offsetof(struct copytrace_bpf, progs.x)
#define NARGS(x) offsetof(struct copytrace_bpf__rodata, ct_nargs_##x)
#define NO_NARGS ((size_t)-1)
/* the raw syscall tracepoints, by their facts' names */
#define RAW_ENTER "raw_syscalls/sys_enter"
#define RAW_EXIT "raw_syscalls/sys_exit"

struct hook {
	enum hook_kind kind;
	uint32_t rows; /* counter rows it feeds, ROW(fn) bits */
	const char *target; /* function, "cat/name" tracepoint, or user symbol */
	/* Programs by variant (HK_KFUNC: fentry, kprobe; HK_TP: tp_btf, classic;
	 * others: one) as {entry, exit} skeleton offsets, 0 = none. */
	size_t prog[2][2];
	unsigned flags;
	size_t nargs; /* HK_KFUNC with an exit: its ct_nargs_<name> in .rodata */
};

/* One kernel function, both kernel backends (bpf/hookdef.bpf.h CT_ENTRY +
 * CT_EXIT make the four programs). */
#define KFUNC_ROWS(name, rows, target, fl)                        \
	{                                                         \
		HK_KFUNC, rows, target,                           \
			{ { P(fe_##name), P(fe_##name##_ret) },   \
			  { P(kp_##name), P(kp_##name##_ret) } }, \
			fl, NARGS(name)                           \
	}
#define KFUNC(name, fn, target, fl) KFUNC_ROWS(name, ROW(fn), target, fl)
#define KENTRY_ROWS(name, rows, target, fl)                                                        \
	{                                                                                          \
		HK_KFUNC, rows, target, { { P(fe_##name), 0 }, { P(kp_##name), 0 } }, fl, NO_NARGS \
	}
#define KENTRY(name, fn, target, fl) KENTRY_ROWS(name, ROW(fn), target, fl)
#define TP_ROWS(name, rows, target, classic, fl)                                           \
	{                                                                                  \
		HK_TP, rows, target, { { P(tb_##name), 0 }, { classic, 0 } }, fl, NO_NARGS \
	}
#define TP(name, fn, target, classic, fl) TP_ROWS(name, ROW(fn), target, classic, fl)
/* A tracepoint with only a classic program (its tp_btf arguments changed
 * between kernels; the classic fields kept their names). */
#define TPC(name, rows, target, fl)                                                  \
	{                                                                            \
		HK_TP, rows, target, { { 0, 0 }, { P(tc_##name), 0 } }, fl, NO_NARGS \
	}
#define SYSCALL(name, rows)                                                        \
	{                                                                          \
		HK_SYSCALL, rows, "syscalls/sys_enter_" #name,                     \
			{ { P(sc_enter_##name), P(sc_exit_##name) } }, 0, NO_NARGS \
	}

static const struct hook hooks[] = {
	/* 6.5+: sendfile/splice reach TCP here too (MSG_SPLICE_PAGES) */
	KFUNC_ROWS(tcp_sendmsg, ROW(FN_TCP_SENDMSG) | ROW(FN_SPLICE), "tcp_sendmsg", HF_REQUIRED),
	KFUNC(sendpages, FN_SPLICE, "do_tcp_sendpages", HF_QUIET), /* before 6.5 */
	KFUNC(copy_from_iter, FN_SEND_COPY, "_copy_from_iter", HF_COPY_MAIN),
	KFUNC(copy_from_iter_nocache, FN_SEND_COPY_NC, "_copy_from_iter_nocache", HF_COPY_ALT),
	KFUNC(csum_copy, FN_SEND_COPY_CSUM, "csum_and_copy_from_iter_full", HF_COPY_ALT),
	KFUNC(copy_full, FN_SEND_COPY_FULL, "_copy_from_iter_full", HF_COPY_ALT),
	KENTRY(usercopy_check, FN_SEND_COPY_CHK, "__check_object_size", HF_COPY_LAST | HF_INFERRED),
	KFUNC(zc_pin, FN_ZC_PIN, "skb_zerocopy_iter_stream", 0),
	KFUNC(tcp_recvmsg, FN_TCP_RECVMSG, "tcp_recvmsg", 0),
	KFUNC(skb_copy_datagram_iter, FN_RECV_COPY, "skb_copy_datagram_iter", 0),
	KFUNC(splice_read, FN_SPLICE_OUT, "tcp_splice_read", 0),
	KFUNC_ROWS(zc_callback, ROW(FN_ZC_CALLBACK) | ROW(FN_ZC_LATENCY), "__msg_zerocopy_callback",
		   HF_ZC_CB | HF_QUIET),
	KENTRY_ROWS(zc_complete, ROW(FN_ZC_CALLBACK) | ROW(FN_ZC_LATENCY), "msg_zerocopy_complete",
		    HF_ZC_CB | HF_QUIET),
	KENTRY_ROWS(zc_complete_61, ROW(FN_ZC_CALLBACK) | ROW(FN_ZC_LATENCY),
		    "msg_zerocopy_callback", HF_ZC_CB | HF_QUIET),
	KFUNC_ROWS(zc_callback_510, ROW(FN_ZC_CALLBACK) | ROW(FN_ZC_LATENCY),
		   "sock_zerocopy_callback", HF_ZC_CB | HF_QUIET),
	KFUNC(copy_ubufs, FN_DEFERRED_COPY, "skb_copy_ubufs", 0),
	KENTRY(iou_ubuf, FN_IOU_UBUF, "io_tx_ubuf_complete", HF_QUIET), /* 6.10+ */
	KENTRY(iou_ubuf_60, FN_IOU_UBUF, "io_uring_tx_zerocopy_callback", HF_QUIET), /* 6.0-6.9 */
	/* kTLS, in tls.ko: present only while the module is loaded */
	KFUNC(tls_send, FN_TLS_ENCRYPT, "tls_sw_sendmsg", HF_QUIET),
	KFUNC(tls_sendpage, FN_TLS_ENCRYPT, "tls_sw_sendpage", HF_QUIET), /* before 6.5 */
	KFUNC(tls_recv, FN_TLS_DECRYPT, "tls_sw_recvmsg", HF_QUIET),
	/* its copy of the user's plaintext into a record (vmlinux, skmsg.c) */
	KFUNC(tls_copy, FN_TLS_COPY, "sk_msg_memcopy_from_iter", HF_QUIET),
	TP(send_length, FN_TCP_SENDMSG, "sock/sock_send_length", P(tc_send_length), HF_REQUIRED),
	TP(recv_length, FN_TCP_RECVMSG, "sock/sock_recv_length", P(tc_recv_length), 0),
	TP(copy_datagram, FN_RECV_COPY, "skb/skb_copy_datagram_iovec", P(tc_copy_datagram),
	   HF_REQUIRED),
	TP(sendmsg_locked, FN_SENDMSG_LOCKED, "tcp/tcp_sendmsg_locked", 0, HF_INFO),
	TP_ROWS(error_report, ROW(FN_ZC_CALLBACK) | ROW(FN_ZC_LATENCY), "sock/inet_sk_error_report",
		0, HF_ZC_ONLY | HF_ZC_STANDIN | HF_CAS),
	TP_ROWS(consume_skb, ROW(FN_ZC_CALLBACK) | ROW(FN_ZC_LATENCY), "skb/consume_skb", 0,
		HF_ZC_ONLY | HF_ZC_STANDIN | HF_CAS),
	TP_ROWS(error_report_nocas, ROW(FN_ZC_CALLBACK) | ROW(FN_ZC_LATENCY),
		"sock/inet_sk_error_report", 0, HF_ZC_ONLY | HF_ZC_STANDIN | HF_NOCAS),
	TP_ROWS(consume_skb_nocas, ROW(FN_ZC_CALLBACK) | ROW(FN_ZC_LATENCY), "skb/consume_skb", 0,
		HF_ZC_ONLY | HF_ZC_STANDIN | HF_NOCAS),
	TP(netif_receive, FN_DEFERRED_COPY, "net/netif_receive_skb", P(tc_netif_receive),
	   HF_ZC_ONLY | HF_INFERRED),
	{ HK_RAWSYS,
	  ROW(FN_SYS_SEND) | ROW(FN_SYS_RECV) | ROW(FN_SYS_ERRQ) | ROW(FN_RECV_ZC) |
		  ROW(FN_SYS_IOU_ENTER) | ROW(FN_TLS_TX) | ROW(FN_TLS_RX),
	  "sys_enter",
	  { { P(sr_enter), P(sr_exit) } },
	  0,
	  NO_NARGS },
	SYSCALL(sendto, ROW(FN_SYS_SEND) | ROW(FN_TLS_TX)),
	SYSCALL(sendmsg, ROW(FN_SYS_SEND) | ROW(FN_TLS_TX)),
	SYSCALL(write, ROW(FN_SYS_SEND) | ROW(FN_TLS_TX)),
	SYSCALL(writev, ROW(FN_SYS_SEND) | ROW(FN_TLS_TX)),
	SYSCALL(sendfile64, ROW(FN_SYS_SEND) | ROW(FN_TLS_TX)),
	SYSCALL(splice, ROW(FN_SYS_SEND) | ROW(FN_SYS_RECV) | ROW(FN_TLS_TX)),
	SYSCALL(recvfrom, ROW(FN_SYS_RECV) | ROW(FN_TLS_RX)),
	SYSCALL(recvmsg, ROW(FN_SYS_RECV) | ROW(FN_SYS_ERRQ) | ROW(FN_TLS_RX)),
	SYSCALL(read, ROW(FN_SYS_RECV) | ROW(FN_TLS_RX)),
	SYSCALL(readv, ROW(FN_SYS_RECV) | ROW(FN_TLS_RX)),
	SYSCALL(getsockopt, ROW(FN_SYS_RECV) | ROW(FN_RECV_ZC)),
	SYSCALL(io_uring_enter, ROW(FN_SYS_IOU_ENTER)),
	TP(retransmit, FN_RETRANS, "tcp/tcp_retransmit_skb", 0, HF_ALL_BK),
	/* what is traced over time: forks, execs, exits, socket births (no rows) */
	{ HK_TP,
	  0,
	  "sched/sched_process_fork",
	  { { P(tb_fork), 0 } },
	  HF_ALL_BK | HF_TRACK,
	  NO_NARGS },
	{ HK_TP,
	  0,
	  "sched/sched_process_exit",
	  { { P(tb_exit), 0 } },
	  HF_ALL_BK | HF_TRACK,
	  NO_NARGS },
	{ HK_TP,
	  0,
	  "sched/sched_process_exec",
	  { { P(tb_exec), 0 } },
	  HF_ALL_BK | HF_TRACK,
	  NO_NARGS },
	{ HK_TP,
	  0,
	  "sock/inet_sock_set_state",
	  { { P(tb_set_state), 0 }, { P(tc_set_state), 0 } },
	  HF_ALL_BK | HF_TRACK,
	  NO_NARGS },
	/* io_uring: notifications on every backend, timed from their
	 * request's submission; the submitted opcode also splits the
	 * tracepoint backend's send bytes */
	TPC(iou_complete, ROW(FN_IOU_NOTIF) | ROW(FN_ZC_LATENCY), "io_uring/io_uring_complete",
	    HF_ALL_BK),
	TPC(iou_submit, 0, "io_uring/io_uring_submit_req", HF_ALL_BK),
	{ HK_UPROBE, ROW(FN_GATHER), "ct_gather_probe", { { P(up_gather), 0 } }, 0, NO_NARGS },
};
#define NHOOKS ((int)(sizeof(hooks) / sizeof(hooks[0])))
_Static_assert(NHOOKS <= CT_MAX_HOOKS, "raise CT_MAX_HOOKS");
_Static_assert(FN_COUNT <= 32, "rows are a 32-bit mask");

static const char *row_names[FN_COUNT] = {
	[FN_GATHER] = "ct_gather",
	[FN_TCP_SENDMSG] = "tcp_sendmsg",
	[FN_SEND_COPY] = "_copy_from_iter",
	[FN_SEND_COPY_NC] = "_copy_from_iter_nocache",
	[FN_SEND_COPY_CSUM] = "csum_and_copy_from_iter_full",
	[FN_SEND_COPY_FULL] = "_copy_from_iter_full",
	[FN_SEND_COPY_CHK] = "copy_from_iter",
	[FN_ZC_PIN] = "skb_zerocopy_iter_stream",
	[FN_SENDMSG_LOCKED] = "tcp_sendmsg_locked",
	[FN_SYS_SEND] = "sys_sendto/sendmsg",
	[FN_TCP_RECVMSG] = "tcp_recvmsg",
	[FN_RECV_COPY] = "skb_copy_datagram_iter",
	[FN_SYS_RECV] = "sys_recvfrom/recvmsg",
	[FN_SYS_ERRQ] = "sys_recvmsg(MSG_ERRQUEUE)",
	[FN_ZC_CALLBACK] = "__msg_zerocopy_callback",
	[FN_DEFERRED_COPY] = "skb_copy_ubufs",
	[FN_RETRANS] = "tcp_retransmit_skb",
	[FN_SPLICE] = "sendfile/splice to TCP",
	[FN_SPLICE_OUT] = "tcp_splice_read",
	[FN_RECV_ZC] = "TCP_ZEROCOPY_RECEIVE",
	[FN_IOU_NOTIF] = "io_uring zc notifications",
	[FN_IOU_UBUF] = "io_uring ubuf callback",
	[FN_ZC_LATENCY] = "zerocopy completion latency",
	[FN_SYS_IOU_ENTER] = "sys_io_uring_enter",
	[FN_TLS_TX] = "kTLS sends (syscalls)",
	[FN_TLS_RX] = "kTLS receives (syscalls)",
	[FN_TLS_ENCRYPT] = "tls_sw_sendmsg/sendpage",
	[FN_TLS_DECRYPT] = "tls_sw_recvmsg",
	[FN_TLS_COPY] = "sk_msg_memcopy_from_iter",
};

int hook_count(void)
{
	return NHOOKS;
}
enum hook_kind hook_kind(int i)
{
	return hooks[i].kind;
}
const char *hook_target(int i)
{
	return hooks[i].target;
}
unsigned hook_rows(int i)
{
	return hooks[i].rows;
}
const char *row_name(int fn)
{
	return row_names[fn];
}

const char *backend_name(enum ct_backend b)
{
	static const char *n[BK_COUNT] = { "fentry", "kprobe", "tracepoint" };
	return n[b];
}

static void plan_note(struct hook_plan *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void plan_note(struct hook_plan *p, const char *fmt, ...)
{
	if (p->nnotes >= CT_MAX_NOTES)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->notes[p->nnotes++], sizeof(p->notes[0]), fmt, ap);
	va_end(ap);
}

/* Marks the rows of hook h as filled by `hook` (several hooks feeding one
 * row are listed). */
static void set_rows(struct hook_plan *t, uint32_t rows, const char *hook, int inferred, int timed)
{
	for (int fn = 0; fn < FN_COUNT; fn++) {
		if (!(rows & ROW(fn)))
			continue;
		struct ct_row_info *r = &t->rows[fn];
		if (r->present) {
			size_t n = strlen(r->hook);
			snprintf(r->hook + n, sizeof(r->hook) - n, ",%s", hook);
			continue;
		}
		snprintf(r->hook, sizeof(r->hook), "%s", hook);
		r->present = 1;
		r->inferred = inferred;
		r->timed = timed;
	}
}

/* Variant of a kernel-function hook on backend b: 0 fentry, 1 kprobe, or
 * -1 with why. */
static int kfunc_variant(const struct kernel_facts *kf, enum ct_backend b, const struct hook *h,
			 char *why, size_t n)
{
	const struct kf_func *f = kf_func(kf, h->target);
	if (b == BK_FENTRY) {
		int e = f ? f->fentry : -ENOENT;
		if (e == 0)
			return 0;
		snprintf(why, n, "%s",
			 e == -ENOENT ? "not in kernel BTF"
				 : e == -EOPNOTSUPP
				 ? "not an ftrace site (not in available_filter_functions)"
				 : strerror(-e));
		return -1;
	}
	if (b == BK_KPROBE) {
		if (kf->kprobes && f && f->kprobe)
			return 1;
		snprintf(why, n, "%s",
			 kf->kprobes
				 ? "cannot take a kprobe"
				 : "the kernel has no kprobes (no kprobe_events, no kprobe PMU)");
		return -1;
	}
	snprintf(why, n, "not a tracepoint backend hook");
	return -1;
}

/* Variant of a tracepoint hook: 0 tp_btf, 1 classic, or -1 with why.
 * CT_TR_TP_CLASSIC takes the classic one wherever there is one. */
static int tp_variant(const struct kernel_facts *kf, unsigned flags, const struct hook *h,
		      char *why, size_t n)
{
	const struct kf_tp *tp = kf_tp(kf, h->target);
	if (h->prog[0][0] && tp && tp->btf && (!(flags & CT_TR_TP_CLASSIC) || !h->prog[1][0]))
		return 0;
	if (h->prog[1][0] && tp && tp->event)
		return 1;
	snprintf(why, n, "unavailable%s", h->prog[1][0] ? "" : " (needs tp_btf)");
	return -1;
}

/* Whether hook h takes part in backend b at all (before any probing). */
static int wanted(const struct kernel_facts *kf, const struct hook_plan *t, enum ct_backend b,
		  const struct hook *h)
{
	if ((h->flags & (HF_CAS | HF_NOCAS)) && !!(h->flags & HF_CAS) != kf->cmpxchg)
		return 0; /* the twin for the other kind of kernel */
	switch (h->kind) {
	case HK_KFUNC:
		return b != BK_TRACEPOINT;
	case HK_TP:
		return b == BK_TRACEPOINT || (h->flags & HF_ALL_BK) ||
			((h->flags & HF_ZC_STANDIN) && !t->rows[FN_ZC_CALLBACK].present);
	case HK_RAWSYS:
	case HK_SYSCALL:
		return !(t->flags & CT_TR_NO_SYSTIME);
	case HK_UPROBE:
		return !(t->flags & CT_TR_NO_UPROBE);
	}
	return 0;
}

/* How the hook is described in row fn of the function table. */
static void describe(const struct hook *h, int variant, int fn, char *d, size_t n)
{
	switch (h->kind) {
	case HK_KFUNC:
		if (h->flags & HF_COPY_LAST)
			snprintf(d, n, "inferred: %s %s (length checked before each copy)",
				 variant ? "kprobe" : "fentry", h->target);
		else if (!h->prog[variant][1])
			snprintf(d, n, "%s %s (entry only)", variant ? "kprobe" : "fentry",
				 h->target);
		else
			snprintf(d, n, "%s %s", variant ? "kprobe+kretprobe" : "fentry+fexit",
				 h->target);
		break;
	case HK_TP:
		if (variant)
			snprintf(d, n, "tracepoint/%s", h->target);
		else
			snprintf(d, n, "tp_btf/%s", strchr(h->target, '/') + 1);
		break;
	case HK_RAWSYS:
		if (fn == FN_SYS_IOU_ENTER) {
			snprintf(d, n, "tp_btf/sys_enter+sys_exit (io_uring_enter)");
			break;
		}
		snprintf(d, n, "tp_btf/sys_enter+sys_exit (%s on TCP sockets)",
			 fn == FN_SYS_SEND	     ? "send*,write*,sendfile,splice"
				 : fn == FN_TLS_TX   ? "send*,write*,sendfile,splice results, kTLS"
				 : fn == FN_TLS_RX   ? "recv*,read* results, kTLS"
				 : fn == FN_SYS_RECV ? "recv*,read*,splice,TCP_ZEROCOPY_RECEIVE"
				 : fn == FN_RECV_ZC
				 ? "getsockopt TCP_ZEROCOPY_RECEIVE: its mapped length"
				 : "recvmsg with MSG_ERRQUEUE");
		break;
	case HK_SYSCALL:
		snprintf(d, n, "tracepoint/%s", h->target + strlen("syscalls/sys_enter_"));
		break;
	case HK_UPROBE:
		snprintf(d, n, "uprobe%s %s", h->prog[0][1] ? "+uretprobe" : "", h->target);
		break;
	}
}

/* Variant of hook h on backend b (-1: unusable, with why). */
static int variant_of(const struct kernel_facts *kf, const struct hook_plan *t, enum ct_backend b,
		      const struct hook *h, char *why, size_t n)
{
	switch (h->kind) {
	case HK_KFUNC:
		return kfunc_variant(kf, b, h, why, n);
	case HK_TP:
		return tp_variant(kf, t->flags, h, why, n);
	case HK_RAWSYS: {
		const struct kf_tp *in = kf_tp(kf, RAW_ENTER), *out = kf_tp(kf, RAW_EXIT);
		if (!(t->flags & CT_TR_TP_CLASSIC) && in && in->btf && out && out->btf)
			return 0;
		return -1; /* silently: the classic syscall tracepoints stand in */
	}
	case HK_SYSCALL: {
		if (t->raw_sys)
			return -1; /* the raw hook already times these calls */
		const struct kf_tp *tp = kf_tp(kf, h->target);
		if (tp && tp->event)
			return 0;
		snprintf(why, n, "unavailable");
		return -1;
	}
	case HK_UPROBE:
		return 0;
	}
	return -1;
}

static void tp_inferred_rows(struct hook_plan *t);
static void choice_notes(struct hook_plan *t, enum ct_backend b);

int hooks_plan(const struct kernel_facts *kf, enum ct_backend b, unsigned flags,
	       struct hook_plan *t, char *why, size_t wlen)
{
	char required_why[256] = "", copy_why[128] = "", zc_why[128] = "";
	int required_ok = 0, copy_ok = 0, zc_cb_ok = 0, iou_submits = 0;
	memset(t, 0, sizeof(*t));
	t->backend = b;
	t->flags = flags;
	const struct kf_func *rf = kf_func(kf, "tcp_recvmsg");
	t->recvmsg_flags_arg = rf && rf->params == 6 ? 4 : 3; /* 6 parameters before 5.19 */
	why[0] = 0;
	for (int i = 0; i < NHOOKS; i++) {
		const struct hook *h = &hooks[i];
		if (!wanted(kf, t, b, h))
			continue;
		if ((h->flags & HF_INFO) && (t->flags & CT_TR_LEAN)) {
			plan_note(t,
				  "--exporter: %s not hooked (skbs filled: no ledger line; it runs "
				  "once per skb)",
				  h->target);
			continue;
		}
		if ((h->flags & HF_ZC_ONLY) && !(t->flags & CT_TR_ZC_HOOKS)) {
			t->zc_skipped = 1;
			continue;
		}
		if ((h->flags & HF_COPY_LAST) && copy_ok)
			continue; /* only a fallback */
		if ((h->flags & HF_COPY_ALT) && !copy_ok)
			continue; /* __check_object_size covers these copies */
		if ((h->flags & HF_ZC_CB) && t->rows[FN_ZC_CALLBACK].present)
			continue; /* the callback under its other name is hooked */
		char r[128] = "";
		int v = variant_of(kf, t, b, h, r, sizeof(r));
		if (v < 0) {
			if (h->flags & HF_REQUIRED) {
				size_t k = strlen(required_why);
				snprintf(required_why + k, sizeof(required_why) - k, "%s%s: %s",
					 k ? "; " : "", h->target, r);
			}
			if ((h->flags & HF_ZC_CB) && !zc_why[0])
				snprintf(zc_why, sizeof(zc_why), "%s", r);
			if (h->flags & HF_COPY_MAIN)
				snprintf(copy_why, sizeof(copy_why), "%s", r);
			else if (r[0] && !(h->flags & (HF_QUIET | HF_COPY_ALT)))
				plan_note(t, "%s%s%s %s, row dropped",
					  h->kind == HK_KFUNC ? backend_name(b) : "tracepoint",
					  h->kind == HK_KFUNC ? "/" : " ", h->target, r);
			continue;
		}
		t->use[i] = (unsigned char)(1 + v);
		if (h->nargs != NO_NARGS) {
			const struct kf_func *f = kf_func(kf, h->target);
			t->ret_slot[i] = f ? f->ret_slot : -1;
		}
		for (int fn = 0; fn < FN_COUNT; fn++) {
			if (!(h->rows & ROW(fn)))
				continue;
			char d[128];
			describe(h, v, fn, d, sizeof(d));
			/* the kTLS rows are the syscalls' byte counts: their time is
			 * the syscall rows' */
			set_rows(t, ROW(fn), d, !!(h->flags & (HF_INFERRED | HF_COPY_LAST)),
				 h->kind != HK_TP && h->prog[v][1] && fn != FN_TLS_TX &&
					 fn != FN_TLS_RX);
		}
		required_ok |= !!(h->flags & HF_REQUIRED);
		copy_ok |= !!(h->flags & HF_COPY_MAIN);
		zc_cb_ok |= !!(h->flags & HF_ZC_CB);
		t->raw_sys |= h->kind == HK_RAWSYS;
		iou_submits |= !strcmp(h->target, "io_uring/io_uring_submit_req");
	}
	if (!required_ok) {
		snprintf(why, wlen, "%s", required_why);
		return -1;
	}
	t->zc_gated = t->raw_sys && iou_submits;
	if (b != BK_TRACEPOINT && !copy_ok)
		plan_note(t, "%s/_copy_from_iter unavailable (%s): %s", backend_name(b),
			  copy_why[0] ? copy_why : "not in kernel BTF",
			  t->rows[FN_SEND_COPY_CHK].present
				  ? "the send copy's length is inferred from __check_object_size"
				  : "no send-copy row");
	if (b != BK_TRACEPOINT && !zc_cb_ok && (t->flags & CT_TR_ZC_HOOKS))
		plan_note(
			t,
			"%s: no zerocopy completion function can be hooked "
			"(__msg_zerocopy_callback: %s): zerocopy completions %s",
			backend_name(b), zc_why,
			t->rows[FN_ZC_CALLBACK].present
				? "come from the inet_sk_error_report and consume_skb tracepoints "
				  "instead (ids only, no time per callback)"
				: "are not counted");
	if (b == BK_TRACEPOINT)
		tp_inferred_rows(t);
	/* the kprobe layer counts such misses only in its own nmissed, which
	 * a perf-event kprobe does not show (--check weakens these rows) */
	if (b == BK_KPROBE &&
	    (t->rows[FN_ZC_CALLBACK].present || t->rows[FN_DEFERRED_COPY].present))
		plan_note(t,
			  "kprobe backend: a kprobe hit in a softirq while another kprobe's "
			  "handler runs is skipped, uncounted: zerocopy callbacks and the "
			  "deferred copy may fall short");
	choice_notes(t, b);
	for (int f = 0; f < FN_COUNT; f++)
		t->rows[f].name = row_names[f];
	return 0;
}

/* sock_send_length's bytes, split by the send call's flags, stand in for
 * the copy and pin rows; zerocopy frags at receive for the deferred copy. */
static void tp_inferred_rows(struct hook_plan *t)
{
	t->splice_from_syscall = t->rows[FN_SYS_SEND].present;
	if (t->splice_from_syscall) {
		set_rows(t, ROW(FN_SPLICE),
			 "inferred: bytes returned by sendfile/splice into "
			 "a TCP socket",
			 1, 0);
		set_rows(t, ROW(FN_SPLICE_OUT),
			 "inferred: bytes returned by splice out of a "
			 "TCP socket",
			 1, 0);
	}
	t->send_from_syscall = !t->rows[FN_TCP_SENDMSG].present && t->rows[FN_SYS_SEND].present;
	if (t->send_from_syscall) {
		plan_note(t,
			  "tracepoint backend without sock_send_length (before 6.3): sends are "
			  "seen through the send syscalls only; io_uring's sends are not counted");
		set_rows(t, ROW(FN_TCP_SENDMSG),
			 "inferred: bytes returned by the send syscalls "
			 "(no sock_send_length before 6.3)",
			 1, 0);
		set_rows(t, ROW(FN_SEND_COPY), "inferred: send syscall bytes without MSG_ZEROCOPY",
			 1, 0);
		set_rows(t, ROW(FN_ZC_PIN), "inferred: send syscall bytes with MSG_ZEROCOPY", 1, 0);
		return;
	}
	if (t->rows[FN_TCP_SENDMSG].present) {
		set_rows(t, ROW(FN_SEND_COPY),
			 "inferred: sock_send_length bytes of sends "
			 "without effective MSG_ZEROCOPY",
			 1, 0);
		set_rows(t, ROW(FN_ZC_PIN),
			 "inferred: sock_send_length bytes of sends with "
			 "MSG_ZEROCOPY+SO_ZEROCOPY+SG route",
			 1, 0);
	}
	if (t->rows[FN_DEFERRED_COPY].present) {
		size_t n = strlen(t->rows[FN_DEFERRED_COPY].hook);
		snprintf(t->rows[FN_DEFERRED_COPY].hook + n, sizeof(t->rows[0].hook) - n,
			 " (inferred: zerocopy frags at receive)");
	}
}

static void choice_notes(struct hook_plan *t, enum ct_backend b)
{
	if (t->zc_skipped)
		plan_note(t,
			  "zerocopy-only hooks (inet_sk_error_report, consume_skb, "
			  "netif_receive_skb) are loaded for a3/a4 only; MSG_ZEROCOPY sends are "
			  "%s",
			  t->flags & CT_TR_NO_SYSTIME ? "not watched (--no-syscall-time)"
						      : "still watched at syscall entry");
	if (!(t->flags & CT_TR_NO_SYSTIME))
		return;
	plan_note(t, "--no-syscall-time: no kernel time per send/recv call, syscall rows absent");
	if (b == BK_TRACEPOINT) {
		/* the copied/pinned split needs the send call's flags */
		t->rows[FN_SEND_COPY].present = t->rows[FN_ZC_PIN].present = 0;
		plan_note(t,
			  "--no-syscall-time: send flags (MSG_ZEROCOPY) not seen, so "
			  "the tracepoint backend cannot split sent bytes into copied "
			  "and pinned; those rows are absent");
	}
}

int hook_prog_offsets(const struct hook_plan *p, int i, size_t off[2])
{
	off[0] = off[1] = 0;
	if (!p->use[i])
		return 0;
	off[0] = hooks[i].prog[p->use[i] - 1][0];
	off[1] = hooks[i].prog[p->use[i] - 1][1];
	return 1;
}

size_t hook_nargs_offset(int i)
{
	return hooks[i].nargs;
}

int hook_required(const struct hook_plan *p, int i)
{
	return p->backend != BK_TRACEPOINT && (hooks[i].flags & HF_REQUIRED);
}

void hooks_drop(struct hook_plan *p, int i)
{
	p->use[i] = 0;
	for (int fn = 0; fn < FN_COUNT; fn++)
		if (hooks[i].rows & ROW(fn))
			p->rows[fn].present = 0;
}

void hooks_fact_names(const char *const **funcs, int *nf, const char *const **tps, int *nt)
{
	static const char *f[CT_MAX_HOOKS + 1], *tp[CT_MAX_HOOKS + 3];
	static int n_f = -1, n_tp;
	if (n_f < 0) {
		n_f = n_tp = 0;
		tp[n_tp++] = RAW_ENTER;
		tp[n_tp++] = RAW_EXIT;
		for (int i = 0; i < NHOOKS; i++) {
			const char **list = hooks[i].kind == HK_KFUNC			? f
				: hooks[i].kind == HK_TP || hooks[i].kind == HK_SYSCALL ? tp
											: NULL;
			int *n = list == f ? &n_f : &n_tp, dup = 0;
			for (int k = 0; list && k < *n; k++)
				dup |= !strcmp(list[k], hooks[i].target);
			if (list && !dup)
				list[(*n)++] = hooks[i].target;
		}
	}
	*funcs = f;
	*nf = n_f;
	*tps = tp;
	*nt = n_tp;
}
