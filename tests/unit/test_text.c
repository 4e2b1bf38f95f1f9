// SPDX-License-Identifier: GPL-2.0-only
/* Clean text for outputs: what a traced program's name can hold comes out
 * printable UTF-8, every other byte as \xNN, nothing lost silently. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "common/text.h"

static const char *clean(const char *in)
{
	static char out[256];
	return text_clean(out, sizeof(out), in);
}

static void printable_utf8_kept(void **st)
{
	(void)st;
	assert_true(text_is_clean("nginx: worker"));
	assert_string_equal(clean("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
			    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	assert_string_equal(clean(",\"</svg>;="), ",\"</svg>;=");
}

static void controls_and_bad_bytes_escaped(void **st)
{
	(void)st;
	assert_false(text_is_clean("a\tb"));
	assert_string_equal(clean("a\tb\nc\rd\x1b[2J"), "a\\x09b\\x0ac\\x0dd\\x1b[2J");
	assert_string_equal(clean("\x7f"), "\\x7f");
	/* a lone byte >= 0x80, a cut sequence, an overlong '/', a surrogate,
	 * a C1 control (U+009B, CSI) */
	assert_string_equal(clean("\xff"), "\\xff");
	assert_string_equal(clean("\xe2\x82"), "\\xe2\\x82");
	assert_string_equal(clean("\xc0\xaf"), "\\xc0\\xaf");
	assert_string_equal(clean("\xed\xa0\x80"), "\\xed\\xa0\\x80");
	assert_string_equal(clean("\xc2\x9b"), "\\xc2\\x9b");
	/* clean text stays as it is: cleaning twice changes nothing */
	char once[64];
	text_clean(once, sizeof(once), "a\tb\xff\\x41");
	assert_string_equal(once, "a\\x09b\\xff\\x41");
	assert_string_equal(clean(once), once);
}

static void room_is_enough_and_cuts_whole(void **st)
{
	(void)st;
	char small[6];
	assert_true(text_clean_size("\xff\xff\xff") >= strlen("\\xff\\xff\\xff") + 1);
	/* "\xff" takes 4 bytes: only one fits in 6 with the NUL */
	assert_string_equal(text_clean(small, sizeof(small), "\xff\xff"), "\\xff");
	assert_string_equal(text_clean(small, sizeof(small), "ab\xc3\xa9xyz"), "ab\xc3\xa9x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(printable_utf8_kept),
		cmocka_unit_test(controls_and_bad_bytes_escaped),
		cmocka_unit_test(room_is_enough_and_cuts_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
