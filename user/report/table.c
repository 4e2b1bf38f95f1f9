// SPDX-License-Identifier: GPL-2.0-only
/* trace_run's table: application figures, per-function attribution, the
 * per-message copy ledger and the --compare figures. */
#include <stdlib.h>
#include <string.h>

#include "interval.h"
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
static void function_rows(FILE *f, const struct ct_snapshot *r, int slot)
{
	int wide = r->prog != NULL;
	fprintf(f, "   %-*s %-28s %12s %14s %11s %10s %9s %6s  %s\n", wide ? 22 : 8,
		wide ? "process" : "side", "function", "calls", "bytes", wide ? "" : "B/msg",
		"total_ms", "mean_ns", "share", "hook");
	for (int i = 0; i < r->nrows; i++) {
		const struct ledger_row *w = &r->rows[i];
		if (slot >= 0 && w->side != slot)
			continue;
		const struct ct_row_info *ri = &r->info[w->fn];
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
			r->label[w->side], ri->name, ri->inferred ? "*" : " ", U(w->s->calls),
			U(w->s->bytes), per, tot, mean, share, ri->hook);
		if (w->fn == FN_ZC_CALLBACK)
			fprintf(f, "        zerocopy ids completed %llu, of them copied %llu\n",
				U(w->s->aux), U(w->s->aux2));
		if (w->fn == FN_IOU_NOTIF)
			fprintf(f,
				"        flagged IORING_NOTIF_USAGE_ZC_COPIED: %llu (only when the "
				"program asked for IORING_SEND_ZC_REPORT_USAGE)\n",
				U(w->s->aux));
		if (w->fn == FN_IOU_UBUF)
			fprintf(f, "        skbs whose pages were copied (success false): %llu\n",
				U(w->s->aux));
		if (w->fn == FN_ZC_LATENCY)
			fprintf(f,
				"        completions timed %llu (ns = their latencies, not CPU "
				"time), not timed %llu; p50 < %.1f us, p99 < %.1f us\n",
				U(w->s->timed), U(w->s->aux), log2_quantile(w->s->hist, 0.5) / 1e3,
				log2_quantile(w->s->hist, 0.99) / 1e3);
		if (w->fn == FN_SYS_IOU_ENTER)
			fprintf(f,
				"        of them waiting for completions (GETEVENTS, min_complete "
				"> "
				"0): %llu calls, %.3f ms\n",
				U(w->s->aux), w->s->aux2 / 1e6);
		if (getenv("CT_HIST"))
			hist_line(f, w->s);
	}
}

/* Zero-copy completions: how long a send waited for its completion, and
 * how long the sender was blocked for completions. */
static void zc_section(FILE *f, const struct ct_snapshot *r, const char *title)
{
	const struct ct_zc_summary *z = &r->zc;
	if (!z->shown)
		return;
	fprintf(f, "\n%s\n", title);
	if (!z->lat_traced)
		fprintf(f,
			"   completion latency: not observed (no completion hook on this "
			"kernel/backend, or the zerocopy hooks were not loaded)\n");
	else if (!z->lat_timed)
		fprintf(f,
			"   completion latency: none timed (%llu completions whose send the "
			"tracer did not see)\n",
			U(z->lat_untimed));
	else {
		fprintf(f,
			"   completion latency (send call's start -> kernel's completion): "
			"p50 < %.1f us, p99 < %.1f us (log2 buckets' upper edges); %llu timed, "
			"%llu "
			"not\n",
			z->lat_p50_ns / 1e3, z->lat_p99_ns / 1e3, U(z->lat_timed),
			U(z->lat_untimed));
		fprintf(f, "      us log2:");
		for (int i = 0; i < CT_HIST_SLOTS; i++)
			if (z->lat_hist[i])
				fprintf(f, " [%g,%g):%llu", (double)(1ull << i) / 1e3,
					(double)(2ull << i) / 1e3, U(z->lat_hist[i]));
		fputc('\n', f);
	}
	if (!z->wait_known) {
		fprintf(f, "   blocked waiting for completions: %s\n", z->wait_source);
		return;
	}
	fprintf(f, "   blocked waiting for completions: %.3f ms in %llu waits", z->wait_ns / 1e6,
		U(z->waits));
	if (z->wait_share >= 0)
		fprintf(f, ", %.1f %% of the sender's %.2f s", z->wait_share * 100, z->wait_base_s);
	fprintf(f, " (%s)\n", z->wait_source);
}

/* Bytes over kTLS sockets: their transforms are the kTLS lines; what
 * those lines do not split is said (never a silent 0). */
static void ktls_note(FILE *f, const struct ct_snapshot *r, const struct ct_ledger *l)
{
	if ((l->ktls_sent || l->ktls_received) && l->tls_split)
		fprintf(f,
			"   note: %llu B sent, %llu B received over kTLS sockets: in the kTLS "
			"lines "
			"(observed in tls.ko), not in sent/received; of the %llu B encrypted, %llu "
			"B "
			"were first copied from the user into the record "
			"(sk_msg_memcopy_from_iter, "
			"in the send copy line), %llu B encrypted from the user's or the file's "
			"pages where they lay\n",
			U(l->ktls_sent), U(l->ktls_received), U(l->bytes[LL_TLS_ENC]),
			U(l->tls_copied),
			U(l->bytes[LL_TLS_ENC] > l->tls_copied
				  ? l->bytes[LL_TLS_ENC] - l->tls_copied
				  : 0));
	else if (l->ktls_sent || l->ktls_received)
		fprintf(f,
			"   note: %llu B sent, %llu B received over kTLS sockets: in the kTLS "
			"lines "
			"(%s), not in sent/received nor the send copy line; whether the plaintext "
			"was copied into the records before encryption is not split out\n",
			U(l->ktls_sent), U(l->ktls_received),
			l->tls_hooked ? "observed in tls.ko"
				      : "inferred from the data syscalls: no hook in tls.ko on "
					"this kernel/backend");
	else if (!l->ktls_seen && r->impl_id == IMPL_A6 && !r->prog) {
		fprintf(f,
			"   note: kTLS sockets not seen: the syscall hooks that count their bytes "
			"are off (--no-syscall-time)\n");
		return;
	}
	if (l->tls_rx_split && l->bytes[LL_TLS_DEC])
		fprintf(f,
			"   note: of the %llu B decrypted, %llu B were decrypted into tls.ko's own "
			"buffer and then copied to the user (%s: in the receive copy line too), "
			"%llu B decrypted straight into the user's buffer\n",
			U(l->bytes[LL_TLS_DEC]), U(l->tls_rx_copied),
			l->tls_hooked ? "skb_copy_datagram_iter inside tls_sw_recvmsg"
				      : "the skb_copy_datagram_iovec tracepoint, copies from "
					"skbs of no socket inside the kTLS receive calls",
			U(l->bytes[LL_TLS_DEC] > l->tls_rx_copied
				  ? l->bytes[LL_TLS_DEC] - l->tls_rx_copied
				  : 0));
	else if (l->bytes[LL_TLS_DEC])
		fprintf(f,
			"   note: whether decryption wrote into the user's buffer or into tls.ko's "
			"own (then copied) is not split: the receive copy is not hooked\n");
}

/* A ledger in whole bytes (tracing a program: no messages). */
static void byte_ledger(FILE *f, const struct ct_snapshot *r, const struct ct_ledger *l)
{
	uint64_t send_copies = 0, recv_copies = 0;
	for (int k = 0; k < LL_COUNT; k++) {
		if (!l->traced[k]) {
			fprintf(f, "   %-36s %14s  not traced: %s\n", ledger_lines[k].label, "-",
				k == LL_DEFERRED && r->zc_skipped ? "not loaded" : l->how[k]);
			continue;
		}
		if (k == LL_SEND || k == LL_DEFERRED || k == LL_TLS_ENC)
			send_copies += l->bytes[k];
		if (k == LL_RECV || k == LL_TLS_DEC)
			recv_copies += l->bytes[k];
		fprintf(f, "   %-36s %14llu B  %s%s\n", ledger_lines[k].label, U(l->bytes[k]),
			l->inferred[k] ? "* " : "", l->how[k]);
	}
	fprintf(f,
		"   sent %llu B: %.3f kernel copies per byte sent; received %llu B: %.3f "
		"copies per byte received\n",
		U(l->sent + l->ktls_sent),
		l->sent + l->ktls_sent ? (double)send_copies / (l->sent + l->ktls_sent) : 0,
		U(l->received + l->ktls_received),
		l->received + l->ktls_received
			? (double)recv_copies / (l->received + l->ktls_received)
			: 0);
	ktls_note(f, r, l);
}

static void conn_rows(FILE *f, const struct ct_snapshot *r)
{
	fprintf(f, "\n   connections (per 4-tuple, most bytes first)\n");
	fprintf(f, "   %-22s %-47s %12s %12s %12s %12s %10s\n", "process", "local -> remote",
		"sent", "received", "spliced", "mapped", "retrans");
	uint64_t more[CC_COUNT] = { 0 };
	for (int i = 0; i < r->nconns; i++) {
		const struct ct_sock *s = &r->conns[i].s;
		if (i >= r->top) { /* the rest summed: every one is in JSON and CSV */
			for (int c = 0; c < CC_COUNT; c++)
				more[c] += s->col[c];
			continue;
		}
		fprintf(f, "   %-22s %-47s %12llu %12llu %12llu %12llu %10llu\n",
			r->label[r->conns[i].row], r->conns[i].tuple, U(s->col[CC_SENT]),
			U(s->col[CC_RECV]), U(s->col[CC_SPLICE]), U(s->col[CC_RECV_ZC]),
			U(s->col[CC_RETRANS]));
	}
	if (r->nconns > r->top) {
		char n[48];
		snprintf(n, sizeof(n), "%d more (--top N shows them)", r->nconns - r->top);
		fprintf(f, "   %-22s %-47s %12llu %12llu %12llu %12llu %10llu\n", "", n,
			U(more[CC_SENT]), U(more[CC_RECV]), U(more[CC_SPLICE]), U(more[CC_RECV_ZC]),
			U(more[CC_RETRANS]));
	}
	if (!r->nconns)
		fprintf(f, "   (none with a peer)\n");
}

/* The time ledger: CPU time per copy from the profiler's samples. */
static void sideband_line(FILE *f, const struct prof_data *p)
{
	const struct prof_sideband *b = &p->sb;
	fprintf(f,
		"   mmap side-band (user symbols of processes started or gone during the trace): "
		"%llu records, %llu of traced processes, %llu lost%s; %llu processes, %llu images, "
		"%llu mappings kept",
		U(b->records), U(b->kept), U(b->lost),
		b->lost ? " (symbols may be missing: [unknown])" : "", U(b->procs), U(b->images),
		U(b->maps));
	if (b->dropped)
		fprintf(f, ", %llu dropped past the caps", U(b->dropped));
	if (b->files_refused)
		fprintf(f,
			"; %llu mapped file(s) not read (not a regular file, or not the file "
			"that was mapped): their frames show as [file+0xOFFSET]",
			U(b->files_refused));
	fputc('\n', f);
}

static void time_table(FILE *f, const struct ct_snapshot *r)
{
	const struct prof_data *p = r->prof;
	const struct time_ledger *tl = r->tl;
	int prog = r->prog != NULL;
	if (!p || !tl) {
		fprintf(f, "\n%stime ledger: profiler off (--sample-freq 0)\n", prog ? "" : "5. ");
		return;
	}
	uint64_t tot = tl->total_all;
	const int *sl = r->tl_slots;
	int ns = r->ntl_slots, few = 0;
	fprintf(f,
		"\n%stime ledger (cpu-clock samples at %u Hz, one per %.3f ms of CPU; traced %s: "
		"%llu samples = %.1f ms; +- = 1/sqrt(samples); share = of the traced CPU time)\n",
		prog ? "" : "5. ", p->freq_hz, tl->period_ns / 1e6, prog ? "processes" : "tasks",
		U(tot), tot * tl->period_ns / 1e6);
	fprintf(f, "   %-34s %8s %7s %10s %6s %17s\n", "line", "samples", "share",
		prog ? "ms" : "ns/msg", "+-", prog ? "by process" : "sender/receiver");
	for (int k = 0; k < TL_COUNT; k++) {
		uint64_t s = tl->row_all[k];
		fprintf(f, "   %-34s %8llu %6.1f%% %10.*f %5.0f%% ", tl_rows[k].label, U(s),
			tot ? 100.0 * s / tot : 0, prog ? 1 : 0,
			prog ? s * tl->period_ns / 1e6 : snap_ns_per_msg(r, s),
			100 * tl_rel_err(s));
		if (!prog) {
			fprintf(f, "%8llu/%-8llu", U(tl->rows[k][0]), U(tl->rows[k][1]));
		} else {
			int any = 0;
			for (int i = 0; i < ns; i++)
				if (tl->rows[k][sl[i]])
					fprintf(f, "%s%s %llu", any++ ? ", " : "",
						r->tl_label[sl[i]], U(tl->rows[k][sl[i]]));
			if (!any)
				fprintf(f, "-");
		}
		fprintf(f, "%s\n", s < TL_MIN_SAMPLES ? " few samples" : "");
		few += s < TL_MIN_SAMPLES;
	}
	/* the default rate is low for its cost (opts.h): say how to get more */
	if (few)
		fprintf(f,
			"   few samples: under %d, +- over %.0f%%; more with a longer --duration "
			"or a "
			"higher --sample-freq (%u Hz now; each sample costs CPU)\n",
			TL_MIN_SAMPLES, 100 * tl_rel_err(TL_MIN_SAMPLES), p->freq_hz);
	if (prog) {
		fprintf(f, "   samples by process:");
		for (int i = 0; i < ns; i++)
			fprintf(f, "%s %s %llu (%.1f%%)", i ? "," : "", r->tl_label[sl[i]],
				U(tl->total[sl[i]]), 100.0 * tl->total[sl[i]] / tot);
		fprintf(f, "%s\n", ns ? "" : " none");
	}
	uint64_t irq = tl->irq_all;
	fprintf(f,
		"   softirq/irq work while a traced task was current: %llu samples (%.1f%%), "
		"counted whatever socket it served (a perf_event program cannot see it)\n",
		U(irq), tot ? 100.0 * irq / tot : 0);
	fprintf(f,
		"   not kept: %llu samples in ksoftirqd (socket unknown); samples seen %llu, "
		"stacks lost %llu, dropped (map full) %llu\n",
		U(p->stats[PS_KSOFTIRQD]), U(p->stats[PS_SEEN]), U(p->stats[PS_STACK_LOST]),
		U(p->stats[PS_MAP_FULL]));
	sideband_line(f, p);
	fprintf(f, "   hardware cycles: %s\n",
		p->cycles ? "sampled (cycles stacks in --folded are "
			    "cpu-clock only)"
			  : p->cycles_why);
	if (tl->nother) {
		fprintf(f, "   other copies by caller:");
		for (int i = 0; i < tl->nother; i++)
			fprintf(f, "%s %s %llu", i ? "," : "", tl->other[i].name,
				U(tl->other[i].samples));
		fputc('\n', f);
	}
	fprintf(f, "   top functions by self time:\n");
	for (int i = 0; i < tl->nself; i++)
		fprintf(f, "     %-48s %8llu %6.1f%%%s\n", tl->self[i].name, U(tl->self[i].samples),
			tot ? 100.0 * tl->self[i].samples / tot : 0,
			tl->self[i].samples < TL_MIN_SAMPLES ? " few samples" : "");
}

/* --bpf-stats: the tracer's own BPF run time. */
static void cost_table(FILE *f, const struct ct_snapshot *r)
{
	const struct selfcost *s = r->cost;
	if (!s)
		return;
	double msgs = (double)r->ledger.messages, cpu = r->traced_cpu_ns;
	fprintf(f,
		"\ntracer cost (--bpf-stats: the kernel's run time of trace_run's BPF programs "
		"during the traced run;\n   the dispatch around them is not in it, so this is a "
		"floor of the cost)\n");
	for (int prof = 0; prof < 2; prof++) {
		uint64_t ns = r->cost_ns[prof], calls = r->cost_runs[prof];
		if (prof && !calls && !r->prof)
			continue;
		fprintf(f, "   %-9s %.1f ms in %llu runs", prof ? "profiler" : "tracer", ns / 1e6,
			U(calls));
		if (msgs)
			fprintf(f, ", %.0f ns per message", ns / msgs);
		if (cpu)
			fprintf(f, ", %.2f %% of the traced CPU time (%.2f s%s)", 100.0 * ns / cpu,
				cpu / 1e9, r->run ? "" : ", from the profiler's samples");
		fprintf(f, "\n");
	}
	if (!cpu) /* tracing a program: its CPU time is known from samples alone */
		fprintf(f, "   (no share of CPU time: %s)\n",
			r->prof && r->prof->enabled
				? "the profiler kept no sample of the traced processes"
				: "a program's CPU time is known from the profiler's samples, and "
				  "it is off");
	const int *v = r->cost_order;
	int n = r->ncost;
	fprintf(f, "   %-22s %12s %10s %10s\n", "program", "runs", "ns/run",
		msgs ? "ns/msg" : "ms");
	for (int i = 0; i < n; i++) {
		const struct sc_prog *p = &s->p[v[i]];
		fprintf(f, "   %-22s %12llu %10.0f %10.*f\n", p->name, U(p->calls),
			(double)p->ns / (double)p->calls, msgs ? 0 : 1,
			msgs ? p->ns / msgs : p->ns / 1e6);
	}
}

/* Tracing a program: per process, its functions and its ledger; then the
 * totals. */
static void report_program(FILE *f, const struct ct_snapshot *r)
{
	const struct ct_program *p = r->prog;
	fprintf(f, "copytrace: %s %s, backend %s, kernel %s\n", p->mode, p->what, r->backend,
		r->kernel);
	fprintf(f, "   traced for %.2f s; %s", p->seconds, p->ended);
	if (p->exit_status >= 0)
		fprintf(f, " (exit status %d)", p->exit_status);
	fprintf(f, "\n");
	fprintf(f, "   %llu process(es) traced, %llu of them exited during the trace\n",
		U(r->procs_seen), U(r->procs_exited));
	if (r->overflow)
		fprintf(f,
			"   %llu process(es) found every one of the %d slots taken and share the "
			"row \"others\"\n",
			r->overflow, CT_SLOT_LATE);
	for (int i = 0; i < r->nslots; i++) {
		int k = r->slots[i];
		const struct ct_proc_info *pi = &r->procs[k];
		fprintf(f, "\nprocess %s", r->label[k]);
		if (snap_is_proc(r, k) && pi->p.ppid)
			fprintf(f, " (child of %u)", pi->p.ppid);
		if (pi->folded)
			fprintf(f,
				" (the exited processes past the %d kept as rows, smallest first)",
				CT_EXITED_ROWS);
		else if (pi->exited)
			fprintf(f, " (exited)");
		fprintf(f, "\n");
		function_rows(f, r, k);
		byte_ledger(f, r, &r->slot_ledger[k]);
	}
	int idle = 0;
	for (int k = 0; k < r->nrow; k++) {
		int shown = !snap_is_proc(r, k);
		for (int i = 0; i < r->nslots && !shown; i++)
			shown |= r->slots[i] == k;
		if (r->procs[k].used && !shown && idle++ < 20)
			fprintf(f, "%s%s",
				idle > 1 ? ", " : "\nalso traced, no TCP work seen: ", r->label[k]);
	}
	if (idle > 20)
		fprintf(f, " and %d more", idle - 20);
	fprintf(f,
		"%s\ntotal of %d process(es) with TCP work (* = inferred, not observed; "
		"share = of the process's data syscall time)\n",
		idle ? "\n" : "", r->nslots);
	byte_ledger(f, r, &r->ledger);
	if (r->per_conn)
		conn_rows(f, r);
	for (int i = 0; i < r->nnotes; i++)
		fprintf(f, "   note: %s\n", r->notes[i]);
	zc_section(f, r, "zero-copy completions (every process)");
	time_table(f, r);
	cost_table(f, r);
}

/* The experiment (--impl): the application's figures, the function
 * table, the ledger per message, --compare, then as a program's. */
static void report_experiment(FILE *f, const struct ct_snapshot *r)
{
	const struct run_result *run = r->run;
	const struct ct_ledger *l = &r->ledger;

	int server_here = r->host_role != HOST_CLIENT;
	if (r->host_role) /* one side here, its peer on another host */
		fprintf(f,
			"copytrace: impl %s, size %zu B, threads %d, role %s, peer %s (not traced "
			"here), mode %s, backend %s, kernel %s\n\n",
			r->impl, r->size, r->threads,
			server_here ? "server (the sender)" : "client (the receiver)", r->peer,
			r->mode, r->backend, r->kernel);
	else
		fprintf(f,
			"copytrace: impl %s, size %zu B, threads %d, net %s, mode %s, backend %s, "
			"kernel %s\n\n",
			r->impl, r->size, r->threads, r->net, r->mode, r->backend, r->kernel);
	fprintf(f, "1. application (as the %s counted it)\n   ",
		!r->host_role	      ? "server and client"
			: server_here ? "server here"
				      : "client here");
	run_summary(f, run);
	if (server_here)
		fprintf(f,
			"   server: %llu messages sent in %llu send calls, %llu B gathered in user "
			"space\n",
			U(run->server.messages_sent), U(run->server.send_calls),
			U(run->server.gather_bytes));
	if (r->impl_id == IMPL_A1 && server_here && run->server.probe_site[0])
		fprintf(f,
			"   uprobe site ct_gather_probe at the end (read back from the server's "
			"own "
			"code): %s\n",
			run->server.probe_site);
	if (r->impl_id == IMPL_A3 && server_here)
		fprintf(f,
			"   zerocopy: %llu sends, %llu notifications, %llu ids completed, %llu "
			"copied\n",
			U(run->server.zc_sends), U(run->server.zc_notifications),
			U(run->server.zc_completions), U(run->server.zc_copied));

	fprintf(f,
		"\n2. per-function attribution (* = inferred, not observed; "
		"share = of the side's send/recv syscall time)\n");
	function_rows(f, r, -1);
	for (int i = 0; i < r->nnotes; i++)
		fprintf(f, "   note: %s\n", r->notes[i]);
	zc_section(f, r, "2b. zero-copy completions (the sender)");

	double m = l->messages ? (double)l->messages : 1;
	char b[32];
	fprintf(f,
		"\n3. copy ledger per message (%llu messages of %zu B; whole-run bytes in "
		"brackets)\n",
		U(l->messages), r->size);
	uint64_t copies = 0;
	int untraced = 0;
	for (int k = 0; k < LL_COUNT; k++) {
		if (l->remote[k]) {
			fprintf(f, "   %-34s %12s  not on this host: the %s's line (the peer %s)\n",
				ledger_lines[k].label, "-",
				ledger_lines[k].sender ? "sender" : "receiver", r->peer);
			continue;
		}
		if (!l->traced[k]) {
			untraced += ledger_lines[k].copy;
			fprintf(f, "   %-34s %12s  %s%s\n", ledger_lines[k].label, "-",
				k == LL_DEFERRED && r->zc_skipped
					? "not loaded (a3/a4 only): "
					: "not traced on this kernel/backend: ",
				l->how[k]);
			continue;
		}
		if (ledger_lines[k].copy)
			copies += l->bytes[k];
		fmt_bytes(b, sizeof(b), l->bytes[k] / m);
		fprintf(f, "   %-34s %12s  [%llu B]  %s\n", ledger_lines[k].label, b,
			U(l->bytes[k]), l->how[k]);
	}
	fmt_bytes(b, sizeof(b), copies / m);
	/* --role client: per byte received (it sent none of them) */
	uint64_t base = server_here ? run->server.bytes_sent : run->client.bytes_received;
	fprintf(f, "   %-34s %12s  (%.2f copies of each message byte%s%s)\n",
		r->host_role ? "bytes copied on this host" : "bytes copied in total", b,
		base ? (double)copies / base : 0,
		untraced || l->ktls_sent || r->impl_id == IMPL_A6
			? "; at least: lines not traced above"
			: "",
		r->host_role ? "; the peer's copies are its own" : "");
	ktls_note(f, r, l);
	if (r->per_conn)
		conn_rows(f, r);

	if (r->cmp && r->cmp->pairs) {
		const struct ct_compare_sum *c = &r->cmp_sum;
		fprintf(f, "\n4. tracing overhead (%d untraced/traced pairs, medians)\n",
			r->cmp->pairs);
		fprintf(f, "   untraced: %.3f Gbit/s, latency p50 %.1f us, p99 %.1f us\n",
			c->gbps[0], c->p50[0], c->p99[0]);
		fprintf(f, "   traced:   %.3f Gbit/s, latency p50 %.1f us, p99 %.1f us\n",
			c->gbps[1], c->p50[1], c->p99[1]);
		fprintf(f,
			"   overhead: %.1f %% throughput (pairs %.1f .. %.1f %%), %+.1f %% p50 "
			"latency\n",
			c->pct, c->lo, c->hi, c->lat_pct);
	}
	time_table(f, r);
	cost_table(f, r);
}

static int table_write(FILE *f, const struct ct_snapshot *r)
{
	if (r->prog)
		report_program(f, r);
	else
		report_experiment(f, r);
	return ferror(f) ? -1 : 0;
}

const struct report_writer writer_table = { "table", table_write, interval_table };
