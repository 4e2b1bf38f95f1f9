/* trace_run's report: application figures, per-function attribution, the
 * per-message copy ledger, --compare figures; table, JSON or CSV; and the
 * --check invariants (ledger against the application's own counts). */
#ifndef CT_LEDGER_H
#define CT_LEDGER_H
#include <stdint.h>
#include <stdio.h>

#include "result.h"
#include "tracer.h"

#define CT_MAX_PAIRS 100

struct ct_compare {
	int pairs;                        /* completed pairs */
	double gbps[2][CT_MAX_PAIRS];     /* [0] untraced, [1] traced */
	double p50_us[2][CT_MAX_PAIRS];
	double p99_us[2][CT_MAX_PAIRS];
};

struct ct_report {
	const struct ct_opts *o;
	const struct tracer *t;
	const struct run_result *run;     /* the (last) traced run */
	struct ct_stat stats[CT_NSTATS];
	char kernel[128];
	const struct ct_compare *cmp;     /* NULL without --compare */
};

/* Whole-run bytes of each ledger line (both sides summed). */
struct ct_ledger {
	uint64_t user_copy, send_copy, zerocopy, deferred_copy, recv_copy;
	uint64_t messages;                /* messages the server sent */
};

void ledger_compute(const struct ct_report *r, struct ct_ledger *l);
/* Prints in r->o->format. */
void report_print(FILE *f, const struct ct_report *r);
/* --check: prints each failed invariant as one line to err; returns the
 * number of failures. */
int ledger_check(const struct ct_report *r, FILE *err);
/* Median of n values (n >= 1); the array is sorted in place. */
double median(double *v, int n);

#endif
