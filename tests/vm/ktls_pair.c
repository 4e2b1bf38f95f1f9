// SPDX-License-Identifier: GPL-2.0-only
/* A kTLS program that is not copytrace's: a loopback TCP pair whose ends
 * turn kernel TLS on by themselves (TCP_ULP "tls"; TLS_TX on the sender,
 * TLS_RX on the receiver, TLS 1.2 AES-GCM-128, a fixed test key), then
 * BYTES go through it by send() of 64 KiB or by sendfile() of a 64 KiB
 * memfd, and the receiver (a child process) counts them. The VM test
 * traces it with trace_run -- COMMAND: the kTLS lines must hold them.
 * The receiver reads RECV_BUF bytes a call (default 256 KiB): less than a
 * record (16 KiB) makes tls.ko decrypt into its own buffer and copy.
 * usage: ktls_pair copy|sendfile BYTES [RECV_BUF]; exit 0 when all arrived. */
#include <arpa/inet.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif
#define CHUNK 65536

static int die(const char *what)
{
	perror(what);
	exit(1);
}

static void tls_on(int fd, int dir)
{
	struct tls12_crypto_info_aes_gcm_128 ci;
	memset(&ci, 0, sizeof(ci));
	ci.info.version = TLS_1_2_VERSION;
	ci.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	memcpy(ci.key, "ktls-pair-key-16", sizeof(ci.key));
	memcpy(ci.salt, "salt", sizeof(ci.salt));
	if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")))
		die("TCP_ULP tls");
	if (setsockopt(fd, SOL_TLS, dir, &ci, sizeof(ci)))
		die(dir == TLS_TX ? "TLS_TX" : "TLS_RX");
}

static int receive(int fd, unsigned long long want, size_t len)
{
	static char buf[4 * CHUNK];
	unsigned long long got = 0;
	ssize_t n;
	tls_on(fd, TLS_RX);
	while ((n = recv(fd, buf, len, 0)) > 0)
		got += (unsigned long long)n;
	if (n < 0)
		die("recv");
	printf("ktls_pair: received %llu B\n", got);
	return got == want ? 0 : 1;
}

int main(int argc, char **argv)
{
	size_t rbuf = argc == 4 ? strtoul(argv[3], NULL, 0) : 4 * CHUNK;
	if (argc < 3 || argc > 4 || (strcmp(argv[1], "copy") && strcmp(argv[1], "sendfile")) ||
	    rbuf < 1 || rbuf > 4 * CHUNK)
		return fprintf(stderr, "usage: ktls_pair copy|sendfile BYTES [RECV_BUF]\n"), 2;
	unsigned long long total = strtoull(argv[2], NULL, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), s = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || s < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &alen) || connect(s, (struct sockaddr *)&a, alen))
		die("loopback pair");
	int r = accept(l, NULL, NULL);
	if (r < 0)
		die("accept");
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		close(s);
		return receive(r, total, rbuf);
	}
	close(r);
	tls_on(s, TLS_TX);
	static char buf[CHUNK];
	memset(buf, 'k', sizeof(buf));
	int mfd = -1;
	if (!strcmp(argv[1], "sendfile")) {
		mfd = memfd_create("ktls_pair", 0);
		if (mfd < 0 || write(mfd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			die("memfd");
	}
	for (unsigned long long sent = 0; sent < total;) {
		size_t len = total - sent < CHUNK ? (size_t)(total - sent) : CHUNK;
		off_t off = 0;
		ssize_t n = mfd >= 0 ? sendfile(s, mfd, &off, len) : send(s, buf, len, 0);
		if (n <= 0)
			die(mfd >= 0 ? "sendfile" : "send");
		sent += (unsigned long long)n;
	}
	close(s);
	int st = 0;
	if (waitpid(child, &st, 0) != child)
		die("waitpid");
	printf("ktls_pair: sent %llu B by %s\n", total, argv[1]);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
