/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel compatibility: every place where the tracer's BPF code differs by
 * kernel version, each shim naming the change it works around. A shim
 * chooses by CO-RE (a type or field the running kernel's BTF has or not),
 * by a cfg constant user space probed (config.bpf.h: the verifier walks
 * only the branch the constant allows), or, where even dead code would be
 * rejected, by a compile-time constant and two builds of the program.
 * Where a kernel function was renamed or replaced, the hooks of every
 * name are in the concern's header instead (e.g. sock_zerocopy_callback
 * in zerocopy.bpf.h, do_tcp_sendpages in send.bpf.h). */
#ifndef CT_CORE_FIXES_BPF_H
#define CT_CORE_FIXES_BPF_H
#include "base.bpf.h"
#include "config.bpf.h"
#include "maps.bpf.h"
#include "maps_util.bpf.h"

/* commit 3ca1032ab7ab ("bpf: Implement get_current_task_btf and
 * RET_PTR_TO_BTF_ID"), 5.11: the current task as a BTF pointer, so the
 * walk to its file table is direct loads; before, probe reads (each
 * helper call saved is a good part of the syscall hook's cost). Returns
 * the current task's open-file array when fd is within it, else NULL. */
static __always_inline struct file **cur_fds(long fd)
{
	struct fdtable *fdt;
	if (cfg.have_task_btf) {
		struct task_struct *task = bpf_get_current_task_btf();
		struct files_struct *files = task->files;
		if (!files)
			return NULL;
		fdt = files->fdt;
		if (fd < 0 || !fdt || fd >= fdt->max_fds)
			return NULL;
		return fdt->fd;
	}
	struct task_struct *task = (void *)bpf_get_current_task();
	fdt = BPF_CORE_READ(task, files, fdt);
	if (fd < 0 || !fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	return BPF_CORE_READ(fdt, fd);
}

/* commit 4cf1bc1f1045 ("bpf: Implement task local storage"), 5.11: the
 * thread's syscall record in task-local storage (no hash lookup, gone
 * with the thread); before, a hash by thread id. User space creates only
 * the map in use (bpf_map__set_autocreate). Returns the record, created
 * zeroed on demand (create), or NULL. */
static __always_inline struct sys_val *sys_slot(int create)
{
	if (cfg.have_task_storage) {
		struct task_struct *task = bpf_get_current_task_btf();
		/* a plain lookup first: the create path is slower even when the
		 * element exists (it is created once per thread) */
		struct sys_val *v = bpf_task_storage_get(&sysc, task, 0, 0);
		if (!v && create)
			v = bpf_task_storage_get(&sysc, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		return v;
	}
	__u32 tid = cur_tid();
	struct sys_val zero = {};
	return create ? map_lookup_or_try_init(&sysc_h, &tid, &zero)
		      : bpf_map_lookup_elem(&sysc_h, &tid);
}

/* commit 5ffa25502b5a ("bpf: Add instructions for atomic_[cmp]xchg"),
 * 5.12: raises the completed-id mark *done (the next id expected, mod
 * 2^32) to hi + 1 by compare-and-swap, as completions of one socket race
 * on two CPUs; returns the ids newly credited (0: hi was not ahead; ids
 * wrap, so ct_zc_advance decides, not a comparison). Older verifiers
 * reject a program holding the instruction even in dead code, so cas is
 * a compile-time constant: the programs built for them (cas 0) make a
 * plain update, with which two CPUs can credit the same ids twice (user
 * space says so in a note). */
static __always_inline __u32 zc_mark_raise(__u64 *done, __u32 hi, const int cas)
{
	__u64 old = *done, want = (__u32)(hi + 1);
	if (!cas) {
		__u32 ids = ct_zc_advance((__u32)old, hi);
		if (ids)
			*done = want;
		return ids;
	}
#pragma unroll
	for (int i = 0; i < 8; i++) {
		__u32 n = ct_zc_advance((__u32)old, hi);
		if (!n)
			return 0;
		__u64 prev = __sync_val_compare_and_swap(done, old, want);
		if (prev == old)
			return n;
		old = prev;
	}
	return 0;
}

/* commit 06b4feb37e64 ("net: group skb_shinfo zerocopy related bits
 * together."), 5.12: an skb carrying MSG_ZEROCOPY user pages (which
 * skb_copy_ubufs would copy) is marked SKBFL_ZEROCOPY_ENABLE in
 * skb_shinfo(skb)->flags; before, SKBTX_DEV_ZEROCOPY in tx_flags. */
#define SKBFL_ZC_ENABLE 1 /* SKBFL_ZEROCOPY_ENABLE */
#define SKBTX_DEV_ZEROCOPY (1 << 3)
struct skb_shared_info___pre512 {
	__u8 tx_flags;
} __attribute__((preserve_access_index));

static __always_inline int skb_has_zc_frags(const struct sk_buff *skb)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u64 end = BPF_CORE_READ(skb, end);
	struct skb_shared_info *sh = (void *)(head + end);
	if (bpf_core_field_exists(sh->flags))
		return BPF_CORE_READ(sh, flags) & SKBFL_ZC_ENABLE;
	struct skb_shared_info___pre512 *old = (void *)sh;
	return BPF_CORE_READ(old, tx_flags) & SKBTX_DEV_ZEROCOPY;
}

/* commit 6eaab4dfdd30 ("net: introduce struct ubuf_info_msgzc"), 6.1:
 * MSG_ZEROCOPY's fields moved from struct ubuf_info (an anonymous union,
 * matched by name through this flavour) to struct ubuf_info_msgzc, which
 * embeds it. The ids [id, id + len) of one completed uarg, its bytes, and
 * whether the data went without a copy. */
struct ubuf_info___pre61 {
	__u32 id;
	__u16 len;
	__u16 zerocopy : 1;
	__u32 bytelen;
} __attribute__((preserve_access_index));

static __always_inline void zc_uarg(void *uarg, __u32 *id, __u32 *len, __u64 *bytelen, __u64 *zc)
{
	if (bpf_core_type_exists(struct ubuf_info_msgzc)) {
		struct ubuf_info_msgzc *u = uarg;
		*id = BPF_CORE_READ(u, id);
		*len = BPF_CORE_READ(u, len);
		*bytelen = BPF_CORE_READ(u, bytelen);
		*zc = BPF_CORE_READ_BITFIELD_PROBED(u, zerocopy);
	} else {
		struct ubuf_info___pre61 *u = uarg;
		*id = BPF_CORE_READ(u, id);
		*len = BPF_CORE_READ(u, len);
		*bytelen = BPF_CORE_READ(u, bytelen);
		*zc = BPF_CORE_READ_BITFIELD_PROBED(u, zerocopy);
	}
}

/* commit f92c1e183604 ("bpf: Add get_func_[arg|ret|arg_cnt] helpers"),
 * 5.17: without bpf_get_func_ret, fexit's return value is read from the
 * slot after the function's nargs arguments (nargs from BTF, set by user
 * space; a constant, so the verifier walks one case). Each load is its
 * own asm: clang would otherwise merge the cases into ctx + 8 * nargs,
 * and the verifier rejects a ctx pointer moved at run time. */
#define CT_CTX_LOAD(k)                                                                \
	({                                                                            \
		__u64 v_;                                                             \
		asm volatile("%0 = *(u64 *)(%1 + " #k " * 8)" : "=r"(v_) : "r"(ctx)); \
		v_;                                                                   \
	})
static __always_inline long fexit_ret(__u64 *ctx, int nargs) /* -1: void */
{
	switch (nargs) {
	case 0:
		return (long)CT_CTX_LOAD(0);
	case 1:
		return (long)CT_CTX_LOAD(1);
	case 2:
		return (long)CT_CTX_LOAD(2);
	case 3:
		return (long)CT_CTX_LOAD(3);
	case 4:
		return (long)CT_CTX_LOAD(4);
	case 5:
		return (long)CT_CTX_LOAD(5);
	case 6:
		return (long)CT_CTX_LOAD(6);
	default:
		return 0;
	}
}

/* commit ec095263a965 ("net: remove noblock parameter from recvmsg()
 * entities"), 5.19: tcp_recvmsg's flags moved from argument 4 to 3
 * (cfg.recvmsg_flags_arg, from BTF). fentry reads only the chosen slot (a
 * slot past the arguments is rejected, and 7.x has 4 of them); a kprobe
 * reads both registers, then chooses: a ctx offset chosen at run time
 * would be rejected. RECVMSG_FLAGS() inside either program. */
static __always_inline long kp_recvmsg_flags(struct pt_regs *regs)
{
	long f4 = PT_REGS_PARM4(regs), f5 = PT_REGS_PARM5(regs);
	barrier_var(f4);
	barrier_var(f5);
	return cfg.recvmsg_flags_arg == 4 ? f5 : f4;
}
#define RECVMSG_FLAGS()                                     \
	_Generic((ctx), struct pt_regs *                    \
		 : kp_recvmsg_flags((void *)(ctx)), default \
		 : (cfg.recvmsg_flags_arg == 4 ? (long)CT_CTX_LOAD(4) : (long)CT_CTX_LOAD(3)))

#endif
