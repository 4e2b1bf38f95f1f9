// SPDX-License-Identifier: GPL-2.0-only
/* Clean text for outputs (text.h). */
#include "text.h"

#include <stdio.h>
#include <string.h>

/* Length of the printable UTF-8 sequence at s (1..4), or 0: a control
 * character, a C1 control, or no valid UTF-8 (overlong, surrogate, beyond
 * U+10FFFF, cut short). */
static int printable(const unsigned char *s)
{
	unsigned c = s[0];
	if (c >= 0x20 && c < 0x7f)
		return 1;
	int n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
	if (!n || (n == 3 && c > 0xef))
		return 0;
	unsigned cp = c & (0x3f >> (n - 1));
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
		return 0;
	return n;
}

bool text_is_clean(const char *in)
{
	for (const unsigned char *s = (const unsigned char *)in; *s;) {
		int k = printable(s);
		if (!k)
			return false;
		s += k;
	}
	return true;
}

size_t text_clean_size(const char *in)
{
	return 4 * strlen(in) + 1; /* every byte at worst "\xNN" */
}

char *text_clean(char *out, size_t n, const char *in)
{
	size_t w = 0;
	if (!n)
		return out;
	for (const unsigned char *s = (const unsigned char *)in; *s;) {
		int k = printable(s);
		char esc[5];
		const char *p = (const char *)s;
		size_t len = (size_t)k;
		if (!k) {
			snprintf(esc, sizeof(esc), "\\x%02x", *s);
			p = esc;
			len = strlen(esc);
			k = 1;
		}
		if (w + len >= n)
			break;
		memcpy(out + w, p, len);
		w += len;
		s += k;
	}
	out[w] = 0;
	return out;
}
