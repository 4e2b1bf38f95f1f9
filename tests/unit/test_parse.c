// SPDX-License-Identifier: GPL-2.0-only
/* Receiver framing: any chunking, and every kind of damage is reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "net/parse.h"

size_t ct_gather(void *dst, const struct iovec *iov, int iovcnt);

/* n messages of size bytes with the pattern, back to back. */
static uint8_t *stream_of(size_t size, int n, int pattern)
{
	struct ct_msg m;
	uint8_t *buf = malloc(size * (size_t)n);
	assert_int_equal(msg_alloc(&m, size), 0);
	for (int i = 0; i < n; i++) {
		msg_stamp(&m, (uint64_t)i, 1000 + (uint64_t)i, pattern);
		ct_gather(buf + size * (size_t)i, m.iov, CT_FIELDS + 1);
	}
	msg_free(&m);
	return buf;
}

/* The same with a5's framing: each payload followed by zeros up to a
 * whole page (CT_HDR_PADDED); *step is the bytes per message. */
static uint8_t *padded_stream_of(size_t size, int n, size_t *step)
{
	struct ct_msg m;
	size_t pad = msg_pad_to_page(size - CT_HDR_SIZE);
	*step = size + pad;
	uint8_t *buf = calloc(*step, (size_t)n);
	assert_int_equal(msg_alloc(&m, size), 0);
	m.hdr_flags = CT_HDR_PADDED;
	for (int i = 0; i < n; i++) {
		msg_stamp(&m, (uint64_t)i, 1000 + (uint64_t)i, 1);
		ct_gather(buf + *step * (size_t)i, m.iov, CT_FIELDS + 1);
	}
	msg_free(&m);
	return buf;
}

static int seen;
static void count(void *arg, const struct ct_hdr *h)
{
	(void)arg;
	assert_int_equal(h->seq, (uint64_t)seen);
	seen++;
}

static void any_chunking_parses(void **st)
{
	(void)st;
	size_t size = 301;
	uint8_t *buf = stream_of(size, 20, 1);
	size_t chunks[] = { 1, 7, 31, 32, 33, 300, 301, 302, 6020 };
	for (size_t c = 0; c < sizeof(chunks) / sizeof(*chunks); c++) {
		struct parser p;
		parser_init(&p, 0, true);
		seen = 0;
		for (size_t off = 0; off < size * 20; off += chunks[c]) {
			size_t k = size * 20 - off < chunks[c] ? size * 20 - off : chunks[c];
			parser_feed(&p, buf + off, k, count, NULL);
		}
		assert_int_equal(p.messages, 20);
		assert_int_equal(p.errors, 0);
		assert_int_equal(seen, 20);
		assert_true(parser_idle(&p));
	}
	free(buf);
}

/* Padding is skipped as the header announces it, in any chunking. */
static void padded_any_chunking_parses(void **st)
{
	(void)st;
	size_t step, n = 6;
	uint8_t *buf = padded_stream_of(5000, (int)n, &step); /* 4968 B + 3224 B of zeros */
	assert_int_equal(step, 8192 + 32);
	size_t chunks[] = { 1, 31, 32, 4096, 4999, 5000, 5001, 8224, 100000 };
	for (size_t c = 0; c < sizeof(chunks) / sizeof(*chunks); c++) {
		struct parser p;
		parser_init(&p, 0, true);
		seen = 0;
		for (size_t off = 0; off < step * n; off += chunks[c]) {
			size_t k = step * n - off < chunks[c] ? step * n - off : chunks[c];
			parser_feed(&p, buf + off, k, count, NULL);
		}
		assert_int_equal(p.messages, n);
		assert_int_equal(p.errors, 0);
		assert_true(parser_idle(&p));
	}
	free(buf);
}

/* --verify checks the padding too: it must be zeros. */
static void nonzero_padding_is_an_error(void **st)
{
	(void)st;
	size_t step;
	uint8_t *buf = padded_stream_of(5000, 3, &step);
	buf[step + 6000] = 1; /* message 1's padding */
	struct parser p;
	parser_init(&p, 0, true);
	parser_feed(&p, buf, 3 * step, NULL, NULL);
	assert_int_equal(p.messages, 3);
	assert_int_equal(p.errors, 1);
	assert_non_null(strstr(p.first_error, "message 1: padding"));
	free(buf);
}

static void flipped_payload_byte_is_an_error(void **st)
{
	(void)st;
	uint8_t *buf = stream_of(4096, 3, 1);
	buf[4096 + 2000] ^= 1;
	struct parser p;
	parser_init(&p, 0, true);
	parser_feed(&p, buf, 3 * 4096, NULL, NULL);
	assert_int_equal(p.messages, 3);
	assert_int_equal(p.errors, 1);
	assert_non_null(strstr(p.first_error, "message 1"));
	free(buf);
}

static void missing_message_is_out_of_sequence(void **st)
{
	(void)st;
	uint8_t *buf = stream_of(256, 3, 0);
	struct parser p;
	parser_init(&p, 0, false);
	parser_feed(&p, buf, 256, NULL, NULL);
	parser_feed(&p, buf + 512, 256, NULL, NULL); /* message 1 lost */
	assert_int_equal(p.errors, 1);
	assert_non_null(strstr(p.first_error, "out-of-sequence"));
	free(buf);
}

static void corrupt_header_loses_sync(void **st)
{
	(void)st;
	uint8_t *buf = stream_of(256, 2, 0);
	buf[256 + 4] ^= 0xff; /* second message's length */
	struct parser p;
	parser_init(&p, 0, false);
	parser_feed(&p, buf, 512, NULL, NULL);
	assert_true(p.lost_sync);
	assert_int_equal(p.messages, 1);
	assert_int_equal(p.errors, 1);
	free(buf);
}

static void verify_requires_pattern(void **st)
{
	(void)st;
	uint8_t *buf = stream_of(256, 1, 0);
	struct parser p;
	parser_init(&p, 0, true);
	parser_feed(&p, buf, 256, NULL, NULL);
	assert_int_equal(p.errors, 1);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(any_chunking_parses),
		cmocka_unit_test(padded_any_chunking_parses),
		cmocka_unit_test(nonzero_padding_is_an_error),
		cmocka_unit_test(flipped_payload_byte_is_an_error),
		cmocka_unit_test(missing_message_is_out_of_sequence),
		cmocka_unit_test(corrupt_header_loses_sync),
		cmocka_unit_test(verify_requires_pattern),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
