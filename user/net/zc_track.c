// SPDX-License-Identifier: GPL-2.0-only
#include "zc_track.h"

#include <string.h>

void zc_init(struct zc_track *t)
{
	memset(t, 0, sizeof(*t));
}

void zc_taken(struct zc_track *t, uint32_t k)
{
	t->next_id += k;
}

static bool bit(const struct zc_track *t, uint32_t id)
{
	uint32_t i = id % ZC_WINDOW;
	return t->bits[i / 64] >> (i % 64) & 1;
}

static void flip(struct zc_track *t, uint32_t id)
{
	uint32_t i = id % ZC_WINDOW;
	t->bits[i / 64] ^= 1ull << (i % 64);
}

int zc_complete(struct zc_track *t, uint32_t lo, uint32_t hi, bool copied)
{
	uint32_t n = hi - lo + 1; /* ids wrap at 2^32: unsigned arithmetic */
	t->notifications++;
	/* every id in range must be outstanding: lo - done_below < outstanding.
	 * Both ends inside the window is not enough: lo > hi would then span
	 * about 2^32 ids, so the length must fit in the window too. */
	if (n == 0 || n > zc_outstanding(t) || lo - t->done_below >= zc_outstanding(t) ||
	    hi - t->done_below >= zc_outstanding(t)) {
		t->bad++;
		return -1;
	}
	for (uint32_t k = 0; k < n; k++)
		if (bit(t, lo + k)) {
			t->bad++;
			return -1;
		}
	for (uint32_t k = 0; k < n; k++)
		flip(t, lo + k);
	/* Advance over the completed prefix, clearing flags for reuse. */
	while (t->done_below != t->next_id && bit(t, t->done_below)) {
		flip(t, t->done_below);
		t->done_below++;
	}
	t->completed += n;
	if (copied)
		t->copied += n;
	return (int)n;
}

bool zc_is_done(const struct zc_track *t, uint32_t id)
{
	return id - t->done_below >= zc_outstanding(t); /* not in the window */
}
