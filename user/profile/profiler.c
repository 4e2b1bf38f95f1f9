// SPDX-License-Identifier: GPL-2.0-only
/* The profiler's life cycle (profiler.h): load, per-CPU perf events with
 * the perf_event programs attached and the mmap side-band running, read
 * the stack counts, symbolize. */
#include "profiler.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/errf.h"
#include "procmaps.h"
#include "profile.skel.h"
#include "sideband.h"
#include "symbolize.h"

#define PROC_PID_INIT_INO 0xEFFFFFFCu
#define MAX_DEPTH 127

int profile_open(struct profiler *p, unsigned freq_hz, int tasks_fd, int program, char *err,
		 size_t errlen)
{
	memset(p, 0, sizeof(*p));
	memset(p->fds, -1, sizeof(p->fds));
	p->freq_hz = freq_hz;
	p->tasks_fd = tasks_fd;
	p->program = program;
	p->ncpu = libbpf_num_possible_cpus();
	if (p->ncpu <= 0 || p->ncpu > PROF_MAX_CPUS)
		return errf(err, errlen, "profiler: cannot count the CPUs (%d)", p->ncpu);
	p->skel = profile_bpf__open();
	if (!p->skel)
		return errf(err, errlen, "profiler: opening its eBPF object failed: %s",
			    strerror(errno));
	struct stat ns; /* the tasks map holds tgids of trace_run's pid namespace */
	struct ct_config c = p->skel->rodata->cfg; /* the defaults; only pidns_* is used */
	if (stat("/proc/self/ns/pid", &ns) == 0 && ns.st_ino != PROC_PID_INIT_INO) {
		c.pidns_dev = ns.st_dev;
		c.pidns_ino = ns.st_ino;
	}
	p->skel->rodata->cfg = c;
	if (bpf_map__reuse_fd(p->skel->maps.tasks, tasks_fd))
		return errf(err, errlen, "profiler: sharing the tracer's tasks map failed: %s",
			    strerror(errno));
	if (profile_bpf__load(p->skel))
		return errf(err, errlen, "profiler: loading its perf_event programs failed: %s",
			    strerror(errno));
	return 0;
}

static int perf_open(int type, unsigned long long config, unsigned freq_hz, int cpu)
{
	struct perf_event_attr a = { .size = sizeof(a), .type = (unsigned)type, .config = config };
	if (type == PERF_TYPE_SOFTWARE) {
		/* cpu-clock counts nanoseconds: a fixed period makes every sample
		 * stand for the same CPU time */
		a.sample_period = 1000000000ull / freq_hz;
	} else {
		a.freq = 1;
		a.sample_freq = freq_hz;
	}
	return (int)syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static void clear_map(struct bpf_map *m)
{
	int fd = bpf_map__fd(m);
	size_t ksz = bpf_map__key_size(m);
	char key[64];
	if (ksz > sizeof(key))
		return;
	while (bpf_map_get_next_key(fd, NULL, key) == 0 && bpf_map_delete_elem(fd, key) == 0)
		;
}

/* Opens event ev on every CPU and attaches its program; -1 with errno of
 * the first failure (everything opened so far closed again). */
static int start_event(struct profiler *p, int ev, struct bpf_program *prog)
{
	for (int c = 0; c < p->ncpu; c++) {
		int fd = ev == PE_CLOCK
			? perf_open(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, p->freq_hz, c)
			: perf_open(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, p->freq_hz, c);
		if (fd < 0) {
			if (errno == ENODEV)
				continue; /* a possible CPU that is offline */
			return -1;
		}
		p->fds[ev][c] = fd;
		struct bpf_link *l = bpf_program__attach_perf_event(prog, fd);
		if (libbpf_get_error(l))
			return -1;
		p->links[ev][c] = l;
	}
	return 0;
}

static void stop_event(struct profiler *p, int ev)
{
	for (int c = 0; c < p->ncpu; c++) {
		if (p->links[ev][c])
			bpf_link__destroy(p->links[ev][c]);
		if (p->fds[ev][c] >= 0)
			close(p->fds[ev][c]);
		p->links[ev][c] = NULL;
		p->fds[ev][c] = -1;
	}
}

/* Seeds the mappings of every process of a cgroup and its descendants
 * (they join the tasks map only when they first do TCP work). */
static void seed_cgroup(struct profiler *p, int dirfd, int depth)
{
	int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	int pid;
	while (f && fscanf(f, "%d", &pid) == 1)
		sb_seed(p->sb, (pid_t)pid);
	if (f)
		fclose(f);
	else if (fd >= 0)
		close(fd);
	int dfd = depth < 16 ? openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub >= 0) {
			seed_cgroup(p, sub, depth + 1);
			close(sub);
		}
	}
	closedir(d);
}

int profile_attach(struct profiler *p, int cgroup_fd, char *err, size_t errlen)
{
	profile_detach(p);
	clear_map(p->skel->maps.counts);
	clear_map(p->skel->maps.stacks);
	__u64 zero[PROF_MAX_CPUS] = { 0 };
	for (__u32 k = 0; k < PS_COUNT; k++)
		bpf_map_update_elem(bpf_map__fd(p->skel->maps.pstats), &k, zero, BPF_ANY);
	sym_free(p->sym);
	p->sym = NULL;
	sb_close(p->sb);
	p->sb = NULL;
	pm_free(p->pm);
	if (!(p->pm = pm_new()))
		return errf(err, errlen, "out of memory");
	/* the side-band first, then the snapshots: nothing falls between */
	char why[256];
	if (sb_open(&p->sb, p->ncpu, p->tasks_fd, p->pm, why, sizeof(why)))
		return errf(err, errlen, "profiler: %s (--sample-freq 0 turns the profiler off)",
			    why);
	__u32 key, next;
	for (void *prev = NULL; !bpf_map_get_next_key(p->tasks_fd, prev, &next); prev = &key) {
		key = next;
		sb_seed(p->sb, (pid_t)key); /* a held child not yet exec'd: its exec is recorded */
	}
	if (cgroup_fd >= 0)
		seed_cgroup(p, cgroup_fd, 0);
	if (start_event(p, PE_CLOCK, p->skel->progs.prof_clock)) {
		int e = errno;
		profile_detach(p);
		return errf(err, errlen,
			    "profiler: cpu-clock perf event with a BPF program failed: "
			    "%s (--sample-freq 0 turns the profiler off)",
			    strerror(e));
	}
	p->cycles_ok = start_event(p, PE_CYCLES, p->skel->progs.prof_cycles) == 0;
	if (!p->cycles_ok) {
		int e = errno;
		stop_event(p, PE_CYCLES);
		snprintf(p->cycles_why, sizeof(p->cycles_why), "%s",
			 e == ENOENT || e == EOPNOTSUPP || e == ENODEV
				 ? "<not supported>: no hardware PMU (cpu-cycles event missing)"
				 : strerror(e));
	}
	return 0;
}

void profile_detach(struct profiler *p)
{
	for (int ev = 0; ev < PE_COUNT; ev++)
		stop_event(p, ev);
	sb_stop(p->sb); /* a last drain: the records up to now */
}

/* Symbolizes one stack id's frames into v (leaf first); returns the count.
 * Frames past the leaf are return addresses: addr - 1 is inside the call. */
static int frames(struct profiler *p, int id, int user, pid_t pid, const char **v)
{
	__u64 ip[MAX_DEPTH];
	if (id < 0 || bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.stacks), &id, ip))
		return 0;
	int n = 0;
	for (int i = 0; i < MAX_DEPTH && ip[i]; i++) {
		__u64 a = i ? ip[i] - 1 : ip[i];
		v[n++] = user ? sym_user(p->sym, pid, a) : sym_kernel(p->sym, a);
	}
	return n;
}

/* The word at the user stack pointer, when the leaf is a frameless copy
 * primitive, is its caller's return address: frame-pointer walks skip
 * that caller (ct_gather under memcpy). It is inserted when it names a
 * function the walk did not already give as the next frame. */
static int leaf_caller(struct profiler *p, const struct prof_key *k, const char **u, int nu)
{
	if (!k->user_mode || nu < 1 || nu >= MAX_DEPTH || !k->leaf_ret)
		return nu;
	const char *leaf = u[0];
	if (strncmp(leaf, "__mem", 5) && strcmp(leaf, "memcpy") && strcmp(leaf, "memmove"))
		return nu;
	const char *c = sym_user(p->sym, (pid_t)k->tgid, k->leaf_ret - 1);
	if (c[0] == '[' || (nu > 1 && !strcmp(c, u[1])) || !strcmp(c, leaf))
		return nu;
	memmove(u + 2, u + 1, (size_t)(nu - 1) * sizeof(*u));
	u[1] = c;
	return nu + 1;
}

int profile_read(struct profiler *p, struct prof_data *d, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->enabled = 1;
	d->freq_hz = p->freq_hz;
	d->period_ns = 1000000000ull / p->freq_hz;
	d->cycles = p->cycles_ok;
	snprintf(d->cycles_why, sizeof(d->cycles_why), "%s", p->cycles_why);
	if (!p->sym && !(p->sym = sym_new(p->pm)))
		return errf(err, errlen, "out of memory");
	__u64 per[PROF_MAX_CPUS];
	for (__u32 k = 0; k < PS_COUNT; k++)
		if (!bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.pstats), &k, per))
			for (int c = 0; c < p->ncpu; c++)
				d->stats[k] += per[c];
	int fd = bpf_map__fd(p->skel->maps.counts), cap = 0;
	struct prof_key key, next;
	void *prev = NULL;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		__u64 count;
		if (bpf_map_lookup_elem(fd, &key, &count) || !count)
			continue;
		if (d->n == cap) {
			cap = cap ? cap * 2 : 256;
			struct prof_stack *s = realloc(d->st, (size_t)cap * sizeof(*s));
			if (!s)
				goto oom;
			d->st = s;
		}
		/* a process the side-band never saw (a cgroup's, met late):
		 * its mappings now, if it still lives */
		if (p->pm && !pm_has(p->pm, (pid_t)key.tgid))
			pm_seed(p->pm, (pid_t)key.tgid);
		const char *k[MAX_DEPTH], *u[MAX_DEPTH + 1];
		int nk = frames(p, key.kstack, 0, 0, k);
		int nu = frames(p, key.ustack, 1, (pid_t)key.tgid, u);
		nu = leaf_caller(p, &key, u, nu);
		const char **v = malloc((size_t)(nk + nu + 1) * sizeof(*v));
		if (!v)
			goto oom;
		memcpy(v, k, (size_t)nk * sizeof(*v));
		memcpy(v + nk, u, (size_t)nu * sizeof(*v));
		const char *root = NULL;
		if (p->program) {
			const char *comm = p->pm ? pm_comm_of(p->pm, (pid_t)key.tgid) : NULL;
			char b[48];
			snprintf(b, sizeof(b), "%s/%u", comm ? comm : "?", key.tgid);
			root = sym_intern(p->sym, b);
		}
		d->st[d->n++] = (struct prof_stack){
			(int)key.slot, (int)key.event, count, nk, nu, v, key.tgid, root
		};
	}
	struct sb_stats ss;
	struct pm_stats ps = { 0 };
	sb_get_stats(p->sb, &ss);
	if (p->pm)
		pm_get_stats(p->pm, &ps);
	d->sb = (struct prof_sideband){ ss.records,
					ss.kept,
					ss.lost,
					ps.procs,
					ps.images,
					ps.maps,
					ps.procs_dropped + ps.images_dropped + ps.maps_dropped +
						ps.files_dropped,
					sym_files_refused(p->sym) };
	return 0;
oom:
	prof_data_free(d);
	return errf(err, errlen, "out of memory reading the profile");
}

void prof_data_free(struct prof_data *d)
{
	for (int i = 0; i < d->n; i++)
		free(d->st[i].frames);
	free(d->st);
	d->st = NULL;
	d->n = 0;
}

void profile_close(struct profiler *p)
{
	profile_detach(p);
	profile_bpf__destroy(p->skel);
	p->skel = NULL;
	sym_free(p->sym);
	p->sym = NULL;
	sb_close(p->sb);
	p->sb = NULL;
	pm_free(p->pm);
	p->pm = NULL;
}

struct bpf_object *profile_object(const struct profiler *p)
{
	return p && p->skel ? p->skel->obj : NULL;
}
