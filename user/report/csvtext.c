// SPDX-License-Identifier: GPL-2.0-only
/* CSV fields (csvtext.h). */
#include "csvtext.h"

#include <string.h>

/* A text field as RFC 4180 has it: quoted (quotes doubled) when it holds
 * a comma, a quote or a line break, or always with quote set; a leading
 * =, +, - or @ gets a ' in front, so that no spreadsheet takes a traced
 * program's name for a formula. */
const char *csv_text(char *out, size_t n, const char *in, int quote)
{
	int lead = strchr("=+-@", in[0]) && in[0];
	quote |= lead || in[strcspn(in, ",\"\r\n")] != 0;
	size_t w = 0;
	if (quote && w + 1 < n)
		out[w++] = '"';
	if (lead && w + 1 < n)
		out[w++] = '\'';
	for (const char *p = in; *p && w + 3 < n; p++) {
		if (*p == '"')
			out[w++] = '"';
		out[w++] = *p;
	}
	if (quote)
		out[w++] = '"';
	out[w] = 0;
	return out;
}
