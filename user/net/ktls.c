// SPDX-License-Identifier: GPL-2.0-only
/* a6's kernel TLS (see ktls.h). */
#include "ktls.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void ktls_crypto_info(struct tls12_crypto_info_aes_gcm_128 *ci)
{
	/* Test values, not secrets: both ends of a6 are this program. */
	static const unsigned char key[TLS_CIPHER_AES_GCM_128_KEY_SIZE] = {
		0x63, 0x6f, 0x70, 0x79, 0x74, 0x72, 0x61, 0x63,
		0x65, 0x2d, 0x61, 0x36, 0x2d, 0x6b, 0x65, 0x79
	}; /* "copytrace-a6-key" */
	static const unsigned char iv[TLS_CIPHER_AES_GCM_128_IV_SIZE] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	static const unsigned char salt[TLS_CIPHER_AES_GCM_128_SALT_SIZE] = { 0xa6, 0x5a, 0x17,
									      0x00 };
	memset(ci, 0, sizeof(*ci));
	ci->info.version = TLS_1_2_VERSION;
	ci->info.cipher_type = TLS_CIPHER_AES_GCM_128;
	memcpy(ci->key, key, sizeof(ci->key));
	memcpy(ci->iv, iv, sizeof(ci->iv));
	memcpy(ci->salt, salt, sizeof(ci->salt));
	/* rec_seq: records numbered from 0 on both ends */
}

/* Why TCP_ULP "tls" failed, in words a user can act on. */
static int ulp_error(int e, char *why, size_t len)
{
	if (e == ENOENT)
		snprintf(why, len,
			 "no kernel TLS here: TCP_ULP \"tls\" answers ENOENT (kernel "
			 "without CONFIG_TLS, or tls module not loadable)");
	else
		snprintf(why, len, "setsockopt(TCP_ULP, \"tls\"): %s", strerror(e));
	return -1;
}

int ktls_probe(char *why, size_t len)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, len, "socket: %s", strerror(errno));
		return -1;
	}
	/* On an unconnected socket a kernel with kTLS answers ENOTCONN (the
	 * ULP exists but takes established sockets only); ENOENT means no
	 * ULP of that name. Success (a kernel that took it) is kTLS too. */
	int rc = setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls"));
	int e = errno;
	close(fd);
	if (rc == 0 || e == ENOTCONN)
		return 0;
	return ulp_error(e, why, len);
}

int ktls_enable(int fd, int dir, char *why, size_t len)
{
	if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")))
		return ulp_error(errno, why, len);
	struct tls12_crypto_info_aes_gcm_128 ci;
	ktls_crypto_info(&ci);
	if (setsockopt(fd, SOL_TLS, dir, &ci, sizeof(ci))) {
		int e = errno;
		if (e == ENOENT) /* crypto_alloc_aead("gcm(aes)") found no cipher */
			snprintf(why, len,
				 "setsockopt(SOL_TLS, %s): ENOENT: the kernel has no "
				 "gcm(aes) cipher (the gcm module and its dependencies)",
				 dir == TLS_TX ? "TLS_TX" : "TLS_RX");
		else
			snprintf(why, len, "setsockopt(SOL_TLS, %s): %s",
				 dir == TLS_TX ? "TLS_TX" : "TLS_RX", strerror(e));
		return -1;
	}
	return 0;
}
