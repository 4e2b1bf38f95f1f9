/* SPDX-License-Identifier: GPL-2.0-only */
/* User space: A1's gather. One entry uprobe on ct_gather_probe, which
 * ct_gather calls with the bytes it is about to copy (user/net/gather.c):
 * bytes from the argument, no return probe; the gather's time comes from
 * the profiler's samples (bpf/profile.bpf.c). */
#ifndef CT_UPROBES_BPF_H
#define CT_UPROBES_BPF_H
#include "base.bpf.h"
#include "calls.bpf.h"
#include "slots.bpf.h"

SEC("uprobe")
int BPF_KPROBE(up_gather, void *dst, unsigned long bytes)
{
	count(task_slot(), FN_GATHER, bytes, 0, 0);
	return 0;
}

#endif
