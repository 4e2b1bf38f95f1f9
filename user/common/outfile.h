/* SPDX-License-Identifier: GPL-2.0-only */
/* trace_run's output files (--output, --folded, --flamegraph). The file
 * is created at the first write, after the trace (an aborted trace
 * truncates nothing), never through a symbolic link, close-on-exec, and
 * a file it creates belongs to the user trace_run acts for. */
#ifndef CT_OUTFILE_H
#define CT_OUTFILE_H
#include <stdio.h>
#include <sys/types.h>

/* Checks path now (no symbolic link, a directory that exists) without
 * creating anything, and returns a stream that creates the file at its
 * first write (or at fclose, empty) and gives it to uid:gid ((uid_t)-1:
 * keep root's). NULL with one line in err. */
FILE *outfile_open(const char *path, uid_t uid, gid_t gid, char *err, size_t errlen);
/* outfile_open for trace_run's options: the owner is the --user, the
 * sudo user, or root (identity.h). */
struct ct_opts;
FILE *outfile_for(const struct ct_opts *o, const char *path, char *err, size_t errlen);
/* The checks of outfile_open on --folded and --flamegraph, at the start
 * (they are opened only once the samples are read). 0, or -1 with why. */
int outfile_check_opts(const struct ct_opts *o, char *err, size_t errlen);

#endif
