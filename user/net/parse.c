// SPDX-License-Identifier: GPL-2.0-only
#include "parse.h"

#include <stdio.h>
#include <string.h>

void parser_init(struct parser *p, uint64_t first_seq, bool verify)
{
	memset(p, 0, sizeof(*p));
	p->expect_seq = first_seq;
	p->verify = verify;
}

static void bad(struct parser *p, const char *what)
{
	if (!p->msg_bad) {
		p->errors++;
		p->msg_bad = true;
		if (!p->first_error[0])
			snprintf(p->first_error, sizeof(p->first_error), "message %llu: %s",
				 (unsigned long long)p->expect_seq, what);
	}
}

static void check_header(struct parser *p)
{
	struct ct_hdr *h = &p->hdr;
	if (h->magic != CT_MAGIC || h->len < CT_HDR_SIZE || h->check != hdr_check(h)) {
		bad(p, "corrupt header (lost framing)");
		p->lost_sync = true;
		return;
	}
	if (h->seq != p->expect_seq)
		bad(p, "out-of-sequence message");
	if (p->verify && !(h->flags & CT_HDR_PATTERN))
		bad(p, "message carries no verification pattern");
	p->pad = h->flags & CT_HDR_PADDED ? msg_pad_to_page(h->len - CT_HDR_SIZE) : 0;
}

static int all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

size_t parser_feed(struct parser *p, const uint8_t *buf, size_t n,
		   void (*done)(void *arg, const struct ct_hdr *h), void *arg)
{
	size_t msgs = 0;
	while (n && !p->lost_sync) {
		if (p->hdr_have < CT_HDR_SIZE) {
			size_t k = CT_HDR_SIZE - p->hdr_have;
			if (k > n)
				k = n;
			memcpy((uint8_t *)&p->hdr + p->hdr_have, buf, k);
			p->hdr_have += k;
			buf += k;
			n -= k;
			if (p->hdr_have < CT_HDR_SIZE)
				break;
			check_header(p);
			if (p->lost_sync)
				break;
			p->pay_off = 0;
		}
		size_t plen = p->hdr.len - CT_HDR_SIZE, end = plen + p->pad;
		size_t k = end - p->pay_off;
		if (k > n)
			k = n;
		size_t kp = p->pay_off < plen ? plen - p->pay_off : 0; /* of them payload */
		if (kp > k)
			kp = k;
		if ((p->hdr.flags & CT_HDR_PATTERN) &&
		    pattern_verify(buf, p->pay_off, kp, p->hdr.seq))
			bad(p, "payload bytes differ from the pattern");
		if ((p->hdr.flags & CT_HDR_PATTERN) && !all_zero(buf + kp, k - kp))
			bad(p, "padding bytes are not zero");
		p->pay_off += k;
		buf += k;
		n -= k;
		if (p->pay_off == end) {
			if (done)
				done(arg, &p->hdr);
			p->messages++;
			msgs++;
			p->expect_seq = p->hdr.seq + 1;
			p->hdr_have = 0;
			p->msg_bad = false;
		}
	}
	return msgs;
}
