// SPDX-License-Identifier: GPL-2.0-only
/* Folded-stack lines (folded.h): user frames from the root, then kernel
 * frames, leaf last; ';' and white space in names would break the format
 * and are replaced. */
#include "folded.h"
#include "writer.h"

#include <stdlib.h>
#include <string.h>

static const char *const roots[2] = { "sender", "receiver" };

/* Appends name (sanitized) and an optional suffix; returns the new length
 * or -1 when it does not fit. */
static int put(char *b, size_t cap, size_t len, const char *name, const char *suffix)
{
	if (len && len + 1 < cap)
		b[len++] = ';';
	for (const char *p = name; *p; p++) {
		if (len + 1 >= cap)
			return -1;
		/* a frame holds no ';' (the separator) and no white space
		 * (flamegraph.pl splits the count off at the last one) */
		b[len++] = *p == ';' ? ':' : (unsigned char)*p <= ' ' ? '_' : *p;
	}
	for (const char *p = suffix; *p; p++) {
		if (len + 1 >= cap)
			return -1;
		b[len++] = *p;
	}
	b[len] = 0;
	return (int)len;
}

static int by_stack(const void *a, const void *b)
{
	return strcmp(((const struct folded_line *)a)->stack,
		      ((const struct folded_line *)b)->stack);
}

int folded_lines(const struct prof_stack *st, int n, struct folded_line **out)
{
	struct folded_line *l = calloc((size_t)(n ? n : 1), sizeof(*l));
	int k = 0;
	if (!l)
		return -1;
	char buf[16384];
	for (int i = 0; i < n; i++) {
		const struct prof_stack *s = &st[i];
		if (s->event != PE_CLOCK || !s->count || (!s->root && (s->side < 0 || s->side > 1)))
			continue;
		int len = put(buf, sizeof(buf), 0, s->root ? s->root : roots[s->side], "");
		for (int j = s->nk + s->nu - 1; j >= s->nk && len >= 0; j--)
			len = put(buf, sizeof(buf), (size_t)len, s->frames[j], "");
		for (int j = s->nk - 1; j >= 0 && len >= 0; j--)
			len = put(buf, sizeof(buf), (size_t)len, s->frames[j], "_[k]");
		if (len < 0)
			continue; /* deeper than any real stack: 2 x 127 frames */
		if (!(l[k].stack = strdup(buf))) {
			folded_free(l, k);
			return -1;
		}
		l[k++].count = s->count;
	}
	qsort(l, (size_t)k, sizeof(*l), by_stack);
	int m = 0; /* merge equal stacks (different ids, same names) */
	for (int i = 0; i < k; i++) {
		if (m && !strcmp(l[m - 1].stack, l[i].stack)) {
			l[m - 1].count += l[i].count;
			free(l[i].stack);
		} else {
			l[m++] = l[i];
		}
	}
	*out = l;
	return m;
}

void folded_free(struct folded_line *l, int n)
{
	for (int i = 0; l && i < n; i++)
		free(l[i].stack);
	free(l);
}

int folded_write(FILE *f, const struct folded_line *l, int n)
{
	for (int i = 0; i < n; i++)
		if (fprintf(f, "%s %llu\n", l[i].stack, (unsigned long long)l[i].count) < 0)
			return -1;
	return ferror(f) ? -1 : 0;
}

int folded_snapshot(FILE *f, const struct ct_snapshot *s,
		    int (*emit)(FILE *, const struct folded_line *, int, const char *))
{
	struct folded_line *l;
	int n = s->prof ? folded_lines(s->prof->st, s->prof->n, &l) : -1;
	if (n < 0)
		return -1;
	int rc = emit(f, l, n, s->fg_title);
	folded_free(l, n);
	return rc;
}

static int folded_emit(FILE *f, const struct folded_line *l, int n, const char *title)
{
	(void)title;
	return folded_write(f, l, n);
}

/* --folded: the profiler's stacks of the snapshot. */
static int folded_writer(FILE *f, const struct ct_snapshot *s)
{
	return folded_snapshot(f, s, folded_emit);
}

const struct report_writer writer_folded = { "folded", folded_writer, NULL };
