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
		struct ct_stat *o = &out[CT_STAT_KEY(v.side, key.fn)];
		__u64 bytes, aux, aux2;
		ct_missed_columns(key.fn, v.arg, &bytes, &aux, &aux2);
		o->calls++;
		o->missed++;
		o->bytes += bytes;
		o->aux += aux;
		o->aux2 += aux2;
	}
}

static void note_missed(struct tracer *t, const struct ct_stat *out)
{
	for (int f = 0; f < FN_COUNT; f++) {
		__u64 m = 0;
		for (int slot = 0; slot < CT_NSLOTS; slot++)
			m += out[CT_STAT_KEY(slot, f)].missed;
		if (m)
			tracer_note(t, "%s: %llu call(s) entered but their exit was not seen (fexit "
				    "skipped by a trampoline update of another tracer, or kretprobe "
				    "instances exhausted); counted in calls, with %s", row_name(f),
				    (unsigned long long)m, f == FN_TCP_SENDMSG ? "their size in bytes "
				    "asked only" : f == FN_RECV_COPY || f == FN_DEFERRED_COPY ?
				    "the length their entry was about to copy" : f == FN_ZC_CALLBACK ?
				    "their bytes (ids were counted at entry)" : "no bytes");
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
	struct { const struct bpf_map *m; __u64 in, del; const char *what; } lru[] = {
		{ t->skel->maps.socks, ms[MS_SOCKS_IN], ms[MS_SOCKS_DEL],
		  "traced socket(s) evicted from the socket table: their later work is not attributed" },
		{ t->skel->maps.tuples, ms[MS_TUPLES_IN], ms[MS_TUPLES_DEL],
		  "4-tuple(s) evicted from the connection table: receive work found by them is not "
		  "attributed" },
	};
	for (size_t i = 0; i < sizeof(lru) / sizeof(lru[0]); i++) {
		__u64 left = lru[i].in - lru[i].del, now = entries(lru[i].m);
		if (lru[i].in >= lru[i].del && left > now)
			tracer_note(t, "%llu %s (%u entries, LRU)", (unsigned long long)(left - now),
				    lru[i].what, bpf_map__max_entries(lru[i].m));
	}
	if (ms[MS_CONNS_FULL])
		tracer_note(t, "--per-connection: %llu finished connection(s) not kept (a table of %u "
			    "is full): the connections listed are not all", (unsigned long long)ms[MS_CONNS_FULL],
			    bpf_map__max_entries(t->skel->maps.conns_done));
	if (ms[MS_STARTS_FULL])
		tracer_note(t, "%llu function entries not recorded (a table of %u is full): those calls "
			    "are unseen", (unsigned long long)ms[MS_STARTS_FULL],
			    bpf_map__max_entries(t->skel->maps.starts));
}

/* Each counter cell's per-CPU values, each summed once: the cells only
 * grow, so a later read minus an earlier one is what happened between. */
static int sum_cpus(struct tracer *t, struct ct_stat *out)
{
	memset(out, 0, sizeof(*out) * CT_NSTATS);
	struct ct_stat *pc = calloc((size_t)t->ncpu, sizeof(*pc));
	if (!pc)
		return -1;
	int fd = bpf_map__fd(t->skel->maps.stats);
	for (__u32 k = 0; k < CT_NSTATS; k++) {
		if (bpf_map_lookup_elem(fd, &k, pc))
			continue;
		for (int c = 0; c < t->ncpu; c++) {
			out[k].calls += pc[c].calls;
			out[k].missed += pc[c].missed;
			out[k].bytes += pc[c].bytes;
			out[k].ns += pc[c].ns;
			out[k].timed += pc[c].timed;
			out[k].aux += pc[c].aux;
			out[k].aux2 += pc[c].aux2;
			for (int s = 0; s < CT_HIST_SLOTS; s++)
				out[k].hist[s] += pc[c].hist[s];
		}
	}
	free(pc);
	if ((t->plan.flags & CT_TR_NO_SYSTIME) && t->plan.backend == BK_TRACEPOINT)
		for (int side = 0; side < CT_NSLOTS; side++) {
			/* counted as copied for want of the flags: not an observation */
			memset(&out[CT_STAT_KEY(side, FN_SEND_COPY)], 0, sizeof(*out));
			memset(&out[CT_STAT_KEY(side, FN_ZC_PIN)], 0, sizeof(*out));
		}
	return 0;
}

int tracer_read_live(struct tracer *t, struct ct_stat *out)
{
	return sum_cpus(t, out);
}

int tracer_read(struct tracer *t, struct ct_stat *out)
{
	if (sum_cpus(t, out))
		return -1;
	add_leftovers(t, out);
	if (t->plan.zc_skipped && t->skel->bss->zc_sends_seen)
		tracer_note(t, "%llu send call(s) asked for MSG_ZEROCOPY but the zerocopy-only "
			    "hooks were not loaded: zerocopy completions and the deferred copy "
			    "are not counted", (unsigned long long)t->skel->bss->zc_sends_seen);
	note_missed(t, out);
	note_drops(t);
	return 0;
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
			tracer_note(t, "%s missed %llu events (BPF recursion protection: it fired "
				    "while another BPF program, or the same one on a preempted task, "
				    "ran on that CPU); its row undercounts", bpf_program__name(p[k]),
				    (unsigned long long)m);
		}
	}
	/* the tracepoint backend's tcp_sendmsg row comes from the send
	 * syscalls before 6.3: their skipped events are its unseen calls */
	if (t->plan.send_from_syscall)
		t->rec_missed[FN_TCP_SENDMSG] += t->rec_missed[FN_SYS_SEND];
}


unsigned long long tracer_procs(struct tracer *t, struct ct_proc_info *procs)
{
	memset(procs, 0, sizeof(*procs) * CT_NSLOTS);
	int fd = bpf_map__fd(t->skel->maps.procs);
	for (__u32 k = 0; k < CT_NSLOTS; k++)
		if (bpf_map_lookup_elem(fd, &k, &procs[k].p) == 0)
			procs[k].used = procs[k].p.tgid != 0;
	return t->skel->bss->slots_overflow;
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
