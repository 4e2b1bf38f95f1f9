// SPDX-License-Identifier: GPL-2.0-only
/* The handshake's content and its comparison (hello.h). */
#include "hello.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void hello_make(struct hello *h, const struct ct_opts *o, int any_impl)
{
	memset(h, 0, sizeof(*h));
	h->magic = HELLO_MAGIC;
	h->version = PROTO_VERSION;
	h->mode = (uint32_t)o->mode;
	h->flags = (o->verify ? HELLO_VERIFY : 0) |
		(o->impl == IMPL_A6 && o->tls_send == TLS_SEND_SENDFILE ? HELLO_TLS_SENDFILE : 0);
	h->size = o->size;
	h->impl = any_impl ? HELLO_ANY_IMPL : (uint32_t)o->impl;
	h->threads = (uint32_t)o->threads;
}

static const char *impl_str(uint32_t i)
{
	return i == HELLO_ANY_IMPL ? "any" : i <= IMPL_A6 ? impl_name((enum ct_impl)i) : "?";
}

/* Appends to b (the list of one side's differing options). */
static void put(char *b, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put(char *b, size_t len, const char *fmt, ...)
{
	size_t n = strlen(b);
	va_list ap;
	va_start(ap, fmt);
	if (n < len)
		vsnprintf(b + n, len - n, fmt, ap);
	va_end(ap);
}

int hello_match(const struct hello *srv, const struct hello *cli, int server, char *why, size_t len)
{
	const struct hello *me = server ? srv : cli, *peer = server ? cli : srv;
	const char *pn = server ? "the client" : "the server";
	if (srv->version != cli->version) {
		snprintf(why, len,
			 "%s speaks copytrace protocol %u, this %s %u (build both from "
			 "the same source)",
			 pn, peer->version, server ? "server" : "client", me->version);
		return -1;
	}
	char a[96] = "", b[96] = "";
	if (srv->mode != cli->mode) {
		put(a, sizeof(a), " --mode %s", mode_name((enum ct_mode)me->mode));
		put(b, sizeof(b), " --mode %s", mode_name((enum ct_mode)peer->mode));
	}
	if (srv->size != cli->size) {
		put(a, sizeof(a), " --size %llu", (unsigned long long)me->size);
		put(b, sizeof(b), " --size %llu", (unsigned long long)peer->size);
	}
	if (cli->impl != HELLO_ANY_IMPL && srv->impl != cli->impl) {
		put(a, sizeof(a), " --impl %s", impl_str(me->impl));
		put(b, sizeof(b), " --impl %s", impl_str(peer->impl));
	}
	if (srv->threads != cli->threads) {
		put(a, sizeof(a), " --threads %u", me->threads);
		put(b, sizeof(b), " --threads %u", peer->threads);
	}
	if ((srv->flags ^ cli->flags) & HELLO_VERIFY) {
		put(a, sizeof(a), " %s", me->flags & HELLO_VERIFY ? "--verify" : "no --verify");
		put(b, sizeof(b), " %s", peer->flags & HELLO_VERIFY ? "--verify" : "no --verify");
	}
	if (!a[0])
		return 0;
	snprintf(why, len,
		 "%s has%s, this %s%s (use the same --mode/--size/--impl/--threads/"
		 "--verify)",
		 pn, b, server ? "server" : "client", a);
	return -1;
}

enum ct_impl hello_served(const struct hello *srv, const struct hello *cli)
{
	return (enum ct_impl)(cli->impl == HELLO_ANY_IMPL ? srv->impl : cli->impl);
}
