// SPDX-License-Identifier: GPL-2.0-only
/* build/client: the receiving side, usable against a server on another host. */
#include <stdio.h>

#include "common/opts.h"
#include "common/version.h"
#include "net/proto.h"
#include "net/sockio.h"
#include "common/result.h"

int main(int argc, char **argv)
{
	struct run_result rr = { 0 };
	char err[256];
	int rc = opts_parse(&rr.opts, ROLE_CLIENT, argc, argv, err, sizeof(err));
	if (rc == 1) {
		opts_usage(stdout, ROLE_CLIENT, argv[0]);
		return 0;
	}
	if (rc == 2) {
		version_print(stdout, "client");
		return 0;
	}
	if (rc) {
		fprintf(stderr, "client: %s\n", err);
		return 2;
	}
	side_signals();
	side_init(&rr.server);
	rc = client_run(&rr.opts, &rr.client);
	if (!rr.opts.impl_given && rr.client.served_impl) { /* the summary names what came */
		rr.opts.impl = (enum ct_impl)(rr.client.served_impl - 1);
		rr.opts.tls_send =
			rr.client.served_tls_sendfile ? TLS_SEND_SENDFILE : TLS_SEND_COPY;
	}
	if (!rr.opts.quiet && rr.client.ok)
		client_summary(stdout, &rr);
	if (rr.opts.json) {
		FILE *f = fopen(rr.opts.json, "w");
		if (!f) {
			fprintf(stderr, "client: cannot write %s\n", rr.opts.json);
			return 1;
		}
		fputs("{\n", f);
		side_json(f, "client", &rr.client, 2);
		fputs("\n}\n", f);
		fclose(f);
	}
	if (rc)
		fprintf(stderr, "client: %s\n", rr.client.error);
	return rc ? 1 : 0;
}
