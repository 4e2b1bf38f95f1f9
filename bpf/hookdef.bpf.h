/* SPDX-License-Identifier: GPL-2.0-only */
/* One definition, two kernel backends: CT_ENTRY and CT_EXIT make the
 * fentry/fexit and the kprobe/kretprobe program of one kernel function
 * from the same handler call. User space loads the pair of the backend it
 * chose (bpf_program__set_autoload, user/trace/hooks.c). */
#ifndef CT_HOOKDEF_BPF_H
#define CT_HOOKDEF_BPF_H
#include "base.bpf.h"
#include "core_fixes.bpf.h" /* fexit_ret */

/* CT_ENTRY(name, func, call, args...) makes fe_<name> (fentry/func) and
 * kp_<name> (kprobe/func); both run `call`, which may use the typed args
 * by name. CT_EXIT(name, func, call) makes fe_<name>_ret (fexit) and
 * kp_<name>_ret (kretprobe); `call` sees the return value as `long ret`
 * (truncate it to the function's return type; fexit finds it after the
 * ct_nargs_<name> arguments user space sets from BTF). */
#define CT_ENTRY(name, func, call, args...) \
	SEC("fentry/" #func)                \
	int BPF_PROG(fe_##name, ##args)     \
	{                                   \
		call;                       \
		return 0;                   \
	}                                   \
	SEC("kprobe/" #func)                \
	int BPF_KPROBE(kp_##name, ##args)   \
	{                                   \
		call;                       \
		return 0;                   \
	}

#define CT_EXIT(name, func, call)                                                  \
	const volatile int ct_nargs_##name = -1; /* the return's slot, -1: void */ \
	SEC("fexit/" #func)                                                        \
	int BPF_PROG(fe_##name##_ret)                                              \
	{                                                                          \
		long ret = fexit_ret(ctx, ct_nargs_##name);                        \
		(void)ret;                                                         \
		call;                                                              \
		return 0;                                                          \
	}                                                                          \
	SEC("kretprobe/" #func)                                                    \
	int BPF_KRETPROBE(kp_##name##_ret)                                         \
	{                                                                          \
		long ret = PT_REGS_RC(ctx);                                        \
		(void)ret;                                                         \
		call;                                                              \
		return 0;                                                          \
	}

#endif
