/* The ledger model behind trace_run's report: counter rows per side and
 * function, the whole-run bytes of each copy, and the --compare figures.
 * Writers: report.h; invariants: ledger_check. */
#ifndef CT_LEDGER_H
#define CT_LEDGER_H
#include <stdint.h>
#include <stdio.h>

#include "common/result.h"
#include "trace/tracer.h"

struct prof_data;
struct time_ledger;

#define CT_MAX_PAIRS 100
#define U(x) ((unsigned long long)(x))

struct ct_compare {
	int pairs;                        /* completed pairs */
	double gbps[2][CT_MAX_PAIRS];     /* [0] untraced, [1] traced */
	double p50_us[2][CT_MAX_PAIRS];
	double p99_us[2][CT_MAX_PAIRS];
};

/* The ledger's lines: where a message byte is copied (or pinned). */
enum ledger_line { LL_USER, LL_SEND, LL_PINNED, LL_DEFERRED, LL_RECV, LL_SPLICE, LL_RECV_ZC,
		   LL_SPLICE_OUT, LL_COUNT };

struct ledger_line_info {
	const char *key;      /* JSON/CSV key, e.g. "send_copy_bytes" */
	const char *label;    /* the table's words */
	int copy;             /* the CPU copies these bytes (pinned ones it does not) */
};
extern const struct ledger_line_info ledger_lines[LL_COUNT];

/* Whole-run bytes of each ledger line (both sides summed), and whether a
 * hook fills the line in this run: an untraced line is no measured 0. */
struct ct_ledger {
	uint64_t bytes[LL_COUNT];
	int traced[LL_COUNT];
	int inferred[LL_COUNT];
	const char *how[LL_COUNT];        /* where the bytes come from */
	uint64_t messages;                /* messages the server sent (--impl) */
	uint64_t sent, received;          /* bytes sent (send calls + sendfile/splice),
					   * received (receive calls + mapped + spliced out) */
};

/* Tracing a program (not --impl): what was traced and how it ended. */
struct ct_program {
	const char *mode;                 /* "command", "pid", "cgroup" */
	char what[512];                   /* the command line, pids or cgroup path */
	double seconds;                   /* traced for */
	int exit_status;                  /* the command's, or -1 */
	const char *ended;                /* why the trace ended */
	unsigned long long overflow;      /* processes summed in the last slot */
};

#define CT_MAX_CONNS 256

/* One row of the function table. */
struct ledger_row {
	int side, fn;
	const struct ct_stat *s;
	double per_msg, mean_ns, share; /* share < 0: not applicable */
};

struct ct_report {
	const struct ct_opts *o;
	const struct tracer *t;
	const struct run_result *run;     /* the (last) traced run; NULL tracing a program */
	const struct ct_program *prog;    /* tracing a program; NULL with --impl */
	struct ct_proc_info procs[CT_NSLOTS];
	struct ct_sock conns[CT_MAX_CONNS];
	int nconns;                       /* with --per-connection */
	struct ct_stat stats[CT_NSTATS];
	char kernel[128];
	const struct ct_compare *cmp;     /* NULL without --compare */
	/* Derived from stats by ledger_build, for the writers and --check. */
	struct ledger_row rows[CT_NSTATS];
	int nrows;
	struct ct_ledger ledger;          /* all slots */
	struct ct_ledger slot_ledger[CT_NSLOTS]; /* each process's own (tracing a program) */
	int slots[CT_NSLOTS], nslots;     /* the slots reported, in order */
	/* The profiler (NULL when off): samples and the time ledger. */
	const struct prof_data *prof;
	const struct time_ledger *tl;
	/* --bpf-stats (NULL without): the BPF programs' own run time. */
	const struct selfcost *cost;
};

/* What slot is called in the report: "sender"/"receiver" with --impl,
 * else "PID/comm" (or "others"). */
const char *slot_label(const struct ct_report *r, int slot, char *buf, size_t n);
/* "local:port -> remote:port", IPv4-mapped addresses as IPv4. */
const char *ct_tuple_str(const struct ct_tuple *t, char *buf, size_t n);

const struct ct_stat *ledger_stat(const struct ct_report *r, int side, int fn);
/* Bytes side copied user->skb, whichever copy function did it. */
uint64_t ledger_send_copy(const struct ct_report *r, int side);
/* Fills r->rows (the rows with a hook and at least one call) and r->ledger
 * from r->stats. */
void ledger_build(struct ct_report *r);
/* --check: prints each failed invariant as one line to err, and each one
 * this kernel and backend cannot observe (counted in *skipped, never as a
 * pass); returns the number of failures. */
int ledger_check(const struct ct_report *r, FILE *err, int *skipped);

/* Median of n values (n >= 1); the array is sorted in place. */
double median(double *v, int n);
/* --compare: medians of run w (0 untraced, 1 traced), and the throughput
 * overhead in percent with its spread over the pairs. */
void compare_stats(const struct ct_compare *c, int w, double *gbps, double *p50, double *p99);
void compare_overhead(const struct ct_compare *c, double *pct, double *lo, double *hi,
		      double *lat_pct);

#endif
