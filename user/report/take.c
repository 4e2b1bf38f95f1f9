// SPDX-License-Identifier: GPL-2.0-only
/* Taking the snapshot of a finished run (take.h). */
#include "take.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "common/opts.h"
#include "common/text.h"
#include "ledger.h"
#include "trace/tracer.h"

static void addr_str(const __u32 *a, char *buf, size_t n)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (!memcmp(a, mapped, sizeof(mapped)))
		inet_ntop(AF_INET, &a[3], buf, (socklen_t)n);
	else
		inet_ntop(AF_INET6, a, buf, (socklen_t)n);
}

/* "local:port -> remote:port", IPv4-mapped addresses as IPv4. */
static void tuple_str(const struct ct_tuple *t, char *buf, size_t n)
{
	char l[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];
	addr_str(t->laddr, l, sizeof(l));
	addr_str(t->raddr, r, sizeof(r));
	snprintf(buf, n, "%s:%u -> %s:%u", l, t->lport, r, t->rport);
}

/* What slot is called in the report: "sender"/"receiver" with --impl,
 * else "PID/comm" (or "others"). */
static void labels(struct ct_snapshot *s)
{
	for (int k = 0; k < s->nrow; k++) {
		char *b = s->label[k];
		if (!s->prog)
			snprintf(b, CT_LABEL, "%s",
				 k == CT_SERVER		  ? "sender"
					 : k == CT_CLIENT ? "receiver"
							  : "other");
		else if (k == CT_SLOT_OTHERS)
			snprintf(b, CT_LABEL, "others");
		else if (k == CT_SLOT_LATE)
			snprintf(b, CT_LABEL, "sockets of exited processes");
		else if (s->procs[k].folded)
			snprintf(b, CT_LABEL, "exited processes (%llu)", U(s->procs[k].folded));
		else if (k < CT_NSLOTS && !s->procs[k].p.tgid)
			snprintf(b, CT_LABEL, "free slot %d", k); /* its processes' rows follow */
		else {
			/* a process's name is its own: cleaned (text.h) */
			char comm[sizeof(s->procs[k].p.comm) + 1], c[4 * sizeof(comm)];
			snprintf(comm, sizeof(comm), "%.*s", (int)sizeof(s->procs[k].p.comm),
				 s->procs[k].p.comm);
			snprintf(b, CT_LABEL, "%u/%s", s->procs[k].p.tgid,
				 text_clean(c, sizeof(c), comm));
		}
	}
}

/* What each time-ledger row is called: a side or a slot's label, or,
 * when its rows are processes, the label of that process's row in the
 * byte ledger (its slot, or its exited row), else the profiler's own
 * "comm/pid"; the last row holds the rest. */
static void tl_labels(struct ct_snapshot *s)
{
	for (int i = 0; i < CT_NSLOTS; i++) {
		char *b = s->tl_label[i];
		if (!s->tl_procs) {
			snprintf(b, CT_LABEL, "%s", i < s->nrow ? s->label[i] : "");
			continue;
		}
		uint32_t pid = s->tl_pid[i];
		if (!pid) {
			snprintf(b, CT_LABEL, "other processes");
			continue;
		}
		int k = -1;
		for (int j = 0; j < s->nrow; j++) /* the newest row of that pid */
			if (snap_is_proc(s, j) && s->procs[j].p.tgid == pid &&
			    (k < 0 || s->procs[j].p.start_ns >= s->procs[k].p.start_ns))
				k = j;
		if (k >= 0) {
			snprintf(b, CT_LABEL, "%s", s->label[k]);
			continue;
		}
		const char *root = NULL;
		for (int j = 0; s->prof && j < s->prof->n && !root; j++)
			if (s->prof->st[j].pid == pid)
				root = s->prof->st[j].root;
		snprintf(b, CT_LABEL, "%s", root ? root : "?");
	}
}

/* The slots with samples, most first (tracing a program: its processes). */
static void tl_order(struct ct_snapshot *s)
{
	const struct time_ledger *tl = s->tl;
	int *v = s->tl_slots, n = 0;
	for (int k = 0; tl && k < CT_NSLOTS; k++)
		if (tl->total[k])
			v[n++] = k;
	for (int i = 1; i < n; i++) /* insertion sort: at most 32 */
		for (int j = i; j > 0 && tl->total[v[j]] > tl->total[v[j - 1]]; j--) {
			int t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	s->ntl_slots = n;
}

/* --bpf-stats: the sums, the programs that ran by time, and the traced
 * CPU time they are a share of (the run's rusage with --impl; the
 * profiler's samples tracing a program, when it is on). */
static void cost_sums(struct ct_snapshot *s)
{
	const struct selfcost *c = s->cost;
	if (!c)
		return;
	int *v = s->cost_order, n = 0;
	memset(s->cost_ns, 0, sizeof(s->cost_ns)); /* a live take is derived again */
	memset(s->cost_runs, 0, sizeof(s->cost_runs));
	for (int i = 0; i < c->n; i++) {
		s->cost_ns[!!c->p[i].profiler] += c->p[i].ns;
		s->cost_runs[!!c->p[i].profiler] += c->p[i].calls;
		if (c->p[i].calls)
			v[n++] = i;
	}
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && c->p[v[j]].ns > c->p[v[j - 1]].ns; j--) {
			int t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	s->ncost = n;
	if (s->run)
		s->traced_cpu_ns = 1e9 *
			(s->run->server.cpu_user_s + s->run->server.cpu_sys_s +
			 s->run->client.cpu_user_s + s->run->client.cpu_sys_s);
	else if (s->prof && s->prof->enabled)
		s->traced_cpu_ns = (double)s->prof->stats[PS_KEPT] * (double)s->prof->period_ns;
}

void snapshot_derive(struct ct_snapshot *s, const struct ct_opts *o)
{
	s->impl = impl_name(o->impl);
	s->net = net_name(o->net);
	s->mode = mode_name(o->mode);
	s->impl_id = o->impl;
	s->size = o->size;
	s->threads = o->threads;
	s->per_conn = o->per_conn;
	s->host_role = o->host_role;
	if (s->run && o->host_role) {
		const struct side_result *me =
			o->host_role == HOST_SERVER ? &s->run->server : &s->run->client;
		snprintf(s->peer, sizeof(s->peer), "%s", me->peer[0] ? me->peer : "none");
	}
	for (int f = 0; f < FN_COUNT; f++)
		s->info[f].name = row_name(f);
	labels(s);
	if (s->prog) { /* the command line or path is the user's or the program's */
		s->prog_clean = *s->prog;
		text_clean(s->prog_clean.what, sizeof(s->prog_clean.what), s->prog->what);
		s->prog = &s->prog_clean;
	}
	s->top = o->top;
	for (int i = 0; i < s->nconns; i++) {
		struct ct_conn *c = &s->conns[i];
		tuple_str(&c->s.t, c->tuple, sizeof(c->tuple));
		/* the process that marked it: the slot's process of that
		 * generation, alive or exited (folded: the others' row) */
		c->row = c->s.slot < CT_NSLOTS ? (int)c->s.slot : CT_SLOT_OTHERS;
		int found = !s->prog || c->row >= CT_SLOT_LATE;
		for (int k = 0; k < s->nrow && !found; k++)
			if (s->procs[k].slot == c->s.slot && s->procs[k].gen == c->s.gen &&
			    !s->procs[k].folded && (k < CT_NSLOTS ? s->procs[k].p.tgid != 0 : 1)) {
				c->row = k;
				found = 1;
			}
		if (!found)
			c->row = CT_SLOT_LATE;
	}
	ledger_build(s);
	tl_order(s);
	tl_labels(s);
	if (s->prof && s->prog)
		snprintf(s->fg_title, sizeof(s->fg_title),
			 "copytrace %s %.80s: CPU samples of the "
			 "traced processes (%u Hz)",
			 s->prog->mode, s->prog->what, s->prof->freq_hz);
	else if (s->prof)
		snprintf(s->fg_title, sizeof(s->fg_title),
			 "copytrace %s %zu B %s: CPU samples of "
			 "the traced tasks (%u Hz)",
			 s->impl, s->size, s->net, s->prof->freq_hz);
	cost_sums(s);
}

const char *const proc_state_names[4] = { "running", "new", "exited", "new+exited" };

int snapshot_rows(struct ct_snapshot *s, int nrow)
{
	snapshot_free(s);
	size_t n = (size_t)nrow;
	s->nrow = nrow;
	s->stats = calloc(n * FN_COUNT, sizeof(*s->stats));
	s->procs = calloc(n, sizeof(*s->procs));
	s->alive = calloc(n, 1);
	s->state = calloc(n, 1);
	s->hidden = calloc(n, 1);
	s->label = calloc(n, sizeof(*s->label));
	s->rows = calloc(n * FN_COUNT, sizeof(*s->rows));
	s->slot_ledger = calloc(n, sizeof(*s->slot_ledger));
	s->slots = calloc(n, sizeof(*s->slots));
	if (!s->stats || !s->procs || !s->alive || !s->state || !s->hidden || !s->label ||
	    !s->rows || !s->slot_ledger || !s->slots) {
		snapshot_free(s);
		return -1;
	}
	return 0;
}

/* Adopts one read of the tracer's rows (tracer_read_rows). */
static int adopt_rows(struct ct_snapshot *s, int n, struct ct_stat *st, struct ct_proc_info *pi)
{
	if (n < 0 || snapshot_rows(s, n)) {
		free(st);
		free(pi);
		return -1;
	}
	free(s->stats);
	free(s->procs);
	s->stats = st;
	s->procs = pi;
	return 0;
}

/* One array of rows grown from n to m elements of size sz, the new ones
 * zeroed; on failure it stays as it was. */
static int grow(void *pp, size_t n, size_t m, size_t sz)
{
	void **p = pp;
	char *q = realloc(*p, m * sz);
	if (!q)
		return -1;
	memset(q + n * sz, 0, (m - n) * sz);
	*p = q;
	return 0;
}

int snapshot_grow(struct ct_snapshot *s, int extra)
{
	size_t n = (size_t)s->nrow, m = n + (size_t)extra;
	if (grow(&s->stats, n * FN_COUNT, m * FN_COUNT, sizeof(*s->stats)) ||
	    grow(&s->procs, n, m, sizeof(*s->procs)) || grow(&s->alive, n, m, 1) ||
	    grow(&s->state, n, m, 1) || grow(&s->hidden, n, m, 1) ||
	    grow(&s->label, n, m, sizeof(*s->label)) ||
	    grow(&s->rows, n * FN_COUNT, m * FN_COUNT, sizeof(*s->rows)) ||
	    grow(&s->slot_ledger, n, m, sizeof(*s->slot_ledger)) ||
	    grow(&s->slots, n, m, sizeof(*s->slots)))
		return -1;
	s->nrow = (int)m;
	return 0; /* the function table's rows pointed into stats: derive again */
}

int snapshot_same_proc(const struct ct_snapshot *x, int a, const struct ct_snapshot *y, int b)
{
	const struct ct_proc_info *p = &x->procs[a], *q = &y->procs[b];
	return p->p.tgid && p->p.tgid == q->p.tgid && p->slot == q->slot && p->gen == q->gen &&
		!p->folded && !q->folded;
}

void snapshot_copy(struct ct_snapshot *d, const struct ct_snapshot *s)
{
	if (d == s)
		return;
	snapshot_free(d);
	struct ct_snapshot keep = *s;
	keep.conns = NULL;
	keep.nconns = 0;
	if (snapshot_rows(d, s->nrow)) {
		snapshot_free(d);
		return;
	}
	size_t n = (size_t)s->nrow;
	memcpy(d->stats, s->stats, n * FN_COUNT * sizeof(*s->stats));
	memcpy(d->procs, s->procs, n * sizeof(*s->procs));
	memcpy(d->alive, s->alive, n);
	memcpy(d->state, s->state, n);
	memcpy(d->hidden, s->hidden, n);
	memcpy(d->label, s->label, n * sizeof(*s->label));
	memcpy(d->slot_ledger, s->slot_ledger, n * sizeof(*s->slot_ledger));
	memcpy(d->slots, s->slots, n * sizeof(*s->slots));
	/* the function table's rows point into stats: rebuilt */
	struct ct_snapshot a = *d;
	*d = keep;
	d->stats = a.stats;
	d->procs = a.procs;
	d->alive = a.alive;
	d->state = a.state;
	d->hidden = a.hidden;
	d->label = a.label;
	d->rows = a.rows;
	d->slot_ledger = a.slot_ledger;
	d->slots = a.slots;
	for (int i = 0; i < s->nrows; i++) {
		d->rows[i] = s->rows[i];
		d->rows[i].s = &d->stats[s->rows[i].s - s->stats];
	}
}

/* Which rows' processes exist now (a zombie counts: not yet reaped); an
 * exited one's slot was harvested: it is gone. */
static void take_alive(struct ct_snapshot *s)
{
	for (int k = 0; k < s->nrow; k++) {
		int pid = (int)s->procs[k].p.tgid;
		s->alive[k] = k < CT_NSLOTS && pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
	}
}

static void take_common(struct ct_snapshot *s, struct tracer *t)
{
	struct utsname u;
	snprintf(s->kernel, sizeof(s->kernel), "%s", uname(&u) == 0 ? u.release : "unknown");
	s->overflow = tracer_overflow(t);
	tracer_proc_counts(t, &s->procs_seen, &s->procs_exited);
	take_alive(s);
	s->backend = backend_name(t->plan.backend);
	s->tracepoint = t->plan.backend == BK_TRACEPOINT;
	memcpy(s->info, t->plan.rows, sizeof(s->info));
	s->zc_skipped = t->plan.zc_skipped;
	s->send_from_syscall = t->plan.send_from_syscall;
}

int snapshot_take_live(struct ct_snapshot *s, const struct ct_opts *o, struct tracer *t,
		       int exporter, double now)
{
	struct ct_stat *st;
	struct ct_proc_info *pi;
	int n = tracer_read_rows(t, 0, exporter ? ROWS_SINCE : ROWS_NEW, now - CT_EXPORTER_GRACE_S,
				 &st, &pi, &s->seq, s->total);
	if (adopt_rows(s, n, st, pi))
		return -1;
	take_common(s, t);
	s->conns = NULL; /* connections are the final report's (snapshot_free) */
	s->nconns = 0;
	s->nnotes = 0;
	snapshot_derive(s, o);
	return 0;
}

void snapshot_delta(struct ct_snapshot *d, const struct ct_snapshot *cur,
		    const struct ct_snapshot *prev, struct ct_interval *iv, const struct ct_opts *o)
{
	/* the rows of cur this interval has: its slots, and the exited ones
	 * harvested after prev was taken (earlier ones are in earlier
	 * intervals) */
	int n = 0, *pick = calloc((size_t)cur->nrow, sizeof(int));
	snapshot_free(d);
	if (!pick)
		return;
	for (int k = 0; k < cur->nrow; k++)
		if (k < CT_NSLOTS || cur->procs[k].seq > prev->seq)
			pick[n++] = k;
	if (snapshot_rows(d, n)) {
		free(pick);
		return;
	}
	d->run = cur->run;
	d->prog = cur->prog;
	snprintf(d->kernel, sizeof(d->kernel), "%s", cur->kernel);
	d->backend = cur->backend;
	d->tracepoint = cur->tracepoint;
	memcpy(d->info, cur->info, sizeof(d->info));
	d->zc_skipped = cur->zc_skipped;
	d->send_from_syscall = cur->send_from_syscall;
	d->overflow = cur->overflow;
	d->procs_seen = cur->procs_seen;
	d->procs_exited = cur->procs_exited;
	d->seq = cur->seq;
	for (int f = 0; f < FN_COUNT; f++) {
		d->total[f] = cur->total[f];
		ct_stat_sub(&d->total[f], &prev->total[f]);
	}
	/* each process's count now less its count at prev: a slot's process
	 * that was there at prev is found in cur's slot or, once exited, in
	 * its row; one folded away is taken off the new folded row */
	unsigned char *found = calloc(CT_NSLOTS, 1);
	int fold_new = -1;
	for (int i = 0; i < n; i++) {
		int k = pick[i];
		d->procs[i] = cur->procs[k];
		d->alive[i] = cur->alive[k];
		memcpy(&d->stats[CT_STAT_KEY(i, 0)], &cur->stats[CT_STAT_KEY(k, 0)],
		       sizeof(struct ct_stat) * FN_COUNT);
		if (cur->procs[k].folded) {
			fold_new = i;
			continue;
		}
		int was = -1;
		if (k < CT_NSLOTS && (!cur->prog || k >= CT_SLOT_LATE))
			was = k < prev->nrow ? k : -1; /* a side, or the shared row */
		else
			for (int j = 0; j < CT_NSLOTS && j < prev->nrow; j++)
				if (snapshot_same_proc(cur, k, prev, j))
					was = j;
		if (was >= 0) {
			for (int f = 0; f < FN_COUNT; f++)
				ct_stat_sub(&d->stats[CT_STAT_KEY(i, f)],
					    &prev->stats[CT_STAT_KEY(was, f)]);
			if (found)
				found[was] = 1;
		}
		int born = k >= CT_NSLOTS ? was < 0 : d->procs[i].p.tgid && was < 0;
		int gone = d->procs[i].p.tgid && !d->alive[i] &&
			(born || (was >= 0 && prev->alive[was]) || k >= CT_NSLOTS);
		d->state[i] = (unsigned char)(born	     ? (gone ? PS_NEW_EXITED : PS_NEW)
						      : gone ? PS_EXITED
							     : PS_RUNNING);
	}
	for (int j = 0; fold_new >= 0 && found && j < CT_NSLOTS && j < prev->nrow; j++)
		if (!found[j] && prev->procs[j].p.tgid && cur->prog)
			for (int f = 0; f < FN_COUNT; f++)
				ct_stat_sub(&d->stats[CT_STAT_KEY(fold_new, f)],
					    &prev->stats[CT_STAT_KEY(j, f)]);
	if (fold_new >= 0)
		d->state[fold_new] = PS_EXITED;
	free(found);
	free(pick);
	d->iv = iv;
	d->cmp = NULL;
	d->prof = NULL;
	d->tl = NULL;
	d->cost = NULL;
	d->conns = NULL;
	d->nconns = 0;
	snapshot_derive(d, o);
}

void snapshot_free(struct ct_snapshot *s)
{
	free(s->conns);
	free(s->stats);
	free(s->procs);
	free(s->alive);
	free(s->state);
	free(s->hidden);
	free(s->label);
	free(s->rows);
	free(s->slot_ledger);
	free(s->slots);
	s->conns = NULL;
	s->nconns = 0;
	s->stats = NULL;
	s->procs = NULL;
	s->alive = s->state = s->hidden = NULL;
	s->label = NULL;
	s->rows = NULL;
	s->slot_ledger = NULL;
	s->slots = NULL;
	s->nrow = s->nrows = s->nslots = 0;
}

int snapshot_take(struct ct_snapshot *s, const struct ct_opts *o, struct tracer *t)
{
	struct ct_stat *st;
	struct ct_proc_info *pi;
	uint64_t seq = 0;
	tracer_note_misses(t);
	int n = tracer_read_rows(t, 1, ROWS_ALL, 0, &st, &pi, &seq, s->total);
	if (adopt_rows(s, n, st, pi))
		return -1;
	s->seq = seq;
	take_common(s, t);
	struct ct_sock *socks = NULL;
	n = o->per_conn ? tracer_conns(t, &socks) : 0;
	if (n > 0 && (s->conns = calloc((size_t)n, sizeof(*s->conns)))) {
		for (int i = 0; i < n; i++)
			s->conns[i].s = socks[i];
		s->nconns = n;
	} else if (n) { /* no memory: said, never an empty table as if measured */
		tracer_note(t,
			    "--per-connection: out of memory reading the connections: none shown");
	}
	free(socks);
	/* every note so far */
	memcpy(s->notes, t->notes, sizeof(s->notes));
	s->nnotes = t->nnotes;
	memcpy(s->rec_missed, t->rec_missed, sizeof(s->rec_missed));
	snapshot_derive(s, o);
	return 0;
}
