// SPDX-License-Identifier: GPL-2.0-only
/* One --interval of a running trace in each --format: the ledger and the
 * function rows of that interval (its bytes, not running totals), per
 * process, with the interval's time. table and csv print a block per
 * interval; json one object per line (JSON Lines). */
#include "interval.h"

#include <string.h>
#include <time.h>

#include "common/result.h"
#include "csvtext.h"

/* "2026-12-02T06:10:05.000Z" of a CLOCK_REALTIME time. */
static void iso_time(char *b, size_t n, double t)
{
	time_t s = (time_t)t;
	struct tm tm;
	gmtime_r(&s, &tm);
	size_t w = strftime(b, n, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(b + w, n - w, ".%03dZ", (int)((t - (double)s) * 1000) % 1000);
}

/* A slot is shown when its process did TCP work in the interval, or
 * appeared or exited in it. */
static int shown(const struct ct_snapshot *s, int k)
{
	for (int i = 0; i < s->nslots; i++)
		if (s->slots[i] == k)
			return 1;
	return s->procs[k].p.tgid && s->state[k] != PS_RUNNING;
}

/* The slot's ledger of the interval: zero for a process that only
 * appeared or exited (ledger_build computes active slots only). */
static struct ct_ledger slot_ledger(const struct ct_snapshot *s, int k)
{
	for (int i = 0; i < s->nslots; i++)
		if (s->slots[i] == k)
			return s->slot_ledger[k];
	struct ct_ledger l;
	memset(&l, 0, sizeof(l));
	memcpy(l.traced, s->ledger.traced, sizeof(l.traced));
	return l;
}

/* --- table ------------------------------------------------------------ */

static void table_ledger(FILE *f, const char *who, const char *state, const struct ct_ledger *l)
{
	fprintf(f, "  %-22.22s %-10s %14llu %14llu", who, state, U(l->sent), U(l->received));
	for (int k = 0; k < LL_COUNT; k++)
		if (l->traced[k])
			fprintf(f, " %14llu", U(l->bytes[k]));
		else
			fprintf(f, " %14s", "-");
	fputc('\n', f);
}

int interval_table(FILE *f, const struct ct_snapshot *s)
{
	static const char *const head[LL_COUNT] = { "user copy",     "send copy",  "pinned",
						    "deferred copy", "recv copy",  "splice",
						    "recv mapped",   "splice out", "tls encrypt",
						    "tls decrypt" };
	char a[40], b[40];
	iso_time(a, sizeof(a), s->iv->start);
	iso_time(b, sizeof(b), s->iv->end);
	fprintf(f, "interval %ld  %s .. %s  (%.3f s)%s\n", s->iv->index, a, b + 11,
		s->iv->end - s->iv->start, s->iv->last ? "  last, the trace ended" : "");
	fprintf(f, "  %-22s %-10s %14s %14s", "process", "state", "sent B", "received B");
	for (int k = 0; k < LL_COUNT; k++)
		fprintf(f, " %14s", head[k]);
	fputc('\n', f);
	for (int k = 0; k < s->nrow; k++)
		if (shown(s, k)) {
			struct ct_ledger l = slot_ledger(s, k);
			table_ledger(f, s->label[k], proc_state_names[s->state[k]], &l);
		}
	table_ledger(f, "total", "", &s->ledger);
	for (int i = 0; i < s->nrows; i++) {
		const struct ledger_row *w = &s->rows[i];
		fprintf(f, "    %-22.22s %-28.28s %-44.44s %10llu calls %14llu B\n",
			s->label[w->side], s->info[w->fn].name, s->info[w->fn].hook, U(w->s->calls),
			U(w->s->bytes));
	}
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}

/* --- json ------------------------------------------------------------- */

static void json_ledger_line(FILE *f, const struct ct_ledger *l)
{
	fputc('{', f);
	for (int k = 0; k < LL_COUNT; k++)
		if (l->traced[k])
			fprintf(f, "\"%s\": %llu, ", ledger_lines[k].key, U(l->bytes[k]));
		else
			fprintf(f, "\"%s\": null, ", ledger_lines[k].key);
	fprintf(f, "\"sent_bytes\": %llu, \"received_bytes\": %llu}", U(l->sent), U(l->received));
}

int interval_json(FILE *f, const struct ct_snapshot *s)
{
	char t[40];
	iso_time(t, sizeof(t), s->iv->end);
	fprintf(f,
		"{\"interval\": %ld, \"time\": \"%s\", \"start\": %.6f, \"end\": %.6f, "
		"\"seconds\": %.6f, \"last\": %s, \"backend\": \"%s\", \"ledger\": ",
		s->iv->index, t, s->iv->start, s->iv->end, s->iv->end - s->iv->start,
		s->iv->last ? "true" : "false", s->backend);
	json_ledger_line(f, &s->ledger);
	fputs(", \"processes\": [", f);
	int n = 0;
	for (int k = 0; k < s->nrow; k++) {
		if (!shown(s, k))
			continue;
		struct ct_ledger l = slot_ledger(s, k);
		fprintf(f, "%s{\"label\": ", n++ ? ", " : "");
		json_str(f, s->label[k]);
		if (snap_is_proc(s, k) && s->procs[k].p.tgid)
			fprintf(f, ", \"pid\": %u", s->procs[k].p.tgid);
		fprintf(f, ", \"state\": \"%s\", \"ledger\": ", proc_state_names[s->state[k]]);
		json_ledger_line(f, &l);
		fputs(", \"functions\": [", f);
		int m = 0;
		for (int i = 0; i < s->nrows; i++) {
			const struct ledger_row *w = &s->rows[i];
			if (w->side != k)
				continue;
			fprintf(f, "%s{\"name\": ", m++ ? ", " : "");
			json_str(f, s->info[w->fn].name);
			fputs(", \"hook\": ", f);
			json_str(f, s->info[w->fn].hook);
			fprintf(f, ", \"calls\": %llu, \"bytes\": %llu, \"ns\": %llu}",
				U(w->s->calls), U(w->s->bytes), U(w->s->ns));
		}
		fputs("]}", f);
	}
	fputs("]}\n", f);
	return ferror(f) ? -1 : 0;
}

/* --- csv -------------------------------------------------------------- */

static void csv_head(FILE *f, const struct ct_snapshot *s, int k, const char *sec)
{
	char t[40], who[CT_LABEL * 2];
	iso_time(t, sizeof(t), s->iv->end);
	csv_text(who, sizeof(who), k < 0 ? "total" : s->label[k], 0);
	fprintf(f, "%ld,%s,%.6f,%s,", s->iv->index, t, s->iv->end - s->iv->start, who);
	if (k >= 0 && snap_is_proc(s, k) && s->procs[k].p.tgid)
		fprintf(f, "%u", s->procs[k].p.tgid);
	fprintf(f, ",%s,%s,", k < 0 ? "" : proc_state_names[s->state[k]], sec);
}

static void csv_ledger(FILE *f, const struct ct_snapshot *s, int k, const struct ct_ledger *l)
{
	for (int i = 0; i < LL_COUNT; i++) {
		csv_head(f, s, k, "ledger");
		if (l->traced[i])
			fprintf(f, "%s,,,%llu\n", ledger_lines[i].key, U(l->bytes[i]));
		else
			fprintf(f, "%s,,,\n", ledger_lines[i].key);
	}
	csv_head(f, s, k, "ledger");
	fprintf(f, "sent_bytes,,,%llu\n", U(l->sent));
	csv_head(f, s, k, "ledger");
	fprintf(f, "received_bytes,,,%llu\n", U(l->received));
}

int interval_csv(FILE *f, const struct ct_snapshot *s)
{
	if (s->iv->index == 1)
		fputs("interval,time,seconds,process,pid,state,section,name,hook,calls,bytes\n", f);
	for (int k = 0; k < s->nrow; k++)
		if (shown(s, k)) {
			struct ct_ledger l = slot_ledger(s, k);
			csv_ledger(f, s, k, &l);
		}
	csv_ledger(f, s, -1, &s->ledger);
	for (int i = 0; i < s->nrows; i++) {
		const struct ledger_row *w = &s->rows[i];
		char hook[2 * sizeof(s->info[0].hook)];
		csv_head(f, s, w->side, "function");
		fprintf(f, "%s,%s,%llu,%llu\n", s->info[w->fn].name,
			csv_text(hook, sizeof(hook), s->info[w->fn].hook, 0), U(w->s->calls),
			U(w->s->bytes));
	}
	return ferror(f) ? -1 : 0;
}
