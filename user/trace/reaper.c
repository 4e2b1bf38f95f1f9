// SPDX-License-Identifier: GPL-2.0-only
/* The reaper: hands the slots of exited processes back to BPF once their
 * counters are in the processes' rows. BPF marks a slot dead at its
 * process's exit (bpf/tasks.bpf.h tb_exit); every 10 ms this thread looks
 * at those marks (the mmapped .bss: no system call while none is set),
 * and for each dead slot reads its counters (every CPU's), files them in
 * the process's row (procrows.c), and only then frees the slot: a new
 * process never lands in a slot whose counters are not harvested. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tracer.h"
#include "copytrace.skel.h"

#define REAP_MS 10

static double now_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Each cell's per-CPU values summed (counters.c reads all of them the
 * same way). */
int tracer_sum_cells(struct tracer *t, __u32 first, __u32 n, struct ct_stat *out)
{
	memset(out, 0, sizeof(*out) * n);
	struct ct_stat *pc = calloc((size_t)t->ncpu, sizeof(*pc));
	if (!pc)
		return -1;
	int fd = bpf_map__fd(t->skel->maps.stats);
	for (__u32 i = 0; i < n; i++) {
		__u32 k = first + i;
		if (bpf_map_lookup_elem(fd, &k, pc))
			continue;
		for (int c = 0; c < t->ncpu; c++)
			ct_stat_add(&out[i], &pc[c]);
	}
	free(pc);
	return 0;
}

void reaper_harvest(struct tracer *t)
{
	volatile __u32 *dead = t->skel->bss->slot_dead;
	for (__u32 k = 0; k < CT_SLOT_LATE; k++) {
		if (!dead[k])
			continue;
		__sync_synchronize(); /* the exit's writes before the mark */
		struct ct_stat raw[FN_COUNT];
		struct ct_proc p, none;
		memset(&p, 0, sizeof(p));
		memset(&none, 0, sizeof(none));
		int procs = bpf_map__fd(t->skel->maps.procs);
		if (tracer_sum_cells(t, CT_STAT_KEY(k, 0), FN_COUNT, raw) ||
		    bpf_map_lookup_elem(procs, &k, &p))
			continue; /* no memory: the next pass */
		prows_harvest(&t->rows, (int)k, &p, raw, now_real());
		/* free: the row first, then the claim (BPF claims, then writes
		 * the row: ours must not land after its) */
		bpf_map_update_elem(procs, &k, &none, BPF_ANY);
		dead[k] = 0;
		__sync_synchronize();
		bpf_map_delete_elem(bpf_map__fd(t->skel->maps.claims), &k);
	}
}

static void *reaper_main(void *arg)
{
	struct tracer *t = arg;
	struct timespec tick = { 0, REAP_MS * 1000000L };
	while (!t->reaper_stop) {
		nanosleep(&tick, NULL);
		int any = 0;
		for (int k = 0; k < CT_SLOT_LATE; k++)
			any |= t->skel->bss->slot_dead[k] != 0;
		if (!any)
			continue;
		pthread_mutex_lock(&t->rows_mu);
		reaper_harvest(t);
		pthread_mutex_unlock(&t->rows_mu);
	}
	return NULL;
}

int reaper_start(struct tracer *t)
{
	t->reaper_stop = 0;
	if (pthread_create(&t->reaper, NULL, reaper_main, t))
		return -1;
	t->reaper_on = 1;
	return 0;
}

void reaper_stop(struct tracer *t)
{
	if (!t->reaper_on)
		return;
	t->reaper_stop = 1;
	pthread_join(t->reaper, NULL);
	t->reaper_on = 0;
	/* the exits seen before the detach */
	pthread_mutex_lock(&t->rows_mu);
	reaper_harvest(t);
	pthread_mutex_unlock(&t->rows_mu);
}
