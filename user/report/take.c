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
	for (int k = 0; k < CT_NSLOTS; k++) {
		char *b = s->label[k];
		if (!s->prog)
			snprintf(b, CT_LABEL, "%s", k == CT_SERVER ? "sender" : k == CT_CLIENT ?
				 "receiver" : "other");
		else if (k == CT_SLOT_OTHERS)
			snprintf(b, CT_LABEL, "others");
		else {
			/* a process's name is its own: cleaned (text.h) */
			char comm[sizeof(s->procs[k].p.comm) + 1], c[4 * sizeof(comm)];
			snprintf(comm, sizeof(comm), "%.*s", (int)sizeof(s->procs[k].p.comm),
				 s->procs[k].p.comm);
			snprintf(b, CT_LABEL, "%u/%s", s->procs[k].p.tgid, text_clean(c, sizeof(c), comm));
		}
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
		s->traced_cpu_ns = 1e9 * (s->run->server.cpu_user_s + s->run->server.cpu_sys_s +
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
		const struct side_result *me = o->host_role == HOST_SERVER ? &s->run->server :
					       &s->run->client;
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
	for (int i = 0; i < s->nconns; i++)
		tuple_str(&s->conns[i].s.t, s->conns[i].tuple, sizeof(s->conns[i].tuple));
	ledger_build(s);
	tl_order(s);
	if (s->prof && s->prog)
		snprintf(s->fg_title, sizeof(s->fg_title), "copytrace %s %.80s: CPU samples of the "
			 "traced processes (%u Hz)", s->prog->mode, s->prog->what, s->prof->freq_hz);
	else if (s->prof)
		snprintf(s->fg_title, sizeof(s->fg_title), "copytrace %s %zu B %s: CPU samples of "
			 "the traced tasks (%u Hz)", s->impl, s->size, s->net, s->prof->freq_hz);
	cost_sums(s);
}

const char *const proc_state_names[4] = { "running", "new", "exited", "new+exited" };

/* Which slots' processes exist now (a zombie counts: not yet reaped). */
static void take_alive(struct ct_snapshot *s)
{
	for (int k = 0; k < CT_NSLOTS; k++) {
		int pid = (int)s->procs[k].p.tgid;
		s->alive[k] = pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
	}
}

void snapshot_take_live(struct ct_snapshot *s, const struct ct_opts *o, struct tracer *t)
{
	struct utsname u;
	snprintf(s->kernel, sizeof(s->kernel), "%s", uname(&u) == 0 ? u.release : "unknown");
	tracer_read_live(t, s->stats);
	s->overflow = tracer_procs(t, s->procs);
	take_alive(s);
	s->conns = NULL; /* connections are the final report's (snapshot_free) */
	s->nconns = 0;
	s->backend = backend_name(t->plan.backend);
	s->tracepoint = t->plan.backend == BK_TRACEPOINT;
	memcpy(s->info, t->plan.rows, sizeof(s->info));
	s->nnotes = 0;
	s->zc_skipped = t->plan.zc_skipped;
	s->send_from_syscall = t->plan.send_from_syscall;
	snapshot_derive(s, o);
}

void snapshot_delta(struct ct_snapshot *d, const struct ct_snapshot *cur,
		    const struct ct_snapshot *prev, struct ct_interval *iv,
		    const struct ct_opts *o)
{
	memcpy(d, cur, sizeof(*d));
	d->prog = cur->prog;
	/* every column of a cell is a monotonic count (hist slots too) */
	for (int k = 0; k < CT_NSTATS; k++) {
		__u64 *a = (__u64 *)&d->stats[k];
		const __u64 *b = (const __u64 *)&prev->stats[k];
		for (size_t i = 0; i < sizeof(struct ct_stat) / sizeof(__u64); i++)
			a[i] -= b[i];
	}
	for (int k = 0; k < CT_NSLOTS; k++) {
		int born = cur->procs[k].p.tgid && cur->procs[k].p.tgid != prev->procs[k].p.tgid;
		int gone = cur->procs[k].p.tgid && !cur->alive[k] && (born || prev->alive[k]);
		iv->state[k] = (unsigned char)(born ? (gone ? PS_NEW_EXITED : PS_NEW) :
					       gone ? PS_EXITED : PS_RUNNING);
	}
	d->iv = iv;
	d->cmp = NULL;
	d->prof = NULL;
	d->tl = NULL;
	d->cost = NULL;
	d->conns = NULL; /* cur's to free, not ours */
	d->nconns = 0;
	snapshot_derive(d, o);
}

void snapshot_free(struct ct_snapshot *s)
{
	free(s->conns);
	s->conns = NULL;
	s->nconns = 0;
}

void snapshot_take(struct ct_snapshot *s, const struct ct_opts *o, struct tracer *t)
{
	struct utsname u;
	snprintf(s->kernel, sizeof(s->kernel), "%s", uname(&u) == 0 ? u.release : "unknown");
	tracer_read(t, s->stats);
	tracer_note_misses(t);
	s->overflow = tracer_procs(t, s->procs);
	take_alive(s);
	struct ct_sock *socks = NULL;
	int n = o->per_conn ? tracer_conns(t, &socks) : 0;
	if (n > 0 && (s->conns = calloc((size_t)n, sizeof(*s->conns)))) {
		for (int i = 0; i < n; i++)
			s->conns[i].s = socks[i];
		s->nconns = n;
	} else if (n) { /* no memory: said, never an empty table as if measured */
		tracer_note(t, "--per-connection: out of memory reading the connections: none shown");
	}
	free(socks);
	/* the plan's rows as attached, and every note so far */
	s->backend = backend_name(t->plan.backend);
	s->tracepoint = t->plan.backend == BK_TRACEPOINT;
	memcpy(s->info, t->plan.rows, sizeof(s->info));
	memcpy(s->notes, t->notes, sizeof(s->notes));
	s->nnotes = t->nnotes;
	s->zc_skipped = t->plan.zc_skipped;
	s->send_from_syscall = t->plan.send_from_syscall;
	memcpy(s->rec_missed, t->rec_missed, sizeof(s->rec_missed));
	snapshot_derive(s, o);
}
