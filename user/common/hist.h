/* SPDX-License-Identifier: GPL-2.0-only */
/* Log-linear latency histogram (HDR-style): 2^SUB sub-buckets per power of
 * two, so any recorded value is reported within 1/2^SUB relative error. */
#ifndef CT_HIST_H
#define CT_HIST_H
#include <stdint.h>

#define HIST_SUB_BITS 5
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_BUCKETS (64 * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t sum;
	uint64_t min, max;
	uint32_t bin[HIST_BUCKETS];
};

void hist_init(struct hist *h);
void hist_add(struct hist *h, uint64_t v);
void hist_merge(struct hist *into, const struct hist *from);
/* Value at quantile q in [0,1]: the upper edge of the bucket holding it,
 * clamped to max. 0 when empty. */
uint64_t hist_quantile(const struct hist *h, double q);
double hist_mean(const struct hist *h);

#endif
