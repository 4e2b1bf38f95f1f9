// SPDX-License-Identifier: GPL-2.0-only
/* The side-band reader (sideband.h). Each drain copies every CPU's new
 * records out of its ring, orders them by time (a child's exec on one CPU
 * must follow its fork on another), and applies those of traced processes
 * to the procmaps table. The rings are drained every 50 ms, and at once
 * when one is a quarter full; what the kernel still drops is counted
 * (PERF_RECORD_LOST) and reported. */
#include "sideband.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "common/errf.h"
#include "copytrace.h"
#include "procmaps.h"

#define SB_PAGES 64 /* ring data pages per CPU (256 KiB with 4 KiB pages) */
#define SB_POLL_MS 50

struct ring {
	int fd;
	void *base;
	size_t len; /* mapped: header page + data */
};

struct rec { /* one record in the batch */
	uint64_t time, seq;
	size_t off; /* into batch */
};

struct sideband {
	struct procmaps *pm;
	int tasks_fd;
	int ncpu;
	struct ring *rings;
	int stop_fd; /* eventfd: wakes the reader to stop */
	pthread_t thread;
	int running;
	pthread_mutex_t lock; /* pm and the counters */
	struct sb_stats st;
	unsigned char *batch; /* the records of one drain, copied out */
	size_t blen, bcap;
	struct rec *recs;
	size_t nrec, rcap;
};

static int perf_open_dummy(int cpu, size_t data_len, int build_id)
{
	struct perf_event_attr a = {
		.size = sizeof(a),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_DUMMY,
		/* sample_id_all + TIME: every record ends with its time, to
		 * order the CPUs' records */
		.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME,
		.sample_id_all = 1,
		.mmap = 1, /* executable mappings only: what symbols need */
		.mmap2 = 1,
		.comm = 1,
		.comm_exec = 1,
		.task = 1,
		.build_id = (unsigned)build_id, /* whose file it was, checked at read time */
		.watermark = 1,
		.wakeup_watermark = (unsigned)(data_len / 4),
	};
	return (int)syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* The process is traced: already tracked, or the tracer knows it (a
 * cgroup's task met later, a child whose fork record is not read yet):
 * then its mappings so far come from /proc. */
static int traced(struct sideband *sb, pid_t pid)
{
	if (pm_has(sb->pm, pid))
		return 1;
	__u32 k = (__u32)pid;
	struct ct_task t;
	if (pid <= 0 || bpf_map_lookup_elem(sb->tasks_fd, &k, &t))
		return 0;
	if (pm_seed(sb->pm, pid))
		pm_track(sb->pm, pid);
	return pm_has(sb->pm, pid);
}

static void apply(struct sideband *sb, const struct perf_event_header *h)
{
	const unsigned char *b = (const unsigned char *)(h + 1);
	const __u32 *u = (const __u32 *)b;
	const char *end = (const char *)h + h->size - 16; /* the sample_id */
	switch (h->type) {
	case PERF_RECORD_LOST:
		sb->st.lost += *(const __u64 *)(b + 8);
		break;
	case PERF_RECORD_FORK: /* pid, ppid, tid, ptid */
		if (u[0] == u[1])
			break; /* a thread */
		if (pm_fork(sb->pm, (pid_t)u[1], (pid_t)u[0]) || traced(sb, (pid_t)u[0]))
			sb->st.kept++;
		break;
	case PERF_RECORD_COMM: { /* pid, tid, comm */
		const char *comm = (const char *)(u + 2);
		if (!memchr(comm, 0, (size_t)(end - comm)) || !traced(sb, (pid_t)u[0]))
			break;
		sb->st.kept++;
		if (h->misc & PERF_RECORD_MISC_COMM_EXEC)
			pm_exec(sb->pm, (pid_t)u[0], comm);
		else if (u[0] == u[1])
			pm_comm(sb->pm, (pid_t)u[0], comm);
		break;
	}
	case PERF_RECORD_MMAP2: {
		/* pid, tid; addr, len, pgoff; 24 bytes of identity; prot, flags;
		 * filename */
		const __u64 *q = (const __u64 *)(b + 8);
		const unsigned char *id = b + 32;
		const __u32 *pf = (const __u32 *)(b + 56);
		const char *path = (const char *)(b + 64);
		if (path >= end || !memchr(path, 0, (size_t)(end - path)) || !(pf[0] & PROT_EXEC) ||
		    !traced(sb, (pid_t)u[0]))
			break;
		sb->st.kept++;
		if (h->misc & PERF_RECORD_MISC_MMAP_BUILD_ID)
			pm_mmap(sb->pm, (pid_t)u[0], q[0], q[1], q[2], path, 0, id + 4, id[0]);
		else
			pm_mmap(sb->pm, (pid_t)u[0], q[0], q[1], q[2], path,
				*(const __u64 *)(id + 8), NULL, 0);
		break;
	}
	}
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *n = realloc(*p, c * elem);
	if (!n)
		return -1;
	*p = n;
	*cap = c;
	return 0;
}

/* Copies ring r's new records into the batch and frees their space. */
static void take(struct sideband *sb, struct ring *r, uint64_t *seq)
{
	struct perf_event_mmap_page *pg = r->base;
	unsigned char *data = (unsigned char *)r->base + pg->data_offset;
	uint64_t size = pg->data_size;
	uint64_t head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = pg->data_tail;
	while (tail < head) {
		struct perf_event_header h;
		memcpy(&h, data + tail % size, sizeof(h)); /* 8-aligned: never wraps */
		if (h.size < sizeof(h) || h.size > head - tail)
			break;
		if (grow((void **)&sb->batch, &sb->bcap, sb->blen + h.size, 1) ||
		    grow((void **)&sb->recs, &sb->rcap, sb->nrec + 1, sizeof(*sb->recs))) {
			sb->st.lost++; /* no memory: counted, as the kernel's drops are */
			tail += h.size;
			continue;
		}
		unsigned char *dst = sb->batch + sb->blen;
		uint64_t at = tail % size, first = size - at < h.size ? size - at : h.size;
		memcpy(dst, data + at, first);
		memcpy(dst + first, data, h.size - first);
		uint64_t t = 0;
		if (h.size >= sizeof(h) + 16) /* the sample_id's time, last */
			memcpy(&t, dst + h.size - 8, sizeof(t));
		sb->recs[sb->nrec++] = (struct rec){ t, (*seq)++, sb->blen };
		sb->blen += h.size;
		sb->st.records++;
		tail += h.size;
	}
	__atomic_store_n(&pg->data_tail, tail, __ATOMIC_RELEASE);
}

static int by_time(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void drain(struct sideband *sb)
{
	uint64_t seq = 0;
	sb->blen = sb->nrec = 0;
	for (int c = 0; c < sb->ncpu; c++)
		if (sb->rings[c].base)
			take(sb, &sb->rings[c], &seq);
	qsort(sb->recs, sb->nrec, sizeof(*sb->recs), by_time);
	pthread_mutex_lock(&sb->lock);
	for (size_t i = 0; i < sb->nrec; i++)
		apply(sb, (const struct perf_event_header *)(sb->batch + sb->recs[i].off));
	sb->st.wakeups++;
	pthread_mutex_unlock(&sb->lock);
}

static void *reader(void *arg)
{
	struct sideband *sb = arg;
	struct pollfd *p = calloc((size_t)sb->ncpu + 1, sizeof(*p));
	int n = 0;
	if (p) {
		p[n++] = (struct pollfd){ .fd = sb->stop_fd, .events = POLLIN };
		for (int c = 0; c < sb->ncpu; c++)
			if (sb->rings[c].base)
				p[n++] = (struct pollfd){ .fd = sb->rings[c].fd, .events = POLLIN };
	}
	for (;;) {
		if (p && poll(p, (nfds_t)n, SB_POLL_MS) > 0 && (p[0].revents & POLLIN))
			break;
		if (!p)
			usleep(SB_POLL_MS * 1000);
		drain(sb);
	}
	free(p);
	return NULL;
}

int sb_open(struct sideband **out, int ncpu, int tasks_fd, struct procmaps *pm, char *err,
	    size_t errlen)
{
	struct sideband *sb = calloc(1, sizeof(*sb));
	*out = sb;
	if (!sb)
		return errf(err, errlen, "out of memory");
	sb->stop_fd = -1;
	pthread_mutex_init(&sb->lock, NULL);
	if (!(sb->rings = calloc((size_t)ncpu, sizeof(*sb->rings))))
		return errf(err, errlen, "out of memory");
	sb->pm = pm;
	sb->tasks_fd = tasks_fd;
	sb->ncpu = ncpu;
	for (int c = 0; c < ncpu; c++)
		sb->rings[c].fd = -1;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), data = SB_PAGES * pg;
	int build_id = 1, opened = 0;
	for (int c = 0; c < ncpu; c++) {
		int fd = perf_open_dummy(c, data, build_id);
		if (fd < 0 && errno == EINVAL && build_id) { /* a kernel before 5.12 */
			build_id = 0;
			fd = perf_open_dummy(c, data, 0);
		}
		if (fd < 0) {
			if (errno == ENODEV)
				continue; /* a possible CPU that is offline */
			return errf(err, errlen,
				    "the mmap side-band perf event failed on CPU %d: %s", c,
				    strerror(errno));
		}
		sb->rings[c].fd = fd;
		sb->rings[c].len = pg + data;
		void *m = mmap(NULL, pg + data, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			return errf(err, errlen, "mapping the side-band ring of CPU %d failed: %s",
				    c, strerror(errno));
		sb->rings[c].base = m;
		opened++;
	}
	if (!opened)
		return errf(err, errlen, "the mmap side-band perf event opened on no CPU");
	if ((sb->stop_fd = eventfd(0, EFD_CLOEXEC)) < 0)
		return errf(err, errlen, "eventfd: %s", strerror(errno));
	if ((errno = pthread_create(&sb->thread, NULL, reader, sb)))
		return errf(err, errlen, "the side-band reader thread: %s", strerror(errno));
	sb->running = 1;
	return 0;
}

int sb_seed(struct sideband *sb, pid_t pid)
{
	pthread_mutex_lock(&sb->lock);
	int r = pm_seed(sb->pm, pid);
	pthread_mutex_unlock(&sb->lock);
	return r;
}

void sb_stop(struct sideband *sb)
{
	if (!sb)
		return;
	if (sb->running) {
		uint64_t one = 1;
		if (write(sb->stop_fd, &one, sizeof(one)) != sizeof(one))
			pthread_cancel(sb->thread); /* cannot happen with an eventfd */
		pthread_join(sb->thread, NULL);
		sb->running = 0;
		drain(sb); /* what came after the reader's last drain */
	}
	for (int c = 0; sb->rings && c < sb->ncpu; c++) {
		if (sb->rings[c].base)
			munmap(sb->rings[c].base, sb->rings[c].len);
		if (sb->rings[c].fd >= 0)
			close(sb->rings[c].fd);
		sb->rings[c].base = NULL;
		sb->rings[c].fd = -1;
	}
}

void sb_get_stats(const struct sideband *sb, struct sb_stats *st)
{
	if (sb)
		*st = sb->st;
	else
		memset(st, 0, sizeof(*st));
}

void sb_close(struct sideband *sb)
{
	if (!sb)
		return;
	sb_stop(sb);
	if (sb->stop_fd >= 0)
		close(sb->stop_fd);
	pthread_mutex_destroy(&sb->lock);
	free(sb->rings);
	free(sb->batch);
	free(sb->recs);
	free(sb);
}
