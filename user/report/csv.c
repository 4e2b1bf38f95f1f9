/* trace_run's CSV: one row per function, ledger line and app figure. */
#include "ledger.h"
#include "writer.h"

/* The columns before "side" of every row: section, then the experiment
 * (tracing a program: its mode, the experiment's columns empty). */
void csv_prefix(FILE *f, const struct ct_report *r, const char *sec)
{
	const struct ct_opts *o = r->o;
	if (r->prog)
		fprintf(f, "%s,%s,,,,,%s,", sec, r->prog->mode, backend_name(r->t->backend));
	else
		fprintf(f, "%s,%s,%zu,%d,%s,%s,%s,", sec, impl_name(o->impl), o->size, o->threads,
			net_name(o->net), mode_name(o->mode), backend_name(r->t->backend));
}

void report_csv(FILE *f, const struct ct_report *r)
{
	const struct tracer *t = r->t;
	const struct ledger_row *rows = r->rows;
	int n = r->nrows;
	const struct ct_ledger *l = &r->ledger;
	char lab[48];
	fprintf(f, "section,impl,size,threads,net,mode,backend,side,name,hook,calls,bytes,"
		   "ns,bytes_per_msg,mean_ns,share,inferred,value\n");
	for (int i = 0; i < n; i++) {
		const struct ledger_row *w = &rows[i];
		const struct ct_row_info *ri = &t->rows[w->fn];
		csv_prefix(f, r, "function");
		fprintf(f, "%s,%s,\"%s\",%llu,%llu,%llu,%.1f,%.1f,",
			slot_label(r, w->side, lab, sizeof(lab)), ri->name,
			ri->hook, U(w->s->calls), U(w->s->bytes), U(w->s->ns), w->per_msg, w->mean_ns);
		if (w->share >= 0)
			fprintf(f, "%.4f", w->share);
		fprintf(f, ",%d,\n", ri->inferred);
	}
	/* the total ledger (side empty), then each process's own */
	for (int i = -1; i < (r->prog ? r->nslots : 0); i++) {
		const struct ct_ledger *pl = i < 0 ? l : &r->slot_ledger[r->slots[i]];
		const char *side = i < 0 ? "" : slot_label(r, r->slots[i], lab, sizeof(lab));
		double m = pl->messages ? (double)pl->messages : 0;
		for (int k = 0; k < LL_COUNT; k++) {
			csv_prefix(f, r, "ledger");
			if (!pl->traced[k]) { /* an untraced line is empty, not 0 */
				fprintf(f, "%s,%s,,,,,,,,,\n", side, ledger_lines[k].key);
				continue;
			}
			fprintf(f, "%s,%s,,,%llu,,", side, ledger_lines[k].key, U(pl->bytes[k]));
			if (m > 0)
				fprintf(f, "%.1f", pl->bytes[k] / m);
			fprintf(f, ",,,,%llu\n", U(pl->bytes[k]));
		}
	}
	for (int i = 0; i < r->nconns; i++) {
		const struct ct_sock *s = &r->conns[i];
		char tuple[96];
		csv_prefix(f, r, "connection");
		fprintf(f, "%s,\"%s\",,,%llu,,,,,,%llu\n", slot_label(r, (int)s->slot, lab, sizeof(lab)),
			ct_tuple_str(&s->t, tuple, sizeof(tuple)), U(s->col[CC_SENT]),
			U(s->col[CC_RECV]));
	}
	if (!r->run) { /* tracing a program: no app figures */
		report_time_csv(f, r);
		report_cost_csv(f, r);
		return;
	}
	const struct run_result *run = r->run;
	csv_prefix(f, r, "app");
	fprintf(f, ",throughput_gbps,,,,,,,,,%.6f\n", run_gbps(&run->client));
	csv_prefix(f, r, "app");
	fprintf(f, ",bytes_sent,,,%llu,,,,,,%llu\n", U(run->server.bytes_sent), U(run->server.bytes_sent));
	csv_prefix(f, r, "app");
	fprintf(f, ",bytes_received,,,%llu,,,,,,%llu\n", U(run->client.bytes_received),
		U(run->client.bytes_received));
	if (r->cmp && r->cmp->pairs) {
		double g[2], p50[2], p99[2], pct, lo, hi, lat;
		compare_stats(r->cmp, 0, &g[0], &p50[0], &p99[0]);
		compare_stats(r->cmp, 1, &g[1], &p50[1], &p99[1]);
		compare_overhead(r->cmp, &pct, &lo, &hi, &lat);
		csv_prefix(f, r, "compare");
		fprintf(f, ",untraced_gbps,,,,,,,,,%.6f\n", g[0]);
		csv_prefix(f, r, "compare");
		fprintf(f, ",traced_gbps,,,,,,,,,%.6f\n", g[1]);
		csv_prefix(f, r, "compare");
		fprintf(f, ",overhead_pct,,,,,,,,,%.3f\n", pct);
	}
	report_time_csv(f, r);
	report_cost_csv(f, r);
}

