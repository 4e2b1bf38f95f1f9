/* SPDX-License-Identifier: GPL-2.0-only */
/* What client and server say to each other besides messages. */
#ifndef CT_PROTO_H
#define CT_PROTO_H
#include <stdint.h>
#include "common/opts.h"
#include "common/result.h"

#include "hello.h"

#define REQ_MAGIC 0x43545251u /* "CTRQ" */

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
