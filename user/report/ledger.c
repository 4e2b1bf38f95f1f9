// SPDX-License-Identifier: GPL-2.0-only
/* The ledger model: counter rows per side and function, the whole-run
 * bytes of each copy, shares of kernel time, and the --compare figures. */
#include "ledger.h"

#include <math.h>
#include <string.h>

/* Bytes of row fn in slot (-1: every slot). */
static uint64_t sum(const struct ct_snapshot *r, int slot, int fn)
{
	if (slot >= 0)
		return snap_stat(r, slot, fn)->bytes;
	uint64_t b = 0;
	for (int k = 0; k < r->nrow; k++)
		b += snap_stat(r, k, fn)->bytes;
	return b;
}

uint64_t ledger_send_copy(const struct ct_snapshot *r, int side)
{
	return snap_stat(r, side, FN_SEND_COPY)->bytes +
		snap_stat(r, side, FN_SEND_COPY_NC)->bytes +
		snap_stat(r, side, FN_SEND_COPY_CSUM)->bytes +
		snap_stat(r, side, FN_SEND_COPY_FULL)->bytes +
		snap_stat(r, side, FN_SEND_COPY_CHK)->bytes +
		snap_stat(r, side, FN_TLS_COPY)->bytes;
}

const struct ledger_line_info ledger_lines[LL_COUNT] = {
	[LL_USER] = { "user_copy_bytes", "user-space gather (ct_gather)", 1, 1 },
	[LL_SEND] = { "send_copy_bytes", "kernel send copy (user->skb)", 1, 1 },
	[LL_PINNED] = { "zerocopy_bytes", "zerocopy pinned (no copy)", 0, 1 },
	/* skb_copy_ubufs runs on the sending host, where the skb turns back
	 * (loopback, veth) or meets a device that cannot take its pages */
	[LL_DEFERRED] = { "deferred_copy_bytes", "deferred copy (skb_copy_ubufs)", 1, 1 },
	[LL_RECV] = { "recv_copy_bytes", "kernel receive copy (skb->user)", 1, 0 },
	[LL_SPLICE] = { "splice_bytes", "sendfile/splice (pages referenced)", 0, 1 },
	[LL_RECV_ZC] = { "recv_zerocopy_bytes", "TCP_ZEROCOPY_RECEIVE (mapped)", 0, 0 },
	[LL_SPLICE_OUT] = { "splice_out_bytes", "splice out of socket (referenced)", 0, 0 },
	/* kTLS: encryption reads the plaintext and writes ciphertext into new
	 * buffers, decryption the reverse: each a copy of every byte */
	[LL_TLS_ENC] = { "tls_encrypt_bytes", "kTLS encryption (plaintext->record)", 1, 1 },
	[LL_TLS_DEC] = { "tls_decrypt_bytes", "kTLS decryption (record->plaintext)", 1, 0 },
};

static void line(struct ct_ledger *l, int k, uint64_t bytes, const struct ct_row_info *ri,
		 const char *how)
{
	l->bytes[k] = bytes;
	l->traced[k] = ri->present;
	l->inferred[k] = ri->inferred;
	l->how[k] = how;
}

/* A kTLS line: tls.ko's function (fn) where it is hooked, else what the
 * data syscalls returned on kTLS sockets (sys), inferred. */
static void tls_line(const struct ct_snapshot *r, int slot, struct ct_ledger *l, int k, int fn,
		     int sys, const char *seen, const char *inferred)
{
	struct ct_row_info ri = r->info[fn];
	if (ri.present) {
		line(l, k, sum(r, slot, fn), &ri, seen);
		return;
	}
	ri = r->info[sys];
	ri.inferred = 1;
	line(l, k, sum(r, slot, sys), &ri,
	     ri.present
		     ? inferred
		     : "no hook counts kTLS sockets "
		       "(tls.ko has none here, and the data syscalls' are off: --no-syscall-time)");
}

uint64_t ledger_messages(const struct ct_snapshot *r)
{
	if (!r->run)
		return 0;
	return r->host_role == HOST_CLIENT ? r->run->client.messages_received
					   : r->run->server.messages_sent;
}

/* The ledger of one slot (-1: all of them). */
static void ledger_compute(const struct ct_snapshot *r, int slot, struct ct_ledger *l)
{
	const struct ct_row_info *rows = r->info;
	memset(l, 0, sizeof(*l));
	line(l, LL_USER, sum(r, slot, FN_GATHER), &rows[FN_GATHER],
	     rows[FN_GATHER].present ? "uprobe"
		     : r->prog ? "a foreign program's user-space copies: no fixed probe finds "
				 "them"
			       : "uprobe");
	/* the send copy: whichever copy functions are hooked, else the
	 * tracepoint backend's split, else __check_object_size's lengths */
	struct ct_row_info send = rows[FN_SEND_COPY];
	const char *how = send.inferred ? "inferred from send bytes and MSG_ZEROCOPY"
					: "copy functions inside tcp_sendmsg";
	send.present |= rows[FN_SEND_COPY_NC].present | rows[FN_SEND_COPY_CSUM].present |
		rows[FN_SEND_COPY_FULL].present;
	if (!rows[FN_SEND_COPY].present && rows[FN_SEND_COPY_CHK].present) {
		send = rows[FN_SEND_COPY_CHK];
		how = "inferred: copy lengths checked by __check_object_size inside tcp_sendmsg";
	}
	uint64_t sc = 0;
	for (int k = 0; k < r->nrow; k++)
		if (slot < 0 || k == slot)
			sc += ledger_send_copy(r, k);
	line(l, LL_SEND, sc, &send, how);
	line(l, LL_PINNED, sum(r, slot, FN_ZC_PIN), &rows[FN_ZC_PIN],
	     rows[FN_ZC_PIN].inferred
		     ? "inferred from send bytes and MSG_ZEROCOPY (io_uring: SEND_ZC)"
		     : "skb_zerocopy_iter_stream");
	line(l, LL_DEFERRED, sum(r, slot, FN_DEFERRED_COPY), &rows[FN_DEFERRED_COPY],
	     rows[FN_DEFERRED_COPY].inferred ? "inferred: zerocopy frags reaching receive"
					     : "skb_copy_ubufs");
	line(l, LL_RECV, sum(r, slot, FN_RECV_COPY), &rows[FN_RECV_COPY], "skb_copy_datagram_iter");
	line(l, LL_SPLICE, sum(r, slot, FN_SPLICE), &rows[FN_SPLICE],
	     rows[FN_SPLICE].inferred ? "inferred: sendfile/splice syscall results"
				      : "tcp_sendmsg with MSG_SPLICE_PAGES / do_tcp_sendpages");
	line(l, LL_RECV_ZC, sum(r, slot, FN_RECV_ZC), &rows[FN_RECV_ZC],
	     "TCP_ZEROCOPY_RECEIVE's own count of bytes mapped");
	line(l, LL_SPLICE_OUT, sum(r, slot, FN_SPLICE_OUT), &rows[FN_SPLICE_OUT],
	     rows[FN_SPLICE_OUT].inferred ? "inferred: splice syscall results" : "tcp_splice_read");
	tls_line(r, slot, l, LL_TLS_ENC, FN_TLS_ENCRYPT, FN_TLS_TX,
		 "tls_sw_sendmsg/tls_sw_sendpage (tls.ko): plaintext taken into records",
		 "inferred: send/sendfile syscall results on kTLS sockets");
	tls_line(r, slot, l, LL_TLS_DEC, FN_TLS_DECRYPT, FN_TLS_RX,
		 "tls_sw_recvmsg (tls.ko): plaintext returned",
		 "inferred: receive syscall "
		 "results on kTLS sockets");
	/* The tracepoint backend before 6.3 sees sends only through the send
	 * syscalls, and io_uring's sends make none: with io_uring in use the
	 * send lines would print 0 for what was sent; they are not traced. */
	int iou = r->run && r->impl_id == IMPL_A4;
	for (int k = 0; k < r->nrow && !iou; k++)
		if (slot < 0 || k == slot)
			iou = snap_stat(r, k, FN_IOU_NOTIF)->calls > 0;
	if (r->send_from_syscall && iou)
		for (int k = LL_SEND; k <= LL_PINNED; k++) {
			l->traced[k] = 0;
			l->how[k] = "not traced: io_uring's sends make no send syscall, and this "
				    "kernel has no sock/sock_send_length tracepoint (6.3+)";
		}
	uint64_t through = 0; /* spliced bytes tcp_sendmsg counted too (6.5+) */
	for (int k = 0; k < r->nrow; k++)
		if (slot < 0 || k == slot)
			through += snap_stat(r, k, FN_SPLICE)->aux;
	l->sent = sum(r, slot, FN_TCP_SENDMSG) + sum(r, slot, FN_SPLICE) - through;
	l->received = sum(r, slot, FN_TCP_RECVMSG) + sum(r, slot, FN_RECV_ZC) +
		sum(r, slot, FN_SPLICE_OUT);
	l->messages = ledger_messages(r);
	/* --role: the peer host's lines were not traced here, and are no 0 */
	for (int k = 0; r->host_role && k < LL_COUNT; k++)
		if (ledger_lines[k].sender != (r->host_role == HOST_SERVER)) {
			l->remote[k] = 1;
			l->traced[k] = 0;
			l->bytes[k] = 0;
		}
	l->ktls_seen = rows[FN_TLS_TX].present && rows[FN_TLS_RX].present;
	l->ktls_sent = sum(r, slot, FN_TLS_TX);
	l->ktls_received = sum(r, slot, FN_TLS_RX);
	l->tls_hooked = rows[FN_TLS_ENCRYPT].present && rows[FN_TLS_DECRYPT].present;
	l->tls_split = l->tls_hooked && rows[FN_TLS_COPY].present;
	l->tls_copied = sum(r, slot, FN_TLS_COPY);
	/* the receive split: copies inside tls_sw_recvmsg (fentry/kprobe), or
	 * on the tracepoint backend copies from skbs of no socket inside the
	 * kTLS receive calls (their decrypted total stays inferred) */
	int rx_fn = l->tls_hooked ? FN_TLS_DECRYPT : FN_TLS_RX;
	l->tls_rx_split = rows[FN_RECV_COPY].present && rows[rx_fn].present &&
		(l->tls_hooked ? !r->tracepoint : r->tracepoint);
	l->tls_rx_copied = 0;
	for (int k = 0; k < r->nrow; k++)
		if (slot < 0 || k == slot)
			l->tls_rx_copied += snap_stat(r, k, rx_fn)->aux;
}

static double median(double *v, int n)
{
	for (int i = 1; i < n; i++) /* insertion sort: n is small */
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Base for "share": the side's time in its send/recv system calls, or,
 * without syscall rows, in tcp_sendmsg + tcp_recvmsg. */
static uint64_t kernel_base(const struct ct_snapshot *r, int side)
{
	uint64_t b = snap_stat(r, side, FN_SYS_SEND)->ns + snap_stat(r, side, FN_SYS_RECV)->ns +
		snap_stat(r, side, FN_SYS_ERRQ)->ns + snap_stat(r, side, FN_SYS_IOU_ENTER)->ns;
	if (!b)
		b = snap_stat(r, side, FN_TCP_SENDMSG)->ns + snap_stat(r, side, FN_TCP_RECVMSG)->ns;
	return b;
}

static int ledger_rows(const struct ct_snapshot *r, struct ledger_row *out)
{
	int n = 0;
	double msgs = (double)ledger_messages(r);
	for (int i = 0; i < r->nslots; i++) {
		int side = r->slots[i];
		uint64_t base = kernel_base(r, side);
		for (int fn = 0; fn < FN_COUNT; fn++) {
			const struct ct_stat *s = snap_stat(r, side, fn);
			if (!r->info[fn].present || !s->calls)
				continue;
			struct ledger_row *w = &out[n++];
			w->side = side;
			w->fn = fn;
			w->s = s;
			w->per_msg = msgs > 0 ? s->bytes / msgs : 0;
			w->mean_ns = s->timed ? (double)s->ns / s->timed : 0;
			/* the latency row's ns are waits, not CPU or kernel time */
			w->share = fn != FN_GATHER && fn != FN_ZC_LATENCY && base && s->timed
				? (double)s->ns / base
				: -1;
		}
	}
	return n;
}

/* A slot is reported when its process counted something (with --impl,
 * both sides always; with --role, the one on this host). */
static int slot_active(const struct ct_snapshot *r, int slot)
{
	if (!r->prog && r->host_role)
		return slot == (r->host_role == HOST_SERVER ? CT_SERVER : CT_CLIENT);
	if (!r->prog)
		return slot <= CT_CLIENT;
	for (int fn = 0; fn < FN_COUNT; fn++)
		if (snap_stat(r, slot, fn)->calls)
			return 1;
	return 0;
}

static void compare_sum(const struct ct_compare *c, struct ct_compare_sum *out);

uint64_t log2_quantile(const __u64 hist[CT_HIST_SLOTS], double q)
{
	uint64_t n = 0, acc = 0;
	for (int i = 0; i < CT_HIST_SLOTS; i++)
		n += hist[i];
	if (!n)
		return 0;
	double want = q * (double)n;
	for (int i = 0; i < CT_HIST_SLOTS; i++) {
		acc += hist[i];
		if (hist[i] && (double)acc >= want)
			return 2ull << i;
	}
	return 2ull << (CT_HIST_SLOTS - 1);
}

/* The completion latency of every slot, and the sender's waits: the
 * application's own timing (a3, a4), else the tracer's io_uring_enter
 * calls that waited for completions; a MSG_ZEROCOPY program's polls are
 * hooked by nothing. */
static void zc_summary(struct ct_snapshot *r)
{
	struct ct_zc_summary *z = &r->zc;
	memset(z, 0, sizeof(*z));
	z->wait_share = -1;
	uint64_t zc_events = 0, iou_wait = 0, iou_waits = 0;
	for (int k = 0; k < r->nrow; k++) { /* exited processes' rows too */
		const struct ct_stat *s = snap_stat(r, k, FN_ZC_LATENCY);
		z->lat_timed += s->timed;
		z->lat_untimed += s->aux;
		for (int i = 0; i < CT_HIST_SLOTS; i++)
			z->lat_hist[i] += s->hist[i];
		zc_events += s->calls + s->aux + snap_stat(r, k, FN_ZC_CALLBACK)->calls +
			snap_stat(r, k, FN_IOU_NOTIF)->calls;
		iou_waits += snap_stat(r, k, FN_SYS_IOU_ENTER)->aux;
		iou_wait += snap_stat(r, k, FN_SYS_IOU_ENTER)->aux2;
	}
	int zc_impl = r->run && (r->impl_id == IMPL_A3 || r->impl_id == IMPL_A4);
	z->shown = zc_impl || zc_events;
	z->lat_traced = r->info[FN_ZC_LATENCY].present;
	z->lat_p50_ns = log2_quantile(z->lat_hist, 0.5);
	z->lat_p99_ns = log2_quantile(z->lat_hist, 0.99);
	if (zc_impl) {
		const struct side_result *s = &r->run->server;
		z->wait_known = 1;
		z->wait_source = r->impl_id == IMPL_A3
			? "application: a3's poll() for the error queue"
			: "application: a4's waits for CQEs (io_uring_wait_cqe_timeout)";
		z->wait_ns = s->zc_wait_ns;
		z->waits = s->zc_waits;
		z->wait_base_s = s->elapsed_s;
	} else if (iou_waits) {
		z->wait_known = 1;
		z->wait_source = "tracer: io_uring_enter calls with IORING_ENTER_GETEVENTS and a "
				 "minimum to complete (their submissions included)";
		z->wait_ns = iou_wait;
		z->waits = iou_waits;
		z->wait_base_s = r->prog ? r->prog->seconds : 0;
	} else {
		z->wait_source = r->info[FN_SYS_IOU_ENTER].present
			? "not observed: no io_uring_enter waited, and a program's poll()/epoll "
			  "waits for the error queue are hooked by nothing"
			: "not observed: io_uring_enter is not hooked here (--no-syscall-time?), "
			  "and a "
			  "program's poll()/epoll waits for the error queue are hooked by nothing";
	}
	if (z->wait_known && z->wait_base_s > 0)
		z->wait_share = (double)z->wait_ns / (z->wait_base_s * 1e9);
}

/* The order rows are reported in: the exited processes (in the order
 * they exited), the slots' processes, "others", the folded rows. */
static int report_order(const struct ct_snapshot *r, int i)
{
	int exited = r->nrow - CT_NSLOTS;
	if (i < exited) {
		int k = CT_NSLOTS + i;
		return r->procs[k].folded ? -1 : k;
	}
	i -= exited;
	if (i < CT_NSLOTS)
		return i;
	int k = CT_NSLOTS + (i - CT_NSLOTS);
	return k < r->nrow && r->procs[k].folded ? k : -1;
}

void ledger_build(struct ct_snapshot *r)
{
	r->nslots = 0;
	for (int i = 0; i < 2 * r->nrow - CT_NSLOTS && r->slots; i++) {
		int k = report_order(r, i);
		if (k >= 0 && slot_active(r, k)) {
			r->slots[r->nslots++] = k;
			ledger_compute(r, k, &r->slot_ledger[k]);
		}
	}
	r->nrows = ledger_rows(r, r->rows);
	ledger_compute(r, -1, &r->ledger);
	zc_summary(r);
	if (r->cmp && r->cmp->pairs)
		compare_sum(r->cmp, &r->cmp_sum);
}

static void compare_stats(const struct ct_compare *c, int w, double *gbps, double *p50, double *p99)
{
	double a[CT_MAX_PAIRS];
	memcpy(a, c->gbps[w], sizeof(double) * c->pairs);
	*gbps = median(a, c->pairs);
	memcpy(a, c->p50_us[w], sizeof(double) * c->pairs);
	*p50 = median(a, c->pairs);
	memcpy(a, c->p99_us[w], sizeof(double) * c->pairs);
	*p99 = median(a, c->pairs);
}

/* Throughput overhead per pair, min and max. */
static void compare_overhead(const struct ct_compare *c, double *pct, double *lo, double *hi,
			     double *lat_pct)
{
	double gu, gt, pu, pt, qu, qt;
	compare_stats(c, 0, &gu, &pu, &qu);
	compare_stats(c, 1, &gt, &pt, &qt);
	*pct = gu > 0 ? (gu - gt) / gu * 100 : 0;
	*lat_pct = pu > 0 ? (pt - pu) / pu * 100 : 0;
	*lo = INFINITY;
	*hi = -INFINITY;
	for (int i = 0; i < c->pairs; i++) {
		double o = c->gbps[0][i] > 0 ? (c->gbps[0][i] - c->gbps[1][i]) / c->gbps[0][i] * 100
					     : 0;
		if (o < *lo)
			*lo = o;
		if (o > *hi)
			*hi = o;
	}
}

static void compare_sum(const struct ct_compare *c, struct ct_compare_sum *out)
{
	compare_stats(c, 0, &out->gbps[0], &out->p50[0], &out->p99[0]);
	compare_stats(c, 1, &out->gbps[1], &out->p50[1], &out->p99[1]);
	compare_overhead(c, &out->pct, &out->lo, &out->hi, &out->lat_pct);
}
