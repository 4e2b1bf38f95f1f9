/* SPDX-License-Identifier: GPL-2.0-only */
/* The version every binary prints with --version: the release in the
 * VERSION file, and the git commit it was built from when there is one. */
#ifndef CT_VERSION_H
#define CT_VERSION_H
#include <stdio.h>

const char *ct_version(void);
/* "PROG (copytrace) VERSION" and the build's compiler, one line each. */
void version_print(FILE *f, const char *prog);

#endif
