// SPDX-License-Identifier: GPL-2.0-only
/* See version.h. CT_VERSION comes from build/ct_version.h, which the
 * Makefile rewrites only when `git describe` (or VERSION) changes. */
#include "version.h"

#include "ct_version.h"

const char *ct_version(void)
{
	return CT_VERSION;
}

void version_print(FILE *f, const char *prog)
{
	fprintf(f, "%s (copytrace) %s\n", prog, CT_VERSION);
#ifdef __VERSION__
	fprintf(f, "built with gcc %s\n", __VERSION__);
#endif
}
