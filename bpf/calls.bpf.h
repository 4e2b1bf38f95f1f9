/* SPDX-License-Identifier: GPL-2.0-only */
/* Counting calls: the per-CPU counter cells (stats) and the per-socket
 * columns of --per-connection, and the records that carry a call from its
 * entry to its exit on one thread (kernel functions in `starts`, the data
 * syscall in the thread's sys_val). */
#ifndef CT_CALLS_BPF_H
#define CT_CALLS_BPF_H
#include "base.bpf.h"
#include "config.bpf.h"
#include "maps.bpf.h"
#include "slots.bpf.h" /* slot_gen_now, owner_slot */
#include "core_fixes.bpf.h"

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 r = 0, shift;
	shift = (v > 0xFFFFFFFFULL) << 5;
	v >>= shift;
	r = shift;
	shift = (v > 0xFFFF) << 4;
	v >>= shift;
	r |= shift;
	shift = (v > 0xFF) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xF) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	if (r >= CT_HIST_SLOTS)
		r = CT_HIST_SLOTS - 1;
	return r;
}

/* Adds one call to the cell of (side, fn); returns the cell for
 * count_timed, or NULL when the side is not ours. */
static __always_inline struct ct_stat *count(int side, int fn, __u64 bytes, __u64 aux, __u64 aux2)
{
	if (side < 0 || side >= CT_NSLOTS)
		return NULL;
	__u32 key = CT_STAT_KEY(side, fn);
	struct ct_stat *s = bpf_map_lookup_elem(&stats, &key);
	if (!s)
		return NULL;
	/* Atomic even per CPU: BPF programs can be preempted (migrate-only
	 * disabled) or interrupted by softirq work on the same CPU. The
	 * barriers keep clang from turning an add of a known 0 into an atomic
	 * "or" (BPF atomics beyond add need 5.12; 5.10 rejects the program). */
	barrier_var(bytes);
	barrier_var(aux);
	barrier_var(aux2);
	__sync_fetch_and_add(&s->calls, 1);
	__sync_fetch_and_add(&s->bytes, bytes);
	__sync_fetch_and_add(&s->aux, aux);
	__sync_fetch_and_add(&s->aux2, aux2);
	return s;
}

/* count, plus the call's time and its log2 histogram slot. */
static __always_inline void count_timed(int side, int fn, __u64 bytes, __u64 ns, __u64 aux,
					__u64 aux2)
{
	struct ct_stat *s = count(side, fn, bytes, aux, aux2);
	if (!s)
		return;
	__sync_fetch_and_add(&s->ns, ns);
	__sync_fetch_and_add(&s->timed, 1);
	__sync_fetch_and_add(&s->hist[log2_slot(ns) & (CT_HIST_SLOTS - 1)], 1);
}

/* Counts a call whose entry record outlived its exit (in the columns its
 * entry can vouch for) as missed. */
/* The row an entry record counts to: its slot, unless the process that
 * made it has exited since (then the exited processes' sockets' row). */
static __always_inline int start_slot(const struct start_val *v)
{
	if (v->side < 0 || v->side >= CT_NSLOTS)
		return v->side;
	return owner_slot(v->side, v->gen);
}

static __always_inline void count_missed(__u32 fn, const struct start_val *old)
{
	__u64 bytes, aux, aux2;
	ct_missed_columns(fn, old->arg, &bytes, &aux, &aux2);
	struct ct_stat *s = count(start_slot(old), fn, bytes, aux, aux2);
	if (s)
		__sync_fetch_and_add(&s->missed, 1);
}

/* --per-connection: adds bytes to column col of traced socket sk. */
static __always_inline void conn_add(const struct sock *sk, int col, __s64 bytes)
{
	if (!filter.per_conn || !sk || bytes <= 0 || col < 0 || col >= CC_COUNT)
		return;
	__u64 key = (__u64)sk;
	struct ct_sock *c = bpf_map_lookup_elem(&socks, &key);
	if (c)
		__sync_fetch_and_add(&c->col[col], bytes);
}

/* Drops this thread's record of fn, if any, as a missed call: a new
 * system call begins, so no call of fn from before is still running. */
static __always_inline void drop_stale(__u32 fn)
{
	if (!cfg.have_fn_pairs)
		return;
	struct start_key k = { .tid = cur_tid(), .fn = fn };
	struct start_val *old = bpf_map_lookup_elem(&starts, &k);
	if (!old)
		return;
	count_missed(fn, old);
	bpf_map_delete_elem(&starts, &k);
}

/* Records the entry of fn on this thread. A record already there is a
 * call whose exit was missed (fexit skipped by a trampoline update,
 * kretprobe instances exhausted): it is counted as missed, not lost. */
static __always_inline void enter_ptr(__u32 fn, int side, __u64 arg, __u64 ptr,
				      const struct sock *sk)
{
	struct start_key k = { .tid = cur_tid(), .fn = fn };
	struct start_val v = { .ts = bpf_ktime_get_ns(),
			       .arg = arg,
			       .ptr = ptr,
			       .sk = (__u64)sk,
			       .side = side,
			       .gen = slot_gen_now((__u32)side) };
	if (bpf_map_update_elem(&starts, &k, &v, BPF_NOEXIST) == 0)
		return;
	struct start_val *old = bpf_map_lookup_elem(&starts, &k);
	if (!old) { /* the table is full: this call goes unseen, and is counted */
		__sync_fetch_and_add(&map_stat[MS_STARTS_FULL], 1);
		return;
	}
	count_missed(fn, old);
	*old = v;
}

static __always_inline void enter(__u32 fn, int side, __u64 arg)
{
	enter_ptr(fn, side, arg, 0, NULL);
}

static __always_inline struct start_val *peek(__u32 fn)
{
	struct start_key k = { .tid = cur_tid(), .fn = fn };
	return bpf_map_lookup_elem(&starts, &k);
}

/* Pops the entry record of fn; returns the elapsed ns, or -1 when the
 * entry was not ours. */
static __always_inline __s64 leave(__u32 fn, struct start_val *out)
{
	struct start_key k = { .tid = cur_tid(), .fn = fn };
	struct start_val *v = bpf_map_lookup_elem(&starts, &k);
	if (!v)
		return -1;
	*out = *v;
	out->side = start_slot(out);
	bpf_map_delete_elem(&starts, &k);
	return (__s64)(bpf_ktime_get_ns() - out->ts);
}

/* Pops the entry record of fn and counts the call with the bytes it
 * returned (ret > 0) and its time; 1 when the entry was ours (*out holds
 * it), 0 otherwise. */
static __always_inline int leave_count(__u32 fn, long ret, struct start_val *out)
{
	__s64 ns = leave(fn, out);
	if (ns < 0)
		return 0;
	count_timed(out->side, fn, ret > 0 ? ret : 0, ns, 0, 0);
	return 1;
}

/* One completion latency (ns) of a zerocopy send, in row FN_ZC_LATENCY:
 * ns, timed and the histogram hold latencies, not CPU time. */
static __always_inline void count_latency(struct ct_stat *s, __u64 ns)
{
	__sync_fetch_and_add(&s->calls, 1);
	__sync_fetch_and_add(&s->ns, ns);
	__sync_fetch_and_add(&s->timed, 1);
	__sync_fetch_and_add(&s->hist[log2_slot(ns) & (CT_HIST_SLOTS - 1)], 1);
}

#endif
