// SPDX-License-Identifier: GPL-2.0-only
/* The handshake: what a client asks for against what a server serves;
 * every mismatch named in one line, from either side. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "net/hello.h"

static struct ct_opts base(void)
{
	struct ct_opts o;
	memset(&o, 0, sizeof(o));
	o.impl = IMPL_A3;
	o.size = 65536;
	o.mode = MODE_STREAM;
	o.threads = 1;
	return o;
}

static void same_model_matches(void **st)
{
	(void)st;
	struct ct_opts o = base();
	struct hello s, c;
	char why[200] = "";
	hello_make(&s, &o, 0);
	hello_make(&c, &o, 0);
	assert_int_equal(s.magic, HELLO_MAGIC);
	assert_int_equal(s.version, PROTO_VERSION);
	assert_int_equal(hello_match(&s, &c, 1, why, sizeof(why)), 0);
	assert_int_equal(hello_match(&s, &c, 0, why, sizeof(why)), 0);
	/* a client not told --impl (build/client) takes any */
	o.impl = IMPL_A1;
	hello_make(&c, &o, 1);
	assert_int_equal(c.impl, HELLO_ANY_IMPL);
	assert_int_equal(hello_match(&s, &c, 1, why, sizeof(why)), 0);
	/* the wire layout: magic and version first, so any version reads that far */
	assert_int_equal(offsetof(struct hello, version), 4);
	assert_int_equal(sizeof(struct hello), 32);
	assert_int_equal(sizeof(struct ready), 8);
}

static void each_mismatch_named(void **st)
{
	(void)st;
	struct ct_opts so = base(), co = base();
	struct hello s, c;
	char why[200];

	co.impl = IMPL_A2;
	hello_make(&s, &so, 0);
	hello_make(&c, &co, 0);
	assert_int_equal(hello_match(&s, &c, 1, why, sizeof(why)), -1);
	assert_string_equal(why,
			    "the client has --impl a2, this server --impl a3 (use the same "
			    "--mode/--size/--impl/--threads/--verify)");
	assert_int_equal(hello_match(&s, &c, 0, why, sizeof(why)), -1);
	assert_string_equal(why,
			    "the server has --impl a3, this client --impl a2 (use the same "
			    "--mode/--size/--impl/--threads/--verify)");

	co = base();
	co.size = 4096;
	co.mode = MODE_RR;
	hello_make(&c, &co, 1); /* any impl: the others still count */
	assert_int_equal(hello_match(&s, &c, 1, why, sizeof(why)), -1);
	assert_string_equal(why,
			    "the client has --mode rr --size 4096, this server --mode stream "
			    "--size 65536 (use the same --mode/--size/--impl/--threads/--verify)");

	co = base();
	co.threads = 4;
	co.verify = true;
	hello_make(&c, &co, 0);
	assert_int_equal(hello_match(&s, &c, 0, why, sizeof(why)), -1);
	assert_string_equal(why,
			    "the server has --threads 1 no --verify, this client --threads 4 "
			    "--verify (use the same --mode/--size/--impl/--threads/--verify)");

	/* everything differs: still one line, cut to the buffer */
	co = base();
	co.impl = IMPL_A5;
	co.size = 123456789;
	co.mode = MODE_RR;
	co.threads = 1024;
	co.verify = true;
	hello_make(&c, &co, 0);
	char small[64];
	assert_int_equal(hello_match(&s, &c, 1, small, sizeof(small)), -1);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(hello_match(&s, &c, 1, why, sizeof(why)), -1);
	assert_null(strchr(why, '\n'));
	assert_non_null(strstr(why, "--impl a5"));
	assert_non_null(strstr(why, "--threads 1024"));
}

static void other_version_refused(void **st)
{
	(void)st;
	struct ct_opts o = base();
	struct hello s, c;
	char why[200];
	hello_make(&s, &o, 0);
	hello_make(&c, &o, 0);
	c.version = 1; /* a client built before impl and threads were in the hello */
	assert_int_equal(hello_match(&s, &c, 1, why, sizeof(why)), -1);
	assert_string_equal(why,
			    "the client speaks copytrace protocol 1, this server 3 (build both "
			    "from the same source)");
	assert_int_equal(hello_match(&s, &c, 0, why, sizeof(why)), -1);
	assert_string_equal(why,
			    "the server speaks copytrace protocol 3, this client 1 (build both "
			    "from the same source)");
	/* an impl number from the future is named, not indexed */
	c = s;
	c.impl = 9;
	assert_int_equal(hello_match(&s, &c, 1, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "the client has --impl ?"));
}

/* A client not told --impl learns a6 from the server's hello (it must
 * turn TLS_RX on); one told another impl is refused in one line. */
static void any_client_learns_a6(void **st)
{
	(void)st;
	struct ct_opts so = base(), co = base();
	struct hello s, c;
	char why[200];
	so.impl = IMPL_A6;
	hello_make(&s, &so, 0);
	co.impl = IMPL_A2; /* build/client's default, not given */
	hello_make(&c, &co, 1);
	assert_int_equal(hello_match(&s, &c, 1, why, sizeof(why)), 0);
	assert_int_equal(hello_match(&s, &c, 0, why, sizeof(why)), 0);
	assert_int_equal(hello_served(&s, &c), IMPL_A6);
	assert_false(s.flags & HELLO_TLS_SENDFILE); /* a6 by sendmsg */
	/* a6 by sendfile: the server's hello says so (the client's summary
	 * names it); never a mismatch */
	so.tls_send = TLS_SEND_SENDFILE;
	hello_make(&s, &so, 0);
	assert_true(s.flags & HELLO_TLS_SENDFILE);
	assert_int_equal(hello_match(&s, &c, 1, why, sizeof(why)), 0);
	assert_int_equal(hello_match(&s, &c, 0, why, sizeof(why)), 0);
	so.tls_send = TLS_SEND_COPY;
	hello_make(&s, &so, 0);
	/* told a6: the same */
	co.impl = IMPL_A6;
	hello_make(&c, &co, 0);
	assert_int_equal(hello_served(&s, &c), IMPL_A6);
	/* a plain server: an any-impl client receives what it serves */
	so.impl = IMPL_A5;
	hello_make(&s, &so, 0);
	hello_make(&c, &co, 1);
	assert_int_equal(hello_served(&s, &c), IMPL_A5);
	/* told a2 against a6 */
	so.impl = IMPL_A6;
	hello_make(&s, &so, 0);
	co.impl = IMPL_A2;
	hello_make(&c, &co, 0);
	assert_int_equal(hello_match(&s, &c, 0, why, sizeof(why)), -1);
	assert_string_equal(why,
			    "the server has --impl a6, this client --impl a2 (use the same "
			    "--mode/--size/--impl/--threads/--verify)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_model_matches),
		cmocka_unit_test(each_mismatch_named),
		cmocka_unit_test(other_version_refused),
		cmocka_unit_test(any_client_learns_a6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
