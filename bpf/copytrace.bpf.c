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
 * Filter: the traced processes (a map of tgids: the experiment's server
 * and client, a command and its descendants, given pids, or every task of
 * a cgroup). A TCP socket is traced once a traced task uses it; work done
 * elsewhere on its behalf (softirq, another CPU, an untraced peer) is
 * found through the skb's socket or the connection's 4-tuple, never
 * through the current task alone.
 *
 * One object, one skeleton; the programs live by concern: */
#include "common.bpf.h"   /* maps, filter, helpers, the two-backend macros */
#include "send.bpf.h"     /* tcp_sendmsg, the user->skb copy, send tracepoints */
#include "recv.bpf.h"     /* tcp_recvmsg, the skb->user copy, receive tracepoints */
#include "zerocopy.bpf.h" /* pinning, completions, the deferred copy */
#include "syscalls.bpf.h" /* kernel time per data system call; fd -> socket */
#include "tasks.bpf.h"    /* forks, execs, socket births */
#include "io_uring.bpf.h" /* io_uring submissions and notifications */
#include "uprobes.bpf.h"  /* A1's user-space gather */

char LICENSE[] SEC("license") = "GPL";
