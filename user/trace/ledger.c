/* The ledger model: counter rows per side and function, the whole-run
 * bytes of each copy, shares of kernel time, and the --compare figures. */
#include "ledger.h"

#include <math.h>
#include <string.h>

const char *const side_name[CT_NSIDES] = { "sender", "receiver" };

const struct ct_stat *ledger_stat(const struct ct_report *r, int side, int fn)
{
	return &r->stats[CT_STAT_KEY(side, fn)];
}

static uint64_t both(const struct ct_report *r, int fn)
{
	return ledger_stat(r, CT_SERVER, fn)->bytes + ledger_stat(r, CT_CLIENT, fn)->bytes;
}

uint64_t ledger_send_copy(const struct ct_report *r, int side)
{
	return ledger_stat(r, side, FN_SEND_COPY)->bytes + ledger_stat(r, side, FN_SEND_COPY_NC)->bytes +
	       ledger_stat(r, side, FN_SEND_COPY_CSUM)->bytes + ledger_stat(r, side, FN_SEND_COPY_FULL)->bytes +
	       ledger_stat(r, side, FN_SEND_COPY_CHK)->bytes;
}

const struct ledger_line_info ledger_lines[LL_COUNT] = {
	[LL_USER] = { "user_copy_bytes", "user-space gather (ct_gather)", 1 },
	[LL_SEND] = { "send_copy_bytes", "kernel send copy (user->skb)", 1 },
	[LL_PINNED] = { "zerocopy_bytes", "zerocopy pinned (no copy)", 0 },
	[LL_DEFERRED] = { "deferred_copy_bytes", "deferred copy (skb_copy_ubufs)", 1 },
	[LL_RECV] = { "recv_copy_bytes", "kernel receive copy (skb->user)", 1 },
};

static void line(struct ct_ledger *l, int k, uint64_t bytes, const struct ct_row_info *ri,
		 const char *how)
{
	l->bytes[k] = bytes;
	l->traced[k] = ri->present;
	l->inferred[k] = ri->inferred;
	l->how[k] = how;
}

static void ledger_compute(const struct ct_report *r, struct ct_ledger *l)
{
	const struct ct_row_info *rows = r->t->rows;
	memset(l, 0, sizeof(*l));
	line(l, LL_USER, both(r, FN_GATHER), &rows[FN_GATHER], "uprobe");
	/* the send copy: whichever copy functions are hooked, else the
	 * tracepoint backend's split, else __check_object_size's lengths */
	struct ct_row_info send = rows[FN_SEND_COPY];
	const char *how = send.inferred ? "inferred from send bytes and MSG_ZEROCOPY" :
			  "copy functions inside tcp_sendmsg";
	send.present |= rows[FN_SEND_COPY_NC].present | rows[FN_SEND_COPY_CSUM].present |
			rows[FN_SEND_COPY_FULL].present;
	if (!rows[FN_SEND_COPY].present && rows[FN_SEND_COPY_CHK].present) {
		send = rows[FN_SEND_COPY_CHK];
		how = "inferred: copy lengths checked by __check_object_size inside tcp_sendmsg";
	}
	line(l, LL_SEND, ledger_send_copy(r, CT_SERVER) + ledger_send_copy(r, CT_CLIENT), &send,
	     how);
	line(l, LL_PINNED, both(r, FN_ZC_PIN), &rows[FN_ZC_PIN], rows[FN_ZC_PIN].inferred ?
	     "inferred from send bytes and MSG_ZEROCOPY" : "skb_zerocopy_iter_stream");
	line(l, LL_DEFERRED, both(r, FN_DEFERRED_COPY), &rows[FN_DEFERRED_COPY],
	     rows[FN_DEFERRED_COPY].inferred ? "inferred: zerocopy frags reaching receive" :
	     "skb_copy_ubufs");
	line(l, LL_RECV, both(r, FN_RECV_COPY), &rows[FN_RECV_COPY], "skb_copy_datagram_iter");
	l->messages = r->run->server.messages_sent;
}

double median(double *v, int n)
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
static uint64_t kernel_base(const struct ct_report *r, int side)
{
	uint64_t b = ledger_stat(r, side, FN_SYS_SEND)->ns + ledger_stat(r, side, FN_SYS_RECV)->ns +
		     ledger_stat(r, side, FN_SYS_ERRQ)->ns;
	if (!b)
		b = ledger_stat(r, side, FN_TCP_SENDMSG)->ns + ledger_stat(r, side, FN_TCP_RECVMSG)->ns;
	return b;
}

static int ledger_rows(const struct ct_report *r, struct ledger_row *out)
{
	int n = 0;
	double msgs = (double)r->run->server.messages_sent;
	for (int side = 0; side < CT_NSIDES; side++) {
		uint64_t base = kernel_base(r, side);
		for (int fn = 0; fn < FN_COUNT; fn++) {
			const struct ct_stat *s = ledger_stat(r, side, fn);
			if (!r->t->rows[fn].present || !s->calls)
				continue;
			struct ledger_row *w = &out[n++];
			w->side = side;
			w->fn = fn;
			w->s = s;
			w->per_msg = msgs > 0 ? s->bytes / msgs : 0;
			w->mean_ns = s->timed ? (double)s->ns / s->timed : 0;
			w->share = fn != FN_GATHER && base && s->timed ? (double)s->ns / base : -1;
		}
	}
	return n;
}

void ledger_build(struct ct_report *r)
{
	r->nrows = ledger_rows(r, r->rows);
	ledger_compute(r, &r->ledger);
}

void compare_stats(const struct ct_compare *c, int w, double *gbps, double *p50,
			  double *p99)
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
void compare_overhead(const struct ct_compare *c, double *pct, double *lo,
			     double *hi, double *lat_pct)
{
	double gu, gt, pu, pt, qu, qt;
	compare_stats(c, 0, &gu, &pu, &qu);
	compare_stats(c, 1, &gt, &pt, &qt);
	*pct = gu > 0 ? (gu - gt) / gu * 100 : 0;
	*lat_pct = pu > 0 ? (pt - pu) / pu * 100 : 0;
	*lo = INFINITY;
	*hi = -INFINITY;
	for (int i = 0; i < c->pairs; i++) {
		double o = c->gbps[0][i] > 0 ? (c->gbps[0][i] - c->gbps[1][i]) / c->gbps[0][i] * 100 : 0;
		if (o < *lo)
			*lo = o;
		if (o > *hi)
			*hi = o;
	}
}

