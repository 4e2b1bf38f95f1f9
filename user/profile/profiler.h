/* SPDX-License-Identifier: GPL-2.0-only */
/* The sampling profiler (bpf/profile.bpf.c): perf events on every CPU,
 * attached for one experiment, read and symbolized afterwards. */
#ifndef CT_PROFILER_H
#define CT_PROFILER_H
#include <stddef.h>
#include <linux/types.h>

#include "copytrace.h"
#include "stack.h"

struct profile_bpf;
struct bpf_object;
struct bpf_link;
struct symbolizer;
struct procmaps;
struct sideband;

#define PROF_MAX_CPUS 1024

struct profiler {
	struct profile_bpf *skel;
	unsigned freq_hz;
	int ncpu;
	int fds[PE_COUNT][PROF_MAX_CPUS];
	struct bpf_link *links[PE_COUNT][PROF_MAX_CPUS];
	int cycles_ok;
	char cycles_why[160];
	int tasks_fd;
	int program; /* tracing a program: stacks rooted at "comm/pid" */
	struct procmaps *pm; /* the traced processes' mappings over the trace */
	struct sideband *sb; /* fills pm while sampling */
	struct symbolizer *sym;
};

/* Loads the programs, sampling the tasks of the tracer's `tasks` map
 * (tasks_fd). program: a program is traced, not --impl (names the
 * stacks' roots). 0, or -1 with one line in err. */
int profile_open(struct profiler *p, unsigned freq_hz, int tasks_fd, int program, char *err,
		 size_t errlen);
/* Clears the samples, starts the mmap side-band, snapshots the mappings
 * of the processes traced now (the tasks map, and the tasks of cgroup_fd
 * when >= 0), and starts sampling on every CPU. Call after tracer_attach. */
int profile_attach(struct profiler *p, int cgroup_fd, char *err, size_t errlen);
/* Stops sampling and the side-band (idempotent). */
void profile_detach(struct profiler *p);
/* Reads and symbolizes the samples into d (strings live until
 * profile_close). */
int profile_read(struct profiler *p, struct prof_data *d, char *err, size_t errlen);
void prof_data_free(struct prof_data *d);
void profile_close(struct profiler *p);
/* The loaded object (its programs, for --bpf-stats); NULL for none. */
struct bpf_object *profile_object(const struct profiler *p);

#endif
