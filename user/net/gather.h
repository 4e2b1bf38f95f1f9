/* SPDX-License-Identifier: GPL-2.0-only */
/* A1's user-space gather: copies iovcnt buffers into dst, back to back, and
 * returns the bytes copied. Out of line so the tracer can probe it. */
#ifndef CT_GATHER_H
#define CT_GATHER_H
#include <stddef.h>
#include <sys/uio.h>

size_t ct_gather(void *dst, const struct iovec *iov, int iovcnt);
/* Does nothing: the tracer's uprobe site, called by ct_gather with the
 * bytes it is about to copy. */
void ct_gather_probe(void *dst, size_t bytes);
/* What the probe site holds now, read back from this process's own code
 * (a uprobe rewrites it): into buf, one line. Which path the kernel took:
 * the 5-byte nop (no uprobe), int3 (a trap per hit), or a call into the
 * [uprobes-trampoline] mapping (optimized: a syscall per hit). */
const char *ct_gather_probe_site(char *buf, size_t n);
#endif
