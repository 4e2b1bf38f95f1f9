// SPDX-License-Identifier: GPL-2.0-only
/* trace_run's JSON document (documented in docs/tracer.md). */
#include "common/result.h"
#include "interval.h"
#include "ledger.h"
#include "writer.h"

static void json_cmp_side(FILE *f, const struct ct_snapshot *r, int w)
{
	const struct ct_compare *c = r->cmp;
	const struct ct_compare_sum *m = &r->cmp_sum;
	fprintf(f,
		"{\"throughput_gbps\": %.6f, \"p50_us\": %.3f, \"p99_us\": %.3f, \"runs_gbps\": [",
		m->gbps[w], m->p50[w], m->p99[w]);
	for (int i = 0; i < c->pairs; i++)
		fprintf(f, "%s%.6f", i ? ", " : "", c->gbps[w][i]);
	fprintf(f, "]}");
}

/* One function row; with a pid and comm when tracing a program. */
static void json_row(FILE *f, const struct ct_snapshot *r, const struct ledger_row *w)
{
	const struct ct_row_info *ri = &r->info[w->fn];
	fprintf(f, "{\"side\": ");
	json_str(f, r->label[w->side]);
	if (r->prog && snap_is_proc(r, w->side))
		fprintf(f, ", \"pid\": %u", r->procs[w->side].p.tgid);
	fprintf(f, ", \"name\": ");
	json_str(f, ri->name);
	fprintf(f, ", \"hook\": ");
	json_str(f, ri->hook);
	fprintf(f,
		", \"calls\": %llu, \"missed\": %llu, \"bytes\": %llu, \"ns\": %llu, "
		"\"timed_calls\": %llu, "
		"\"bytes_per_msg\": %.1f, \"mean_ns\": %.1f, \"share\": ",
		U(w->s->calls), U(w->s->missed), U(w->s->bytes), U(w->s->ns), U(w->s->timed),
		w->per_msg, w->mean_ns);
	if (w->share >= 0)
		fprintf(f, "%.4f", w->share);
	else
		fprintf(f, "null");
	fprintf(f, ", \"inferred\": %s", ri->inferred ? "true" : "false");
	if (w->fn == FN_ZC_CALLBACK)
		fprintf(f, ", \"zc_ids\": %llu, \"zc_copied_ids\": %llu", U(w->s->aux),
			U(w->s->aux2));
	if (w->fn == FN_IOU_NOTIF)
		fprintf(f, ", \"zc_copied_flagged\": %llu", U(w->s->aux));
	if (w->fn == FN_IOU_UBUF)
		fprintf(f, ", \"copied_skbs\": %llu", U(w->s->aux));
	if (w->fn == FN_ZC_LATENCY)
		fprintf(f, ", \"not_timed\": %llu, \"p50_ns_below\": %llu, \"p99_ns_below\": %llu",
			U(w->s->aux), U(log2_quantile(w->s->hist, 0.5)),
			U(log2_quantile(w->s->hist, 0.99)));
	if (w->fn == FN_SYS_IOU_ENTER)
		fprintf(f, ", \"waiting_calls\": %llu, \"waiting_ns\": %llu", U(w->s->aux),
			U(w->s->aux2));
	if (w->fn == FN_TCP_SENDMSG)
		fprintf(f, ", \"%s\": %llu", r->tracepoint ? "zerocopy_bytes" : "bytes_asked",
			U(w->s->aux));
	fprintf(f, ", \"hist_log2_ns\": [");
	int last = -1;
	for (int k = 0; k < CT_HIST_SLOTS; k++)
		if (w->s->hist[k])
			last = k;
	for (int k = 0; k <= last; k++)
		fprintf(f, "%s%llu", k ? ", " : "", U(w->s->hist[k]));
	fprintf(f, "]}");
}

/* The zero-copy completions object; what was not observed is null, with
 * the reason. */
static void json_zc(FILE *f, const struct ct_snapshot *r)
{
	const struct ct_zc_summary *z = &r->zc;
	fprintf(f, ",\n  \"zerocopy_completions\": ");
	if (!z->shown) {
		fprintf(f, "null");
		return;
	}
	fprintf(f, "{\"latency\": ");
	if (!z->lat_traced || !z->lat_timed)
		fprintf(f, "null, \"latency_why\": \"%s\"",
			!z->lat_traced ? "no completion hook on this kernel/backend"
				       : "no completion matched a send the tracer saw");
	else {
		fprintf(f,
			"{\"timed\": %llu, \"not_timed\": %llu, \"p50_ns_below\": %llu, "
			"\"p99_ns_below\": %llu, \"hist_log2_ns\": [",
			U(z->lat_timed), U(z->lat_untimed), U(z->lat_p50_ns), U(z->lat_p99_ns));
		int last = -1;
		for (int k = 0; k < CT_HIST_SLOTS; k++)
			if (z->lat_hist[k])
				last = k;
		for (int k = 0; k <= last; k++)
			fprintf(f, "%s%llu", k ? ", " : "", U(z->lat_hist[k]));
		fprintf(f, "]}");
	}
	fprintf(f, ", \"wait\": ");
	if (z->wait_known) {
		fprintf(f, "{\"ns\": %llu, \"waits\": %llu, \"share_of_sender\": ", U(z->wait_ns),
			U(z->waits));
		if (z->wait_share >= 0)
			fprintf(f, "%.4f, \"sender_s\": %.3f", z->wait_share, z->wait_base_s);
		else
			fprintf(f, "null, \"sender_s\": null");
		fprintf(f, "}");
	} else {
		fprintf(f, "null");
	}
	fprintf(f, ", \"wait_source\": ");
	json_str(f, z->wait_source);
	fprintf(f, "}");
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
	if (l->ktls_seen)
		fprintf(f, "\"ktls_sent_bytes\": %llu, \"ktls_received_bytes\": %llu, ",
			U(l->ktls_sent), U(l->ktls_received));
	else
		fprintf(f, "\"ktls_sent_bytes\": null, \"ktls_received_bytes\": null, ");
	if (l->tls_split)
		fprintf(f, "\"tls_copied_bytes\": %llu, ", U(l->tls_copied));
	else
		fprintf(f, "\"tls_copied_bytes\": null, ");
	if (l->tls_rx_split)
		fprintf(f, "\"tls_decrypt_copied_bytes\": %llu, ", U(l->tls_rx_copied));
	else
		fprintf(f, "\"tls_decrypt_copied_bytes\": null, ");
	fprintf(f, "\"messages\": %llu, \"per_message\": [", U(l->messages));
	for (int k = 0; k < LL_COUNT; k++)
		if (l->traced[k] && l->messages)
			fprintf(f, "%s%.1f", k ? ", " : "", l->bytes[k] / m);
		else
			fprintf(f, "%snull", k ? ", " : "");
	fprintf(f,
		"], \"send_copy_inferred\": %s, \"deferred_copy_inferred\": %s, "
		"\"tls_inferred\": %s",
		l->inferred[LL_SEND] ? "true" : "false",
		l->inferred[LL_DEFERRED] ? "true" : "false",
		l->inferred[LL_TLS_ENC] || l->inferred[LL_TLS_DEC] ? "true" : "false");
	int n = 0; /* --role: the lines that are the peer host's (null above) */
	for (int k = 0; k < LL_COUNT; k++)
		if (l->remote[k])
			fprintf(f, "%s\"%s\"", n++ ? ", " : ", \"not_on_this_host\": [",
				ledger_lines[k].key);
	fprintf(f, "%s}", n ? "]" : "");
}

static void json_processes(FILE *f, const struct ct_snapshot *r)
{
	fprintf(f, ",\n  \"processes\": [");
	for (int i = 0; i < r->nslots; i++) {
		int k = r->slots[i];
		const struct ct_proc *p = &r->procs[k].p;
		fprintf(f, "%s\n    {\"label\": ", i ? "," : "");
		json_str(f, r->label[k]);
		if (r->prog && snap_is_proc(r, k)) {
			fprintf(f, ", \"pid\": %u, \"ppid\": %u, \"comm\": ", p->tgid, p->ppid);
			json_str(f, p->comm);
			if (p->start_ns)
				fprintf(f, ", \"start_ns\": %llu", U(p->start_ns));
		}
		if (r->prog)
			fprintf(f, ", \"exited\": %s", r->procs[k].exited ? "true" : "false");
		if (r->procs[k].folded)
			fprintf(f, ", \"folded\": %llu", U(r->procs[k].folded));
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

static void json_conns(FILE *f, const struct ct_snapshot *r)
{
	fprintf(f, ",\n  \"connections\": [");
	for (int i = 0; i < r->nconns; i++) {
		const struct ct_sock *s = &r->conns[i].s;
		fprintf(f, "%s\n    {\"process\": ", i ? "," : "");
		json_str(f, r->label[r->conns[i].row]);
		fprintf(f, ", \"tuple\": ");
		json_str(f, r->conns[i].tuple);
		fprintf(f,
			", \"sent_bytes\": %llu, \"received_bytes\": %llu, \"splice_bytes\": %llu, "
			"\"recv_zerocopy_bytes\": %llu, \"retrans_bytes\": %llu}",
			U(s->col[CC_SENT]), U(s->col[CC_RECV]), U(s->col[CC_SPLICE]),
			U(s->col[CC_RECV_ZC]), U(s->col[CC_RETRANS]));
	}
	fprintf(f, "\n  ]");
}

static void json_fns(FILE *f, const struct tl_fn *v, int n, uint64_t tot)
{
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s{\"name\": ", i ? ", " : "");
		json_str(f, v[i].name);
		fprintf(f, ", \"samples\": %llu, \"share\": %.4f}", U(v[i].samples),
			tot ? (double)v[i].samples / tot : 0);
	}
}

/* Tracing a program: [{"process", "pid", "samples"}] of the slots with
 * samples in v (row < 0: all samples, else that row's). */
static void json_by_process(FILE *f, const struct ct_snapshot *r, const int *sl, int ns, int row)
{
	const struct time_ledger *tl = r->tl;
	int n = 0;
	fprintf(f, "[");
	for (int i = 0; i < ns; i++) {
		uint64_t s = row < 0 ? tl->total[sl[i]] : tl->rows[row][sl[i]];
		if (!s)
			continue;
		fprintf(f, "%s{\"process\": ", n++ ? ", " : "");
		json_str(f, r->tl_label[sl[i]]);
		if (r->tl_procs ? r->tl_pid[sl[i]] != 0
				: snap_is_proc(r, sl[i]) && r->procs[sl[i]].p.tgid)
			fprintf(f, ", \"pid\": %u",
				r->tl_procs ? r->tl_pid[sl[i]] : r->procs[sl[i]].p.tgid);
		fprintf(f, ", \"samples\": %llu}", U(s));
	}
	fprintf(f, "]");
}

static void time_json(FILE *f, const struct ct_snapshot *r)
{
	const struct prof_data *p = r->prof;
	const struct time_ledger *tl = r->tl;
	if (!p || !tl) {
		fprintf(f, ",\n  \"time_ledger\": null");
		return;
	}
	int prog = r->prog != NULL;
	const int *sl = r->tl_slots;
	int ns = r->ntl_slots;
	uint64_t tot = tl->total_all;
	fprintf(f,
		",\n  \"time_ledger\": {\"event\": \"cpu-clock\", \"freq_hz\": %u, \"period_ns\": "
		"%llu, "
		"\"samples\": %llu, ",
		p->freq_hz, U(tl->period_ns), U(tot));
	if (prog) {
		fprintf(f, "\"samples_by_process\": ");
		json_by_process(f, r, sl, ns, -1);
	} else {
		fprintf(f, "\"samples_by_side\": [%llu, %llu]", U(tl->total[0]), U(tl->total[1]));
	}
	fprintf(f,
		", \"irq_samples\": %llu, "
		"\"ksoftirqd_samples_not_kept\": %llu, \"samples_seen\": %llu, \"stacks_lost\": "
		"%llu, "
		"\"map_full\": %llu, \"min_samples\": %d, ",
		U(tl->irq_all), U(p->stats[PS_KSOFTIRQD]), U(p->stats[PS_SEEN]),
		U(p->stats[PS_STACK_LOST]), U(p->stats[PS_MAP_FULL]), TL_MIN_SAMPLES);
	const struct prof_sideband *b = &p->sb;
	fprintf(f,
		"\"sideband\": {\"records\": %llu, \"kept\": %llu, \"lost\": %llu, \"processes\": "
		"%llu, "
		"\"images\": %llu, \"mappings\": %llu, \"dropped\": %llu, \"files_refused\": "
		"%llu}, "
		"\"cycles\": ",
		U(b->records), U(b->kept), U(b->lost), U(b->procs), U(b->images), U(b->maps),
		U(b->dropped), U(b->files_refused));
	if (p->cycles)
		fprintf(f, "true");
	else
		json_str(f, p->cycles_why); /* why not: never a 0 as if measured */
	fprintf(f, ",\n    \"rows\": [");
	for (int k = 0; k < TL_COUNT; k++) {
		uint64_t s = tl->row_all[k];
		fprintf(f, "%s\n      {\"key\": \"%s\", \"label\": ", k ? "," : "", tl_rows[k].key);
		json_str(f, tl_rows[k].label);
		fprintf(f, ", \"copy\": %s, \"samples\": %llu, ",
			tl_rows[k].copy ? "true" : "false", U(s));
		if (prog) {
			fprintf(f, "\"samples_by_process\": ");
			json_by_process(f, r, sl, ns, k);
			fprintf(f, ", \"ms\": %.3f", s * tl->period_ns / 1e6);
		} else {
			fprintf(f, "\"samples_by_side\": [%llu, %llu], \"ns_per_msg\": %.1f",
				U(tl->rows[k][0]), U(tl->rows[k][1]), snap_ns_per_msg(r, s));
		}
		fprintf(f, ", \"share\": %.4f, \"rel_error\": %.3f, \"few_samples\": %s}",
			tot ? (double)s / tot : 0, tl_rel_err(s),
			s < TL_MIN_SAMPLES ? "true" : "false");
	}
	fprintf(f, "],\n    \"other_copy_callers\": [");
	json_fns(f, tl->other, tl->nother, tot);
	fprintf(f, "],\n    \"top_self\": [");
	json_fns(f, tl->self, tl->nself, tot);
	fprintf(f, "]}");
}

static void cost_json(FILE *f, const struct ct_snapshot *r)
{
	const struct selfcost *s = r->cost;
	fprintf(f, ",\n  \"bpf_stats\": ");
	if (!s) {
		fprintf(f, "null");
		return;
	}
	double msgs = (double)r->ledger.messages, cpu = r->traced_cpu_ns;
	const uint64_t *ns = r->cost_ns, *calls = r->cost_runs;
	fprintf(f,
		"{\"tracer_ns\": %llu, \"tracer_runs\": %llu, \"profiler_ns\": %llu, "
		"\"profiler_runs\": %llu, \"traced_cpu_ns\": ",
		U(ns[0]), U(calls[0]), U(ns[1]), U(calls[1]));
	if (cpu)
		fprintf(f, "%.0f", cpu);
	else
		fprintf(f, "null");
	fprintf(f, ", \"tracer_ns_per_msg\": ");
	if (msgs)
		fprintf(f, "%.1f", ns[0] / msgs);
	else
		fprintf(f, "null");
	fprintf(f, ", \"programs\": [");
	const int *v = r->cost_order;
	int n = r->ncost;
	for (int i = 0; i < n; i++) {
		const struct sc_prog *p = &s->p[v[i]];
		fprintf(f, "%s{\"name\": ", i ? ", " : "");
		json_str(f, p->name);
		fprintf(f, ", \"profiler\": %s, \"runs\": %llu, \"ns\": %llu}",
			p->profiler ? "true" : "false", U(p->calls), U(p->ns));
	}
	fprintf(f, "]}");
}

static int json_write(FILE *f, const struct ct_snapshot *r)
{
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
		fprintf(f,
			", \"processes_in_others\": %llu, \"processes_seen\": %llu, "
			"\"processes_exited\": %llu}, \"backend\": \"%s\", \"kernel\": ",
			r->overflow, U(r->procs_seen), U(r->procs_exited), r->backend);
	} else {
		fprintf(f,
			"{\n  \"impl\": \"%s\", \"size\": %zu, \"threads\": %d, \"net\": \"%s\", "
			"\"mode\": \"%s\", \"backend\": \"%s\", \"kernel\": ",
			r->impl, r->size, r->threads, r->net, r->mode, r->backend);
	}
	json_str(f, r->kernel);
	if (!r->prog && r->host_role) { /* one side here; who its peer was */
		fprintf(f, ", \"role\": \"%s\", \"peer\": ",
			r->host_role == HOST_SERVER ? "server" : "client");
		json_str(f, r->peer);
	}
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
	for (int i = 0; i < r->nnotes; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_str(f, r->notes[i]);
	}
	fprintf(f, "],\n  \"ledger\": ");
	json_ledger(f, &r->ledger);
	json_zc(f, r);
	if (r->prog) /* with --impl, the functions' "side" already splits them */
		json_processes(f, r);
	if (r->per_conn)
		json_conns(f, r);
	if (r->cmp && r->cmp->pairs) {
		const struct ct_compare_sum *c = &r->cmp_sum;
		fprintf(f, ",\n  \"compare\": {\"pairs\": %d, \"untraced\": ", r->cmp->pairs);
		json_cmp_side(f, r, 0);
		fprintf(f, ", \"traced\": ");
		json_cmp_side(f, r, 1);
		fprintf(f,
			", \"overhead_pct\": %.3f, \"overhead_spread_pct\": [%.3f, %.3f], "
			"\"latency_p50_overhead_pct\": %.3f}",
			c->pct, c->lo, c->hi, c->lat_pct);
	}
	time_json(f, r);
	cost_json(f, r);
	fprintf(f, "\n}\n");
	return ferror(f) ? -1 : 0;
}

const struct report_writer writer_json = { "json", json_write, interval_json };
