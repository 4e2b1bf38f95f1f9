// SPDX-License-Identifier: GPL-2.0-only
/* A1's user-space copy, kept out of line so the tracer sees every call.
 * The tracer observes it through ONE uprobe on ct_gather_probe, which
 * ct_gather calls with the byte count before copying: the count is then
 * an argument at the probe (no uretprobe, whose return trampoline doubles
 * the cost), and the copy's time comes from the profiler's samples. */
#include "gather.h"

#include <stdio.h>
#include <string.h>

/* The probe site: a 5-byte nop and a return. A uprobe on a 5-byte nop is
 * what kernels from 6.18 on turn from a trap into a call (optimized
 * uprobes), the cheapest uprobe there is; elsewhere it is an ordinary
 * uprobe. Arguments in the C calling convention: dst, bytes. */
#if defined(__x86_64__)
__asm__(".text\n"
	".globl ct_gather_probe\n"
	".type ct_gather_probe, @function\n"
	"ct_gather_probe:\n"
	"\t.byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n" /* nopl 0x0(%rax,%rax,1) */
	"\tret\n"
	".size ct_gather_probe, .-ct_gather_probe\n");
#else
__attribute__((noinline, used, visibility("default"))) void ct_gather_probe(void *dst, size_t bytes)
{
	__asm__ volatile("" : : "r"(dst), "r"(bytes) : "memory");
}
#endif

__attribute__((noinline, used, visibility("default"))) size_t ct_gather(void *dst,
									const struct iovec *iov,
									int iovcnt)
{
	size_t total = 0;
	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	ct_gather_probe(dst, total);
	char *d = dst;
	for (int i = 0; i < iovcnt; i++) {
		memcpy(d, iov[i].iov_base, iov[i].iov_len);
		d += iov[i].iov_len;
	}
	return (size_t)(d - (char *)dst);
}

/* Whether /proc/self/maps has the kernel's uprobe trampoline page. */
static int have_trampoline(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return -1;
	char line[512];
	int found = 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, "[uprobes-trampoline]") != NULL;
	fclose(f);
	return found;
}

const char *ct_gather_probe_site(char *buf, size_t n)
{
#if defined(__x86_64__)
	/* the code as this process sees it: the kernel writes a uprobe's
	 * int3, and later the optimized call, into our copy of the page */
	const volatile unsigned char *p = (const volatile unsigned char *)(void *)ct_gather_probe;
	unsigned char b = p[0];
	int tr = have_trampoline();
	if (b == 0x0f)
		snprintf(buf, n, "nop5: no uprobe on the site");
	else if (b == 0xcc)
		snprintf(buf, n, "int3: the uprobe traps on every hit (no optimized uprobe here)");
	else if (b == 0xe8)
		snprintf(buf, n,
			 "call: optimized uprobe, a syscall per hit (site rewritten into a call%s)",
			 tr > 0		   ? " into [uprobes-trampoline], mapped in this process"
				 : tr == 0 ? "; no [uprobes-trampoline] mapping seen"
					   : "");
	else
		snprintf(buf, n, "unknown: first byte 0x%02x", b);
#else
	snprintf(buf, n, "not a 5-byte nop site on this architecture: the uprobe traps");
#endif
	return buf;
}
