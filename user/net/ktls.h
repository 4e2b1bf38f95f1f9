/* SPDX-License-Identifier: GPL-2.0-only */
/* a6's kernel TLS: the fixed test keys both ends use (no handshake), and
 * turning the kernel's TLS on for one direction of a connected socket. */
#ifndef CT_KTLS_H
#define CT_KTLS_H
#include <stddef.h>
#include <linux/tls.h>

#ifndef SOL_TLS
#define SOL_TLS 282 /* include/linux/socket.h; older libc headers lack it */
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif

/* The AES-GCM-128 parameters of TLS 1.2 both ends use: fixed key, IV,
 * salt and record sequence number, so that no handshake is needed. */
void ktls_crypto_info(struct tls12_crypto_info_aes_gcm_128 *ci);

/* Whether this kernel has kTLS, asked without a connection: the ULP lookup
 * (and module autoload) comes before the "tls" ULP's own ENOTCONN check.
 * 0 when it has; -1 with one line in why when it has not, or cannot say. */
int ktls_probe(char *why, size_t len);

/* TCP_ULP "tls", then TLS_TX or TLS_RX (dir) with ktls_crypto_info() on a
 * connected socket. 0, or -1 with one line in why. */
int ktls_enable(int fd, int dir, char *why, size_t len);
#endif
