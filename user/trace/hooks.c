/* The hook table and the choice of hooks for one backend: see hooks.h.
 * Programs are named by their offset in the skeleton (P(x)), so a name
 * that does not exist is a compile error, not a run-time lookup. */
#include "hooks.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "copytrace.skel.h"
#include "probe.h"
#include "tracer.h"

/* Hook flags. */
#define HF_REQUIRED   1u  /* the backend needs at least one of its required hooks */
#define HF_INFERRED   2u  /* bytes inferred, not observed */
#define HF_ZC_ONLY    4u  /* tracepoint hook useful only for MSG_ZEROCOPY senders */
#define HF_COPY_MAIN  8u  /* _copy_from_iter: the copy most sends go through */
#define HF_COPY_ALT  16u  /* the other copy functions: only beside HF_COPY_MAIN */
#define HF_COPY_LAST 2048u /* __check_object_size: every copy's length, when
			    * HF_COPY_MAIN cannot be hooked (the others would
			    * then count some copies twice) */
#define HF_ALL_BK    32u  /* a tracepoint used by every backend */
#define HF_ZC_CB     64u  /* the zerocopy callback, under one of its names */
#define HF_ZC_STANDIN 128u /* completion tracepoints: on fentry/kprobe too, where
			    * no callback hook works (inlined, as on 7.x) */
#define HF_QUIET    256u  /* an alternative name: its absence is no news */
#define HF_CAS      512u  /* holds a BPF compare-and-swap (5.12+) */
#define HF_NOCAS   1024u  /* its twin without one, for older kernels */
#define HF_TRACK   4096u  /* keeps the set of traced processes and sockets */

#define ROW(fn) (1u << (fn))
#define P(x) offsetof(struct copytrace_bpf, progs.x)
#define NARGS(x) offsetof(struct copytrace_bpf__rodata, ct_nargs_##x)
#define NO_NARGS ((size_t)-1)

struct hook {
	enum hook_kind kind;
	uint32_t rows;       /* counter rows it feeds, ROW(fn) bits */
	const char *target;  /* function, "cat/name" tracepoint, or user symbol */
	/* Programs by variant (HK_KFUNC: fentry, kprobe; HK_TP: tp_btf, classic;
	 * others: one) as {entry, exit} skeleton offsets, 0 = none. */
	size_t prog[2][2];
	unsigned flags;
	size_t nargs;        /* HK_KFUNC with an exit: its ct_nargs_<name> in .rodata */
};

/* One kernel function, both kernel backends (bpf/common.bpf.h CT_ENTRY +
 * CT_EXIT make the four programs). */
#define KFUNC_ROWS(name, rows, target, fl) \
	{ HK_KFUNC, rows, target, \
	  { { P(fe_##name), P(fe_##name##_ret) }, { P(kp_##name), P(kp_##name##_ret) } }, fl, \
	  NARGS(name) }
#define KFUNC(name, fn, target, fl) KFUNC_ROWS(name, ROW(fn), target, fl)
#define KENTRY(name, fn, target, fl) \
	{ HK_KFUNC, ROW(fn), target, { { P(fe_##name), 0 }, { P(kp_##name), 0 } }, fl, NO_NARGS }
#define TP(name, fn, target, classic, fl) \
	{ HK_TP, ROW(fn), target, { { P(tb_##name), 0 }, { classic, 0 } }, fl, NO_NARGS }
/* A tracepoint with only a classic program (its tp_btf arguments changed
 * between kernels; the classic fields kept their names). */
#define TPC(name, rows, target, fl) \
	{ HK_TP, rows, target, { { 0, 0 }, { P(tc_##name), 0 } }, fl, NO_NARGS }
#define SYSCALL(name, rows) \
	{ HK_SYSCALL, rows, "syscalls/sys_enter_" #name, \
	  { { P(sc_enter_##name), P(sc_exit_##name) } }, 0, NO_NARGS }

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
	KFUNC(zc_callback, FN_ZC_CALLBACK, "__msg_zerocopy_callback", HF_ZC_CB | HF_QUIET),
	KENTRY(zc_complete, FN_ZC_CALLBACK, "msg_zerocopy_complete", HF_ZC_CB | HF_QUIET),
	KENTRY(zc_complete_61, FN_ZC_CALLBACK, "msg_zerocopy_callback", HF_ZC_CB | HF_QUIET),
	KFUNC(zc_callback_510, FN_ZC_CALLBACK, "sock_zerocopy_callback", HF_ZC_CB | HF_QUIET),
	KFUNC(copy_ubufs, FN_DEFERRED_COPY, "skb_copy_ubufs", 0),
	KENTRY(iou_ubuf, FN_IOU_UBUF, "io_tx_ubuf_complete", HF_QUIET),            /* 6.10+ */
	KENTRY(iou_ubuf_60, FN_IOU_UBUF, "io_uring_tx_zerocopy_callback", HF_QUIET), /* 6.0-6.9 */
	TP(send_length, FN_TCP_SENDMSG, "sock/sock_send_length", P(tc_send_length), HF_REQUIRED),
	TP(recv_length, FN_TCP_RECVMSG, "sock/sock_recv_length", P(tc_recv_length), 0),
	TP(copy_datagram, FN_RECV_COPY, "skb/skb_copy_datagram_iovec", P(tc_copy_datagram),
	   HF_REQUIRED),
	TP(sendmsg_locked, FN_SENDMSG_LOCKED, "tcp/tcp_sendmsg_locked", 0, 0),
	TP(error_report, FN_ZC_CALLBACK, "sock/inet_sk_error_report", 0,
	   HF_ZC_ONLY | HF_ZC_STANDIN | HF_CAS),
	TP(consume_skb, FN_ZC_CALLBACK, "skb/consume_skb", 0, HF_ZC_ONLY | HF_ZC_STANDIN | HF_CAS),
	TP(error_report_nocas, FN_ZC_CALLBACK, "sock/inet_sk_error_report", 0,
	   HF_ZC_ONLY | HF_ZC_STANDIN | HF_NOCAS),
	TP(consume_skb_nocas, FN_ZC_CALLBACK, "skb/consume_skb", 0,
	   HF_ZC_ONLY | HF_ZC_STANDIN | HF_NOCAS),
	TP(netif_receive, FN_DEFERRED_COPY, "net/netif_receive_skb", P(tc_netif_receive),
	   HF_ZC_ONLY | HF_INFERRED),
	{ HK_RAWSYS, ROW(FN_SYS_SEND) | ROW(FN_SYS_RECV) | ROW(FN_SYS_ERRQ) | ROW(FN_RECV_ZC),
	  "sys_enter", { { P(sr_enter), P(sr_exit) } }, 0, NO_NARGS },
	SYSCALL(sendto, ROW(FN_SYS_SEND)),
	SYSCALL(sendmsg, ROW(FN_SYS_SEND)),
	SYSCALL(write, ROW(FN_SYS_SEND)),
	SYSCALL(writev, ROW(FN_SYS_SEND)),
	SYSCALL(sendfile64, ROW(FN_SYS_SEND)),
	SYSCALL(splice, ROW(FN_SYS_SEND) | ROW(FN_SYS_RECV)),
	SYSCALL(recvfrom, ROW(FN_SYS_RECV)),
	SYSCALL(recvmsg, ROW(FN_SYS_RECV) | ROW(FN_SYS_ERRQ)),
	SYSCALL(read, ROW(FN_SYS_RECV)),
	SYSCALL(readv, ROW(FN_SYS_RECV)),
	SYSCALL(getsockopt, ROW(FN_SYS_RECV) | ROW(FN_RECV_ZC)),
	TP(retransmit, FN_RETRANS, "tcp/tcp_retransmit_skb", 0, HF_ALL_BK),
	/* what is traced over time: forks, execs, socket births (no rows) */
	{ HK_TP, 0, "sched/sched_process_fork", { { P(tb_fork), 0 } }, HF_ALL_BK | HF_TRACK,
	  NO_NARGS },
	{ HK_TP, 0, "sched/sched_process_exec", { { P(tb_exec), 0 } }, HF_ALL_BK | HF_TRACK,
	  NO_NARGS },
	{ HK_TP, 0, "sock/inet_sock_set_state", { { P(tb_set_state), 0 }, { P(tc_set_state), 0 } },
	  HF_ALL_BK | HF_TRACK, NO_NARGS },
	/* io_uring: notifications on every backend; the submitted opcode
	 * splits the tracepoint backend's send bytes */
	TPC(iou_complete, ROW(FN_IOU_NOTIF), "io_uring/io_uring_complete", HF_ALL_BK),
	TPC(iou_submit, 0, "io_uring/io_uring_submit_req", 0),
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
};

int hook_count(void) { return NHOOKS; }
enum hook_kind hook_kind(int i) { return hooks[i].kind; }
const char *hook_target(int i) { return hooks[i].target; }
unsigned hook_rows(int i) { return hooks[i].rows; }
const char *row_name(int fn) { return row_names[fn]; }

const char *backend_name(enum ct_backend b)
{
	static const char *n[BK_COUNT] = { "fentry", "kprobe", "tracepoint" };
	return n[b];
}

/* Marks the rows of hook h as filled by `hook` (several hooks feeding one
 * row are listed). */
static void set_rows(struct tracer *t, uint32_t rows, const char *hook, int inferred,
		     int timed)
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
static int kfunc_variant(enum ct_backend b, const struct hook *h, char *why, size_t n)
{
	if (b == BK_FENTRY) {
		int e = probe_fentry(h->target);
		if (e == 0)
			return 0;
		snprintf(why, n, "%s", e == -ENOENT ? "not in kernel BTF" :
			 e == -EOPNOTSUPP ? "not an ftrace site (not in available_filter_functions)" :
			 strerror(-e));
		return -1;
	}
	if (b == BK_KPROBE) {
		if (probe_kprobe_func(h->target))
			return 1;
		snprintf(why, n, "%s", probe_kprobes() ? "cannot take a kprobe" :
			 "the kernel has no kprobes (no kprobe_events, no kprobe PMU)");
		return -1;
	}
	snprintf(why, n, "not a tracepoint backend hook");
	return -1;
}

/* Variant of a tracepoint hook: 0 tp_btf, 1 classic, or -1 with why.
 * CT_TP_CLASSIC=1 forces classic tracepoints (tests the fallback for
 * kernels without tp_btf). */
static int tp_variant(const struct hook *h, char *why, size_t n)
{
	const char *name = strchr(h->target, '/') + 1;
	if (h->prog[0][0] && probe_tp_btf(name) && (!getenv("CT_TP_CLASSIC") || !h->prog[1][0]))
		return 0;
	char cat[64];
	snprintf(cat, sizeof(cat), "%.*s", (int)(name - 1 - h->target), h->target);
	if (h->prog[1][0] && probe_tp(cat, name))
		return 1;
	snprintf(why, n, "unavailable%s", h->prog[1][0] ? "" : " (needs tp_btf)");
	return -1;
}

/* Whether hook h takes part in backend b at all (before any probing). */
static int wanted(const struct tracer *t, enum ct_backend b, const struct hook *h)
{
	if ((h->flags & (HF_CAS | HF_NOCAS)) && !!(h->flags & HF_CAS) != probe_cmpxchg())
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
		snprintf(d, n, "tp_btf/sys_enter+sys_exit (%s on TCP sockets)",
			 fn == FN_SYS_SEND ? "send*,write*,sendfile,splice" : fn == FN_SYS_RECV ?
			 "recv*,read*,splice,TCP_ZEROCOPY_RECEIVE" : fn == FN_RECV_ZC ?
			 "getsockopt TCP_ZEROCOPY_RECEIVE: its mapped length" :
			 "recvmsg with MSG_ERRQUEUE");
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
static int variant_of(struct tracer *t, enum ct_backend b, const struct hook *h, char *why,
		      size_t n)
{
	switch (h->kind) {
	case HK_KFUNC:
		return kfunc_variant(b, h, why, n);
	case HK_TP:
		return tp_variant(h, why, n);
	case HK_RAWSYS:
		if (!getenv("CT_TP_CLASSIC") && probe_tp_btf("sys_enter") && probe_tp_btf("sys_exit"))
			return 0;
		return -1; /* silently: the classic syscall tracepoints stand in */
	case HK_SYSCALL: {
		if (t->raw_sys)
			return -1; /* the raw hook already times these calls */
		const char *name = strchr(h->target, '/') + 1;
		if (probe_tp("syscalls", name))
			return 0;
		snprintf(why, n, "unavailable");
		return -1;
	}
	case HK_UPROBE:
		return 0;
	}
	return -1;
}

static void tp_inferred_rows(struct tracer *t);
static void choice_notes(struct tracer *t, enum ct_backend b);

int hooks_choose(struct tracer *t, enum ct_backend b, char *why, size_t wlen)
{
	char required_why[256] = "", copy_why[128] = "", zc_why[128] = "";
	int required_ok = 0, copy_ok = 0, zc_cb_ok = 0;
	memset(t->use, 0, sizeof(t->use));
	memset(t->rows, 0, sizeof(t->rows));
	t->nnotes = 0;
	t->zc_skipped = 0;
	t->raw_sys = 0;
	t->send_from_syscall = 0;
	t->splice_from_syscall = 0;
	why[0] = 0;
	for (int i = 0; i < NHOOKS; i++) {
		const struct hook *h = &hooks[i];
		if (!wanted(t, b, h))
			continue;
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
		int v = variant_of(t, b, h, r, sizeof(r));
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
				tracer_note(t, "%s%s%s %s, row dropped",
					    h->kind == HK_KFUNC ? backend_name(b) : "tracepoint",
					    h->kind == HK_KFUNC ? "/" : " ", h->target, r);
			continue;
		}
		t->use[i] = (unsigned char)(1 + v);
		for (int fn = 0; fn < FN_COUNT; fn++) {
			if (!(h->rows & ROW(fn)))
				continue;
			char d[128];
			describe(h, v, fn, d, sizeof(d));
			set_rows(t, ROW(fn), d, !!(h->flags & (HF_INFERRED | HF_COPY_LAST)),
				 h->kind != HK_TP && h->prog[v][1]);
		}
		required_ok |= !!(h->flags & HF_REQUIRED);
		copy_ok |= !!(h->flags & HF_COPY_MAIN);
		zc_cb_ok |= !!(h->flags & HF_ZC_CB);
		t->raw_sys |= h->kind == HK_RAWSYS;
	}
	if (!required_ok) {
		snprintf(why, wlen, "%s", required_why);
		return -1;
	}
	if (b != BK_TRACEPOINT && !copy_ok)
		tracer_note(t, "%s/_copy_from_iter unavailable (%s): %s", backend_name(b),
			    copy_why[0] ? copy_why : "not in kernel BTF",
			    t->rows[FN_SEND_COPY_CHK].present ?
			    "the send copy's length is inferred from __check_object_size" :
			    "no send-copy row");
	if (b != BK_TRACEPOINT && !zc_cb_ok && (t->flags & CT_TR_ZC_HOOKS))
		tracer_note(t, "%s: no zerocopy completion function can be hooked "
			    "(__msg_zerocopy_callback: %s): zerocopy completions %s",
			    backend_name(b), zc_why, t->rows[FN_ZC_CALLBACK].present ?
			    "come from the inet_sk_error_report and consume_skb tracepoints "
			    "instead (ids only, no time per callback)" : "are not counted");
	if (b == BK_TRACEPOINT)
		tp_inferred_rows(t);
	choice_notes(t, b);
	for (int f = 0; f < FN_COUNT; f++)
		t->rows[f].name = row_names[f];
	return 0;
}

/* sock_send_length's bytes, split by the send call's flags, stand in for
 * the copy and pin rows; zerocopy frags at receive for the deferred copy. */
static void tp_inferred_rows(struct tracer *t)
{
	t->splice_from_syscall = t->rows[FN_SYS_SEND].present;
	if (t->splice_from_syscall) {
		set_rows(t, ROW(FN_SPLICE), "inferred: bytes returned by sendfile/splice into "
			 "a TCP socket", 1, 0);
		set_rows(t, ROW(FN_SPLICE_OUT), "inferred: bytes returned by splice out of a "
			 "TCP socket", 1, 0);
	}
	t->send_from_syscall = !t->rows[FN_TCP_SENDMSG].present && t->rows[FN_SYS_SEND].present;
	if (t->send_from_syscall) {
		tracer_note(t, "tracepoint backend without sock_send_length (before 6.3): sends are "
			    "seen through the send syscalls only; io_uring's sends are not counted");
		set_rows(t, ROW(FN_TCP_SENDMSG), "inferred: bytes returned by the send syscalls "
			 "(no sock_send_length before 6.3)", 1, 0);
		set_rows(t, ROW(FN_SEND_COPY), "inferred: send syscall bytes without MSG_ZEROCOPY", 1, 0);
		set_rows(t, ROW(FN_ZC_PIN), "inferred: send syscall bytes with MSG_ZEROCOPY", 1, 0);
		return;
	}
	if (t->rows[FN_TCP_SENDMSG].present) {
		set_rows(t, ROW(FN_SEND_COPY), "inferred: sock_send_length bytes of sends "
			 "without effective MSG_ZEROCOPY", 1, 0);
		set_rows(t, ROW(FN_ZC_PIN), "inferred: sock_send_length bytes of sends with "
			 "MSG_ZEROCOPY+SO_ZEROCOPY+SG route", 1, 0);
	}
	if (t->rows[FN_DEFERRED_COPY].present) {
		size_t n = strlen(t->rows[FN_DEFERRED_COPY].hook);
		snprintf(t->rows[FN_DEFERRED_COPY].hook + n, sizeof(t->rows[0].hook) - n,
			 " (inferred: zerocopy frags at receive)");
	}
}

static void choice_notes(struct tracer *t, enum ct_backend b)
{
	if (t->zc_skipped)
		tracer_note(t, "zerocopy-only hooks (inet_sk_error_report, consume_skb, "
			    "netif_receive_skb) are loaded for a3/a4 only; MSG_ZEROCOPY sends are "
			    "%s", t->flags & CT_TR_NO_SYSTIME ? "not watched (--no-syscall-time)" :
			    "still watched at syscall entry");
	if (!(t->flags & CT_TR_NO_SYSTIME))
		return;
	tracer_note(t, "--no-syscall-time: no kernel time per send/recv call, syscall rows absent");
	if (b == BK_TRACEPOINT) {
		/* the copied/pinned split needs the send call's flags */
		t->rows[FN_SEND_COPY].present = t->rows[FN_ZC_PIN].present = 0;
		tracer_note(t, "--no-syscall-time: send flags (MSG_ZEROCOPY) not seen, so "
			    "the tracepoint backend cannot split sent bytes into copied "
			    "and pinned; those rows are absent");
	}
}

void hooks_set_nargs(const struct tracer *t)
{
	for (int i = 0; i < NHOOKS; i++)
		if (t->use[i] && hooks[i].nargs != NO_NARGS)
			*(int *)((char *)t->skel->rodata + hooks[i].nargs) =
				probe_func_ret_slot(hooks[i].target);
}

int hook_programs(const struct tracer *t, int i, struct bpf_program *p[2])
{
	p[0] = p[1] = NULL;
	if (!t->use[i])
		return 0;
	const size_t *off = hooks[i].prog[t->use[i] - 1];
	for (int k = 0; k < 2; k++)
		if (off[k])
			p[k] = *(struct bpf_program **)((char *)t->skel + off[k]);
	return 1;
}

int hook_required(const struct tracer *t, int i)
{
	return t->backend != BK_TRACEPOINT && (hooks[i].flags & HF_REQUIRED);
}

void hook_drop(struct tracer *t, int i)
{
	t->use[i] = 0;
	for (int fn = 0; fn < FN_COUNT; fn++)
		if (hooks[i].rows & ROW(fn))
			t->rows[fn].present = 0;
}
