/* User space: A1's gather (ct_gather), by uprobe and uretprobe. */
#ifndef CT_UPROBES_BPF_H
#define CT_UPROBES_BPF_H
#include "common.bpf.h"

SEC("uprobe")
int BPF_KPROBE(up_gather)
{
	int side = task_slot();
	if (side >= 0)
		enter(FN_GATHER, side, 0);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(up_gather_ret, long ret)
{
	struct start_val v;
	__s64 ns = leave(FN_GATHER, &v);
	if (ns >= 0)
		count_timed(v.side, FN_GATHER, ret > 0 ? ret : 0, ns, 0, 0);
	return 0;
}

#endif
