/* Feature probes: see probe.h. */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "common/errf.h"
#include "kfacts.h"

#define TRACEFS "/sys/kernel/tracing"
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"
#define BPFFS "/sys/fs/bpf"
#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif

static const char *tracefs_root;
static int symbol_in(const char *path, const char *func, int kallsyms);
static struct btf *vmlinux_btf;
static int vmlinux_tried;

static int fs_is(const char *path, long magic)
{
	struct statfs s;
	return statfs(path, &s) == 0 && (long)s.f_type == magic;
}

int probe_mounts(char *err, size_t errlen)
{
	if (fs_is(TRACEFS, TRACEFS_MAGIC)) {
		tracefs_root = TRACEFS;
	} else if (mount("nodev", TRACEFS, "tracefs", 0, NULL) == 0) {
		tracefs_root = TRACEFS;
	} else if (access(DEBUGFS_TRACING "/events", F_OK) == 0) {
		tracefs_root = DEBUGFS_TRACING;
	} else {
		return errf(err, errlen, "tracefs is not mounted and mounting it failed (%s): "
			    "run 'mount -t tracefs nodev " TRACEFS "' (needs CONFIG_FTRACE)",
			    strerror(errno));
	}
	if (!fs_is(BPFFS, BPF_FS_MAGIC) && mount("bpf", BPFFS, "bpf", 0, NULL) != 0) {
		return errf(err, errlen, "bpffs is not mounted at " BPFFS " and mounting it failed "
			    "(%s): run 'mount -t bpf bpf " BPFFS "'", strerror(errno));
	}
	return 0;
}

const char *probe_tracefs(void) { return tracefs_root ? tracefs_root : TRACEFS; }

const struct btf *probe_vmlinux_btf(void)
{
	if (!vmlinux_tried) {
		vmlinux_tried = 1;
		if (access("/sys/kernel/btf/vmlinux", R_OK) == 0) {
			vmlinux_btf = btf__load_vmlinux_btf();
			if (libbpf_get_error(vmlinux_btf))
				vmlinux_btf = NULL;
		}
	}
	return vmlinux_btf;
}

void probe_free(void)
{
	btf__free(vmlinux_btf);
	vmlinux_btf = NULL;
	vmlinux_tried = 0;
}

int probe_fentry(const char *func)
{
	const struct btf *btf = probe_vmlinux_btf();
	if (!btf)
		return -ENOENT;
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id <= 0)
		return -ENOENT;
	/* A function that is no ftrace site cannot take a trampoline (x86
	 * would poke arbitrary text and fail with EBUSY): don't even try. */
	char p[256];
	snprintf(p, sizeof(p), "%s/available_filter_functions", probe_tracefs());
	if (symbol_in(p, func, 0) == 0)
		return -EOPNOTSUPP;
	/* r0 = 0; exit */
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = id);
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "ct_probe", "GPL", insns, 2, &opts);
	if (fd < 0)
		return fd < -1 ? fd : -errno;
	/* Loading checks the target (as bcc's fentry_can_attach does); the
	 * ftrace-site check above stands in for a test attach, which would
	 * patch kernel text twice per function and run. */
	close(fd);
	return 0;
}

bool probe_kprobes(void)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/kprobe_events", probe_tracefs());
	return access(p, F_OK) == 0 ||
	       access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0;
}

/* Looks for a line whose first word (or third, for kallsyms) is func:
 * 1 found, 0 not found, -1 the file cannot be read (e.g. lockdown). */
static int symbol_in(const char *path, const char *func, int kallsyms)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[512];
	size_t n = strlen(func);
	int found = 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *s = line;
		if (kallsyms) {
			s = strchr(s, ' ');
			if (!s || !(s = strchr(s + 1, ' ')))
				continue;
			s++;
		}
		if (!strncmp(s, func, n) && (s[n] == '\n' || s[n] == ' ' || s[n] == '\t' || !s[n]))
			found = 1;
	}
	if (!found && ferror(f))
		found = -1;
	fclose(f);
	return found;
}

bool probe_kprobe_func(const char *func)
{
	if (!probe_kprobes())
		return false;
	char p[256];
	snprintf(p, sizeof(p), "%s/available_filter_functions", probe_tracefs());
	int r = symbol_in(p, func, 0);
	if (r >= 0)
		return r == 1;
	return symbol_in("/proc/kallsyms", func, 1) == 1;
}

bool probe_tp_btf(const char *name)
{
	const struct btf *btf = probe_vmlinux_btf();
	char t[128];
	if (!btf)
		return false;
	snprintf(t, sizeof(t), "btf_trace_%s", name);
	return btf__find_by_name_kind(btf, t, BTF_KIND_TYPEDEF) > 0;
}

bool probe_tp(const char *cat, const char *name)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/events/%s/%s", probe_tracefs(), cat, name);
	return access(p, F_OK) == 0;
}

int probe_func_params(const char *func)
{
	const struct btf *btf = probe_vmlinux_btf();
	if (!btf)
		return -1;
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id <= 0)
		return -1;
	const struct btf_type *t = btf__type_by_id(btf, id);
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	return t && btf_is_func_proto(t) ? btf_vlen(t) : -1;
}

int probe_func_ret_slot(const char *func)
{
	const struct btf *btf = probe_vmlinux_btf();
	int id = btf ? btf__find_by_name_kind(btf, func, BTF_KIND_FUNC) : -1;
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_func_proto(t) || !t->type)
		return -1; /* unknown, or void: fexit has no return slot to read */
	return btf_vlen(t);
}

/* A BPF compare-and-swap loads (BPF atomics, 5.12+): a stack slot
 * exchanged, in a socket filter that never runs. */
bool probe_cmpxchg(void)
{
	static int known = -1; /* asked once per hook: load the probe once */
	if (known >= 0)
		return known;
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_STX | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_10, .src_reg = BPF_REG_0,
		  .off = -8 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = 1 },
		{ .code = BPF_STX | BPF_ATOMIC | BPF_DW, .dst_reg = BPF_REG_10, .src_reg = BPF_REG_1,
		  .off = -8, .imm = BPF_CMPXCHG },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "ct_cmpxchg", "GPL", insns,
			       sizeof(insns) / sizeof(insns[0]), NULL);
	known = fd >= 0;
	if (fd >= 0)
		close(fd);
	return known;
}

bool probe_task_storage(void)
{
	return libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) == 1;
}

bool probe_task_btf(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_get_current_task_btf,
				       NULL) == 1;
}

void probe_kernel_facts(struct kernel_facts *kf, const char *const *funcs, int nf,
			const char *const *tps, int nt)
{
	struct utsname u;
	memset(kf, 0, sizeof(*kf));
	snprintf(kf->release, sizeof(kf->release), "%s", uname(&u) == 0 ? u.release : "unknown");
	kf->kprobes = probe_kprobes();
	kf->cmpxchg = probe_cmpxchg();
	kf->task_storage = probe_task_storage();
	kf->task_btf = probe_task_btf();
	const struct btf *btf = probe_vmlinux_btf();
	char aff[256];
	snprintf(aff, sizeof(aff), "%s/available_filter_functions", probe_tracefs());
	for (int i = 0; i < nf; i++) {
		struct kf_func *f = kf_add_func(kf, funcs[i]);
		if (!f)
			continue;
		f->btf = btf && btf__find_by_name_kind(btf, funcs[i], BTF_KIND_FUNC) > 0;
		f->ftrace = symbol_in(aff, funcs[i], 0);
		f->fentry = probe_fentry(funcs[i]);
		f->kprobe = probe_kprobe_func(funcs[i]);
		f->params = probe_func_params(funcs[i]);
		f->ret_slot = probe_func_ret_slot(funcs[i]);
	}
	for (int i = 0; i < nt; i++) {
		struct kf_tp *t = kf_add_tp(kf, tps[i]);
		const char *ev = strchr(tps[i], '/');
		if (!t || !ev)
			continue;
		char cat[64];
		snprintf(cat, sizeof(cat), "%.*s", (int)(ev - tps[i]), tps[i]);
		t->btf = probe_tp_btf(ev + 1);
		t->event = probe_tp(cat, ev + 1);
	}
}
