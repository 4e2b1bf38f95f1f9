// SPDX-License-Identifier: GPL-2.0-only
/* Empty programs for `make bench` (user/cmd/hookfloor.c): attached where
 * the tracer hooks, they cost only the dispatch (the tracepoint call or
 * the uprobe's entry) and a program that returns at once. What a workload
 * loses under them is the floor of any tracer that hooks there. Each
 * tp_btf program's target is set at run time; programs left unused are
 * not loaded. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("uprobe")
int up0(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

/* a macro that defines functions: clang-format cannot lay it out */
/* clang-format off */
#define EMPTY_TP(n) SEC("tp_btf") int tp##n(void *ctx) { return 0; }
EMPTY_TP(0) EMPTY_TP(1) EMPTY_TP(2) EMPTY_TP(3)
EMPTY_TP(4) EMPTY_TP(5) EMPTY_TP(6) EMPTY_TP(7)
