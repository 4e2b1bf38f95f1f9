// SPDX-License-Identifier: GPL-2.0-only
#include "errf.h"

#include <stdarg.h>
#include <stdio.h>

int errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}
