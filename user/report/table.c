/* trace_run's table: application figures, per-function attribution, the
 * per-message copy ledger and the --compare figures. */
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "writer.h"

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

/* The function table's rows of one slot (-1: all). */
static void function_rows(FILE *f, const struct ct_report *r, int slot)
{
	const struct tracer *t = r->t;
	int wide = r->prog != NULL;
	char lab[48];
	fprintf(f, "   %-*s %-28s %12s %14s %11s %10s %9s %6s  %s\n", wide ? 22 : 8,
		wide ? "process" : "side", "function", "calls", "bytes", wide ? "" : "B/msg",
		"total_ms", "mean_ns", "share", "hook");
	for (int i = 0; i < r->nrows; i++) {
		const struct ledger_row *w = &r->rows[i];
		if (slot >= 0 && w->side != slot)
			continue;
		const struct ct_row_info *ri = &t->rows[w->fn];
		char share[16] = "-", tot[16] = "-", mean[16] = "-", per[24] = "";
		if (w->share >= 0)
			snprintf(share, sizeof(share), "%.1f%%", w->share * 100);
		if (w->s->timed) {
			snprintf(tot, sizeof(tot), "%.3f", w->s->ns / 1e6);
			snprintf(mean, sizeof(mean), "%.0f", w->mean_ns);
		}
		if (!wide)
			snprintf(per, sizeof(per), "%.0f", w->per_msg);
		fprintf(f, "   %-*s %-27s%s %12llu %14llu %11s %10s %9s %6s  %s\n", wide ? 22 : 8,
			slot_label(r, w->side, lab, sizeof(lab)), ri->name, ri->inferred ? "*" : " ",
			U(w->s->calls), U(w->s->bytes), per, tot, mean, share, ri->hook);
		if (w->fn == FN_ZC_CALLBACK)
			fprintf(f, "        zerocopy ids completed %llu, of them copied %llu\n",
				U(w->s->aux), U(w->s->aux2));
		if (w->fn == FN_IOU_NOTIF)
			fprintf(f, "        flagged IORING_NOTIF_USAGE_ZC_COPIED: %llu (only when the "
				"program asked for IORING_SEND_ZC_REPORT_USAGE)\n", U(w->s->aux));
		if (w->fn == FN_IOU_UBUF)
			fprintf(f, "        skbs whose pages were copied (success false): %llu\n",
				U(w->s->aux));
		if (getenv("CT_HIST"))
			hist_line(f, w->s);
	}
}

/* A ledger in whole bytes (tracing a program: no messages). */
static void byte_ledger(FILE *f, const struct ct_report *r, const struct ct_ledger *l)
{
	const struct tracer *t = r->t;
	uint64_t send_copies = 0, recv_copies = 0;
	for (int k = 0; k < LL_COUNT; k++) {
		if (!l->traced[k]) {
			fprintf(f, "   %-36s %14s  not traced: %s\n", ledger_lines[k].label, "-",
				k == LL_DEFERRED && t->zc_skipped ? "not loaded" : l->how[k]);
			continue;
		}
		if (k == LL_SEND || k == LL_DEFERRED)
			send_copies += l->bytes[k];
		if (k == LL_RECV)
			recv_copies += l->bytes[k];
		fprintf(f, "   %-36s %14llu B  %s%s\n", ledger_lines[k].label, U(l->bytes[k]),
			l->inferred[k] ? "* " : "", l->how[k]);
	}
	fprintf(f, "   sent %llu B: %.3f kernel copies per byte sent; received %llu B: %.3f "
		"copies per byte received\n", U(l->sent), l->sent ? (double)send_copies / l->sent : 0,
		U(l->received), l->received ? (double)recv_copies / l->received : 0);
}

static void conn_rows(FILE *f, const struct ct_report *r)
{
	char lab[48];
	fprintf(f, "\n   connections (per 4-tuple, most bytes first)\n");
	fprintf(f, "   %-22s %-47s %12s %12s %12s %12s %10s\n", "process", "local -> remote",
		"sent", "received", "spliced", "mapped", "retrans");
	for (int i = 0; i < r->nconns; i++) {
		const struct ct_sock *s = &r->conns[i];
		char tuple[96];
		ct_tuple_str(&s->t, tuple, sizeof(tuple));
		fprintf(f, "   %-22s %-47s %12llu %12llu %12llu %12llu %10llu\n",
			slot_label(r, (int)s->slot, lab, sizeof(lab)), tuple, U(s->col[CC_SENT]),
			U(s->col[CC_RECV]), U(s->col[CC_SPLICE]), U(s->col[CC_RECV_ZC]),
			U(s->col[CC_RETRANS]));
	}
	if (!r->nconns)
		fprintf(f, "   (none with a peer)\n");
}

/* Tracing a program: per process, its functions and its ledger; then the
 * totals. */
static void report_program(FILE *f, const struct ct_report *r)
{
	const struct ct_program *p = r->prog;
	const struct tracer *t = r->t;
	fprintf(f, "copytrace: %s %s, backend %s, kernel %s\n", p->mode, p->what,
		backend_name(t->backend), r->kernel);
	fprintf(f, "   traced for %.2f s; %s", p->seconds, p->ended);
	if (p->exit_status >= 0)
		fprintf(f, " (exit status %d)", p->exit_status);
	fprintf(f, "\n");
	if (p->overflow)
		fprintf(f, "   %llu process(es) beyond the first %d share the row \"others\"\n",
			p->overflow, CT_SLOT_OTHERS);
	char lab[48];
	for (int i = 0; i < r->nslots; i++) {
		int k = r->slots[i];
		const struct ct_proc *pr = &r->procs[k].p;
		fprintf(f, "\nprocess %s", slot_label(r, k, lab, sizeof(lab)));
		if (k != CT_SLOT_OTHERS && pr->ppid)
			fprintf(f, " (child of %u)", pr->ppid);
		fprintf(f, "\n");
		function_rows(f, r, k);
		byte_ledger(f, r, &r->slot_ledger[k]);
	}
	int idle = 0;
	for (int k = 0; k < CT_SLOT_OTHERS; k++) {
		int shown = 0;
		for (int i = 0; i < r->nslots; i++)
			shown |= r->slots[i] == k;
		if (r->procs[k].used && !shown)
			fprintf(f, "%s%s", idle++ ? ", " : "\nalso traced, no TCP work seen: ",
				slot_label(r, k, lab, sizeof(lab)));
	}
	fprintf(f, "%s\ntotal of %d process(es) with TCP work (* = inferred, not observed; "
		"share = of the process's data syscall time)\n", idle ? "\n" : "", r->nslots);
	byte_ledger(f, r, &r->ledger);
	if (r->o->per_conn)
		conn_rows(f, r);
	for (int i = 0; i < t->nnotes; i++)
		fprintf(f, "   note: %s\n", t->notes[i]);
	report_time_table(f, r);
	report_cost_table(f, r);
}

void report_table(FILE *f, const struct ct_report *r)
{
	if (r->prog) {
		report_program(f, r);
		return;
	}
	const struct ct_opts *o = r->o;
	const struct run_result *run = r->run;
	const struct tracer *t = r->t;
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
	function_rows(f, r, -1);
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
				k == LL_DEFERRED && t->zc_skipped ? "not loaded (a3/a4 only): " :
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
	if (r->o->per_conn)
		conn_rows(f, r);

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
	report_cost_table(f, r);
}

