// SPDX-License-Identifier: GPL-2.0-only
/* The skeleton's life cycle: open and load for the chosen backend, point
 * the filter at one experiment and attach, detach, destroy. */
#include "tracer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/errf.h"
#include "copytrace.skel.h"
#include "probe.h"

#define PROC_PID_INIT_INO 0xEFFFFFFCu /* the initial pid namespace's inode */

/* libbpf's first warning since the load began, quoted in a load error
 * (never parsed). */
static char libbpf_last[512];
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (getenv("CT_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_WARN) {
		char buf[512];
		vsnprintf(buf, sizeof(buf), fmt, ap);
		size_t n = strlen(buf);
		while (n && buf[n - 1] == '\n')
			buf[--n] = 0;
		if (n && !libbpf_last[0]) /* the first warning names the cause */
			snprintf(libbpf_last, sizeof(libbpf_last), "%s", buf);
	}
	return 0;
}

void tracer_note(struct tracer *t, const char *fmt, ...)
{
	if (t->nnotes >= CT_MAX_NOTES)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->notes[t->nnotes++], sizeof(t->notes[0]), fmt, ap);
	va_end(ap);
}

/* Kernel features the programs branch on (constants, so the verifier
 * never sees the branch a kernel cannot run), and the backend's choices,
 * into c; each missing feature named. */
static void set_features(struct tracer *t, struct ct_config *c)
{
	int ts = t->facts.task_storage;
	c->have_task_storage = ts;
	c->have_task_btf = t->facts.task_btf;
	c->have_fn_pairs = t->plan.backend != BK_TRACEPOINT;
	c->send_from_syscall = t->plan.send_from_syscall;
	c->splice_from_syscall = t->plan.splice_from_syscall;
	c->zc_gated = t->plan.zc_gated;
	c->tls_rx_split = t->plan.backend != BK_TRACEPOINT &&
		t->plan.rows[FN_TLS_DECRYPT].present && t->plan.rows[FN_RECV_COPY].present;
	bpf_map__set_autocreate(ts ? t->skel->maps.sysc_h : t->skel->maps.sysc, false);
	if (!t->facts.cmpxchg && (t->plan.flags & CT_TR_ZC_HOOKS))
		tracer_note(t,
			    "this kernel has no BPF compare-and-swap (5.12+): zerocopy ids are "
			    "credited with a plain update, which two CPUs completing one "
			    "socket's sends at once can count twice");
}

/* Nesting level of trace_run's pid namespace (0: the initial one): the
 * number of pids /proc/self/status lists in NSpid, less one. */
static unsigned pidns_level(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[512];
	unsigned n = 0;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "NSpid:", 6))
			for (char *p = strtok(line + 6, " \t\n"); p; p = strtok(NULL, " \t\n"))
				n++;
	if (f)
		fclose(f);
	return n ? n - 1 : 0;
}

/* Opens the skeleton, sets the run-time constants, loads the programs of
 * the hooks the plan uses. 0, or -1 with why. */
static int load(struct tracer *t, char *why, size_t wlen)
{
	t->skel = copytrace_bpf__open();
	if (!t->skel)
		return errf(why, wlen, "opening the eBPF object failed: %s", strerror(errno));
	/* The run-time constants, written once below; a field not set here
	 * keeps its default (bpf/config.bpf.h). */
	struct ct_config c = t->skel->rodata->cfg;
	c.recvmsg_flags_arg = t->plan.recvmsg_flags_arg;
	c.nr_sendto = SYS_sendto;
	c.nr_sendmsg = SYS_sendmsg;
	c.nr_recvfrom = SYS_recvfrom;
	c.nr_recvmsg = SYS_recvmsg;
	c.nr_write = SYS_write;
	c.nr_writev = SYS_writev;
	c.nr_read = SYS_read;
	c.nr_readv = SYS_readv;
	c.nr_sendfile = SYS_sendfile;
	c.nr_splice = SYS_splice;
	c.nr_getsockopt = SYS_getsockopt;
#ifdef SYS_io_uring_enter
	c.nr_io_uring_enter = SYS_io_uring_enter;
#endif
	c.nr_sendmmsg = SYS_sendmmsg;
	/* In a container's pid namespace the runner's pids are that
	 * namespace's numbers: BPF must translate (bpf_get_ns_current_pid_tgid). */
	struct stat ns;
	if (stat("/proc/self/ns/pid", &ns) == 0 && ns.st_ino != PROC_PID_INIT_INO) {
		c.pidns_dev = ns.st_dev;
		c.pidns_ino = ns.st_ino;
		c.pidns_level = pidns_level();
	}

	/* each used fexit finds its function's return value after the
	 * arguments (the slot from BTF) */
	for (int i = 0; i < hook_count(); i++)
		if (t->plan.use[i] && hook_nargs_offset(i) != (size_t)-1)
			*(int *)((char *)t->skel->rodata + hook_nargs_offset(i)) =
				t->plan.ret_slot[i];
	set_features(t, &c);
	t->skel->rodata->cfg = c;

	struct bpf_program *p, *hp[2];
	bpf_object__for_each_program(p, t->skel->obj) bpf_program__set_autoload(p, false);
	for (int i = 0; i < hook_count(); i++)
		if (tracer_hook_programs(t, i, hp))
			for (int k = 0; k < 2; k++)
				if (hp[k])
					bpf_program__set_autoload(hp[k], true);
	libbpf_last[0] = 0;
	if (copytrace_bpf__load(t->skel) == 0)
		return 0;
	int e = errno;
	copytrace_bpf__destroy(t->skel);
	t->skel = NULL;
	return errf(why, wlen, "loading its eBPF programs failed: %s%s%s", strerror(e),
		    libbpf_last[0] ? ": " : "", libbpf_last);
}

/* Root, BTF, tracefs and bpffs: what every tracer needs. */
static int check_env(char *err, size_t errlen)
{
	libbpf_set_print(libbpf_print);
	if (geteuid() != 0)
		return errf(err, errlen,
			    "must run as root (eBPF and network namespaces need "
			    "CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN): run it with sudo");
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0 || !probe_vmlinux_btf())
		return errf(err, errlen,
			    "kernel BTF missing (/sys/kernel/btf/vmlinux): boot a "
			    "kernel built with CONFIG_DEBUG_INFO_BTF=y");
	return probe_mounts(err, errlen);
}

int tracer_facts(struct kernel_facts *kf, char *err, size_t errlen)
{
	if (check_env(err, errlen))
		return -1;
	const char *const *fn, *const *tp;
	int nf, nt;
	hooks_fact_names(&fn, &nf, &tp, &nt);
	probe_kernel_facts(kf, fn, nf, tp, nt);
	return 0;
}

int tracer_open(struct tracer *t, const char *backend, unsigned flags, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->rows_mu, NULL);
	prows_init(&t->rows, CT_EXITED_ROWS);
	if (tracer_facts(&t->facts, err, errlen))
		return -1;
	t->ncpu = libbpf_num_possible_cpus();
	if (t->ncpu <= 0)
		return errf(err, errlen, "cannot count possible CPUs");
	if (getenv("CT_TP_CLASSIC"))
		flags |= CT_TR_TP_CLASSIC;

	/* "auto": the first backend whose hooks exist and whose programs
	 * load; each one passed over is named in a note with why. */
	int is_auto = !strcmp(backend, "auto");
	char why[BK_COUNT][256] = { "" };
	for (int b = 0; b < BK_COUNT; b++) {
		if (!is_auto && strcmp(backend, backend_name((enum ct_backend)b)))
			continue;
		if (hooks_plan(&t->facts, (enum ct_backend)b, flags, &t->plan, why[b],
			       sizeof(why[b])))
			continue;
		memcpy(t->notes, t->plan.notes, sizeof(t->notes));
		t->nnotes = t->plan.nnotes;
		if (load(t, why[b], sizeof(why[b])))
			continue;
		for (int k = 0; is_auto && k < b; k++)
			tracer_note(t, "backend auto: %s unusable (%s)",
				    backend_name((enum ct_backend)k), why[k]);
		return 0;
	}
	if (!is_auto) {
		int b = !strcmp(backend, "fentry")   ? BK_FENTRY
			: !strcmp(backend, "kprobe") ? BK_KPROBE
						     : BK_TRACEPOINT;
		return errf(err, errlen,
			    "backend %s is not usable on this kernel: %s "
			    "(try --backend auto)",
			    backend, why[b]);
	}
	return errf(err, errlen,
		    "no usable tracing backend: fentry: %s; kprobe: %s; "
		    "tracepoint: %s",
		    why[0], why[1], why[2]);
}

/* Empties a hash or LRU map: every key deleted. */
static int clear_map(int fd, size_t keysz)
{
	void *key = malloc(keysz);
	if (!key)
		return -1;
	while (bpf_map_get_next_key(fd, NULL, key) == 0)
		if (bpf_map_delete_elem(fd, key))
			break;
	free(key);
	return 0;
}

/* Zeroes every element of an array; a per-CPU array's on every CPU. */
static int zero_array(int fd, const struct bpf_map *m, int ncpu)
{
	size_t vsz = bpf_map__value_size(m);
	if (bpf_map__type(m) == BPF_MAP_TYPE_PERCPU_ARRAY)
		vsz = ((vsz + 7) & ~(size_t)7) * (size_t)ncpu; /* each CPU's value 8-aligned */
	void *zero = calloc(1, vsz);
	if (!zero)
		return -1;
	int rc = 0;
	for (__u32 k = 0; k < bpf_map__max_entries(m) && !rc; k++)
		rc = bpf_map_update_elem(fd, &k, zero, BPF_ANY);
	free(zero);
	return rc;
}

/* Clears the run state before a run: every map of the object but those
 * kept below, so a map added to bpf/maps.bpf.h is reset without being
 * named here. Hash and LRU maps lose every key (claims and tasks are
 * refilled by fill_filter), arrays are zeroed (stats: every CPU's cells;
 * procs: every slot unused), and a map of any other type stops the run
 * until it is given a rule here. */
static int reset_counters(struct tracer *t, char *err, size_t errlen)
{
	/* Not run state: */
	const struct bpf_map *keep[] = {
		/* the traced cgroup: fill_filter sets it when there is one, BPF
		 * reads it only under filter.cgroup */
		t->skel->maps.cgroups,
		/* the data syscall in flight, per thread: a record, not a
		 * counter, rewritten at the thread's next call. Task storage
		 * cannot be walked from user space (its keys are pidfds), and
		 * the hash that stands in for it before 5.11 is kept alike */
		t->skel->maps.sysc,
		t->skel->maps.sysc_h,
	};
	struct bpf_map *m;
	bpf_object__for_each_map(m, t->skel->obj)
	{
		int kept = 0, fd = bpf_map__fd(m);
		for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
			kept |= m == keep[i];
		/* internal maps: .rodata (constants, frozen at load) and .bss
		 * (the filter and counters, set below and by tracer_attach);
		 * fd < 0: a map not created on this kernel (set_features) */
		if (kept || bpf_map__is_internal(m) || fd < 0)
			continue;
		int rc;
		switch (bpf_map__type(m)) {
		case BPF_MAP_TYPE_HASH:
		case BPF_MAP_TYPE_LRU_HASH:
		case BPF_MAP_TYPE_PERCPU_HASH:
		case BPF_MAP_TYPE_LRU_PERCPU_HASH:
			rc = clear_map(fd, bpf_map__key_size(m));
			break;
		case BPF_MAP_TYPE_ARRAY:
		case BPF_MAP_TYPE_PERCPU_ARRAY:
			rc = zero_array(fd, m, t->ncpu);
			break;
		default:
			return errf(err, errlen,
				    "map %s (type %d) has no reset rule "
				    "(user/trace/tracer.c reset_counters)",
				    bpf_map__name(m), (int)bpf_map__type(m));
		}
		if (rc)
			return errf(err, errlen, "clearing map %s before the run failed: %s",
				    bpf_map__name(m), strerror(errno));
	}
	t->skel->bss->slots_overflow = 0;
	t->skel->bss->procs_seen = t->skel->bss->procs_exited = 0;
	memset(t->skel->bss->slot_gen, 0, sizeof(t->skel->bss->slot_gen));
	memset(t->skel->bss->slot_dead, 0, sizeof(t->skel->bss->slot_dead));
	memset(t->skel->bss->map_stat, 0, sizeof(t->skel->bss->map_stat));
	prows_free(&t->rows);
	prows_init(&t->rows, CT_EXITED_ROWS);
	return 0;
}

/* Lists the processes of f in their slots (claimed, so BPF hands out the
 * others) and the cgroup. */
static int fill_filter(struct tracer *t, const struct trace_filter *f, char *err, size_t errlen)
{
	for (int i = 0; i < f->npids; i++) {
		__u32 slot = i, tgid = (__u32)f->pids[i];
		if (!tgid) /* a slot left empty (trace_run --role): never pid 0, the idle task */
			continue;
		struct ct_task task = { .slot = slot };
		struct ct_proc p = { .tgid = tgid };
		snprintf(p.comm, sizeof(p.comm), "%s", f->comms[i]);
		t->skel->bss->procs_seen++;
		if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.claims), &slot, &tgid, BPF_ANY) ||
		    bpf_map_update_elem(bpf_map__fd(t->skel->maps.tasks), &tgid, &task, BPF_ANY) ||
		    bpf_map_update_elem(bpf_map__fd(t->skel->maps.procs), &slot, &p, BPF_ANY))
			return errf(err, errlen, "filling the traced-process map failed: %s",
				    strerror(errno));
	}
	if (f->cgroup_fd >= 0) {
		__u32 k = 0;
		if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.cgroups), &k, &f->cgroup_fd,
					BPF_ANY))
			return errf(err, errlen, "the cgroup cannot be traced: %s",
				    strerror(errno));
	}
	return 0;
}

int tracer_tasks_fd(const struct tracer *t)
{
	return bpf_map__fd(t->skel->maps.tasks);
}

struct bpf_object *tracer_object(const struct tracer *t)
{
	return t->skel ? t->skel->obj : NULL;
}

int tracer_hook_programs(const struct tracer *t, int i, struct bpf_program *p[2])
{
	size_t off[2];
	p[0] = p[1] = NULL;
	if (!hook_prog_offsets(&t->plan, i, off))
		return 0;
	for (int k = 0; k < 2; k++)
		if (off[k])
			p[k] = *(struct bpf_program **)((char *)t->skel + off[k]);
	return 1;
}

int tracer_add_process(struct tracer *t, int tgid, int ppid, const char *comm)
{
	int claims = bpf_map__fd(t->skel->maps.claims), procs = bpf_map__fd(t->skel->maps.procs);
	__u32 key = (__u32)tgid, slot = CT_SLOT_OTHERS;
	/* the claims map decides between us and a BPF fork on another CPU:
	 * BPF_NOEXIST both ways, as claim_slot does */
	for (__u32 i = 0; i < CT_SLOT_LATE; i++)
		if (bpf_map_update_elem(claims, &i, &key, BPF_NOEXIST) == 0) {
			slot = i;
			break;
		}
	struct ct_proc p = { .tgid = key, .ppid = (__u32)ppid };
	if (slot == CT_SLOT_OTHERS)
		__sync_fetch_and_add(&t->skel->bss->slots_overflow, 1);
	else
		snprintf(p.comm, sizeof(p.comm), "%s", comm);
	if (slot != CT_SLOT_OTHERS && bpf_map_update_elem(procs, &slot, &p, BPF_ANY))
		return -1;
	struct ct_task task = { .slot = slot };
	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.tasks), &key, &task, BPF_NOEXIST) == 0) {
		__sync_fetch_and_add(&t->skel->bss->procs_seen, 1);
		return 1;
	}
	int e = errno;
	if (e == E2BIG) /* the table is full: said in the report, as BPF's refusals */
		__sync_fetch_and_add(&t->skel->bss->map_stat[MS_TASKS_FULL], 1);
	if (slot != CT_SLOT_OTHERS) { /* traced already: the slot goes back */
		struct ct_proc none = { 0 };
		bpf_map_update_elem(procs, &slot, &none, BPF_ANY);
		bpf_map_delete_elem(claims, &slot);
	} else {
		__sync_fetch_and_sub(&t->skel->bss->slots_overflow, 1);
	}
	errno = e;
	return e == EEXIST ? 0 : -1;
}

int tracer_is_traced(const struct tracer *t, int tgid)
{
	__u32 key = (__u32)tgid;
	struct ct_task task;
	return bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.tasks), &key, &task) == 0;
}

int tracer_traced_pids(const struct tracer *t, int *out, int max)
{
	int fd = bpf_map__fd(t->skel->maps.tasks), n = 0;
	__u32 key, next;
	for (void *prev = NULL; n < max && !bpf_map_get_next_key(fd, prev, &next); prev = &key) {
		key = next;
		out[n++] = (int)key;
	}
	return n;
}

static int add_link(struct tracer *t, struct bpf_link *l)
{
	if (!l || t->nlinks >= CT_MAX_LINKS) {
		bpf_link__destroy(l);
		return -1;
	}
	t->links[t->nlinks++] = l;
	return 0;
}

static struct bpf_link *attach_one(struct tracer *t, int i, struct bpf_program *p, int is_ret)
{
	struct bpf_link *l;
	if (hook_kind(i) == HK_UPROBE) {
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = hook_target(i), .retprobe = is_ret);
		l = bpf_program__attach_uprobe_opts(p, -1, t->uprobe_exe, 0, &uo);
	} else {
		l = bpf_program__attach(p);
	}
	return libbpf_get_error(l) ? NULL : l;
}

int tracer_attach(struct tracer *t, const struct trace_filter *tf, char *err, size_t errlen)
{
	tracer_detach(t);
	if (reset_counters(t, err, errlen))
		return -1;
	struct ct_filter *f = &t->skel->bss->filter;
	f->enabled = 0;
	if (fill_filter(t, tf, err, errlen))
		return -1;
	f->follow_fork = tf->follow_fork;
	f->cgroup = tf->cgroup_fd >= 0;
	f->per_conn = tf->per_conn;
	f->recycle = tf->recycle;
	t->recycle = tf->recycle;
	t->skel->bss->zc_sends_seen = 0;
	t->skel->bss->zc_seen = 0;
	snprintf(t->uprobe_exe, sizeof(t->uprobe_exe), "%s", tf->uprobe_exe ? tf->uprobe_exe : "");
	__sync_synchronize();
	f->enabled = 1;
	if (tf->recycle && reaper_start(t)) {
		f->enabled = 0;
		return errf(err, errlen,
			    "cannot start the thread that frees exited processes' slots");
	}

	for (int i = 0; i < hook_count(); i++) {
		struct bpf_program *p[2];
		if (!tracer_hook_programs(t, i, p))
			continue;
		for (int k = 0; k < 2; k++) {
			if (!p[k] || add_link(t, attach_one(t, i, p[k], k)) == 0)
				continue;
			int e = errno;
			if (hook_required(&t->plan, i)) {
				tracer_detach(t);
				return errf(err, errlen, "attaching %s to %s failed: %s",
					    bpf_program__name(p[k]), hook_target(i), strerror(e));
			}
			tracer_note(t, "attaching %s to %s failed (%s), row dropped",
				    bpf_program__name(p[k]), hook_target(i), strerror(e));
			hooks_drop(&t->plan, i);
			break;
		}
	}
	return 0;
}

void tracer_detach(struct tracer *t)
{
	if (t->skel && t->skel->bss)
		t->skel->bss->filter.enabled = 0;
	for (int i = 0; i < t->nlinks; i++)
		bpf_link__destroy(t->links[i]);
	t->nlinks = 0;
	reaper_stop(t);
}

void tracer_close(struct tracer *t)
{
	tracer_detach(t);
	prows_free(&t->rows);
	copytrace_bpf__destroy(t->skel);
	t->skel = NULL;
	probe_free();
}
