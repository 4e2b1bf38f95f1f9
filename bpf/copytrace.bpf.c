// SPDX-License-Identifier: GPL-2.0-only
/* copytrace: attributes the bytes and nanoseconds of one experiment's TCP
 * traffic to the kernel (and user) functions that copy them.
 *
 * Three kernel backends fill the same per-CPU counter rows (copytrace.h):
 *   fe_*  fentry/fexit        (BPF trampoline; preferred)
 *   kp_*  kprobe/kretprobe    (kernels with kprobes but no trampoline)
 *   tb_*  tp_btf tracepoints, tc_* classic tracepoints (fallback)
 * and in every backend:
 *   up_*  uprobe on the user-space gather (ct_gather_probe)
 *   sr_*, sc_*  syscall tracepoints for the kernel time of send/recv calls.
 * Each fe_/kp_ pair comes from one CT_ENTRY/CT_EXIT definition
 * (hookdef.bpf.h). User space picks the programs with
 * bpf_program__set_autoload (user/trace/hooks.c).
 *
 * Filter: the traced processes (a map of tgids: the experiment's server
 * and client, a command and its descendants, given pids, or every task of
 * a cgroup). A TCP socket is traced once a traced task uses it; work done
 * elsewhere on its behalf (softirq, another CPU, an untraced peer) is
 * found through the skb's socket or the connection's 4-tuple, never
 * through the current task alone.
 *
 * One object, one skeleton. The programs live by concern: */
#include "send.bpf.h" /* tcp_sendmsg, the user->skb copy, send tracepoints */
#include "recv.bpf.h" /* tcp_recvmsg, the skb->user copy, receive tracepoints */
#include "zerocopy.bpf.h" /* pinning, completions, the deferred copy */
#include "syscalls.bpf.h" /* kernel time per data system call; fd -> socket */
#include "tasks.bpf.h" /* forks, execs, socket births */
#include "io_uring.bpf.h" /* io_uring submissions and notifications */
#include "uprobes.bpf.h" /* A1's user-space gather */
#include "ktls.bpf.h" /* kTLS: bytes encrypted and decrypted (tls.ko) */
/* and share these headers, each included where it is used:
 *   base.bpf.h        vmlinux.h, the libbpf headers, copytrace.h, uapi #defines
 *   config.bpf.h      cfg: the run-time constants (struct ct_config), set once
 *   traced.bpf.h      the traced-process map and the current task's ids
 *                     (shared with the profiler)
 *   maps.bpf.h        every other map and .bss variable, with their value types
 *   maps_util.bpf.h   map_lookup_or_try_init (shared with the profiler)
 *   core_fixes.bpf.h  kernel-version shims, each naming the change it covers
 *   calls.bpf.h       counting, and a call's records from entry to exit
 *   slots.bpf.h       ownership: a process's slot, traced sockets, an skb's slot
 *   hookdef.bpf.h     CT_ENTRY/CT_EXIT: fentry+kprobe pairs from one definition
 * copytrace.h holds the types shared with user space. */

char LICENSE[] SEC("license") = "GPL";
