/* trace_run's JSON document (documented in README.md). */
#include "common/result.h"
#include "ledger.h"
#include "report.h"

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

void report_json(FILE *f, const struct ct_report *r)
{
	const struct ct_opts *o = r->o;
	const struct tracer *t = r->t;
	const struct ledger_row *rows = r->rows;
	int n = r->nrows;
	const struct ct_ledger *l = &r->ledger;

	fprintf(f, "{\n  \"impl\": \"%s\", \"size\": %zu, \"threads\": %d, \"net\": \"%s\", "
		   "\"mode\": \"%s\", \"backend\": \"%s\", \"kernel\": ",
		impl_name(o->impl), o->size, o->threads, net_name(o->net), mode_name(o->mode),
		backend_name(t->backend));
	json_str(f, r->kernel);
	fprintf(f, ",\n  \"app\": ");
	run_json(f, r->run, 2);
	fprintf(f, ",\n  \"functions\": [");
	for (int i = 0; i < n; i++) {
		const struct ledger_row *w = &rows[i];
		const struct ct_row_info *ri = &t->rows[w->fn];
		fprintf(f, "%s\n    {\"side\": \"%s\", \"name\": ", i ? "," : "", side_name[w->side]);
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
	/* an untraced line is null, not 0: nothing was measured */
	double m = l->messages ? (double)l->messages : 1;
	fprintf(f, "],\n  \"ledger\": {");
	for (int k = 0; k < LL_COUNT; k++)
		if (l->traced[k])
			fprintf(f, "\"%s\": %llu, ", ledger_lines[k].key, U(l->bytes[k]));
		else
			fprintf(f, "\"%s\": null, ", ledger_lines[k].key);
	fprintf(f, "\"messages\": %llu, \"per_message\": [", U(l->messages));
	for (int k = 0; k < LL_COUNT; k++)
		if (l->traced[k])
			fprintf(f, "%s%.1f", k ? ", " : "", l->bytes[k] / m);
		else
			fprintf(f, "%snull", k ? ", " : "");
	fprintf(f, "], \"send_copy_inferred\": %s, \"deferred_copy_inferred\": %s}",
		l->inferred[LL_SEND] ? "true" : "false", l->inferred[LL_DEFERRED] ? "true" : "false");
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
	fprintf(f, "\n}\n");
}

