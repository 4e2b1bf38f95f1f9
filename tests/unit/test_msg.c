// SPDX-License-Identifier: GPL-2.0-only
/* Field split, stamping, gather and the verification pattern. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "net/gather.h"
#include "net/msg.h"

size_t ct_gather(void *dst, const struct iovec *iov, int iovcnt);

static void split_even_and_remainder(void **st)
{
	(void)st;
	size_t f[CT_FIELDS], sum = 0;
	msg_split(224, f);
	for (int i = 0; i < CT_FIELDS; i++)
		assert_int_equal(f[i], 28);
	msg_split(8 * 100 + 5, f);
	for (int i = 0; i < CT_FIELDS; i++) {
		assert_int_equal(f[i], 100 + (i < 5));
		sum += f[i];
	}
	assert_int_equal(sum, 805);
	msg_split(3, f); /* fewer bytes than fields: some fields are empty */
	assert_int_equal(f[0] + f[1] + f[2], 3);
	assert_int_equal(f[3], 0);
}

static void alloc_sizes_and_iov(void **st)
{
	(void)st;
	size_t sizes[] = { CT_HDR_SIZE, 256, 4096, 65537 };
	for (size_t k = 0; k < 4; k++) {
		struct ct_msg m;
		assert_int_equal(msg_alloc(&m, sizes[k]), 0);
		size_t total = 0;
		for (int i = 0; i <= CT_FIELDS; i++)
			total += m.iov[i].iov_len;
		assert_int_equal(total, sizes[k]);
		assert_ptr_equal(m.iov[0].iov_base, m.hdr);
		/* fields are separate heap allocations */
		for (int i = 1; i < CT_FIELDS; i++)
			assert_ptr_not_equal(m.field[i], m.field[0]);
		msg_free(&m);
	}
	struct ct_msg m;
	assert_int_equal(msg_alloc(&m, CT_HDR_SIZE - 1), -1);
}

/* Untraced, the probe site reads back as the 5-byte nop it was built
 * as (x86-64), so a traced run's int3 or call is the kernel's doing. */
static void probe_site_untraced_is_nop(void **st)
{
	(void)st;
	char b[128];
	const char *s = ct_gather_probe_site(b, sizeof(b));
#if defined(__x86_64__)
	assert_string_equal(strtok(b, ":"), "nop5");
	assert_ptr_equal(s, b);
#else
	assert_non_null(strstr(s, "not a 5-byte nop"));
#endif
}

static void gather_concatenates_fields(void **st)
{
	(void)st;
	struct ct_msg m;
	assert_int_equal(msg_alloc(&m, 1000), 0);
	msg_stamp(&m, 7, 123, 1);
	char *buf = malloc(m.size);
	assert_int_equal(ct_gather(buf, m.iov, CT_FIELDS + 1), m.size);
	assert_memory_equal(buf, m.hdr, CT_HDR_SIZE);
	size_t off = CT_HDR_SIZE;
	for (int i = 0; i < CT_FIELDS; i++) {
		assert_memory_equal(buf + off, m.field[i], m.flen[i]);
		off += m.flen[i];
	}
	/* the gathered payload is exactly message 7's pattern */
	assert_int_equal(pattern_verify(buf + CT_HDR_SIZE, 0, m.size - CT_HDR_SIZE, 7), 0);
	free(buf);
	msg_free(&m);
}

static void stamp_sets_header(void **st)
{
	(void)st;
	struct ct_msg m;
	assert_int_equal(msg_alloc(&m, 256), 0);
	msg_stamp(&m, 42, 999, 0);
	assert_int_equal(m.hdr->magic, CT_MAGIC);
	assert_int_equal(m.hdr->len, 256);
	assert_int_equal(m.hdr->seq, 42);
	assert_int_equal(m.hdr->send_ns, 999);
	assert_int_equal(m.hdr->flags, 0);
	assert_int_equal(m.hdr->check, hdr_check(m.hdr));
	m.hdr->seq ^= 1;
	assert_int_not_equal(m.hdr->check, hdr_check(m.hdr));
	msg_free(&m);
}

/* a5's padding: a last page more than half full is padded to a whole one
 * (and the header says so), a smaller tail is not; whole pages need none. */
static void page_padding_rule(void **st)
{
	(void)st;
	assert_int_equal(msg_page_pad(4064), 32); /* --size 4096 */
	assert_int_equal(msg_page_pad(65504), 32); /* --size 65536 */
	assert_int_equal(msg_page_pad(2049), 2047);
	assert_int_equal(msg_page_pad(2048), 0); /* half full: copied, not padded */
	assert_int_equal(msg_page_pad(8192 + 100), 0);
	assert_int_equal(msg_page_pad(8192), 0);
	assert_int_equal(msg_page_pad(0), 0);
	assert_int_equal(msg_pad_to_page(8192 + 100), 3996);
	struct ct_msg m;
	assert_int_equal(msg_alloc(&m, 256), 0);
	m.hdr_flags = CT_HDR_PADDED;
	msg_stamp(&m, 1, 2, 1);
	assert_int_equal(m.hdr->flags, CT_HDR_PATTERN | CT_HDR_PADDED);
	assert_int_equal(m.hdr->check, hdr_check(m.hdr));
	msg_free(&m);
}

static void pattern_slices_agree(void **st)
{
	(void)st;
	uint8_t whole[1003], part[1003];
	pattern_fill(whole, 0, sizeof(whole), 5);
	/* filling at odd offsets gives the same bytes as one fill */
	size_t cuts[] = { 0, 1, 7, 8, 9, 500, 1001, 1003 };
	for (size_t i = 0; i + 1 < 8; i++)
		pattern_fill(part + cuts[i], cuts[i], cuts[i + 1] - cuts[i], 5);
	assert_memory_equal(whole, part, sizeof(whole));
	assert_int_equal(pattern_verify(whole + 3, 3, 997, 5), 0);
}

static void pattern_detects_corruption_and_reuse(void **st)
{
	(void)st;
	uint8_t b[4096];
	pattern_fill(b, 0, sizeof(b), 10);
	b[1234] ^= 0x40;
	assert_int_equal(pattern_verify(b, 0, sizeof(b), 10), 1);
	/* a slot rewritten by a later message differs almost everywhere */
	pattern_fill(b, 0, sizeof(b), 11);
	assert_true(pattern_verify(b, 0, sizeof(b), 10) > 4000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_even_and_remainder),
		cmocka_unit_test(alloc_sizes_and_iov),
		cmocka_unit_test(gather_concatenates_fields),
		cmocka_unit_test(probe_site_untraced_is_nop),
		cmocka_unit_test(stamp_sets_header),
		cmocka_unit_test(page_padding_rule),
		cmocka_unit_test(pattern_slices_agree),
		cmocka_unit_test(pattern_detects_corruption_and_reuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
