// SPDX-License-Identifier: GPL-2.0-only
/* Classification of sampled stacks into time-ledger rows (timeledger.h).
 *
 * A stack is walked from its leaf: copy primitives (rep_movs_alternative,
 * memcpy, ...) are stepped over, and the first copy site (a function that
 * copies message bytes for one ledger line, e.g. skb_copy_datagram_iter)
 * decides the row. Interrupt and softirq entry frames end the walk: what
 * is further out is the interrupted code, not what the sample was doing.
 * A primitive with no copy site before that end is an "other" copy,
 * named by its first caller. */
#include "timeledger.h"

#include <stdlib.h>
#include <string.h>

const struct tl_row_info tl_rows[TL_COUNT] = {
	[TL_USER_GATHER] = { "user_gather", "user-space gather (ct_gather)", 1 },
	[TL_USER_OTHER] = { "user_copy_other", "user-space copy, other callers", 1 },
	[TL_SEND_COPY] = { "send_copy", "kernel send copy (user->skb)", 1 },
	[TL_ZC_PIN] = { "zerocopy_pin", "zerocopy pinning (no copy)", 0 },
	[TL_DEFERRED] = { "deferred_copy", "deferred copy (skb_copy_ubufs)", 1 },
	[TL_RECV_COPY] = { "recv_copy", "kernel receive copy (skb->user)", 1 },
	[TL_KERNEL_OTHER] = { "kernel_copy_other", "kernel copy, other callers", 1 },
};

struct site {
	const char *name;
	int row;
	const char *within; /* a frame further out that must be present (prefix) */
};

/* Copy sites. The generic iov_iter copies count as the send copy only
 * inside tcp_sendmsg; elsewhere they are primitives. */
static const struct site sites[] = {
	{ "ct_gather", TL_USER_GATHER, NULL },
	{ "skb_copy_ubufs", TL_DEFERRED, NULL },
	{ "skb_zerocopy_iter_stream", TL_ZC_PIN, NULL },
	{ "skb_copy_datagram_iter", TL_RECV_COPY, NULL },
	{ "__skb_datagram_iter", TL_RECV_COPY, NULL },
	{ "skb_do_copy_data_nocache", TL_SEND_COPY, "tcp_sendmsg" },
	{ "skb_copy_to_page_nocache", TL_SEND_COPY, "tcp_sendmsg" },
	{ "_copy_from_iter", TL_SEND_COPY, "tcp_sendmsg" },
	{ "_copy_from_iter_nocache", TL_SEND_COPY, "tcp_sendmsg" },
	{ "_copy_from_iter_full", TL_SEND_COPY, "tcp_sendmsg" },
	{ "copy_from_iter_full", TL_SEND_COPY, "tcp_sendmsg" },
	{ "csum_and_copy_from_iter_full", TL_SEND_COPY, "tcp_sendmsg" },
};

/* Functions that copy for whoever calls them (kernel and libc names). */
static const char *const primitives[] = {
	"rep_movs_alternative",
	"copy_user_generic",
	"copy_user_enhanced_fast_string",
	"copy_user_generic_string",
	"copy_user_generic_unrolled",
	"memcpy",
	"__memcpy",
	"memcpy_orig",
	"memcpy_erms",
	"memmove",
	"__memmove",
	"copy_page",
	"_copy_to_iter",
	"copy_to_user_iter",
	"copy_from_user_iter",
	"mempcpy",
	"__mempcpy",
	"bcopy",
};
/* libc's tuned variants: __memmove_avx_unaligned_erms, __memcpy_ssse3, ... */
static const char *const primitive_prefixes[] = { "__memmove_", "__memcpy_", "__mempcpy_" };

/* Where an interrupted context ends (frames further out are not it). */
static const char *const irq_entries[] = {
	"handle_softirqs", "__do_softirq",     "do_softirq",	       "irq_exit_rcu",
	"__irq_exit_rcu",  "common_interrupt", "asm_common_interrupt", "asm_exc_nmi",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int is_primitive(const char *f)
{
	for (size_t i = 0; i < N(primitives); i++)
		if (!strcmp(f, primitives[i]))
			return 1;
	for (size_t i = 0; i < N(primitive_prefixes); i++)
		if (!strncmp(f, primitive_prefixes[i], strlen(primitive_prefixes[i])))
			return 1;
	return 0;
}

static int is_irq_entry(const char *f)
{
	for (size_t i = 0; i < N(irq_entries); i++)
		if (!strcmp(f, irq_entries[i]))
			return 1;
	return !strncmp(f, "sysvec_", 7) || !strncmp(f, "asm_sysvec_", 11);
}

static const struct site *site_of(const char *f)
{
	for (size_t i = 0; i < N(sites); i++)
		if (!strcmp(f, sites[i].name))
			return &sites[i];
	return NULL;
}

int tl_frame_kind(const char *name)
{
	return site_of(name) ? 2 : is_primitive(name) ? 1 : 0;
}

/* Whether a frame from index i outwards, before the context's end, starts
 * with prefix. */
static int within(const struct prof_stack *s, int i, const char *prefix)
{
	for (int j = i; j < s->nk + s->nu; j++) {
		if (is_irq_entry(s->frames[j]))
			return 0;
		if (!strncmp(s->frames[j], prefix, strlen(prefix)))
			return 1;
	}
	return 0;
}

int tl_classify(const struct prof_stack *s, int *irq, const char **caller)
{
	int n = s->nk + s->nu, prim = -1; /* first primitive: kernel (0) or user (1) */
	*irq = 0;
	*caller = NULL;
	for (int i = 0; i < n; i++) {
		const char *f = s->frames[i];
		if (i < s->nk && is_irq_entry(f)) {
			*irq = 1;
			break;
		}
		const struct site *st = site_of(f);
		if (st && (!st->within || within(s, i + 1, st->within)))
			return st->row;
		if (st || is_primitive(f)) {
			if (prim < 0)
				prim = i >= s->nk;
			continue;
		}
		if (prim >= 0 && !*caller)
			*caller = f;
	}
	if (prim < 0)
		return -1;
	return prim ? TL_USER_OTHER : TL_KERNEL_OTHER;
}

/* Adds samples to name's entry in an unsorted list (grown as needed). */
static int tally(struct tl_fn **v, int *n, int *cap, const char *name, uint64_t k)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp((*v)[i].name, name)) {
			(*v)[i].samples += k;
			return 0;
		}
	if (*n == *cap) {
		int c = *cap ? *cap * 2 : 64;
		struct tl_fn *p = realloc(*v, (size_t)c * sizeof(*p));
		if (!p)
			return -1;
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = (struct tl_fn){ name, k };
	return 0;
}

static int by_samples(const void *a, const void *b)
{
	const struct tl_fn *x = a, *y = b;
	if (x->samples != y->samples)
		return x->samples > y->samples ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int top(struct tl_fn *dst, struct tl_fn *v, int n)
{
	if (!n)
		return 0;
	qsort(v, (size_t)n, sizeof(*v), by_samples);
	int k = n < TL_TOP ? n : TL_TOP;
	memcpy(dst, v, (size_t)k * sizeof(*v));
	return k;
}

int tl_by_process(struct prof_stack *st, int n, uint32_t *pids, int max)
{
	int np = 0;
	if (max > CT_NSLOTS)
		max = CT_NSLOTS;
	/* the pids by samples: a few hundred stacks, at most a few hundred
	 * processes; the top max - 1 get rows */
	uint32_t *all = calloc((size_t)n + 1, sizeof(*all));
	uint64_t *sum = calloc((size_t)n + 1, sizeof(*sum));
	int na = 0;
	if (!all || !sum) {
		free(all);
		free(sum);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		int j = 0;
		while (j < na && all[j] != st[i].pid)
			j++;
		if (j == na)
			all[na++] = st[i].pid;
		sum[j] += st[i].count;
	}
	for (int i = 1; i < na; i++) /* most samples first */
		for (int j = i; j > 0 && sum[j] > sum[j - 1]; j--) {
			uint64_t t = sum[j];
			uint32_t p = all[j];
			sum[j] = sum[j - 1];
			all[j] = all[j - 1];
			sum[j - 1] = t;
			all[j - 1] = p;
		}
	for (int i = 0; i < na && np < max - 1; i++)
		pids[np++] = all[i];
	int rest = na > np;
	if (rest)
		pids[np] = 0;
	for (int i = 0; i < n; i++) {
		int j = 0;
		while (j < np && pids[j] != st[i].pid)
			j++;
		st[i].side = j; /* np: the rest's row */
	}
	free(all);
	free(sum);
	return np + rest;
}

int tl_build(struct time_ledger *tl, const struct prof_stack *st, int n, uint64_t period_ns)
{
	struct tl_fn *self = NULL, *other = NULL;
	int ns = 0, cs = 0, no = 0, co = 0, rc = 0;
	memset(tl, 0, sizeof(*tl));
	tl->period_ns = period_ns;
	for (int i = 0; i < n && !rc; i++) {
		const struct prof_stack *s = &st[i];
		if (s->event != PE_CLOCK || s->side < 0 || s->side >= CT_NSLOTS)
			continue;
		tl->total[s->side] += s->count;
		tl->total_all += s->count;
		int irq;
		const char *caller;
		int row = tl_classify(s, &irq, &caller);
		if (row >= 0) {
			tl->rows[row][s->side] += s->count;
			tl->row_all[row] += s->count;
		}
		tl->irq[s->side] += irq ? s->count : 0;
		tl->irq_all += irq ? s->count : 0;
		if (s->nk + s->nu)
			rc |= tally(&self, &ns, &cs, s->frames[0], s->count);
		if ((row == TL_USER_OTHER || row == TL_KERNEL_OTHER) && caller)
			rc |= tally(&other, &no, &co, caller, s->count);
	}
	tl->nself = top(tl->self, self, ns);
	tl->nother = top(tl->other, other, no);
	free(self);
	free(other);
	return rc;
}
