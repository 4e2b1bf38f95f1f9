// SPDX-License-Identifier: GPL-2.0-only
/* hookplan: what each backend observes, infers or cannot see on kernels
 * whose facts were recorded (trace_run --kernel-facts; tests/unit/kfacts/),
 * from the tracer's own hook plan. The table in docs/kernels.md is its --markdown
 * output, checked by the docs test.
 *
 *   build/hookplan [--markdown] [--flags zc|systime|...] FACTS...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/version.h"
#include "trace/hooks.h"
#include "trace/kfacts.h"

#define MAX_KERNELS 16

static struct kernel_facts kf[MAX_KERNELS];
static struct hook_plan plan[MAX_KERNELS][BK_COUNT];
static int usable[MAX_KERNELS][BK_COUNT];

/* O observed, I inferred, - not seen; x: the backend cannot run there. */
static char cell(int k, int b, int fn)
{
	if (!usable[k][b])
		return 'x';
	const struct ct_row_info *r = &plan[k][b].rows[fn];
	return !r->present ? '-' : r->inferred ? 'I' : 'O';
}

/* The rows no kernel and backend fill are left out. */
static int row_seen(int nk, int fn)
{
	for (int k = 0; k < nk; k++)
		for (int b = 0; b < BK_COUNT; b++)
			if (usable[k][b] && plan[k][b].rows[fn].present)
				return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int md = 0, nk = 0;
	/* the plan of a traced program: every hook a foreign program can use */
	unsigned flags = CT_TR_ZC_HOOKS | CT_TR_NO_UPROBE;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--version")) {
			version_print(stdout, "hookplan");
			return 0;
		}
		if (!strcmp(argv[i], "--markdown")) {
			md = 1;
			continue;
		}
		if (!strcmp(argv[i], "--impl")) { /* the experiment's plan: the uprobe too */
			flags &= ~CT_TR_NO_UPROBE;
			continue;
		}
		if (nk == MAX_KERNELS) {
			fprintf(stderr, "hookplan: at most %d kernels\n", MAX_KERNELS);
			return 2;
		}
		FILE *f = fopen(argv[i], "r");
		char err[256];
		if (!f || kfacts_read(f, &kf[nk], err, sizeof(err))) {
			fprintf(stderr, "hookplan: %s: %s\n", argv[i], f ? err : "cannot be read");
			if (f)
				fclose(f);
			return 2;
		}
		fclose(f);
		for (int b = 0; b < BK_COUNT; b++)
			usable[nk][b] = hooks_plan(&kf[nk], (enum ct_backend)b, flags, &plan[nk][b],
						   err, sizeof(err)) == 0;
		nk++;
	}
	if (!nk) {
		fprintf(stderr, "usage: hookplan [--markdown] [--impl] FACTS...\n");
		return 2;
	}
	/* plain: padded columns; --markdown: a table */
	const char *fmt = md ? "| %s" : "%-32s", *cfmt = md ? " | %s" : " %-14s";
	printf(fmt, "row (fentry/kprobe/tracepoint)");
	for (int k = 0; k < nk; k++)
		printf(cfmt, kf[k].release);
	printf("%s\n", md ? " |" : "");
	if (md) {
		printf("|---");
		for (int k = 0; k < nk; k++)
			printf("|---");
		printf("|\n");
	}
	for (int fn = 0; fn < FN_COUNT; fn++) {
		if (!row_seen(nk, fn))
			continue;
		char name[40];
		snprintf(name, sizeof(name), md ? "`%s`" : "%s", row_name(fn));
		printf(fmt, name);
		for (int k = 0; k < nk; k++) {
			char c[8] = { cell(k, 0, fn), '/', cell(k, 1, fn), '/', cell(k, 2, fn), 0 };
			printf(cfmt, c);
		}
		printf("%s\n", md ? " |" : "");
	}
	return 0;
}
