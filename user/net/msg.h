/* SPDX-License-Identifier: GPL-2.0-only */
/* The message model: a small header followed by 8 string fields. */
#ifndef CT_MSG_H
#define CT_MSG_H
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "common/opts.h"

#define CT_FIELDS 8
#define CT_MAGIC 0x43545243u /* "CTRC" */

struct ct_hdr {
	uint32_t magic;
	uint32_t len; /* whole message incl. header */
	uint64_t seq;
	uint64_t send_ns; /* sender's CLOCK_MONOTONIC at send time */
	uint32_t flags; /* CT_HDR_PATTERN: payload carries the seq pattern */
	uint32_t check; /* hdr_check() over the fields above */
};
#define CT_HDR_PATTERN 1u
/* The payload is followed by zero bytes up to the next multiple of
 * CT_PAGE, so that its last page travels, and maps, whole (a5). */
#define CT_HDR_PADDED 2u
#define CT_HDR_SIZE ((size_t)sizeof(struct ct_hdr))
_Static_assert(sizeof(struct ct_hdr) == CT_MIN_SIZE, "--size's minimum is the header");
/* The page of the framing: a protocol constant, not this host's page size,
 * so that both ends agree on the padding wherever they run. */
#define CT_PAGE ((size_t)4096)

/* One message buffer set: the header plus 8 heap-allocated fields. */
struct ct_msg {
	struct ct_hdr *hdr;
	char *field[CT_FIELDS];
	size_t flen[CT_FIELDS];
	size_t size; /* header + payload */
	struct iovec iov[CT_FIELDS + 1]; /* header, field0..7 */
	uint32_t hdr_flags; /* more header flags (a5: CT_HDR_PADDED) */
};

/* Lengths of the 8 fields for a payload of plen bytes (even split, the
 * remainder spread over the first fields). */
void msg_split(size_t plen, size_t flen[CT_FIELDS]);
int msg_alloc(struct ct_msg *m, size_t size);
void msg_free(struct ct_msg *m);
/* Writes header (seq, timestamp) and, with pattern, the payload for seq. */
void msg_stamp(struct ct_msg *m, uint64_t seq, uint64_t now_ns, int pattern);
uint32_t hdr_check(const struct ct_hdr *h);

/* Zero bytes after a payload of plen bytes that fill its last page. */
static inline size_t msg_pad_to_page(size_t plen)
{
	return (CT_PAGE - plen % CT_PAGE) % CT_PAGE;
}
/* The padding a5 sends (with CT_HDR_PADDED): a last page more than half
 * full is padded to a whole one, so the padding never exceeds the bytes it
 * spares the receiver from copying; otherwise none. */
size_t msg_page_pad(size_t plen);

/* Payload pattern: byte p of message seq. fill/verify work on any slice
 * [off, off+len) of the payload so a receiver can check chunk by chunk. */
void pattern_fill(void *dst, size_t off, size_t len, uint64_t seq);
/* Returns the number of bytes in buf that differ from the pattern. */
size_t pattern_verify(const void *buf, size_t off, size_t len, uint64_t seq);

/* The fields of m (its size and flen set) in a new memfd of len bytes
 * (len >= the payload), mapped shared: back to back from the file's start,
 * so that their pages go out in one run; iov[0] is the header. 0, or -1
 * with errno and what failed in *what (*fd and *map: what was made). */
int msg_fields_in_memfd(struct ct_msg *m, const char *name, size_t len, int *fd, char **map,
			const char **what);

/* Fills the string fields with printable text once ("pre-registered"). */
void msg_fill_text(struct ct_msg *m);

#endif
