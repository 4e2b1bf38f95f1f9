/* SPDX-License-Identifier: GPL-2.0-only */
/* Folded stacks ("root;...;leaf COUNT" per line), the input format of
 * flamegraph.pl, inferno and speedscope. */
#ifndef CT_FOLDED_H
#define CT_FOLDED_H
#include <stdint.h>
#include <stdio.h>

#include "profile/stack.h"

struct folded_line {
	char *stack; /* frames root first, ';'-separated; kernel ones end in "_[k]" */
	uint64_t count;
};

/* The cpu-clock stacks as folded lines, equal stacks merged, sorted by
 * stack. Root frame: the stack's root ("comm/pid" tracing a program), else
 * its side ("sender", "receiver"). Returns the number
 * of lines (*out to free with folded_free), or -1 on no memory. */
int folded_lines(const struct prof_stack *st, int n, struct folded_line **out);
void folded_free(struct folded_line *l, int n);
/* One line each; 0, or -1 when writing failed. */
int folded_write(FILE *f, const struct folded_line *l, int n);

struct ct_snapshot;
/* Folds a snapshot's stacks and hands them, with its flame-graph title, to
 * emit (the folded and svg writers). */
int folded_snapshot(FILE *f, const struct ct_snapshot *s,
		    int (*emit)(FILE *, const struct folded_line *, int, const char *));

#endif
