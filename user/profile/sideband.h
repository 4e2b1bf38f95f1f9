/* SPDX-License-Identifier: GPL-2.0-only */
/* The profiler's side-band, as perf record keeps one: a dummy software
 * perf event on every CPU reporting executable mmaps, execs (comm), forks
 * and exits of every task; a thread drains the ring buffers during the
 * trace and keeps what concerns traced processes in a procmaps table
 * (procmaps.h), so that processes started, exec'd or gone during the
 * trace still have their user symbols at the end. */
#ifndef CT_SIDEBAND_H
#define CT_SIDEBAND_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct procmaps;
struct sideband;

struct sb_stats {
	uint64_t records; /* read from the rings */
	uint64_t kept; /* about traced processes */
	uint64_t lost; /* the kernel dropped (a ring was full): PERF_RECORD_LOST */
	uint64_t wakeups; /* drains */
};

/* Opens the events on ncpu CPUs and starts the reader. A process is
 * traced when pm tracks it (seeded, or forked by one it tracks) or when
 * it is in the tracer's tasks map (tasks_fd: tgid -> slot). 0, or -1
 * with one line in err. */
int sb_open(struct sideband **out, int ncpu, int tasks_fd, struct procmaps *pm, char *err,
	    size_t errlen);
/* Snapshots a live process's mappings now (pm_seed, under the reader's
 * lock); records read later update them. */
int sb_seed(struct sideband *sb, pid_t pid);
/* Stops the reader after a last drain and closes the events (idempotent);
 * pm is then the caller's alone. */
void sb_stop(struct sideband *sb);
void sb_get_stats(const struct sideband *sb, struct sb_stats *st);
void sb_close(struct sideband *sb);

#endif
