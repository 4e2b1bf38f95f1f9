// SPDX-License-Identifier: GPL-2.0
/* copytrace: attributes the bytes and nanoseconds of one experiment's TCP
 * traffic to the kernel (and user) functions that copy them.
 *
 * Three kernel backends fill the same per-CPU counter rows (copytrace.h):
 *   fe_*  fentry/fexit        (BPF trampoline; preferred)
 *   kp_*  kprobe/kretprobe    (kernels with kprobes but no trampoline)
 *   tb_*  tp_btf tracepoints, tc_* classic tracepoints (fallback)
 * and in every backend:
 *   up_*  uprobe/uretprobe on the user-space gather (ct_gather)
 *   sr_*, sc_*  syscall tracepoints for the kernel time of send/recv calls.
 * Each fe_/kp_ pair comes from one CT_ENTRY/CT_EXIT definition
 * (common.bpf.h). User space picks the programs with
 * bpf_program__set_autoload (user/trace/hooks.c).
 *
 * Filter: a socket counts when it lives in one of the experiment's network
 * namespaces and has the server's port (local port on the server side,
 * remote port on the client side). Work done in softirq on behalf of the
 * experiment is found through the skb's socket or the receiving device's
 * namespace plus the TCP ports, never through the current task alone.
 *
 * One object, one skeleton; the programs live by concern: */
#include "common.bpf.h"   /* maps, filter, helpers, the two-backend macros */
#include "send.bpf.h"     /* tcp_sendmsg, the user->skb copy, send tracepoints */
#include "recv.bpf.h"     /* tcp_recvmsg, the skb->user copy, receive tracepoints */
#include "zerocopy.bpf.h" /* pinning, completions, the deferred copy */
#include "syscalls.bpf.h" /* kernel time per send/recv system call */
#include "uprobes.bpf.h"  /* A1's user-space gather */

char LICENSE[] SEC("license") = "GPL";
