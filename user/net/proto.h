/* What client and server say to each other besides messages. */
#ifndef CT_PROTO_H
#define CT_PROTO_H
#include <stdint.h>
#include "common/opts.h"
#include "common/result.h"

#define HELLO_MAGIC 0x43544849u /* "CTHI" */
#define REQ_MAGIC 0x43545251u   /* "CTRQ" */
#define READY_MAGIC 0x43545244u /* "CTRD" */
#define PROTO_VERSION 1u
#define HELLO_VERIFY 1u

/* Client -> server once per connection: what it expects to receive. */
struct hello {
	uint32_t magic, version, mode, flags;
	uint64_t size;
};

/* Server -> client once its implementation is set up (zerocopy slots can
 * take a while): the client's measuring window starts only after this. */
struct ready {
	uint32_t magic, pad;
};

/* Client -> server per transaction in rr mode. */
struct request {
	uint32_t magic, pad;
	uint64_t seq;
};

/* Each returns 0 when the side finished cleanly, -1 otherwise; either way
 * out holds what was measured and out->error the first problem. */
int server_run(const struct ct_opts *o, struct side_result *out);
int client_run(const struct ct_opts *o, struct side_result *out);
#endif
