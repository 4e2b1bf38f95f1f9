/* SPDX-License-Identifier: GPL-2.0-only */
/* --interval's output: one interval's snapshot (its iv set) in each
 * --format; the writers (writer.h) point at these. */
#ifndef CT_INTERVAL_H
#define CT_INTERVAL_H
#include <stdio.h>

#include "snapshot.h"

int interval_table(FILE *f, const struct ct_snapshot *s);
int interval_json(FILE *f, const struct ct_snapshot *s);
int interval_csv(FILE *f, const struct ct_snapshot *s);

#endif
