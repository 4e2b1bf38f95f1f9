/* SPDX-License-Identifier: GPL-2.0-only */
/* One finished run as the writers and --check read it: what ran, what the
 * tracer's plan could see (rows and notes), the counters, and everything
 * derived from them (the ledgers, --compare medians, the time ledger's
 * order, the BPF self-cost sums), every label resolved. Filled once by
 * snapshot_take (take.h) after the tracer detached; read-only after. */
#ifndef CT_SNAPSHOT_H
#define CT_SNAPSHOT_H
#include <stdint.h>
#include <linux/types.h>

#include "common/result.h"
#include "copytrace.h"
#include "profile/stack.h"
#include "timeledger.h"
#include "trace/hooks.h"
#include "trace/procrows.h"
#include "trace/selfcost.h"
#include "trace/target.h"

#define CT_MAX_PAIRS 100
#define CT_LABEL 80
#define U(x) ((unsigned long long)(x))

/* --compare: the per-pair figures the main collects. */
struct ct_compare {
	int pairs; /* completed pairs */
	double gbps[2][CT_MAX_PAIRS]; /* [0] untraced, [1] traced */
	double p50_us[2][CT_MAX_PAIRS];
	double p99_us[2][CT_MAX_PAIRS];
};

/* Their medians and the throughput overhead (percent, spread over pairs). */
struct ct_compare_sum {
	double gbps[2], p50[2], p99[2]; /* [0] untraced, [1] traced */
	double pct, lo, hi, lat_pct;
};

/* The ledger's lines: where a message byte is copied (or pinned). */
enum ledger_line {
	LL_USER,
	LL_SEND,
	LL_PINNED,
	LL_DEFERRED,
	LL_RECV,
	LL_SPLICE,
	LL_RECV_ZC,
	LL_SPLICE_OUT,
	LL_TLS_ENC,
	LL_TLS_DEC,
	LL_COUNT
};

/* Whole-run bytes of each ledger line (both sides summed), and whether a
 * hook fills the line in this run: an untraced line is no measured 0. */
struct ct_ledger {
	uint64_t bytes[LL_COUNT];
	int traced[LL_COUNT];
	int inferred[LL_COUNT];
	int remote[LL_COUNT]; /* --role: the line is the peer host's (not traced) */
	const char *how[LL_COUNT]; /* where the bytes come from */
	uint64_t messages; /* messages the server sent (--impl) */
	uint64_t sent, received; /* bytes sent (send calls + sendfile/splice),
				  * received (receive calls + mapped + spliced out) */
	/* bytes the data syscalls moved over kTLS sockets: in none of the
	 * lines above (no hook sees their encryption/decryption copies), nor
	 * in sent/received; ktls_seen 0: no hook could tell (no syscall hooks) */
	uint64_t ktls_sent, ktls_received;
	int ktls_seen;
	/* tls.ko's own functions hooked (fentry/kprobe, the module loaded):
	 * LL_TLS_ENC/LL_TLS_DEC observed, else inferred from the syscalls */
	int tls_hooked;
	/* of the encrypted bytes, those copied from the user into the record
	 * first (sk_msg_memcopy_from_iter, also in LL_SEND); the rest were
	 * encrypted from the user's or the file's pages; tls_split 0: unknown */
	uint64_t tls_copied;
	int tls_split;
	/* of the decrypted bytes, those tls.ko decrypted into its own buffer
	 * and then copied to the user (in the receive copy line too); the rest
	 * went straight into the user's buffer. tls_rx_split 0: unknown (the
	 * receive copy not hooked, or tls.ko hooked only on some backend) */
	uint64_t tls_rx_copied;
	int tls_rx_split;
};

/* --interval: a snapshot that is one interval of a running trace, its
 * counters the difference of two reads (take.h). */
enum proc_state { PS_RUNNING, PS_NEW, PS_EXITED, PS_NEW_EXITED };
struct ct_interval {
	long index; /* 1, 2, ... */
	double start, end; /* CLOCK_REALTIME seconds */
	int last; /* the interval the trace ended in */
};
extern const char *const proc_state_names[4];

/* Zero-copy completions (ledger.c): how long a zerocopy send waited for
 * its completion (the tracer's log2 histogram, every slot), and how long
 * the sender was blocked waiting for completions. What cannot be
 * observed says why: never a 0 as if measured. */
struct ct_zc_summary {
	int shown; /* zerocopy sends or completions in the run */
	int lat_traced; /* the latency row is hooked */
	uint64_t lat_timed, lat_untimed; /* completions timed; not (send unseen) */
	uint64_t lat_p50_ns, lat_p99_ns; /* upper edges of the log2 buckets holding them */
	__u64 lat_hist[CT_HIST_SLOTS];
	int wait_known;
	const char *wait_source; /* where the wait was measured, or why unknown */
	uint64_t wait_ns, waits;
	double wait_share; /* of the sender's wall time; < 0: unknown */
	double wait_base_s; /* that wall time */
};

/* One row of the function table. */
struct ledger_row {
	int side, fn;
	const struct ct_stat *s;
	double per_msg, mean_ns, share; /* share < 0: not applicable */
};

/* A connection of --per-connection and its "local:port -> remote:port". */
struct ct_conn {
	struct ct_sock s;
	char tuple[112];
	int row; /* its process's row (its slot and generation) */
};

struct ct_snapshot {
	/* what ran: the experiment (prog NULL), or a program (run NULL) */
	const struct run_result *run;
	const struct ct_program *prog;
	struct ct_program prog_clean; /* prog with its command line cleaned */
	const char *impl, *net, *mode; /* names (--impl) */
	enum ct_impl impl_id;
	size_t size;
	int threads;
	int per_conn; /* --per-connection */
	enum ct_host_role host_role; /* trace_run --role: one side here, its peer elsewhere */
	char peer[64]; /* --role: the peer as this side saw it */
	char kernel[128];
	/* what the tracer's plan could see */
	const char *backend;
	int tracepoint; /* the tracepoint backend */
	struct ct_row_info info[FN_COUNT]; /* per counter row: its name, hook, how */
	char notes[CT_MAX_NOTES][CT_NOTE_LEN];
	int nnotes;
	int zc_skipped; /* zerocopy-only hooks left out */
	int send_from_syscall; /* tracepoint send bytes from the syscalls */
	uint64_t rec_missed[FN_COUNT]; /* events skipped by recursion protection */
	/* the counters, per row: rows 0..CT_NSLOTS-1 are the slots (their
	 * processes as they are now; with --impl, sender and receiver), the
	 * rows after them exited processes (tracing a program), the folded
	 * ones last. Allocated by snapshot_rows, freed by snapshot_free. */
	int nrow;
	struct ct_stat *stats; /* nrow * FN_COUNT (CT_STAT_KEY) */
	struct ct_proc_info *procs;
	unsigned char *alive; /* the row's process existed when taken */
	unsigned char *state; /* --interval: enum proc_state per row */
	uint64_t seq; /* the tracer's harvests when taken */
	struct ct_stat total[FN_COUNT]; /* every process's, those not in the rows too */
	uint64_t procs_seen, procs_exited; /* processes traced, and exited */
	const struct ct_interval *iv; /* NULL: the whole run; else one interval */
	/* --exporter: processes gone longer than the grace period (their
	 * series dropped), --by comm, and events the tracer did not see
	 * (calls whose exit was missed + runs skipped by recursion protection) */
	unsigned char *hidden;
	int by_comm;
	uint64_t dropped_events;
	char (*label)[CT_LABEL]; /* "sender"/"receiver", "PID/comm", "others",
				  * "exited processes (N)" */
	unsigned long long overflow; /* processes summed in the last slot */
	struct ct_conn *conns; /* every connection, most bytes first */
	int nconns;
	int top; /* the table shows this many (--top) */
	/* derived (ledger.c) */
	struct ledger_row *rows; /* the function table (nrow * FN_COUNT at most) */
	int nrows;
	struct ct_ledger ledger; /* all rows */
	struct ct_ledger *slot_ledger; /* each row's own (tracing a program) */
	int *slots, nslots; /* the rows reported, in order */
	struct ct_zc_summary zc;
	/* --compare (NULL without) and its medians */
	const struct ct_compare *cmp;
	struct ct_compare_sum cmp_sum;
	/* the profiler (NULL when off): samples, the time ledger, and its
	 * slots with samples, most first */
	const struct prof_data *prof;
	const struct time_ledger *tl;
	int tl_slots[CT_NSLOTS], ntl_slots; /* (with --impl the profiler's rows are the sides) */
	/* tracing a program, the time ledger's rows are processes
	 * (tl_by_process): each row's pid (0: the rest), and its label */
	int tl_procs; /* rows are processes */
	uint32_t tl_pid[CT_NSLOTS];
	char tl_label[CT_NSLOTS][CT_LABEL];
	char fg_title[192]; /* the flame graph's title */
	/* --bpf-stats (NULL without): the BPF programs' own run time (from
	 * attach to detach, or to the take with --exporter), the sums of the
	 * tracer's [0] and the profiler's [1], the programs that ran (most
	 * time first), and the traced CPU time (0: unknown) */
	const struct selfcost *cost;
	uint64_t cost_ns[2], cost_runs[2];
	int cost_order[SC_MAX_PROGS], ncost;
	double traced_cpu_ns;
};

/* The ledger line's key, label, and whether the CPU copies its bytes. */
struct ledger_line_info {
	const char *key; /* JSON/CSV key, e.g. "send_copy_bytes" */
	const char *label; /* the table's words */
	int copy; /* the CPU copies these bytes (pinned ones it does not) */
	int sender; /* the sending host's line (else the receiving host's) */
};
extern const struct ledger_line_info ledger_lines[LL_COUNT];

/* Row k is one process (or, with --impl, a side), not a shared row:
 * "others", exited processes' sockets, or folded exited processes. */
static inline int snap_is_proc(const struct ct_snapshot *s, int k)
{
	return k < CT_SLOT_LATE || (k >= CT_NSLOTS && !s->procs[k].folded);
}

static inline const struct ct_stat *snap_stat(const struct ct_snapshot *s, int slot, int fn)
{
	return &s->stats[CT_STAT_KEY(slot, fn)];
}

#endif
