// SPDX-License-Identifier: GPL-2.0-only
/* The rows of exited processes and the slots' bases (procrows.h). */
#include "procrows.h"

#include <stdlib.h>
#include <string.h>

#define NCOLS (sizeof(struct ct_stat) / sizeof(__u64))

void ct_stat_add(struct ct_stat *a, const struct ct_stat *b)
{
	__u64 *x = (__u64 *)a;
	const __u64 *y = (const __u64 *)b;
	for (size_t i = 0; i < NCOLS; i++)
		x[i] += y[i];
}

void ct_stat_sub(struct ct_stat *a, const struct ct_stat *b)
{
	__u64 *x = (__u64 *)a;
	const __u64 *y = (const __u64 *)b;
	for (size_t i = 0; i < NCOLS; i++)
		x[i] -= y[i];
}

void prows_init(struct ct_prows *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->max = max ? max : 1;
	r->fold.info.exited = r->fold_new.info.exited = 1;
}

void prows_mark(struct ct_prows *r)
{
	for (int f = 0; f < FN_COUNT; f++)
		ct_stat_add(&r->fold.st[f], &r->fold_new.st[f]);
	r->fold.info.folded += r->fold_new.info.folded;
	r->fold.info.used |= r->fold_new.info.used;
	memset(&r->fold_new, 0, sizeof(r->fold_new));
	r->fold_new.info.exited = 1;
	r->mark = r->seq;
}

void prows_free(struct ct_prows *r)
{
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}

uint64_t prow_weight(const struct ct_prow *w)
{
	uint64_t b = 0, c = 0;
	for (int f = 0; f < FN_COUNT; f++) {
		b += w->st[f].bytes;
		c += w->st[f].calls;
	}
	/* bytes first; calls only between rows of equal bytes */
	return b > UINT64_MAX >> 20 ? UINT64_MAX
				    : (b << 20) | (c < (1u << 20) ? c : (1u << 20) - 1);
}

/* Into the folded row of its time: a row the last reader has seen goes
 * to `fold`, a new one to `fold_new` (whose seq is its newest row's). */
static void fold_in(struct ct_prows *r, const struct ct_prow *w)
{
	struct ct_prow *d = w->info.seq > r->mark ? &r->fold_new : &r->fold;
	for (int f = 0; f < FN_COUNT; f++)
		ct_stat_add(&d->st[f], &w->st[f]);
	d->info.folded++;
	d->info.used |= w->info.used;
	if (d == &r->fold_new && w->info.seq > d->info.seq) {
		d->info.seq = w->info.seq;
		d->info.exit_time = w->info.exit_time;
	}
}

/* Keeps w as a row; when max rows are kept, the smallest of them and w
 * goes to the folded row instead. */
static int keep(struct ct_prows *r, const struct ct_prow *w)
{
	if (r->n >= r->max) {
		size_t min = 0;
		for (size_t i = 1; i < r->n; i++)
			if (prow_weight(&r->v[i]) < prow_weight(&r->v[min]))
				min = i;
		if (prow_weight(w) <= prow_weight(&r->v[min])) {
			fold_in(r, w);
			return 0;
		}
		fold_in(r, &r->v[min]);
		r->v[min] = *w;
		return 0;
	}
	if (r->n == r->cap) {
		size_t c = r->cap ? r->cap * 2 : 64;
		if (c > r->max)
			c = r->max;
		struct ct_prow *v = realloc(r->v, c * sizeof(*v));
		if (!v) {
			fold_in(r, w);
			return -1;
		}
		r->v = v;
		r->cap = c;
	}
	r->v[r->n++] = *w;
	return 0;
}

int prows_harvest(struct ct_prows *r, int slot, const struct ct_proc *p,
		  const struct ct_stat raw[FN_COUNT], double now)
{
	struct ct_prow w;
	memset(&w, 0, sizeof(w));
	w.info.p = *p;
	w.info.exited = 1;
	w.info.slot = (__u32)slot;
	w.info.gen = r->epoch[slot]++;
	w.info.seq = ++r->seq;
	w.info.exit_time = now;
	for (int f = 0; f < FN_COUNT; f++) {
		w.st[f] = raw[f];
		ct_stat_sub(&w.st[f], &r->base[slot][f]);
		r->base[slot][f] = raw[f];
	}
	w.info.used = 1; /* it was traced: listed even without TCP work */
	return keep(r, &w);
}

void prows_live(const struct ct_prows *r, int slot, const struct ct_stat raw[FN_COUNT],
		struct ct_stat out[FN_COUNT])
{
	for (int f = 0; f < FN_COUNT; f++) {
		out[f] = raw[f];
		ct_stat_sub(&out[f], &r->base[slot][f]);
	}
}
