// SPDX-License-Identifier: GPL-2.0-only
/* The flame graph renderer (flamegraph.h). Layout: a prefix tree of the
 * folded stacks (merged by name at each depth, children in first-seen
 * order; folded lines arrive sorted, so that is alphabetical), each node
 * as wide as its samples. Rendering: one <rect> and <title> per node,
 * text where it fits. */
#include "flamegraph.h"

#include <stdlib.h>
#include <string.h>

#include "timeledger.h"
#include "writer.h"

#define FG_WIDTH 1200.0
#define FG_PAD 10.0
#define FG_ROW 16
#define FG_HEAD 56
#define FG_MIN_W 0.1 /* narrower boxes are left out, as flamegraph.pl does */

struct node {
	const char *name;
	size_t len;
	uint64_t count;
	int child, next; /* first child, next sibling (indices, -1: none) */
};

struct tree {
	struct node *v;
	int n, cap;
};

static int add_node(struct tree *t, const char *name, size_t len)
{
	if (t->n == t->cap) {
		int c = t->cap ? t->cap * 2 : 256;
		struct node *p = realloc(t->v, (size_t)c * sizeof(*p));
		if (!p)
			return -1;
		t->v = p;
		t->cap = c;
	}
	t->v[t->n] = (struct node){ name, len, 0, -1, -1 };
	return t->n++;
}

/* The child of parent named name[0..len), created at the end of the list. */
static int child(struct tree *t, int parent, const char *name, size_t len)
{
	int last = -1;
	for (int c = t->v[parent].child; c >= 0; c = t->v[c].next) {
		if (t->v[c].len == len && !memcmp(t->v[c].name, name, len))
			return c;
		last = c;
	}
	int c = add_node(t, name, len);
	if (c < 0)
		return -1;
	if (last < 0)
		t->v[parent].child = c;
	else
		t->v[last].next = c;
	return c;
}

static int kind_of(const char *name, size_t len)
{
	char b[256];
	if (len >= 4 && !memcmp(name + len - 4, "_[k]", 4))
		len -= 4;
	if (len >= sizeof(b))
		return 0;
	memcpy(b, name, len);
	b[len] = 0;
	return tl_frame_kind(b);
}

/* Depth-first placement of node i and its children. */
static int place(const struct tree *t, int i, int depth, double x, double scale,
		 struct fg_rect **out, int *n, int *cap)
{
	double w = (double)t->v[i].count * scale;
	if (w < FG_MIN_W)
		return 0;
	if (*n == *cap) {
		int c = *cap ? *cap * 2 : 256;
		struct fg_rect *p = realloc(*out, (size_t)c * sizeof(*p));
		if (!p)
			return -1;
		*out = p;
		*cap = c;
	}
	(*out)[(*n)++] = (struct fg_rect){ t->v[i].name,
					   t->v[i].len,
					   depth,
					   x,
					   w,
					   t->v[i].count,
					   kind_of(t->v[i].name, t->v[i].len) };
	for (int c = t->v[i].child; c >= 0; c = t->v[c].next) {
		if (place(t, c, depth + 1, x, scale, out, n, cap))
			return -1;
		x += (double)t->v[c].count * scale;
	}
	return 0;
}

int fg_layout(const struct folded_line *l, int n, double width, struct fg_rect **out)
{
	struct tree t = { 0 };
	*out = NULL;
	int root = add_node(&t, "all", 3), k = 0, cap = 0;
	for (int i = 0; i < n && root >= 0; i++) {
		int cur = root;
		t.v[root].count += l[i].count;
		for (const char *p = l[i].stack; cur >= 0 && *p;) {
			const char *e = strchr(p, ';');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			cur = child(&t, cur, p, len);
			if (cur >= 0)
				t.v[cur].count += l[i].count;
			p += len + (e ? 1 : 0);
		}
		if (cur < 0)
			root = -1;
	}
	if (root < 0 ||
	    (t.v[root].count &&
	     place(&t, root, 0, 0, width / (double)t.v[root].count, out, &k, &cap))) {
		free(t.v);
		free(*out);
		*out = NULL;
		return -1;
	}
	free(t.v);
	return k;
}

static void xml_text(FILE *f, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		switch (s[i]) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f)
				fputc(s[i], f);
			else
				fputc('?', f); /* keep the document ASCII and well-formed */
		}
}

/* Warm colours vary by name (stable across runs); copy frames are blue. */
static void colour(const struct fg_rect *r, char *b, size_t n)
{
	unsigned h = 2166136261u;
	for (size_t i = 0; i < r->name_len; i++)
		h = (h ^ (unsigned char)r->name[i]) * 16777619u;
	int kernel = r->name_len >= 4 && !memcmp(r->name + r->name_len - 4, "_[k]", 4);
	if (r->kind == 2)
		snprintf(b, n, "rgb(40,110,%u)", 220 + h % 30);
	else if (r->kind == 1)
		snprintf(b, n, "rgb(100,%u,250)", 170 + h % 40);
	else if (r->depth <= 1)
		snprintf(b, n, "rgb(200,200,200)");
	else if (kernel)
		snprintf(b, n, "rgb(230,%u,%u)", 90 + h % 80, 40 + (h >> 8) % 40);
	else
		snprintf(b, n, "rgb(230,%u,%u)", 170 + h % 60, 60 + (h >> 8) % 40);
}

int flamegraph_write(FILE *f, const struct folded_line *l, int n, const char *title)
{
	struct fg_rect *r;
	int k = fg_layout(l, n, FG_WIDTH - 2 * FG_PAD, &r);
	if (k < 0)
		return -1;
	int depth = 0;
	for (int i = 0; i < k; i++)
		if (r[i].depth > depth)
			depth = r[i].depth;
	int height = FG_HEAD + (depth + 1) * FG_ROW + 10;
	uint64_t total = k ? r[0].count : 0;
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%d\" "
		"viewBox=\"0 0 %.0f %d\" font-family=\"monospace\" font-size=\"11\">\n",
		FG_WIDTH, height, FG_WIDTH, height);
	fprintf(f,
		"<rect width=\"100%%\" height=\"100%%\" fill=\"rgb(250,250,240)\"/>\n"
		"<text x=\"%.0f\" y=\"20\" font-size=\"15\" text-anchor=\"middle\">",
		FG_WIDTH / 2);
	xml_text(f, title, strlen(title));
	fprintf(f,
		"</text>\n<text x=\"%.0f\" y=\"40\">%llu samples; blue: copy sites "
		"(dark) and copy primitives (light); frames ending _[k] are kernel</text>\n",
		FG_PAD, (unsigned long long)total);
	for (int i = 0; i < k; i++) {
		char c[32];
		colour(&r[i], c, sizeof(c));
		double y = FG_HEAD + (double)(depth - r[i].depth) * FG_ROW;
		fprintf(f, "<g><title>");
		xml_text(f, r[i].name, r[i].name_len);
		fprintf(f,
			" (%llu samples, %.2f%%)</title><rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" "
			"height=\"%d\" fill=\"%s\" rx=\"2\"/>",
			(unsigned long long)r[i].count, total ? 100.0 * r[i].count / total : 0,
			FG_PAD + r[i].x, y, r[i].w, FG_ROW - 1, c);
		size_t fit = (size_t)((r[i].w - 6) / 6.6); /* characters that fit */
		if (fit >= 3) {
			fprintf(f, "<text x=\"%.2f\" y=\"%.0f\">", FG_PAD + r[i].x + 3, y + 11);
			if (r[i].name_len <= fit) {
				xml_text(f, r[i].name, r[i].name_len);
			} else {
				xml_text(f, r[i].name, fit - 2);
				fputs("..", f);
			}
			fputs("</text>", f);
		}
		fputs("</g>\n", f);
	}
	fputs("</svg>\n", f);
	free(r);
	return ferror(f) ? -1 : 0;
}

/* --flamegraph: the profiler's stacks of the snapshot under its title. */
static int svg_writer(FILE *f, const struct ct_snapshot *s)
{
	return folded_snapshot(f, s, flamegraph_write);
}

const struct report_writer writer_svg = { "svg", svg_writer, NULL };
