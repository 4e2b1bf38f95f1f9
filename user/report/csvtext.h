/* SPDX-License-Identifier: GPL-2.0-only */
/* A text field as CSV has it, for every CSV trace_run writes. */
#ifndef CT_CSVTEXT_H
#define CT_CSVTEXT_H
#include <stddef.h>

/* in as an RFC 4180 field into out (n bytes): quoted (quotes doubled)
 * when it holds a comma, a quote or a line break, or always with quote
 * set; a leading =, +, - or @ gets a ' in front, so that no spreadsheet
 * takes a traced program's name for a formula. Returns out. */
const char *csv_text(char *out, size_t n, const char *in, int quote);

#endif
