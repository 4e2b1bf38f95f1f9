/* SPDX-License-Identifier: GPL-2.0-only */
/* The handshake: what a client asks for (impl, size, mode, threads,
 * verify) and whether a server serves it. Both ends check it, so two hosts
 * built from the same source agree on the message model or refuse in one
 * line; the server's own hello comes back with its answer, so that a
 * client not told --impl learns what it receives (a6: kTLS records). */
#ifndef CT_HELLO_H
#define CT_HELLO_H
#include <stddef.h>
#include <stdint.h>
#include "common/opts.h"

#define HELLO_MAGIC 0x43544849u /* "CTHI" */
#define READY_MAGIC 0x43545244u /* "CTRD" */
#define REFUSED_MAGIC 0x43545246u /* "CTRF" */
/* 2: impl and threads in the hello, the refusal, the ready's duration cap;
 * 3: the server's hello follows its ready too, not only its refusal */
#define PROTO_VERSION 3u
#define HELLO_VERIFY 1u
#define HELLO_TLS_SENDFILE 2u /* a6 sends by sendfile (informs a client; never compared) */
#define HELLO_ANY_IMPL 0xffffffffu /* a client not given --impl takes any */

/* Client -> server once per connection; the server answers a mismatch
 * with a refusal carrying its own. magic and version lead, so that any
 * version can be read far enough to be told apart. */
struct hello {
	uint32_t magic, version, mode, flags;
	uint64_t size;
	uint32_t impl, threads;
};

/* Server -> client once its implementation is set up (zerocopy slots can
 * take a while): the client's measuring window starts only after this.
 * The server's struct hello follows it (ready or refused), in the clear:
 * a6 encrypts only what comes after.
 * cap_ms: the server's --duration under trace_run --role server (the
 * client's window is the shorter one), 0 = the client's own. */
struct ready {
	uint32_t magic, cap_ms;
};

/* The hello a side set up by o sends (client) or serves (server);
 * any_impl: the client was not given --impl. */
void hello_make(struct hello *h, const struct ct_opts *o, int any_impl);
/* 0 when a server whose own hello is srv serves a client that sent cli;
 * else -1 and one line in why, from the side that says it (server: 1). */
int hello_match(const struct hello *srv, const struct hello *cli, int server, char *why,
		size_t len);
/* The impl a client that sent cli receives from a server that answered
 * srv (matched): its own, or the server's when it took any. */
enum ct_impl hello_served(const struct hello *srv, const struct hello *cli);
#endif
