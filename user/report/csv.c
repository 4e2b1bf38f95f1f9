// SPDX-License-Identifier: GPL-2.0-only
/* trace_run's CSV: one row per function, ledger line and app figure. */
#include <string.h>

#include "csvtext.h"
#include "interval.h"
#include "writer.h"

#define CSV_FIELD 256

/* The columns before "side" of every row: section, then the experiment
 * (tracing a program: its mode, the experiment's columns empty). */
static void csv_prefix(FILE *f, const struct ct_snapshot *r, const char *sec)
{
	if (r->prog)
		fprintf(f, "%s,%s,,,,,%s,", sec, r->prog->mode, r->backend);
	else
		fprintf(f, "%s,%s,%zu,%d,%s,%s,%s,", sec, r->impl, r->size, r->threads, r->net,
			r->mode, r->backend);
}

static void time_csv(FILE *f, const struct ct_snapshot *r)
{
	const struct time_ledger *tl = r->tl;
	if (!r->prof || !tl)
		return;
	uint64_t tot = tl->total_all;
	const int *sl = r->tl_slots;
	int ns = r->prog ? r->ntl_slots : 0;
	/* the total (side empty), then, tracing a program, each process's */
	for (int i = -1; i < ns; i++) {
		char side[CSV_FIELD];
		csv_text(side, sizeof(side), i < 0 ? "" : r->tl_label[sl[i]], 0);
		for (int k = 0; k < TL_COUNT; k++) {
			uint64_t s = i < 0 ? tl->row_all[k] : tl->rows[k][sl[i]];
			csv_prefix(f, r, "time");
			/* calls column: samples; ns: their CPU ns; value: ns per
			 * message (--impl), or the CPU ns (a program) */
			fprintf(f, "%s,%s,cpu-clock,%llu,,%llu,,,%.4f,,%.1f\n", side,
				tl_rows[k].key, U(s), U(s * tl->period_ns),
				tot ? (double)s / tot : 0,
				r->prog ? (double)(s * tl->period_ns) : snap_ns_per_msg(r, s));
		}
	}
}

static void cost_csv(FILE *f, const struct ct_snapshot *r)
{
	const struct selfcost *s = r->cost;
	if (!s)
		return;
	const int *v = r->cost_order;
	int n = r->ncost;
	for (int i = 0; i < n; i++) {
		const struct sc_prog *p = &s->p[v[i]];
		csv_prefix(f, r, "bpf_stats");
		/* side: tracer or profiler; calls: runs; ns: BPF run time;
		 * value: ns per run */
		fprintf(f, "%s,%s,BPF_ENABLE_STATS,%llu,,%llu,,,,,%.1f\n",
			p->profiler ? "profiler" : "tracer", p->name, U(p->calls), U(p->ns),
			(double)p->ns / (double)p->calls);
	}
}

static void app_csv(FILE *f, const struct ct_snapshot *r);

/* Zero-copy completions: latency quantiles (calls: completions timed;
 * value: the upper edge of the log2 bucket, ns) and the sender's wait
 * (calls: waits; ns; share; value: ns). What was not observed has an
 * empty value. */
static void zc_csv(FILE *f, const struct ct_snapshot *r)
{
	const struct ct_zc_summary *z = &r->zc;
	if (!z->shown)
		return;
	const char *q[2] = { "completion_latency_p50_ns", "completion_latency_p99_ns" };
	uint64_t v[2] = { z->lat_p50_ns, z->lat_p99_ns };
	for (int i = 0; i < 2; i++) {
		csv_prefix(f, r, "zerocopy");
		if (z->lat_traced && z->lat_timed)
			fprintf(f, ",%s,log2 buckets,%llu,,,,,,,%llu\n", q[i], U(z->lat_timed),
				U(v[i]));
		else
			fprintf(f, ",%s,not observed,,,,,,,,\n", q[i]);
	}
	char src[CSV_FIELD];
	csv_text(src, sizeof(src), z->wait_source, 1);
	csv_prefix(f, r, "zerocopy");
	if (!z->wait_known) {
		fprintf(f, ",completion_wait_ns,%s,,,,,,,,\n", src);
		return;
	}
	fprintf(f, ",completion_wait_ns,%s,%llu,,%llu,,,", src, U(z->waits), U(z->wait_ns));
	if (z->wait_share >= 0)
		fprintf(f, "%.4f", z->wait_share);
	fprintf(f, ",,%llu\n", U(z->wait_ns));
}

static int csv_write(FILE *f, const struct ct_snapshot *r)
{
	const struct ledger_row *rows = r->rows;
	int n = r->nrows;
	const struct ct_ledger *l = &r->ledger;
	fprintf(f,
		"section,impl,size,threads,net,mode,backend,side,name,hook,calls,bytes,"
		"ns,bytes_per_msg,mean_ns,share,inferred,value\n");
	for (int i = 0; i < n; i++) {
		const struct ledger_row *w = &rows[i];
		const struct ct_row_info *ri = &r->info[w->fn];
		char side[CSV_FIELD], hook[CSV_FIELD];
		csv_prefix(f, r, "function");
		fprintf(f, "%s,%s,%s,%llu,%llu,%llu,%.1f,%.1f,",
			csv_text(side, sizeof(side), r->label[w->side], 0), ri->name,
			csv_text(hook, sizeof(hook), ri->hook, 1), U(w->s->calls), U(w->s->bytes),
			U(w->s->ns), w->per_msg, w->mean_ns);
		if (w->share >= 0)
			fprintf(f, "%.4f", w->share);
		fprintf(f, ",%d,\n", ri->inferred);
	}
	/* the total ledger (side empty), then each process's own */
	for (int i = -1; i < (r->prog ? r->nslots : 0); i++) {
		const struct ct_ledger *pl = i < 0 ? l : &r->slot_ledger[r->slots[i]];
		char side[CSV_FIELD];
		csv_text(side, sizeof(side), i < 0 ? "" : r->label[r->slots[i]], 0);
		double m = pl->messages ? (double)pl->messages : 0;
		for (int k = 0; k < LL_COUNT; k++) {
			csv_prefix(f, r, "ledger");
			if (!pl->traced[k]) { /* an untraced line is empty, not 0 */
				fprintf(f, "%s,%s,%s,,,,,,,,\n", side, ledger_lines[k].key,
					pl->remote[k] ? "not on this host" : "");
				continue;
			}
			fprintf(f, "%s,%s,,,%llu,,", side, ledger_lines[k].key, U(pl->bytes[k]));
			if (m > 0)
				fprintf(f, "%.1f", pl->bytes[k] / m);
			fprintf(f, ",,,,%llu\n", U(pl->bytes[k]));
		}
	}
	for (int i = 0; i < r->nconns; i++) {
		const struct ct_sock *s = &r->conns[i].s;
		char side[CSV_FIELD], tuple[CSV_FIELD];
		csv_prefix(f, r, "connection");
		fprintf(f, "%s,%s,,,%llu,,,,,,%llu\n",
			csv_text(side, sizeof(side), r->label[r->conns[i].row], 0),
			csv_text(tuple, sizeof(tuple), r->conns[i].tuple, 1), U(s->col[CC_SENT]),
			U(s->col[CC_RECV]));
	}
	zc_csv(f, r);
	if (r->run) /* tracing a program: no app figures */
		app_csv(f, r);
	time_csv(f, r);
	cost_csv(f, r);
	return ferror(f) ? -1 : 0;
}

const struct report_writer writer_csv = { "csv", csv_write, interval_csv };

/* The application's figures and --compare's (--impl). */
static void app_csv(FILE *f, const struct ct_snapshot *r)
{
	const struct run_result *run = r->run;
	int hs = r->host_role != HOST_CLIENT, hc = r->host_role != HOST_SERVER;
	if (r->host_role) { /* side: the role here; hook: the peer */
		char peer[CSV_FIELD];
		csv_prefix(f, r, "app");
		fprintf(f, "%s,peer,%s,,,,,,,,\n", hs ? "server" : "client",
			csv_text(peer, sizeof(peer), r->peer, 1));
	}
	/* --role: the peer's figures are its own, not rows of 0 */
	if (hc) {
		csv_prefix(f, r, "app");
		fprintf(f, ",throughput_gbps,,,,,,,,,%.6f\n", run_gbps(&run->client));
	}
	if (hs) {
		csv_prefix(f, r, "app");
		fprintf(f, ",bytes_sent,,,%llu,,,,,,%llu\n", U(run->server.bytes_sent),
			U(run->server.bytes_sent));
	}
	if (hc) {
		csv_prefix(f, r, "app");
		fprintf(f, ",bytes_received,,,%llu,,,,,,%llu\n", U(run->client.bytes_received),
			U(run->client.bytes_received));
	}
	if (r->cmp && r->cmp->pairs) {
		const double *g = r->cmp_sum.gbps, pct = r->cmp_sum.pct;
		csv_prefix(f, r, "compare");
		fprintf(f, ",untraced_gbps,,,,,,,,,%.6f\n", g[0]);
		csv_prefix(f, r, "compare");
		fprintf(f, ",traced_gbps,,,,,,,,,%.6f\n", g[1]);
		csv_prefix(f, r, "compare");
		fprintf(f, ",overhead_pct,,,,,,,,,%.3f\n", pct);
	}
}
