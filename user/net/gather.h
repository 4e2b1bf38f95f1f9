/* A1's user-space gather: copies iovcnt buffers into dst, back to back, and
 * returns the bytes copied. Out of line so the tracer can probe it. */
#ifndef CT_GATHER_H
#define CT_GATHER_H
#include <stddef.h>
#include <sys/uio.h>

size_t ct_gather(void *dst, const struct iovec *iov, int iovcnt);
#endif
