/* SPDX-License-Identifier: GPL-2.0-only */
/* Addresses to function names: the kernel from /proc/kallsyms, user space
 * through the traced processes' mappings over the trace (procmaps.h) and
 * the ELF symbols (and separate debug files) of the mapped files, read
 * with elfutils' libdwfl, one session per file. */
#ifndef CT_SYMBOLIZE_H
#define CT_SYMBOLIZE_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct symbolizer;
struct procmaps;

/* pm: the mappings user addresses resolve through (read only, and not
 * changed while s lives except by adding processes or files). */
struct symbolizer *sym_new(const struct procmaps *pm);
/* The function holding addr, or "[file+0xOFFSET]" (a file offset: the
 * file is gone, replaced, or holds no symbol there) / "[unknown]" (no
 * mapping known). Strings live as long as s. */
const char *sym_kernel(struct symbolizer *s, uint64_t addr);
const char *sym_user(struct symbolizer *s, pid_t pid, uint64_t addr);
/* Mapped files left unread because they were not regular files, or not
 * the file that was mapped (their frames stay "[file+0xOFFSET]"). */
uint64_t sym_files_refused(const struct symbolizer *s);
/* A copy of str that lives as long as s. */
const char *sym_intern(struct symbolizer *s, const char *str);
void sym_free(struct symbolizer *s);

#endif
