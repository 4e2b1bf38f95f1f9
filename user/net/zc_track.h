/* SPDX-License-Identifier: GPL-2.0-only */
/* Tracks MSG_ZEROCOPY ids: each successful zerocopy sendmsg takes the next
 * 32-bit id; the error queue reports completed ranges [lo, hi], possibly
 * out of order. done_below advances over the contiguous completed prefix. */
#ifndef CT_ZC_TRACK_H
#define CT_ZC_TRACK_H
#include <stdbool.h>
#include <stdint.h>

#define ZC_WINDOW 65536u /* ids that may be outstanding at once */

struct zc_track {
	uint32_t next_id; /* id the next zerocopy send will take */
	uint32_t done_below; /* every id before this has completed */
	uint64_t completed, copied, notifications, bad;
	uint64_t bits[ZC_WINDOW / 64]; /* completion flags, indexed id % window */
};

void zc_init(struct zc_track *t);
/* The kernel assigned k new ids to successful sends. */
void zc_taken(struct zc_track *t, uint32_t k);
/* A notification for [lo, hi]. Returns ids newly completed, or -1 when the
 * range holds ids never sent or already completed (counted in bad). */
int zc_complete(struct zc_track *t, uint32_t lo, uint32_t hi, bool copied);
static inline uint32_t zc_outstanding(const struct zc_track *t)
{
	return t->next_id - t->done_below;
}
/* True once id (taken earlier) has completed. */
bool zc_is_done(const struct zc_track *t, uint32_t id);
#endif
