// SPDX-License-Identifier: GPL-2.0-only
/* hookfloor: attaches empty BPF programs to the given tracepoints (tp_btf)
 * and user-space functions (uprobes), says "attached" and holds them until
 * stdin closes or a signal. `make bench` runs a workload under it: what
 * the workload loses is the dispatch floor of hooking there, which no
 * tracer body can go below (scripts/bench.py, item 6).
 *
 *   hookfloor [--tp NAME]... [--uprobe BINARY:SYMBOL]
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/version.h"
#include "hookfloor.skel.h"

#define MAX_TP 8

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l;
	(void)f;
	(void)ap;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hookfloor [--tp TRACEPOINT]... [--uprobe BINARY:SYMBOL]\n"
		"  attaches empty BPF programs there until stdin closes (make bench)\n");
}

int main(int argc, char **argv)
{
	const char *tp[MAX_TP];
	int ntp = 0;
	char *up = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--version")) {
			version_print(stdout, "hookfloor");
			return 0;
		}
		int is_tp = !strcmp(argv[i], "--tp");
		if (!is_tp && strcmp(argv[i], "--uprobe")) {
			fprintf(stderr, "hookfloor: unknown option %s (see --help)\n", argv[i]);
			return 2;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "hookfloor: %s needs a value (see --help)\n", argv[i]);
			return 2;
		}
		const char *v = argv[++i];
		if (is_tp && ntp == MAX_TP) {
			fprintf(stderr, "hookfloor: at most %d --tp\n", MAX_TP);
			return 2;
		} else if (is_tp) {
			tp[ntp++] = v;
		} else if (!strchr(v, ':') || up) {
			fprintf(stderr, "hookfloor: one --uprobe BINARY:SYMBOL\n");
			return 2;
		} else {
			up = argv[i];
		}
	}
	libbpf_set_print(quiet);
	struct hookfloor_bpf *s = hookfloor_bpf__open();
	if (!s) {
		fprintf(stderr, "hookfloor: opening the BPF object: %s\n", strerror(errno));
		return 1;
	}
	struct bpf_program *tps[MAX_TP] = {
		s->progs.tp0, s->progs.tp1, s->progs.tp2, s->progs.tp3,
		s->progs.tp4, s->progs.tp5, s->progs.tp6, s->progs.tp7
	};
	/* the skeleton's link slots: __destroy detaches them */
	struct bpf_link **links[MAX_TP] = { &s->links.tp0, &s->links.tp1, &s->links.tp2,
					    &s->links.tp3, &s->links.tp4, &s->links.tp5,
					    &s->links.tp6, &s->links.tp7 };
	for (int i = 0; i < MAX_TP; i++) {
		if (i >= ntp)
			bpf_program__set_autoload(tps[i], false);
		else if (bpf_program__set_attach_target(tps[i], 0, tp[i])) {
			fprintf(stderr, "hookfloor: tracepoint %s: not settable\n", tp[i]);
			goto fail;
		}
	}
	bpf_program__set_autoload(s->progs.up0, up != NULL);
	if (hookfloor_bpf__load(s)) {
		fprintf(stderr, "hookfloor: loading failed (a tracepoint this kernel lacks?): %s\n",
			strerror(errno));
		goto fail;
	}
	for (int i = 0; i < ntp; i++)
		if (!(*links[i] = bpf_program__attach(tps[i]))) {
			fprintf(stderr, "hookfloor: attaching to %s: %s\n", tp[i], strerror(errno));
			goto fail;
		}
	if (up) {
		char *colon = strrchr(up, ':');
		*colon = '\0';
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = colon + 1);
		if (!(s->links.up0 =
			      bpf_program__attach_uprobe_opts(s->progs.up0, -1, up, 0, &uo))) {
			fprintf(stderr, "hookfloor: uprobe %s:%s: %s\n", up, colon + 1,
				strerror(errno));
			goto fail;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("attached %d tracepoint(s)%s\n", ntp, up ? " and 1 uprobe" : "");
	fflush(stdout);
	/* the links go with the skeleton, or with the process however it ends */
	struct pollfd p = { .fd = 0, .events = POLLIN };
	char buf[64];
	while (!stop)
		if (poll(&p, 1, 200) > 0 && read(0, buf, sizeof(buf)) <= 0)
			break;
	hookfloor_bpf__destroy(s);
	return 0;
fail:
	hookfloor_bpf__destroy(s);
	return 1;
}
