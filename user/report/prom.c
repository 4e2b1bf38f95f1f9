// SPDX-License-Identifier: GPL-2.0-only
/* The Prometheus exposition of a snapshot of a running trace (--exporter):
 * the text format 0.0.4, or OpenMetrics 1.0 when the scraper asks for it.
 * Counters only, in base units (bytes, seconds), every family with HELP
 * and TYPE; a series per traced process (comm, pid) or, --by comm, per
 * name; processes gone longer than the grace period are left out, so the
 * label set stays bounded by the tracer's 32 slots. */
#include <string.h>

#include "writer.h"

/* Label value escaping, the same in both formats: \ " and newline.
 * Names come cleaned (text.h) in the snapshot's labels. */
static void label_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

/* The series' process labels: comm and pid ("others": the processes
 * beyond the slots). A slot's label is "PID/comm" (cleaned). */
static void proc_labels(FILE *f, const struct ct_snapshot *s, int k)
{
	const char *lab = s->label[k], *slash = strchr(lab, '/');
	fputs("comm=\"", f);
	label_value(f, slash && snap_is_proc(s, k) ? slash + 1 : lab);
	fputc('"', f);
	if (!s->by_comm) {
		fputs(",pid=\"", f);
		if (snap_is_proc(s, k) && s->procs[k].p.tgid)
			fprintf(f, "%u", s->procs[k].p.tgid);
		fputc('"', f);
	}
}

static void family(FILE *f, int om, const char *name, const char *help)
{
	/* OpenMetrics names the counter family without _total */
	size_t n = strlen(name) - (om ? strlen("_total") : 0);
	fprintf(f, "# HELP %.*s %s\n# TYPE %.*s counter\n", (int)n, name, help, (int)n, name);
}

/* The slots a series is written for: shown, and with --by comm the first
 * slot of each name (the others are summed into it). */
static int first_of_comm(const struct ct_snapshot *s, int k)
{
	const char *a = strchr(s->label[k], '/');
	for (int i = 0; i < s->nslots && s->slots[i] != k; i++) {
		int j = s->slots[i];
		const char *b = strchr(s->label[j], '/');
		if (!s->hidden[j] && snap_is_proc(s, j) && snap_is_proc(s, k) && a && b &&
		    !strcmp(a, b))
			return 0;
	}
	return 1;
}

static int same_group(const struct ct_snapshot *s, int k, int j)
{
	if (!s->by_comm || !snap_is_proc(s, k) || !snap_is_proc(s, j))
		return k == j;
	const char *a = strchr(s->label[k], '/'), *b = strchr(s->label[j], '/');
	return a && b && !strcmp(a, b);
}

/* A ledger line of slot k's group. */
static uint64_t group_line(const struct ct_snapshot *s, int k, int line)
{
	uint64_t v = 0;
	for (int i = 0; i < s->nslots; i++) {
		int j = s->slots[i];
		if (!s->hidden[j] && same_group(s, k, j))
			v += line == LL_COUNT	       ? s->slot_ledger[j].sent
				: line == LL_COUNT + 1 ? s->slot_ledger[j].received
						       : s->slot_ledger[j].bytes[line];
	}
	return v;
}

static int listed(const struct ct_snapshot *s, int k)
{
	return !s->hidden[k] && (!s->by_comm || first_of_comm(s, k));
}

static void ledger_family(FILE *f, const struct ct_snapshot *s, int om, const char *name,
			  const char *help, const int *lines, const char *const *names, int n)
{
	family(f, om, name, help);
	for (int i = 0; i < s->nslots; i++) {
		int k = s->slots[i];
		if (!listed(s, k))
			continue;
		for (int l = 0; l < n; l++) {
			if (lines[l] < LL_COUNT && !s->ledger.traced[lines[l]])
				continue; /* an untraced line is no measured 0 */
			fprintf(f, "%s{", name);
			if (names)
				fprintf(f, "line=\"%s\",", names[l]);
			proc_labels(f, s, k);
			fprintf(f, "} %llu\n", U(group_line(s, k, lines[l])));
		}
	}
}

static void function_families(FILE *f, const struct ct_snapshot *s, int om)
{
	const char *name[2] = { "copytrace_function_calls_total",
				"copytrace_function_bytes_total" };
	const char *help[2] = {
		"Calls of a traced kernel function (or inferred row), by the hook that saw them.",
		"Bytes a traced kernel function handled (copied, pinned, sent or received, by row)."
	};
	for (int c = 0; c < 2; c++) {
		family(f, om, name[c], help[c]);
		for (int i = 0; i < s->nslots; i++) {
			int k = s->slots[i];
			if (!listed(s, k))
				continue;
			for (int fn = 0; fn < FN_COUNT; fn++) {
				if (!s->info[fn].present)
					continue;
				uint64_t v = 0;
				for (int m = 0; m < s->nslots; m++) {
					int j = s->slots[m];
					if (!s->hidden[j] && same_group(s, k, j))
						v += c ? snap_stat(s, j, fn)->bytes
						       : snap_stat(s, j, fn)->calls;
				}
				if (!v)
					continue;
				fprintf(f, "%s{function=\"", name[c]);
				label_value(f, s->info[fn].name);
				fputs("\",", f);
				proc_labels(f, s, k);
				fprintf(f, "} %llu\n", U(v));
			}
		}
	}
}

/* Zerocopy completions: MSG_ZEROCOPY ids and io_uring notifications,
 * each with how many the kernel had to copy. Host totals. */
static void zc_family(FILE *f, const struct ct_snapshot *s, int om)
{
	uint64_t ids = 0, ids_copied = 0, notif = 0, notif_copied = 0;
	{ /* every process's, exited ones too: host counters never go down */
		ids += s->total[FN_ZC_CALLBACK].aux;
		ids_copied += s->total[FN_ZC_CALLBACK].aux2;
		notif += s->total[FN_IOU_NOTIF].calls;
		notif_copied += s->total[FN_IOU_NOTIF].aux;
	}
	const char *n = "copytrace_zerocopy_notifications_total";
	family(f, om, n,
	       "Zero-copy completions (MSG_ZEROCOPY ids, io_uring notifications); copied=\"true\": "
	       "the kernel copied the pages after all.");
	if (s->info[FN_ZC_CALLBACK].present)
		fprintf(f,
			"%s{api=\"msg_zerocopy\",copied=\"false\"} "
			"%llu\n%s{api=\"msg_zerocopy\",copied=\"true\"} %llu\n",
			n, U(ids - ids_copied), n, U(ids_copied));
	if (s->info[FN_IOU_NOTIF].present)
		fprintf(f,
			"%s{api=\"io_uring\",copied=\"false\"} "
			"%llu\n%s{api=\"io_uring\",copied=\"true\"} %llu\n",
			n, U(notif - notif_copied), n, U(notif_copied));
}

/* One series per tracer program (every loaded one, so its series exist
 * before it first runs): its run time, or its runs. Program names are
 * the tracer's own. */
static void program_series(FILE *f, const struct selfcost *c, const char *name, int runs)
{
	for (int i = 0; i < c->n; i++) {
		if (c->p[i].profiler)
			continue;
		fprintf(f, "%s{program=\"", name);
		label_value(f, c->p[i].name);
		if (runs)
			fprintf(f, "\"} %llu\n", U(c->p[i].calls));
		else
			fprintf(f, "\"} %.9f\n", (double)c->p[i].ns / 1e9);
	}
}

/* --bpf-stats: the tracer's BPF run time, in all and by program. */
static void bpf_families(FILE *f, const struct ct_snapshot *s, int om)
{
	family(f, om, "copytrace_bpf_run_seconds_total",
	       "Time the tracer's BPF programs ran (kernel BPF statistics, --bpf-stats).");
	fprintf(f, "copytrace_bpf_run_seconds_total %.9f\n", (double)s->cost_ns[0] / 1e9);
	family(f, om, "copytrace_bpf_program_run_seconds_total",
	       "Time each of the tracer's BPF programs ran (kernel BPF statistics, "
	       "--bpf-stats); the dispatch around a run is not in it.");
	program_series(f, s->cost, "copytrace_bpf_program_run_seconds_total", 0);
	family(f, om, "copytrace_bpf_program_runs_total",
	       "Times each of the tracer's BPF programs ran (--bpf-stats).");
	program_series(f, s->cost, "copytrace_bpf_program_runs_total", 1);
}

static int prom_any(FILE *f, const struct ct_snapshot *s, int om)
{
	static const int copied[] = {
		LL_SEND, LL_RECV, LL_USER, LL_DEFERRED, LL_TLS_ENC, LL_TLS_DEC
	};
	static const char *const copied_n[] = { "send_copy",	 "recv_copy",	"user_copy",
						"deferred_copy", "tls_encrypt", "tls_decrypt" };
	static const int refd[] = { LL_PINNED, LL_SPLICE, LL_SPLICE_OUT, LL_RECV_ZC };
	static const char *const refd_n[] = { "pinned", "splice", "splice_out", "recv_mapped" };
	static const int sent[] = { LL_COUNT }, recvd[] = { LL_COUNT + 1 };
	ledger_family(f, s, om, "copytrace_copied_bytes_total",
		      "Bytes the CPU copied for TCP, by ledger line: send_copy user->skb, "
		      "recv_copy skb->user, user_copy a user-space gather, deferred_copy zerocopy "
		      "pages copied later, tls_encrypt/tls_decrypt kTLS's transforms (plaintext "
		      "read, new buffers written).",
		      copied, copied_n, 6);
	ledger_family(f, s, om, "copytrace_referenced_bytes_total",
		      "Bytes moved by reference, not copied: pinned (zerocopy send), splice "
		      "(sendfile/splice in), splice_out, recv_mapped (TCP_ZEROCOPY_RECEIVE).",
		      refd, refd_n, 4);
	ledger_family(
		f, s, om, "copytrace_sent_bytes_total",
		"Bytes the traced processes sent on TCP sockets (send calls, sendfile and splice).",
		sent, NULL, 1);
	ledger_family(f, s, om, "copytrace_received_bytes_total",
		      "Bytes the traced processes received from TCP sockets (receive calls, "
		      "mapped, spliced out).",
		      recvd, NULL, 1);
	function_families(f, s, om);
	zc_family(f, s, om);
	family(f, om, "copytrace_dropped_events_total",
	       "Events the tracer did not see: calls whose exit was missed, runs skipped by BPF "
	       "recursion protection.");
	fprintf(f, "copytrace_dropped_events_total %llu\n", U(s->dropped_events));
	if (s->cost)
		bpf_families(f, s, om);
	if (om)
		fputs("# EOF\n", f);
	return ferror(f) ? -1 : 0;
}

static int prom_write(FILE *f, const struct ct_snapshot *s)
{
	return prom_any(f, s, 0);
}

static int om_write(FILE *f, const struct ct_snapshot *s)
{
	return prom_any(f, s, 1);
}

const struct report_writer writer_prom = { "prometheus", prom_write, NULL };
const struct report_writer writer_openmetrics = { "openmetrics", om_write, NULL };
