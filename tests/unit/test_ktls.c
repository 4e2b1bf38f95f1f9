// SPDX-License-Identifier: GPL-2.0-only
/* a6 (kTLS): the fixed crypto parameters, the one-line answer of a kernel
 * without kTLS, and, where the kernel has it, both send modes over
 * loopback with every byte checked by a receiver that decrypts. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "netns_pair.h"
#include "rx_thread.h"
#include "net/impl.h"
#include "net/ktls.h"
#include "net/msg.h"

static void crypto_info_fixed(void **st)
{
	(void)st;
	struct tls12_crypto_info_aes_gcm_128 a, b;
	memset(&a, 0x55, sizeof(a));
	ktls_crypto_info(&a);
	ktls_crypto_info(&b);
	/* the kernel checks the length against its own struct */
	assert_int_equal(sizeof(a), 40);
	assert_int_equal(a.info.version, TLS_1_2_VERSION);
	assert_int_equal(a.info.cipher_type, TLS_CIPHER_AES_GCM_128);
	assert_memory_equal(a.key, "copytrace-a6-key", sizeof(a.key));
	static const unsigned char zero[TLS_CIPHER_AES_GCM_128_REC_SEQ_SIZE];
	assert_memory_equal(a.rec_seq, zero, sizeof(zero)); /* records from 0 */
	assert_memory_not_equal(a.salt, zero, sizeof(a.salt));
	/* both ends compute the same bytes, whatever the memory held before */
	assert_memory_equal(&a, &b, sizeof(a));
}

/* The probe and the real setup agree, and a kernel without kTLS is named
 * in one line that says ENOENT. */
static void probe_agrees_with_setup(void **st)
{
	(void)st;
	NEED_NETNS();
	char why[200] = "", why2[200] = "";
	int has = ktls_probe(why, sizeof(why)) == 0;
	struct pair p;
	tcp_pair_opts(&p, &(struct pair_opts){ 0 });
	int rc = ktls_enable(p.snd, TLS_TX, why2, sizeof(why2));
	close(p.snd);
	close(p.rcv);
	if (has) {
		if (rc)
			fail_msg("probe says kTLS, TLS_TX says: %s", why2);
		return;
	}
	assert_int_equal(rc, -1);
	assert_non_null(strstr(why, "ENOENT"));
	assert_string_equal(why, why2);
	assert_null(strchr(why, '\n'));
}

static void roundtrip(enum ct_tls_send mode, size_t size, int n, int pattern)
{
	NEED_NETNS();
	char why[200];
	if (ktls_probe(why, sizeof(why))) {
		print_message("not possible here: %s\n", why);
		skip();
	}
	struct pair p;
	tcp_pair_opts(&p, &(struct pair_opts){ 0 });
	if (ktls_enable(p.rcv, TLS_RX, why, sizeof(why)))
		fail_msg("TLS_RX: %s", why);
	struct rx x;
	rx_start(&x, p.rcv, 0, 0);
	static struct ct_opts o;
	static struct side_result r;
	memset(&o, 0, sizeof(o));
	o.impl = IMPL_A6;
	o.tls_send = mode;
	side_init(&r);
	struct conn c = { .fd = p.snd, .o = &o, .size = size, .pattern = pattern, .r = &r };
	if (impl_a6.init(&c))
		fail_msg("init: %s", r.error);
	for (int seq = 0; seq < n; seq++)
		if (impl_a6.send(&c, (uint64_t)seq))
			fail_msg("message %d: %s", seq, r.error);
	assert_int_equal(impl_a6.finish(&c), 0);
	rx_check(&x, p.snd, (uint64_t)n);
	assert_int_equal(r.bytes_sent, (uint64_t)n * size);
	assert_int_equal(r.sendfile_bytes,
			 mode == TLS_SEND_SENDFILE ? (uint64_t)n * (size - CT_HDR_SIZE) : 0);
	assert_int_equal(r.detached_bytes,
			 mode == TLS_SEND_SENDFILE && pattern ? (uint64_t)n * (size - CT_HDR_SIZE)
							      : 0);
	close(p.snd);
	close(p.rcv);
}

/* a record holds at most 16 KiB: 64 KiB messages span records, 4 KiB ones
 * share them, 100 KiB + odd bytes end inside a page */
static void copy_verified(void **st)
{
	(void)st;
	roundtrip(TLS_SEND_COPY, 65536, 200, 1);
}
static void copy_small(void **st)
{
	(void)st;
	roundtrip(TLS_SEND_COPY, 4096, 500, 1);
}
static void sendfile_verified(void **st)
{
	(void)st;
	roundtrip(TLS_SEND_SENDFILE, 65536, 200, 1);
}
static void sendfile_odd(void **st)
{
	(void)st;
	roundtrip(TLS_SEND_SENDFILE, 102401, 50, 1);
}
static void sendfile_unchanging(void **st)
{
	(void)st;
	roundtrip(TLS_SEND_SENDFILE, 65536, 100, 0);
}

int main(void)
{
	netns_enter();
	const struct CMUnitTest t[] = {
		cmocka_unit_test(crypto_info_fixed),   cmocka_unit_test(probe_agrees_with_setup),
		cmocka_unit_test(copy_verified),       cmocka_unit_test(copy_small),
		cmocka_unit_test(sendfile_verified),   cmocka_unit_test(sendfile_odd),
		cmocka_unit_test(sendfile_unchanging),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
