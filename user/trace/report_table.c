/* trace_run's table: application figures, per-function attribution, the
 * per-message copy ledger and the --compare figures. */
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "report.h"

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

void report_table(FILE *f, const struct ct_report *r)
{
	const struct ct_opts *o = r->o;
	const struct run_result *run = r->run;
	const struct tracer *t = r->t;
	const struct ledger_row *rows = r->rows;
	int n = r->nrows;
	const struct ct_ledger *l = &r->ledger;

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
		const struct ledger_row *w = &rows[i];
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

	double m = l->messages ? (double)l->messages : 1;
	char b[32];
	fprintf(f, "\n3. copy ledger per message (%llu messages of %zu B; whole-run bytes in brackets)\n",
		U(l->messages), o->size);
	uint64_t copies = 0;
	int untraced = 0;
	for (int k = 0; k < LL_COUNT; k++) {
		if (!l->traced[k]) {
			untraced += ledger_lines[k].copy;
			fprintf(f, "   %-34s %12s  %s%s\n", ledger_lines[k].label, "-",
				k == LL_DEFERRED && t->zc_skipped ? "not loaded (a3 only): " :
				"not traced on this kernel/backend: ", l->how[k]);
			continue;
		}
		if (ledger_lines[k].copy)
			copies += l->bytes[k];
		fmt_bytes(b, sizeof(b), l->bytes[k] / m);
		fprintf(f, "   %-34s %12s  [%llu B]  %s\n", ledger_lines[k].label, b,
			U(l->bytes[k]), l->how[k]);
	}
	fmt_bytes(b, sizeof(b), copies / m);
	fprintf(f, "   %-34s %12s  (%.2f copies of each message byte%s)\n", "bytes copied in total",
		b, run->server.bytes_sent ? (double)copies / run->server.bytes_sent : 0,
		untraced ? "; at least: lines not traced above" : "");

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
	report_time_table(f, r);
}

