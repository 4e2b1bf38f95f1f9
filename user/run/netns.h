/* SPDX-License-Identifier: GPL-2.0-only */
/* Network-namespace helpers for the runner. */
#ifndef CT_NETNS_H
#define CT_NETNS_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Runs iproute2's `ip` with the NULL-terminated arguments inside pid's
 * network namespace. Returns 0, or -1 with ip's complaint in err. */
int ns_ip(pid_t pid, char *err, size_t errlen, ...) __attribute__((sentinel));
/* Inode number of pid's network namespace (what BPF sees as ns.inum). */
uint64_t ns_inode(pid_t pid);
#endif
