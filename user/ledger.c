/* trace_run's report and --check: see ledger.h. */
#include "ledger.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define U(x) ((unsigned long long)(x))

static const char *side_name[CT_NSIDES] = { "sender", "receiver" };

static const struct ct_stat *st(const struct ct_report *r, int side, int fn)
{
	return &r->stats[CT_STAT_KEY(side, fn)];
}

static uint64_t both(const struct ct_report *r, int fn)
{
	return st(r, CT_SERVER, fn)->bytes + st(r, CT_CLIENT, fn)->bytes;
}

static uint64_t send_copy_side(const struct ct_report *r, int side)
{
	return st(r, side, FN_SEND_COPY)->bytes + st(r, side, FN_SEND_COPY_NC)->bytes +
	       st(r, side, FN_SEND_COPY_CSUM)->bytes + st(r, side, FN_SEND_COPY_FULL)->bytes +
	       st(r, side, FN_SEND_COPY_CHK)->bytes;
}

void ledger_compute(const struct ct_report *r, struct ct_ledger *l)
{
	memset(l, 0, sizeof(*l));
	l->user_copy = both(r, FN_GATHER);
	l->send_copy = send_copy_side(r, CT_SERVER) + send_copy_side(r, CT_CLIENT);
	l->zerocopy = both(r, FN_ZC_PIN);
	l->deferred_copy = both(r, FN_DEFERRED_COPY);
	l->recv_copy = both(r, FN_RECV_COPY);
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
	uint64_t b = st(r, side, FN_SYS_SEND)->ns + st(r, side, FN_SYS_RECV)->ns +
		     st(r, side, FN_SYS_ERRQ)->ns;
	if (!b)
		b = st(r, side, FN_TCP_SENDMSG)->ns + st(r, side, FN_TCP_RECVMSG)->ns;
	return b;
}

struct row {
	int side, fn;
	const struct ct_stat *s;
	double per_msg, mean_ns, share; /* share < 0: not applicable */
};

static int rows_of(const struct ct_report *r, struct row *out)
{
	int n = 0;
	double msgs = (double)r->run->server.messages_sent;
	for (int side = 0; side < CT_NSIDES; side++) {
		uint64_t base = kernel_base(r, side);
		for (int fn = 0; fn < FN_COUNT; fn++) {
			const struct ct_stat *s = st(r, side, fn);
			if (!r->t->rows[fn].present || !s->calls)
				continue;
			struct row *w = &out[n++];
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

/* ---------------------------------------------------------------- table */

static void hist_line(FILE *f, const struct ct_stat *s)
{
	int lo = -1, hi = -1;
	for (int i = 0; i < CT_HIST_SLOTS; i++)
		if (s->hist[i]) {
			if (lo < 0)
				lo = i;
			hi = i;
		}
	if (lo < 0)
		return;
	fprintf(f, "        ns log2:");
	for (int i = lo; i <= hi; i++)
		fprintf(f, " [%llu,%llu):%llu", 1ULL << i, 1ULL << (i + 1), U(s->hist[i]));
	fputc('\n', f);
}

static void fmt_bytes(char *b, size_t n, double v)
{
	if (v >= 10 * 1024 * 1024.0)
		snprintf(b, n, "%.1f MiB", v / 1048576);
	else if (v >= 10 * 1024.0)
		snprintf(b, n, "%.1f KiB", v / 1024);
	else
		snprintf(b, n, "%.0f B", v);
}

static void compare_stats(const struct ct_compare *c, int w, double *gbps, double *p50,
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
static void compare_overhead(const struct ct_compare *c, double *pct, double *lo,
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

static void print_table(FILE *f, const struct ct_report *r)
{
	const struct ct_opts *o = r->o;
	const struct run_result *run = r->run;
	const struct tracer *t = r->t;
	struct row rows[CT_NSTATS];
	int n = rows_of(r, rows);
	struct ct_ledger l;
	ledger_compute(r, &l);

	fprintf(f, "copytrace: impl %s, size %zu B, threads %d, net %s, mode %s, backend %s, kernel %s\n\n",
		impl_name(o->impl), o->size, o->threads, net_name(o->net), mode_name(o->mode),
		backend_name(t->backend), r->kernel);
	fprintf(f, "1. application (as the server and client counted it)\n   ");
	run_summary(f, run);
	fprintf(f, "   server: %llu messages sent in %llu send calls, %llu B gathered in user space\n",
		U(run->server.messages_sent), U(run->server.send_calls), U(run->server.gather_bytes));
	if (o->impl == IMPL_A3)
		fprintf(f, "   zerocopy: %llu sends, %llu notifications, %llu ids completed, %llu copied\n",
			U(run->server.zc_sends), U(run->server.zc_notifications),
			U(run->server.zc_completions), U(run->server.zc_copied));

	fprintf(f, "\n2. per-function attribution (* = inferred, not observed; "
		   "share = of the side's send/recv syscall time)\n");
	fprintf(f, "   %-8s %-28s %12s %14s %11s %10s %9s %6s  %s\n", "side", "function",
		"calls", "bytes", "B/msg", "total_ms", "mean_ns", "share", "hook");
	for (int i = 0; i < n; i++) {
		const struct row *w = &rows[i];
		const struct ct_row_info *ri = &t->rows[w->fn];
		char share[16] = "-", tot[16] = "-", mean[16] = "-";
		if (w->share >= 0)
			snprintf(share, sizeof(share), "%.1f%%", w->share * 100);
		if (w->s->timed) {
			snprintf(tot, sizeof(tot), "%.3f", w->s->ns / 1e6);
			snprintf(mean, sizeof(mean), "%.0f", w->mean_ns);
		}
		fprintf(f, "   %-8s %-27s%s %12llu %14llu %11.0f %10s %9s %6s  %s\n",
			side_name[w->side], ri->name, ri->inferred ? "*" : " ", U(w->s->calls),
			U(w->s->bytes), w->per_msg, tot, mean, share, ri->hook);
		if (w->fn == FN_ZC_CALLBACK)
			fprintf(f, "        zerocopy ids completed %llu, of them copied %llu\n",
				U(w->s->aux), U(w->s->aux2));
		if (getenv("CT_HIST"))
			hist_line(f, w->s);
	}
	for (int i = 0; i < t->nnotes; i++)
		fprintf(f, "   note: %s\n", t->notes[i]);

	double m = l.messages ? (double)l.messages : 1;
	char b[32];
	fprintf(f, "\n3. copy ledger per message (%llu messages of %zu B; whole-run bytes in brackets)\n",
		U(l.messages), o->size);
	struct { const char *what; uint64_t v; const char *how; } lines[] = {
		{ "user-space gather (ct_gather)", l.user_copy, "uprobe" },
		{ "kernel send copy (user->skb)", l.send_copy,
		  t->rows[FN_SEND_COPY].inferred ? "inferred from send bytes and MSG_ZEROCOPY" :
		  t->rows[FN_SEND_COPY].present ? "copy functions inside tcp_sendmsg" :
		  "inferred: copy lengths checked by __check_object_size inside tcp_sendmsg" },
		{ "zerocopy pinned (no copy)", l.zerocopy,
		  t->rows[FN_ZC_PIN].inferred ? "inferred from send bytes and MSG_ZEROCOPY" : "skb_zerocopy_iter_stream" },
		{ "deferred copy (skb_copy_ubufs)", l.deferred_copy,
		  t->rows[FN_DEFERRED_COPY].inferred ? "inferred: zerocopy frags reaching receive" : "skb_copy_ubufs" },
		{ "kernel receive copy (skb->user)", l.recv_copy, "skb_copy_datagram_iter" },
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		fmt_bytes(b, sizeof(b), lines[i].v / m);
		fprintf(f, "   %-34s %12s  [%llu B]  %s%s\n", lines[i].what, b, U(lines[i].v),
			(t->rows[i == 0 ? FN_GATHER : i == 1 ? FN_SEND_COPY : i == 2 ? FN_ZC_PIN :
				i == 3 ? FN_DEFERRED_COPY : FN_RECV_COPY].present ||
			 (i == 1 && t->rows[FN_SEND_COPY_CHK].present)) ? "" :
			(i == 3 && t->zc_skipped) ? "(not loaded: a3 only) " : "(not traced) ",
			lines[i].how);
	}
	uint64_t copies = l.user_copy + l.send_copy + l.deferred_copy + l.recv_copy;
	fmt_bytes(b, sizeof(b), copies / m);
	fprintf(f, "   %-34s %12s  (%.2f copies of each message byte)\n", "bytes copied in total",
		b, run->server.bytes_sent ? (double)copies / run->server.bytes_sent : 0);

	if (r->cmp && r->cmp->pairs) {
		double g[2], p50[2], p99[2], pct, lo, hi, lat;
		compare_stats(r->cmp, 0, &g[0], &p50[0], &p99[0]);
		compare_stats(r->cmp, 1, &g[1], &p50[1], &p99[1]);
		compare_overhead(r->cmp, &pct, &lo, &hi, &lat);
		fprintf(f, "\n4. tracing overhead (%d untraced/traced pairs, medians)\n", r->cmp->pairs);
		fprintf(f, "   untraced: %.3f Gbit/s, latency p50 %.1f us, p99 %.1f us\n", g[0], p50[0], p99[0]);
		fprintf(f, "   traced:   %.3f Gbit/s, latency p50 %.1f us, p99 %.1f us\n", g[1], p50[1], p99[1]);
		fprintf(f, "   overhead: %.1f %% throughput (pairs %.1f .. %.1f %%), %+.1f %% p50 latency\n",
			pct, lo, hi, lat);
	}
}

/* ----------------------------------------------------------------- JSON */

static void json_cmp_side(FILE *f, const struct ct_compare *c, int w)
{
	double g, p50, p99;
	compare_stats(c, w, &g, &p50, &p99);
	fprintf(f, "{\"throughput_gbps\": %.6f, \"p50_us\": %.3f, \"p99_us\": %.3f, \"runs_gbps\": [",
		g, p50, p99);
	for (int i = 0; i < c->pairs; i++)
		fprintf(f, "%s%.6f", i ? ", " : "", c->gbps[w][i]);
	fprintf(f, "]}");
}

static void print_json(FILE *f, const struct ct_report *r)
{
	const struct ct_opts *o = r->o;
	const struct tracer *t = r->t;
	struct row rows[CT_NSTATS];
	int n = rows_of(r, rows);
	struct ct_ledger l;
	ledger_compute(r, &l);

	fprintf(f, "{\n  \"impl\": \"%s\", \"size\": %zu, \"threads\": %d, \"net\": \"%s\", "
		   "\"mode\": \"%s\", \"backend\": \"%s\", \"kernel\": ",
		impl_name(o->impl), o->size, o->threads, net_name(o->net), mode_name(o->mode),
		backend_name(t->backend));
	json_str(f, r->kernel);
	fprintf(f, ",\n  \"app\": ");
	run_json(f, r->run, 2);
	fprintf(f, ",\n  \"functions\": [");
	for (int i = 0; i < n; i++) {
		const struct row *w = &rows[i];
		const struct ct_row_info *ri = &t->rows[w->fn];
		fprintf(f, "%s\n    {\"side\": \"%s\", \"name\": ", i ? "," : "", side_name[w->side]);
		json_str(f, ri->name);
		fprintf(f, ", \"hook\": ");
		json_str(f, ri->hook);
		fprintf(f, ", \"calls\": %llu, \"bytes\": %llu, \"ns\": %llu, \"timed_calls\": %llu, "
			   "\"bytes_per_msg\": %.1f, \"mean_ns\": %.1f, \"share\": ",
			U(w->s->calls), U(w->s->bytes), U(w->s->ns), U(w->s->timed), w->per_msg,
			w->mean_ns);
		if (w->share >= 0)
			fprintf(f, "%.4f", w->share);
		else
			fprintf(f, "null");
		fprintf(f, ", \"inferred\": %s", ri->inferred ? "true" : "false");
		if (w->fn == FN_ZC_CALLBACK)
			fprintf(f, ", \"zc_ids\": %llu, \"zc_copied_ids\": %llu", U(w->s->aux), U(w->s->aux2));
		if (w->fn == FN_TCP_SENDMSG)
			fprintf(f, ", \"%s\": %llu", t->backend == BK_TRACEPOINT ?
				"zerocopy_bytes" : "bytes_asked", U(w->s->aux));
		fprintf(f, ", \"hist_log2_ns\": [");
		int last = -1;
		for (int k = 0; k < CT_HIST_SLOTS; k++)
			if (w->s->hist[k])
				last = k;
		for (int k = 0; k <= last; k++)
			fprintf(f, "%s%llu", k ? ", " : "", U(w->s->hist[k]));
		fprintf(f, "]}");
	}
	fprintf(f, "\n  ],\n  \"notes\": [");
	for (int i = 0; i < t->nnotes; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_str(f, t->notes[i]);
	}
	double m = l.messages ? (double)l.messages : 1;
	fprintf(f, "],\n  \"ledger\": {\"user_copy_bytes\": %llu, \"send_copy_bytes\": %llu, "
		   "\"zerocopy_bytes\": %llu, \"deferred_copy_bytes\": %llu, \"recv_copy_bytes\": %llu, "
		   "\"messages\": %llu, \"per_message\": [%.1f, %.1f, %.1f, %.1f, %.1f], "
		   "\"send_copy_inferred\": %s, \"deferred_copy_inferred\": %s}",
		U(l.user_copy), U(l.send_copy), U(l.zerocopy), U(l.deferred_copy), U(l.recv_copy),
		U(l.messages), l.user_copy / m, l.send_copy / m, l.zerocopy / m, l.deferred_copy / m,
		l.recv_copy / m, t->rows[FN_SEND_COPY].inferred || (!t->rows[FN_SEND_COPY].present &&
						   t->rows[FN_SEND_COPY_CHK].present) ? "true" : "false",
		t->rows[FN_DEFERRED_COPY].inferred ? "true" : "false");
	if (r->cmp && r->cmp->pairs) {
		double pct, lo, hi, lat;
		compare_overhead(r->cmp, &pct, &lo, &hi, &lat);
		fprintf(f, ",\n  \"compare\": {\"pairs\": %d, \"untraced\": ", r->cmp->pairs);
		json_cmp_side(f, r->cmp, 0);
		fprintf(f, ", \"traced\": ");
		json_cmp_side(f, r->cmp, 1);
		fprintf(f, ", \"overhead_pct\": %.3f, \"overhead_spread_pct\": [%.3f, %.3f], "
			   "\"latency_p50_overhead_pct\": %.3f}", pct, lo, hi, lat);
	}
	fprintf(f, "\n}\n");
}

/* ------------------------------------------------------------------ CSV */

static void print_csv(FILE *f, const struct ct_report *r)
{
	const struct ct_opts *o = r->o;
	const struct tracer *t = r->t;
	struct row rows[CT_NSTATS];
	int n = rows_of(r, rows);
	struct ct_ledger l;
	ledger_compute(r, &l);
	const char *pre_fmt = "%s,%s,%zu,%d,%s,%s,%s,";
#define PRE(sec) fprintf(f, pre_fmt, sec, impl_name(o->impl), o->size, o->threads, \
			 net_name(o->net), mode_name(o->mode), backend_name(t->backend))
	fprintf(f, "section,impl,size,threads,net,mode,backend,side,name,hook,calls,bytes,"
		   "ns,bytes_per_msg,mean_ns,share,inferred,value\n");
	for (int i = 0; i < n; i++) {
		const struct row *w = &rows[i];
		const struct ct_row_info *ri = &t->rows[w->fn];
		PRE("function");
		fprintf(f, "%s,%s,\"%s\",%llu,%llu,%llu,%.1f,%.1f,", side_name[w->side], ri->name,
			ri->hook, U(w->s->calls), U(w->s->bytes), U(w->s->ns), w->per_msg, w->mean_ns);
		if (w->share >= 0)
			fprintf(f, "%.4f", w->share);
		fprintf(f, ",%d,\n", ri->inferred);
	}
	double m = l.messages ? (double)l.messages : 1;
	struct { const char *k; uint64_t v; } ls[] = {
		{ "user_copy_bytes", l.user_copy }, { "send_copy_bytes", l.send_copy },
		{ "zerocopy_bytes", l.zerocopy }, { "deferred_copy_bytes", l.deferred_copy },
		{ "recv_copy_bytes", l.recv_copy },
	};
	for (size_t i = 0; i < 5; i++) {
		PRE("ledger");
		fprintf(f, ",%s,,,%llu,,%.1f,,,,%llu\n", ls[i].k, U(ls[i].v), ls[i].v / m, U(ls[i].v));
	}
	const struct run_result *run = r->run;
	PRE("app");
	fprintf(f, ",throughput_gbps,,,,,,,,,%.6f\n", run_gbps(&run->client));
	PRE("app");
	fprintf(f, ",bytes_sent,,,%llu,,,,,,%llu\n", U(run->server.bytes_sent), U(run->server.bytes_sent));
	PRE("app");
	fprintf(f, ",bytes_received,,,%llu,,,,,,%llu\n", U(run->client.bytes_received),
		U(run->client.bytes_received));
	if (r->cmp && r->cmp->pairs) {
		double g[2], p50[2], p99[2], pct, lo, hi, lat;
		compare_stats(r->cmp, 0, &g[0], &p50[0], &p99[0]);
		compare_stats(r->cmp, 1, &g[1], &p50[1], &p99[1]);
		compare_overhead(r->cmp, &pct, &lo, &hi, &lat);
		PRE("compare");
		fprintf(f, ",untraced_gbps,,,,,,,,,%.6f\n", g[0]);
		PRE("compare");
		fprintf(f, ",traced_gbps,,,,,,,,,%.6f\n", g[1]);
		PRE("compare");
		fprintf(f, ",overhead_pct,,,,,,,,,%.3f\n", pct);
	}
#undef PRE
}

void report_print(FILE *f, const struct ct_report *r)
{
	if (!strcmp(r->o->format, "json"))
		print_json(f, r);
	else if (!strcmp(r->o->format, "csv"))
		print_csv(f, r);
	else
		print_table(f, r);
}

/* ---------------------------------------------------------------- check */

static int near(uint64_t a, uint64_t b, double tol)
{
	double d = (double)a - (double)b;
	return (d < 0 ? -d : d) <= tol * (double)(b ? b : 1);
}

int ledger_check(const struct ct_report *r, FILE *err)
{
	const struct run_result *run = r->run;
	const struct tracer *t = r->t;
	const struct side_result *s = &run->server, *c = &run->client;
	struct ct_ledger l;
	int bad = 0;
	ledger_compute(r, &l);
#define FAIL(...) do { fprintf(err, "check failed: " __VA_ARGS__); fputc('\n', err); bad++; } while (0)

	uint64_t rc = st(r, CT_CLIENT, FN_RECV_COPY)->bytes;
	if (!t->rows[FN_RECV_COPY].present)
		FAIL("receive copy: no hook for skb_copy_datagram_iter on this kernel");
	else if (!c->bytes_received || !near(rc, c->bytes_received, 0.01))
		FAIL("receive copy %llu B != client bytes_received %llu B (1%% tolerance)",
		     U(rc), U(c->bytes_received));

	uint64_t sb = st(r, CT_SERVER, FN_TCP_SENDMSG)->bytes;
	if (!t->rows[FN_TCP_SENDMSG].present)
		FAIL("sender bytes: no hook for tcp_sendmsg on this kernel");
	else if (!s->bytes_sent || !near(sb, s->bytes_sent, 0.01))
		FAIL("sender tcp_sendmsg bytes %llu B != server bytes_sent %llu B (1%% tolerance)",
		     U(sb), U(s->bytes_sent));
	uint64_t sc = send_copy_side(r, CT_SERVER), zp = st(r, CT_SERVER, FN_ZC_PIN)->bytes;
	if ((t->rows[FN_SEND_COPY].present || t->rows[FN_SEND_COPY_CHK].present) &&
	    !near(sc + zp, s->bytes_sent, 0.01))
		FAIL("sender copied %llu B + pinned %llu B != server bytes_sent %llu B (1%% tolerance)",
		     U(sc), U(zp), U(s->bytes_sent));

	uint64_t uc = st(r, CT_SERVER, FN_GATHER)->bytes;
	if (r->o->impl == IMPL_A1) {
		if (uc != s->gather_bytes)
			FAIL("a1 user copy %llu B != server gather_bytes %llu B (must be exact)",
			     U(uc), U(s->gather_bytes));
	} else if (l.user_copy) {
		FAIL("%s user copy %llu B, expected 0", impl_name(r->o->impl), U(l.user_copy));
	}

	if (r->o->impl == IMPL_A3) {
		const struct ct_stat *z = st(r, CT_SERVER, FN_ZC_CALLBACK);
		if (!t->rows[FN_ZC_CALLBACK].present)
			FAIL("a3 zerocopy completions: no hook on this kernel");
		else {
			if (z->aux != s->zc_completions)
				FAIL("a3 zerocopy ids completed seen by the tracer %llu != application zc_completions %llu",
				     U(z->aux), U(s->zc_completions));
			if (z->aux2 != s->zc_copied)
				FAIL("a3 zerocopy ids copied seen by the tracer %llu != application zc_copied %llu",
				     U(z->aux2), U(s->zc_copied));
		}
		/* loopback and veth copy zerocopy pages at receive: the send
		 * copy is deferred, not gone. */
		if (!zp)
			FAIL("a3: no zerocopy-pinned bytes on the sender");
		else if (sc > s->bytes_sent / 100)
			FAIL("a3: sender still copied %llu B of %llu B at send", U(sc), U(s->bytes_sent));
		if (!t->rows[FN_DEFERRED_COPY].present)
			FAIL("a3 deferred copy: no hook on this kernel");
		else if (l.deferred_copy < zp - zp / 100)
			FAIL("a3: deferred copy %llu B < zerocopy-pinned %llu B: the send copy should reappear at receive",
			     U(l.deferred_copy), U(zp));
	} else if (l.zerocopy) {
		FAIL("%s: %llu B zerocopy-pinned, expected 0", impl_name(r->o->impl), U(l.zerocopy));
	}
#undef FAIL
	return bad;
}
