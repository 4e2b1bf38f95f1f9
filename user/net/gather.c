/* A1's user-space copy, kept out of line so the tracer sees every call.
 * The tracer observes it through ONE uprobe on ct_gather_probe, which
 * ct_gather calls with the byte count before copying: the count is then
 * an argument at the probe (no uretprobe, whose return trampoline doubles
 * the cost), and the copy's time comes from the profiler's samples. */
#include "gather.h"

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
__attribute__((noinline, used, visibility("default")))
void ct_gather_probe(void *dst, size_t bytes)
{
	__asm__ volatile("" : : "r"(dst), "r"(bytes) : "memory");
}
#endif

__attribute__((noinline, used, visibility("default")))
size_t ct_gather(void *dst, const struct iovec *iov, int iovcnt)
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
