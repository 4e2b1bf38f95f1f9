/* A1's user-space copy, kept out of line so the tracer's uprobe sees every
 * call (uretprobe: bytes = return value). */
#include "gather.h"

#include <string.h>

__attribute__((noinline, used, visibility("default")))
size_t ct_gather(void *dst, const struct iovec *iov, int iovcnt)
{
	char *d = dst;
	for (int i = 0; i < iovcnt; i++) {
		memcpy(d, iov[i].iov_base, iov[i].iov_len);
		d += iov[i].iov_len;
	}
	return (size_t)(d - (char *)dst);
}
