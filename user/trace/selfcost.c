// SPDX-License-Identifier: GPL-2.0-only
/* --bpf-stats (selfcost.h): the kernel's run time of each of trace_run's
 * BPF programs over the traced run, read with BPF_OBJ_GET_INFO_BY_FD. */
#include "selfcost.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/errf.h"

int selfcost_open(struct selfcost *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (s->stats_fd < 0) {
		int e = errno;
		s->stats_fd = -1;
		return errf(err, errlen,
			    "--bpf-stats: the kernel's BPF run-time statistics "
			    "could not be turned on (BPF_ENABLE_STATS, 5.8+): %s",
			    strerror(e));
	}
	return 0;
}

static int prog_stats(int fd, uint64_t *ns, uint64_t *calls)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	*ns = info.run_time_ns;
	*calls = info.run_cnt;
	return 0;
}

static void add_object(struct selfcost *s, struct bpf_object *obj, int profiler)
{
	struct bpf_program *p;
	if (!obj)
		return;
	bpf_object__for_each_program(p, obj)
	{
		int fd = bpf_program__fd(p);
		if (fd < 0 || s->n >= SC_MAX_PROGS)
			continue; /* not loaded on this backend */
		struct sc_prog *q = &s->p[s->n];
		memset(q, 0, sizeof(*q));
		if (prog_stats(fd, &q->ns0, &q->calls0))
			continue;
		/* the object's name: the kernel's is cut at 15 characters */
		snprintf(q->name, sizeof(q->name), "%s", bpf_program__name(p));
		q->fd = fd;
		q->profiler = profiler;
		s->n++;
	}
}

void selfcost_begin(struct selfcost *s, struct bpf_object *tracer, struct bpf_object *profiler)
{
	if (s->stats_fd < 0)
		return;
	s->n = 0;
	add_object(s, tracer, 0);
	add_object(s, profiler, 1);
}

/* q's run time and runs since begin (as they were when the kernel does
 * not answer) */
static void since_begin(struct sc_prog *q)
{
	uint64_t ns, calls;
	if (prog_stats(q->fd, &ns, &calls))
		return;
	q->ns = ns - q->ns0;
	q->calls = calls - q->calls0;
}

void selfcost_end(struct selfcost *s)
{
	for (int i = 0; i < s->n; i++)
		since_begin(&s->p[i]);
}

void selfcost_now(const struct selfcost *s, struct selfcost *out)
{
	*out = *s;
	out->stats_fd = -1; /* the copy keeps nothing open */
	for (int i = 0; i < out->n; i++)
		since_begin(&out->p[i]);
}

void selfcost_close(struct selfcost *s)
{
	if (s->stats_fd >= 0)
		close(s->stats_fd);
	s->stats_fd = -1;
}
