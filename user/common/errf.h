/* SPDX-License-Identifier: GPL-2.0-only */
/* One-line error messages into a caller's buffer. */
#ifndef CT_ERRF_H
#define CT_ERRF_H
#include <stddef.h>

/* Formats into err (at most len bytes) and returns -1, so callers can
 * `return errf(err, len, "...")`. */
int errf(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#endif
