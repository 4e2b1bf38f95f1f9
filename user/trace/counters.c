// SPDX-License-Identifier: GPL-2.0-only
/* Reading the counters: the per-CPU cells summed, the entries whose exit
 * was never seen, and the events BPF's recursion protection skipped. */
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tracer.h"
#include "copytrace.skel.h"

/* Entries whose exit never ran: the processes are gone, so each one is a
 * call whose fexit/kretprobe was skipped (a trampoline update by another
 * tracer makes calls in flight skip fexit; kretprobe instances can run
 * out). Counted like the ones BPF found overwritten at the next entry. */
static void add_leftovers(struct tracer *t, struct ct_stat *out)
{
	struct start_key key, next;
	struct start_val v;
	int fd = bpf_map__fd(t->skel->maps.starts);
	void *prev = NULL;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v) || v.side < 0 || v.side >= CT_NSLOTS ||
		    key.fn >= FN_COUNT)
			continue;
		int row = v.side; /* a slot reused since: the exited processes' row */
		if (row < CT_SLOT_LATE && v.gen != (t->skel->bss->slot_gen[row] & 0xffffff))
			row = CT_SLOT_LATE;
		struct ct_stat *o = &out[CT_STAT_KEY(row, key.fn)];
		__u64 bytes, aux, aux2;
		ct_missed_columns(key.fn, v.arg, &bytes, &aux, &aux2);
		o->calls++;
		o->missed++;
		o->bytes += bytes;
		o->aux += aux;
		o->aux2 += aux2;
	}
}

static void note_missed(struct tracer *t, const struct ct_stat *out, size_t nrows)
{
	for (int f = 0; f < FN_COUNT; f++) {
		__u64 m = 0;
		for (size_t row = 0; row < nrows; row++)
			m += out[CT_STAT_KEY(row, f)].missed;
		if (m)
			tracer_note(
				t,
				"%s: %llu call(s) entered but their exit was not seen (fexit "
				"skipped by a trampoline update of another tracer, or kretprobe "
				"instances exhausted); counted in calls, with %s",
				row_name(f), (unsigned long long)m,
				f == FN_TCP_SENDMSG ? "their size in bytes "
						      "asked only"
					: f == FN_RECV_COPY || f == FN_DEFERRED_COPY
					? "the length their entry was about to copy"
					: f == FN_ZC_CALLBACK
					? "their bytes (ids were counted at entry)"
					: "no bytes");
	}
}

static __u64 entries(const struct bpf_map *m)
{
	unsigned char key[64], next[64];
	__u64 n = 0;
	int fd = bpf_map__fd(m);
	size_t ks = bpf_map__key_size(m);
	if (ks > sizeof(key))
		return 0;
	void *prev = NULL;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, ks);
		prev = key;
		n++;
	}
	return n;
}

/* What the tables dropped, each said (never a silent under-count): LRU
 * evictions found as inserted - deleted - present, refusals of full
 * tables as BPF counted them. */
static void note_drops(struct tracer *t)
{
	const __u64 *ms = t->skel->bss->map_stat;
	struct {
		const struct bpf_map *m;
		__u64 in, del;
		const char *what;
	} lru[] = {
		{ t->skel->maps.socks, ms[MS_SOCKS_IN], ms[MS_SOCKS_DEL],
		  "traced socket(s) evicted from the socket table: their later work is not "
		  "attributed" },
		{ t->skel->maps.tuples, ms[MS_TUPLES_IN], ms[MS_TUPLES_DEL],
		  "4-tuple(s) evicted from the connection table: receive work found by them is not "
		  "attributed" },
	};
	for (size_t i = 0; i < sizeof(lru) / sizeof(lru[0]); i++) {
		__u64 left = lru[i].in - lru[i].del, now = entries(lru[i].m);
		if (lru[i].in >= lru[i].del && left > now)
			tracer_note(t, "%llu %s (%u entries, LRU)",
				    (unsigned long long)(left - now), lru[i].what,
				    bpf_map__max_entries(lru[i].m));
	}
	if (ms[MS_CONNS_FULL])
		tracer_note(t,
			    "--per-connection: %llu finished connection(s) not kept (a table of %u "
			    "is full): the connections listed are not all",
			    (unsigned long long)ms[MS_CONNS_FULL],
			    bpf_map__max_entries(t->skel->maps.conns_done));
	if (ms[MS_TASKS_FULL])
		tracer_note(
			t,
			"%llu process(es) not traced: the table of traced processes (%u) is full",
			(unsigned long long)ms[MS_TASKS_FULL],
			bpf_map__max_entries(t->skel->maps.tasks));
	if (ms[MS_STARTS_FULL])
		tracer_note(
			t,
			"%llu function entries not recorded (a table of %u is full): those calls "
			"are unseen",
			(unsigned long long)ms[MS_STARTS_FULL],
			bpf_map__max_entries(t->skel->maps.starts));
}

/* A slot's process as BPF recorded it. */
static void slot_proc(struct tracer *t, __u32 k, struct ct_proc_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.procs), &k, &pi->p))
		memset(&pi->p, 0, sizeof(pi->p));
	pi->used = pi->p.tgid != 0;
	pi->slot = k;
	pi->gen = k < CT_NSLOTS ? t->rows.epoch[k] : 0;
}

static int picked(const struct ct_prow *w, enum rows_mode mode, uint64_t mark, double since)
{
	return mode == ROWS_ALL || (mode == ROWS_NEW && w->info.seq > mark) ||
		(mode == ROWS_SINCE && w->info.exit_time >= since);
}

/* Each counter cell's per-CPU values, each summed once: the cells only
 * grow, so a later read minus an earlier one is what happened between.
 * Under rows_mu, so that no slot is harvested between the read and the
 * rows: the rows always add up to the cells. */
int tracer_read_rows(struct tracer *t, int final, enum rows_mode mode, double since,
		     struct ct_stat **stats, struct ct_proc_info **info, uint64_t *seq,
		     struct ct_stat *total)
{
	struct ct_stat *raw = calloc(CT_NSTATS, sizeof(*raw));
	*stats = NULL;
	*info = NULL;
	if (!raw)
		return -1;
	pthread_mutex_lock(&t->rows_mu);
	struct ct_prows *r = &t->rows;
	int bad = tracer_sum_cells(t, 0, CT_NSTATS, raw);
	if (!bad && final)
		add_leftovers(t, raw);
	memset(total, 0, sizeof(*total) * FN_COUNT);
	for (__u32 k = 0; k < CT_NSTATS; k++)
		ct_stat_add(&total[k % FN_COUNT], &raw[k]);
	size_t n = CT_NSLOTS;
	for (size_t i = 0; i < r->n; i++)
		n += picked(&r->v[i], mode, r->mark, since);
	const struct ct_prow *folds[2] = { &r->fold, &r->fold_new };
	for (int i = 0; i < 2; i++)
		n += folds[i]->info.folded && (mode == ROWS_ALL || (i == 1 && mode == ROWS_NEW));
	struct ct_stat *st = bad ? NULL : calloc(n * FN_COUNT, sizeof(*st));
	struct ct_proc_info *pi = st ? calloc(n, sizeof(*pi)) : NULL;
	if (pi) {
		for (__u32 k = 0; k < CT_NSLOTS; k++) {
			prows_live(r, (int)k, &raw[CT_STAT_KEY(k, 0)], &st[CT_STAT_KEY(k, 0)]);
			slot_proc(t, k, &pi[k]);
		}
		size_t j = CT_NSLOTS;
		for (size_t i = 0; i < r->n; i++)
			if (picked(&r->v[i], mode, r->mark, since)) {
				pi[j] = r->v[i].info;
				memcpy(&st[CT_STAT_KEY(j, 0)], r->v[i].st, sizeof(r->v[i].st));
				j++;
			}
		for (int i = 0; i < 2; i++)
			if (folds[i]->info.folded &&
			    (mode == ROWS_ALL || (i == 1 && mode == ROWS_NEW))) {
				pi[j] = folds[i]->info;
				memcpy(&st[CT_STAT_KEY(j, 0)], folds[i]->st, sizeof(folds[i]->st));
				j++;
			}
		*seq = r->seq;
		if (mode == ROWS_NEW)
			prows_mark(r);
	}
	pthread_mutex_unlock(&t->rows_mu);
	free(raw);
	if (!pi) {
		free(st);
		return -1;
	}
	if ((t->plan.flags & CT_TR_NO_SYSTIME) && t->plan.backend == BK_TRACEPOINT)
		for (size_t k = 0; k < n; k++) {
			/* counted as copied for want of the flags: not an observation */
			memset(&st[CT_STAT_KEY(k, FN_SEND_COPY)], 0, sizeof(*st));
			memset(&st[CT_STAT_KEY(k, FN_ZC_PIN)], 0, sizeof(*st));
		}
	if (final) {
		if (t->plan.zc_skipped && t->skel->bss->zc_sends_seen)
			tracer_note(
				t,
				"%llu send call(s) asked for MSG_ZEROCOPY but the zerocopy-only "
				"hooks were not loaded: zerocopy completions and the deferred copy "
				"are not counted",
				(unsigned long long)t->skel->bss->zc_sends_seen);
		note_missed(t, st, n);
		note_drops(t);
	}
	*stats = st;
	*info = pi;
	return (int)n;
}

static __u64 recursion_misses(struct bpf_program *p)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	memset(&info, 0, sizeof(info));
	int fd = bpf_program__fd(p);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.recursion_misses;
}

unsigned long long tracer_recursion_total(const struct tracer *t)
{
	unsigned long long m = 0;
	for (int i = 0; t->skel && i < hook_count(); i++) {
		struct bpf_program *p[2];
		if (tracer_hook_programs(t, i, p))
			for (int k = 0; k < 2; k++)
				m += p[k] ? recursion_misses(p[k]) : 0;
	}
	return m;
}

void tracer_note_misses(struct tracer *t)
{
	if (!t->skel)
		return;
	memset(t->rec_missed, 0, sizeof(t->rec_missed));
	for (int i = 0; i < hook_count(); i++) {
		struct bpf_program *p[2];
		if (!tracer_hook_programs(t, i, p))
			continue;
		for (int k = 0; k < 2; k++) {
			__u64 m = p[k] ? recursion_misses(p[k]) : 0;
			if (!m)
				continue;
			for (int fn = 0; fn < FN_COUNT; fn++)
				if (hook_rows(i) & (1u << fn))
					t->rec_missed[fn] += m;
			tracer_note(
				t,
				"%s missed %llu events (BPF recursion protection: it fired "
				"while another BPF program, or the same one on a preempted task, "
				"ran on that CPU); its row undercounts",
				bpf_program__name(p[k]), (unsigned long long)m);
		}
	}
	/* the tracepoint backend's tcp_sendmsg row comes from the send
	 * syscalls before 6.3: their skipped events are its unseen calls */
	if (t->plan.send_from_syscall)
		t->rec_missed[FN_TCP_SENDMSG] += t->rec_missed[FN_SYS_SEND];
}

unsigned long long tracer_overflow(const struct tracer *t)
{
	return t->skel->bss->slots_overflow;
}

void tracer_proc_counts(const struct tracer *t, uint64_t *seen, uint64_t *exited)
{
	*seen = t->skel->bss->procs_seen;
	*exited = t->skel->bss->procs_exited;
}
/* Appends a connection that has a peer, growing the array; -1 on no memory. */
static int add_conn(struct ct_sock **out, int *n, int *cap, const struct ct_sock *s)
{
	if (!s->has_tuple)
		return 0;
	if (*n == *cap) {
		int c = *cap ? *cap * 2 : 256;
		struct ct_sock *v = realloc(*out, (size_t)c * sizeof(*v));
		if (!v)
			return -1;
		*out = v;
		*cap = c;
	}
	(*out)[(*n)++] = *s;
	return 0;
}

static int conn_cmp(const void *a, const void *b)
{
	const struct ct_sock *x = a, *y = b;
	__u64 u = x->col[CC_SENT] + x->col[CC_RECV], v = y->col[CC_SENT] + y->col[CC_RECV];
	return u < v ? 1 : u > v ? -1 : 0;
}

int tracer_conns(struct tracer *t, struct ct_sock **out)
{
	int n = 0, cap = 0, bad = 0;
	struct ct_sock s;
	__u64 key, next, *prev = NULL;
	*out = NULL;
	int fd = bpf_map__fd(t->skel->maps.socks);
	while (!bad && bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &s) == 0)
			bad = add_conn(out, &n, &cap, &s);
	}
	struct ct_conn_key ck, cnext, *cprev = NULL;
	fd = bpf_map__fd(t->skel->maps.conns_done);
	while (!bad && bpf_map_get_next_key(fd, cprev, &cnext) == 0) {
		ck = cnext;
		cprev = &ck;
		if (bpf_map_lookup_elem(fd, &ck, &s) == 0)
			bad = add_conn(out, &n, &cap, &s);
	}
	if (bad) {
		free(*out);
		*out = NULL;
		return -1;
	}
	if (n)
		qsort(*out, (size_t)n, sizeof(**out), conn_cmp);
	return n;
}
