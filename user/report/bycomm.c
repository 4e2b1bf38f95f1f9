// SPDX-License-Identifier: GPL-2.0-only
/* The names' sums of --exporter --by comm (bycomm.h). */
#include <stdlib.h>
#include <string.h>

#include "bycomm.h"
#include "take.h"

/* A process row the exporter shows: one process, not hidden. */
static int shown_proc(const struct ct_snapshot *s, int k)
{
	return snap_is_proc(s, k) && !s->hidden[k] && s->procs[k].p.tgid;
}

static struct comm_sum *sum_of(struct comm_carry *cc, const char comm[16])
{
	for (int i = 0; i < cc->n; i++)
		if (!strncmp(cc->v[i].comm, comm, sizeof(cc->v[i].comm)))
			return &cc->v[i];
	if (cc->n >= CT_CARRY_MAX - 1) { /* bounded: the rest share one series */
		comm = CT_CARRY_MORE;
		for (int i = 0; i < cc->n; i++)
			if (!strncmp(cc->v[i].comm, comm, sizeof(cc->v[i].comm)))
				return &cc->v[i];
	}
	if (cc->n == cc->cap) {
		int cap = cc->cap ? 2 * cc->cap : 16;
		struct comm_sum *v = realloc(cc->v, (size_t)cap * sizeof(*v));
		if (!v)
			return NULL;
		cc->v = v;
		cc->cap = cap;
	}
	struct comm_sum *c = &cc->v[cc->n++];
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < sizeof(c->comm) && comm[i]; i++) /* comm: NUL-ended or full */
		c->comm[i] = comm[i];
	return c;
}

/* The processes cc->last showed that s does not show: into their sums. */
static int carry_gone(struct comm_carry *cc, const struct ct_snapshot *s)
{
	const struct ct_snapshot *l = &cc->last;
	for (int j = 0; j < l->nrow; j++) {
		if (!shown_proc(l, j))
			continue;
		int here = 0;
		for (int k = 0; k < s->nrow && !here; k++)
			here = shown_proc(s, k) && snapshot_same_proc(l, j, s, k);
		if (here)
			continue;
		struct comm_sum *c = sum_of(cc, l->procs[j].p.comm);
		if (!c)
			return -1;
		for (int f = 0; f < FN_COUNT; f++)
			ct_stat_add(&c->st[f], snap_stat(l, j, f));
	}
	return 0;
}

int comm_carry_apply(struct comm_carry *cc, struct ct_snapshot *s, const struct ct_opts *o)
{
	for (int k = CT_NSLOTS; k < s->nrow; k++)
		if (s->procs[k].folded)
			s->hidden[k] = 1;
	if (carry_gone(cc, s))
		return -1;
	snapshot_copy(&cc->last, s);
	if (!cc->n)
		return 0;
	int base = s->nrow;
	if (snapshot_grow(s, cc->n)) {
		snapshot_derive(s, o);
		return -1;
	}
	for (int i = 0; i < cc->n; i++) {
		struct ct_proc_info *pi = &s->procs[base + i];
		memcpy(pi->p.comm, cc->v[i].comm, sizeof(pi->p.comm));
		pi->used = pi->exited = 1;
		for (int f = 0; f < FN_COUNT; f++)
			s->stats[CT_STAT_KEY(base + i, f)] = cc->v[i].st[f];
	}
	snapshot_derive(s, o);
	return 0;
}

void comm_carry_free(struct comm_carry *cc)
{
	free(cc->v);
	snapshot_free(&cc->last);
	memset(cc, 0, sizeof(*cc));
}
