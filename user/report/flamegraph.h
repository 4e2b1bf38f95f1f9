/* SPDX-License-Identifier: GPL-2.0-only */
/* A self-contained SVG flame graph of folded stacks, copy frames
 * highlighted (no script, no external file). */
#ifndef CT_FLAMEGRAPH_H
#define CT_FLAMEGRAPH_H
#include <stdint.h>
#include <stdio.h>

#include "folded.h"

/* One frame box: depth 0 is the root (bottom row). */
struct fg_rect {
	const char *name; /* points into the folded lines */
	size_t name_len;
	int depth;
	double x, w; /* pixels */
	uint64_t count;
	int kind; /* tl_frame_kind: 0, 1 copy primitive, 2 copy site */
};

/* Lays the lines out on `width` pixels: every frame of every line merged
 * with its siblings of the same name, widths proportional to samples.
 * Returns the number of boxes (*out to free), or -1 on no memory. */
int fg_layout(const struct folded_line *l, int n, double width, struct fg_rect **out);
/* Writes the SVG; 0, or -1 on a write error or no memory. */
int flamegraph_write(FILE *f, const struct folded_line *l, int n, const char *title);

#endif
