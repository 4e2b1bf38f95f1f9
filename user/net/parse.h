/* SPDX-License-Identifier: GPL-2.0-only */
/* Receiver-side framing: splits a byte stream into messages chunk by chunk,
 * checks headers, sequence and (with the pattern flag) every payload byte
 * and every padding byte, without copying. */
#ifndef CT_PARSE_H
#define CT_PARSE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "msg.h"

struct parser {
	struct ct_hdr hdr;
	size_t hdr_have; /* header bytes collected so far */
	size_t pay_off; /* payload (then padding) bytes seen of the current message */
	size_t pad; /* zero bytes after its payload (CT_HDR_PADDED) */
	uint64_t expect_seq;
	bool msg_bad; /* current message already counted as an error */
	bool lost_sync; /* bad magic/length: the rest is unparseable */
	bool verify; /* every message must carry the pattern */
	uint64_t messages, errors;
	char first_error[120];
};

void parser_init(struct parser *p, uint64_t first_seq, bool verify);
/* Feeds n bytes. For each completed message calls done(arg, hdr).
 * Returns the number of messages completed. */
size_t parser_feed(struct parser *p, const uint8_t *buf, size_t n,
		   void (*done)(void *arg, const struct ct_hdr *h), void *arg);
/* True between messages (nothing partial buffered). */
static inline bool parser_idle(const struct parser *p)
{
	return p->hdr_have == 0;
}
#endif
