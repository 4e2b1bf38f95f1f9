// SPDX-License-Identifier: GPL-2.0-only
/* build/ctrun: server and client on this host, in fresh network namespaces,
 * untraced. One summary line; --json FILE for the figures. */
#include <stdio.h>

#include "common/opts.h"
#include "common/version.h"
#include "common/perfctl.h"
#include "run/runner.h"

int main(int argc, char **argv)
{
	struct ct_opts o;
	struct run_result r;
	struct perfctl perf;
	char err[512];
	int rc = opts_parse(&o, ROLE_RUNNER, argc, argv, err, sizeof(err));
	if (rc == 1) {
		opts_usage(stdout, ROLE_RUNNER, argv[0]);
		return 0;
	}
	if (rc == 2) {
		version_print(stdout, "ctrun");
		return 0;
	}
	if (rc) {
		fprintf(stderr, "ctrun: %s\n", err);
		return 2;
	}
	if (o.perf_ctl[0]) {
		if (perfctl_open(&perf, o.perf_ctl, o.perf_ack, err, sizeof(err))) {
			fprintf(stderr, "ctrun: %s\n", err);
			return 2;
		}
		o.perf = &perf;
	}
	runner_install_signals();
	rc = runner_run(&o, NULL, &r, err, sizeof(err));
	if (!o.quiet && (rc == 0 || r.client.window_s > 0))
		run_summary(stdout, &r);
	if (o.json) {
		FILE *f = fopen(o.json, "w");
		if (!f) {
			fprintf(stderr, "ctrun: cannot write %s\n", o.json);
			return 1;
		}
		run_json(f, &r, 0);
		fputc('\n', f);
		fclose(f);
	}
	if (rc) {
		fprintf(stderr, "ctrun: %s\n", err);
		return 1;
	}
	return 0;
}
