/* Addresses to function names: the kernel from /proc/kallsyms, user space
 * from the ELF symbols (and separate debug files) of each process's
 * mappings, through elfutils' libdwfl. */
#ifndef CT_SYMBOLIZE_H
#define CT_SYMBOLIZE_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct symbolizer;

struct symbolizer *sym_new(void);
/* Snapshots pid's mappings (/proc/PID/maps) and opens their ELF files now,
 * while the process is alive; its addresses resolve after it exits. 0, or
 * -1 with why. */
int sym_add_pid(struct symbolizer *s, pid_t pid, char *err, size_t errlen);
/* The function holding addr, or "[module+0xOFF]" / "[unknown]". Strings
 * live as long as s. */
const char *sym_kernel(struct symbolizer *s, uint64_t addr);
const char *sym_user(struct symbolizer *s, pid_t pid, uint64_t addr);
void sym_free(struct symbolizer *s);

#endif
