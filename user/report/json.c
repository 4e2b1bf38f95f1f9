/* trace_run's JSON document (documented in README.md). */
#include "common/result.h"
#include "ledger.h"
#include "writer.h"

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

/* One function row; with a pid and comm when tracing a program. */
static void json_row(FILE *f, const struct ct_report *r, const struct ledger_row *w)
{
	const struct tracer *t = r->t;
	const struct ct_row_info *ri = &t->rows[w->fn];
	char lab[48];
	fprintf(f, "{\"side\": ");
	json_str(f, slot_label(r, w->side, lab, sizeof(lab)));
	if (r->prog && w->side != CT_SLOT_OTHERS)
		fprintf(f, ", \"pid\": %u", r->procs[w->side].p.tgid);
	fprintf(f, ", \"name\": ");
	json_str(f, ri->name);
	fprintf(f, ", \"hook\": ");
	json_str(f, ri->hook);
	fprintf(f, ", \"calls\": %llu, \"missed\": %llu, \"bytes\": %llu, \"ns\": %llu, \"timed_calls\": %llu, "
		   "\"bytes_per_msg\": %.1f, \"mean_ns\": %.1f, \"share\": ",
		U(w->s->calls), U(w->s->missed), U(w->s->bytes), U(w->s->ns), U(w->s->timed), w->per_msg,
		w->mean_ns);
	if (w->share >= 0)
		fprintf(f, "%.4f", w->share);
	else
		fprintf(f, "null");
	fprintf(f, ", \"inferred\": %s", ri->inferred ? "true" : "false");
	if (w->fn == FN_ZC_CALLBACK)
		fprintf(f, ", \"zc_ids\": %llu, \"zc_copied_ids\": %llu", U(w->s->aux), U(w->s->aux2));
	if (w->fn == FN_IOU_NOTIF)
		fprintf(f, ", \"zc_copied_flagged\": %llu", U(w->s->aux));
	if (w->fn == FN_IOU_UBUF)
		fprintf(f, ", \"copied_skbs\": %llu", U(w->s->aux));
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

/* A ledger object; an untraced line is null, not 0: nothing was measured. */
static void json_ledger(FILE *f, const struct ct_ledger *l)
{
	double m = l->messages ? (double)l->messages : 1;
	fprintf(f, "{");
	for (int k = 0; k < LL_COUNT; k++)
		if (l->traced[k])
			fprintf(f, "\"%s\": %llu, ", ledger_lines[k].key, U(l->bytes[k]));
		else
			fprintf(f, "\"%s\": null, ", ledger_lines[k].key);
	fprintf(f, "\"sent_bytes\": %llu, \"received_bytes\": %llu, ", U(l->sent), U(l->received));
	fprintf(f, "\"messages\": %llu, \"per_message\": [", U(l->messages));
	for (int k = 0; k < LL_COUNT; k++)
		if (l->traced[k] && l->messages)
			fprintf(f, "%s%.1f", k ? ", " : "", l->bytes[k] / m);
		else
			fprintf(f, "%snull", k ? ", " : "");
	fprintf(f, "], \"send_copy_inferred\": %s, \"deferred_copy_inferred\": %s}",
		l->inferred[LL_SEND] ? "true" : "false", l->inferred[LL_DEFERRED] ? "true" : "false");
}

static void json_processes(FILE *f, const struct ct_report *r)
{
	char lab[48];
	fprintf(f, ",\n  \"processes\": [");
	for (int i = 0; i < r->nslots; i++) {
		int k = r->slots[i];
		const struct ct_proc *p = &r->procs[k].p;
		fprintf(f, "%s\n    {\"label\": ", i ? "," : "");
		json_str(f, slot_label(r, k, lab, sizeof(lab)));
		if (r->prog && k != CT_SLOT_OTHERS) {
			fprintf(f, ", \"pid\": %u, \"ppid\": %u, \"comm\": ", p->tgid, p->ppid);
			json_str(f, p->comm);
		}
		fprintf(f, ", \"ledger\": ");
		json_ledger(f, &r->slot_ledger[k]);
		fprintf(f, ", \"functions\": [");
		int n = 0;
		for (int j = 0; j < r->nrows; j++)
			if (r->rows[j].side == k) {
				fprintf(f, "%s\n      ", n++ ? "," : "");
				json_row(f, r, &r->rows[j]);
			}
		fprintf(f, "]}");
	}
	fprintf(f, "\n  ]");
}

static void json_conns(FILE *f, const struct ct_report *r)
{
	char lab[48];
	fprintf(f, ",\n  \"connections\": [");
	for (int i = 0; i < r->nconns; i++) {
		const struct ct_sock *s = &r->conns[i];
		char tuple[96];
		fprintf(f, "%s\n    {\"process\": ", i ? "," : "");
		json_str(f, slot_label(r, (int)s->slot, lab, sizeof(lab)));
		fprintf(f, ", \"tuple\": ");
		json_str(f, ct_tuple_str(&s->t, tuple, sizeof(tuple)));
		fprintf(f, ", \"sent_bytes\": %llu, \"received_bytes\": %llu, \"splice_bytes\": %llu, "
			"\"recv_zerocopy_bytes\": %llu, \"retrans_bytes\": %llu}", U(s->col[CC_SENT]),
			U(s->col[CC_RECV]), U(s->col[CC_SPLICE]), U(s->col[CC_RECV_ZC]),
			U(s->col[CC_RETRANS]));
	}
	fprintf(f, "\n  ]");
}

void report_json(FILE *f, const struct ct_report *r)
{
	const struct ct_opts *o = r->o;
	const struct tracer *t = r->t;

	if (r->prog) {
		const struct ct_program *p = r->prog;
		fprintf(f, "{\n  \"target\": {\"mode\": \"%s\", \"what\": ", p->mode);
		json_str(f, p->what);
		fprintf(f, ", \"seconds\": %.3f, \"ended\": ", p->seconds);
		json_str(f, p->ended);
		fprintf(f, ", \"exit_status\": ");
		if (p->exit_status >= 0)
			fprintf(f, "%d", p->exit_status);
		else
			fprintf(f, "null");
		fprintf(f, ", \"processes_in_others\": %llu}, \"backend\": \"%s\", \"kernel\": ",
			p->overflow, backend_name(t->backend));
	} else {
		fprintf(f, "{\n  \"impl\": \"%s\", \"size\": %zu, \"threads\": %d, \"net\": \"%s\", "
			   "\"mode\": \"%s\", \"backend\": \"%s\", \"kernel\": ",
			impl_name(o->impl), o->size, o->threads, net_name(o->net), mode_name(o->mode),
			backend_name(t->backend));
	}
	json_str(f, r->kernel);
	if (r->run) {
		fprintf(f, ",\n  \"app\": ");
		run_json(f, r->run, 2);
	}
	fprintf(f, ",\n  \"functions\": [");
	for (int i = 0; i < r->nrows; i++) {
		fprintf(f, "%s\n    ", i ? "," : "");
		json_row(f, r, &r->rows[i]);
	}
	fprintf(f, "\n  ],\n  \"notes\": [");
	for (int i = 0; i < t->nnotes; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_str(f, t->notes[i]);
	}
	fprintf(f, "],\n  \"ledger\": ");
	json_ledger(f, &r->ledger);
	if (r->prog) /* with --impl, the functions' "side" already splits them */
		json_processes(f, r);
	if (r->o->per_conn)
		json_conns(f, r);
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
	report_time_json(f, r);
	report_cost_json(f, r);
	fprintf(f, "\n}\n");
}
