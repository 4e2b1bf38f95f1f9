// SPDX-License-Identifier: GPL-2.0-only
/* build/server: the sending side, usable on its own host (like iperf3 -s -1). */
#include <stdio.h>
#include <stdlib.h>

#include "common/opts.h"
#include "common/version.h"
#include "net/proto.h"
#include "net/sockio.h"
#include "common/result.h"

int main(int argc, char **argv)
{
	struct ct_opts o;
	char err[256];
	int rc = opts_parse(&o, ROLE_SERVER, argc, argv, err, sizeof(err));
	if (rc == 1) {
		opts_usage(stdout, ROLE_SERVER, argv[0]);
		return 0;
	}
	if (rc == 2) {
		version_print(stdout, "server");
		return 0;
	}
	if (rc) {
		fprintf(stderr, "server: %s\n", err);
		return 2;
	}
	side_signals();
	struct side_result r;
	rc = server_run(&o, &r);
	if (!o.quiet && r.ok)
		printf("server %s %s size=%zu: sent %llu B in %llu messages (%llu send calls)%s\n",
		       impl_name(o.impl), mode_name(o.mode), o.size,
		       (unsigned long long)r.bytes_sent, (unsigned long long)r.messages_sent,
		       (unsigned long long)r.send_calls, r.ok ? "" : ", FAILED");
	if (o.impl == IMPL_A3 && !o.quiet && r.ok)
		printf("zerocopy: %llu sends, %llu completions in %llu notifications, %llu copied "
		       "by the kernel\n",
		       (unsigned long long)r.zc_sends, (unsigned long long)r.zc_completions,
		       (unsigned long long)r.zc_notifications, (unsigned long long)r.zc_copied);
	if (o.impl == IMPL_A4 && !o.quiet && r.ok)
		printf("io_uring zerocopy (%s): %llu requests, %llu notifications, %llu flagged "
		       "copied\n",
		       r.zc_mode, (unsigned long long)r.zc_sends,
		       (unsigned long long)r.zc_notifications, (unsigned long long)r.zc_copied);
	if (o.impl == IMPL_A5 && !o.quiet && r.ok)
		printf("sendfile: %llu B in %llu calls, %llu B detached from the memfd after "
		       "sending\n",
		       (unsigned long long)r.sendfile_bytes, (unsigned long long)r.sendfile_calls,
		       (unsigned long long)r.detached_bytes);
	if (o.impl == IMPL_A6 && !o.quiet && r.ok)
		printf("kTLS (%s): %llu B by sendfile in %llu calls\n", tls_send_name(o.tls_send),
		       (unsigned long long)r.sendfile_bytes, (unsigned long long)r.sendfile_calls);
	if (o.json) {
		FILE *f = fopen(o.json, "w");
		if (!f) {
			fprintf(stderr, "server: cannot write %s\n", o.json);
			return 1;
		}
		fputs("{\n", f);
		side_json(f, "server", &r, 2);
		fputs("\n}\n", f);
		fclose(f);
	}
	if (rc)
		fprintf(stderr, "server: %s\n", r.error);
	return rc ? 1 : 0;
}
