/* SPDX-License-Identifier: GPL-2.0-only */
/* Structs and enums shared by the eBPF programs and user space.
 * Included from the bpf/ headers (with vmlinux.h) and from user space
 * (with <linux/types.h>), so only fixed-width __u64/__u32 types are used. */
#ifndef CT_COPYTRACE_H
#define CT_COPYTRACE_H

/* Counter slots: one per traced process. With --impl, slot 0 is the
 * server (it sends the messages in stream mode, the responses in rr mode)
 * and slot 1 the client; tracing any program, BPF hands slots to the
 * processes it meets (a fork of a traced process, a task of the traced
 * cgroup) and the last slot sums the processes beyond the others. */
enum ct_side { CT_SERVER = 0, CT_CLIENT = 1, CT_NSIDES = 2 };
#define CT_NSLOTS 32
#define CT_SLOT_OTHERS (CT_NSLOTS - 1)
/* Tracing a program, the slot before it sums the work done for sockets
 * whose process exited (a FIN sent again, data retransmitted) once that
 * process's slot went back to the free ones: never the slot's next
 * process's. The slots before it are the processes'. */
#define CT_SLOT_LATE (CT_NSLOTS - 2)

/* One counter row per (side, function). The same ids in every backend;
 * a backend fills the rows it can observe. */
enum ct_fn {
	FN_GATHER = 0, /* uprobe ct_gather: user-space copy */
	FN_TCP_SENDMSG, /* fentry/kprobe tcp_sendmsg; tp sock_send_length */
	FN_SEND_COPY, /* _copy_from_iter inside tcp_sendmsg */
	FN_SEND_COPY_NC, /* _copy_from_iter_nocache inside tcp_sendmsg */
	FN_SEND_COPY_CSUM, /* csum_and_copy_from_iter_full inside tcp_sendmsg */
	FN_SEND_COPY_FULL, /* _copy_from_iter_full (older kernels) */
	FN_SEND_COPY_CHK, /* copy_from_iter's length, from __check_object_size
			   * (when _copy_from_iter cannot be traced) */
	FN_ZC_PIN, /* skb_zerocopy_iter_stream: bytes pinned */
	FN_SENDMSG_LOCKED, /* tp tcp_sendmsg_locked: skbs filled */
	FN_SYS_SEND, /* syscalls sendto/sendmsg: kernel time */
	FN_TCP_RECVMSG, /* fentry/kprobe tcp_recvmsg; tp sock_recv_length */
	FN_RECV_COPY, /* skb_copy_datagram_iter / tp skb_copy_datagram_iovec */
	FN_SYS_RECV, /* syscalls recvfrom/recvmsg (data): kernel time */
	FN_SYS_ERRQ, /* syscall recvmsg(MSG_ERRQUEUE): kernel time */
	FN_ZC_CALLBACK, /* __msg_zerocopy_callback / tp inet_sk_error_report */
	FN_DEFERRED_COPY, /* skb_copy_ubufs / inferred at netif_receive_skb */
	FN_RETRANS, /* tp tcp_retransmit_skb: bytes sent again */
	FN_SPLICE, /* sendfile/splice into a socket: pages referenced */
	FN_SPLICE_OUT, /* splice out of a socket (tcp_splice_read) */
	FN_RECV_ZC, /* TCP_ZEROCOPY_RECEIVE: bytes mapped, not copied */
	FN_IOU_NOTIF, /* io_uring zero-copy notifications (CQE_F_NOTIF) */
	FN_IOU_UBUF, /* io_uring's ubuf callback, per skb */
	FN_ZC_LATENCY, /* zerocopy completion latency: from the send call's start
			* to the kernel's completion (MSG_ZEROCOPY ids, io_uring
			* notification CQEs); ns, timed and hist are latencies,
			* not CPU time */
	FN_SYS_IOU_ENTER, /* syscall io_uring_enter: kernel time */
	FN_TLS_TX, /* send syscalls' bytes on kTLS sockets (their copies untraced) */
	FN_TLS_RX, /* receive syscalls' bytes on kTLS sockets */
	FN_TLS_ENCRYPT, /* tls_sw_sendmsg/tls_sw_sendpage: plaintext bytes taken to encrypt */
	FN_TLS_DECRYPT, /* tls_sw_recvmsg: bytes returned decrypted */
	FN_TLS_COPY, /* sk_msg_memcopy_from_iter on a kTLS socket: plaintext copied
		      * from the user into the open record before encryption */
	FN_COUNT
};

/* Per-call log2 histogram of nanoseconds: slot i holds calls with
 * 2^i <= ns < 2^(i+1) (slot 0 also holds 0). */
#define CT_HIST_SLOTS 32

/* One per-CPU counter cell; user space sums the CPUs.
 * aux: FN_TCP_SENDMSG bytes asked (fentry/kprobe), FN_ZC_CALLBACK ids completed,
 *      FN_TCP_SENDMSG (tracepoint) bytes sent with MSG_ZEROCOPY pinned,
 *      FN_IOU_NOTIF notifications flagged IORING_NOTIF_USAGE_ZC_COPIED,
 *      FN_IOU_UBUF calls for an skb whose pages were copied (success false),
 *      FN_SPLICE bytes that went through tcp_sendmsg (6.5+, fentry/kprobe),
 *      FN_ZC_LATENCY completions whose send was not seen (not timed),
 *      FN_SYS_IOU_ENTER calls that waited for completions (IORING_ENTER_GETEVENTS
 *      with min_complete > 0),
 *      FN_TLS_DECRYPT bytes tls_sw_recvmsg decrypted into the kernel's buffer
 *      and then copied to the user (skb_copy_datagram_iter inside it; the
 *      rest was decrypted straight into the user's buffer),
 *      FN_TLS_RX the same, seen by the tracepoint backend (copies from
 *      skbs of no socket within the kTLS receive call).
 * aux2: FN_ZC_CALLBACK ids completed with the data copied;
 *       FN_SYS_IOU_ENTER ns of the calls that waited;
 *       FN_TCP_SENDMSG bytes asked by calls whose exit was missed. */
struct ct_stat {
	__u64 calls;
	__u64 missed; /* calls whose exit was not seen (counted in calls) */
	__u64 bytes;
	__u64 ns;
	__u64 timed; /* calls that contributed to ns and hist */
	__u64 aux;
	__u64 aux2;
	__u64 hist[CT_HIST_SLOTS];
};

/* Entry records, per thread and function, until the exit pops them. */
struct start_key {
	__u32 tid;
	__u32 fn;
};
struct start_val {
	__u64 ts;
	__u64 arg; /* what the entry knew: bytes asked, length to copy */
	__u64 ptr; /* tcp_sendmsg: its msghdr (ties copies to the call) */
	__u64 sk; /* the socket, where the entry knows it */
	__s32 side; /* slot */
	__u32 spliced : 8; /* tcp_sendmsg with MSG_SPLICE_PAGES */
	__u32 gen : 24; /* slot_gen[side] at the entry: a call left over from a
			 * process that exited is never its slot's next one's */
};

/* The columns a call whose exit was missed adds to, from what its entry
 * recorded (BPF counts an entry it overwrites, user space the entries
 * left at the end): bytes asked go to aux, never to the bytes done. */
static inline __attribute__((always_inline)) void ct_missed_columns(__u32 fn, __u64 arg,
								    __u64 *bytes, __u64 *aux,
								    __u64 *aux2)
{
	*bytes = *aux = *aux2 = 0;
	if (fn == FN_TCP_SENDMSG)
		*aux = *aux2 = arg; /* bytes asked; aux2: asked by missed calls */
	else if (fn == FN_RECV_COPY || fn == FN_DEFERRED_COPY)
		*bytes = arg; /* the length its entry was about to copy */
	else if (fn == FN_ZC_CALLBACK)
		*bytes = arg >> 32; /* uarg->bytelen; its ids were credited at entry */
	else if (fn == FN_TLS_DECRYPT)
		*aux = arg; /* the copies done before the exit was missed */
}

/* Zerocopy ids newly completed when a notification's highest id is hi and
 * every id before done had completed: hi + 1 - done, mod 2^32 (ids are 32
 * bits and wrap); 0 when hi is not ahead of done (a stale or repeated
 * range; more than 2^31 ahead cannot happen with a bounded window). */
static inline __attribute__((always_inline)) __u32 ct_zc_advance(__u32 done, __u32 hi)
{
	__u32 n = hi + 1 - done;
	return n < 0x80000000u ? n : 0;
}

#define CT_STAT_KEY(slot, fn) ((slot)*FN_COUNT + (fn))
#define CT_NSTATS (CT_NSLOTS * FN_COUNT)

/* Run-time constants: the skeleton's .rodata `cfg` (bpf/config.bpf.h,
 * which holds the defaults), filled by user space and written once before
 * the load. The verifier sees each field as a constant and drops the
 * branches it rules out, so a helper or instruction a kernel lacks is
 * never checked there. The profiler's object has the same struct and
 * uses only pidns_*. */
struct ct_config {
	/* trace_run's pid namespace (device, inode) when it is not the
	 * initial one (a container): the traced tgids are numbers in that
	 * namespace, at nesting level pidns_level. 0: no translation. */
	__u64 pidns_dev, pidns_ino;
	__u32 pidns_level;
	/* Kernel features, probed by user space. */
	__u32 have_task_storage; /* BPF_MAP_TYPE_TASK_STORAGE (5.11+) */
	__u32 have_task_btf; /* bpf_get_current_task_btf (5.11+) */
	__s32 recvmsg_flags_arg; /* tcp_recvmsg's flags argument: 3 since 5.19, 4 before */
	/* The backend's choices. */
	__u32 have_fn_pairs; /* some program records a kernel function's entry
			      * for its exit (fentry, kprobe); none on the
			      * tracepoint backend */
	__u32 send_from_syscall; /* tracepoint backend without sock_send_length
				  * (before 6.3): send bytes from the send
				  * syscalls' results */
	__u32 splice_from_syscall; /* tracepoint backend: sendfile/splice bytes from
				    * the syscalls' results (no hook sees them) */
	__u32 zc_gated; /* the zerocopy-only tracepoint hooks (completions'
			 * stand-ins, the deferred copy at receive: every skb
			 * of the host) return at once until a traced task asks
			 * for a zerocopy send (zc_seen); only where every way
			 * to ask is watched (raw sys_enter, io_uring's
			 * submissions) */
	__u32 tls_rx_split; /* tls_sw_recvmsg and the skb->user copy both hooked:
			     * the copies inside tls_sw_recvmsg are counted in
			     * FN_TLS_DECRYPT's aux (decrypted, then copied) */
	/* This architecture's syscall numbers (user space's <sys/syscall.h>),
	 * for the raw sys_enter hook's first check; -1: none. */
	__s64 nr_sendto, nr_sendmsg, nr_recvfrom, nr_recvmsg, nr_write, nr_writev, nr_read,
		nr_readv, nr_sendfile, nr_splice, nr_getsockopt, nr_io_uring_enter, nr_sendmmsg;
};

/* Filter, written by user space into .bss before the run starts. What is
 * traced is the set of processes in the `tasks` map (and, with cgroup
 * set, every task under the cgroup in `cgroups`); a socket is traced once
 * a traced task uses it (`socks`). */
struct ct_filter {
	__u32 enabled; /* 0: count nothing */
	__u32 follow_fork; /* children of traced processes are traced */
	__u32 cgroup; /* tasks under cgroups[0] are traced */
	__u32 per_conn; /* keep per-connection counters */
	__u32 recycle; /* a process's exit frees its slot (tracing a
			* program; the experiment's two slots stay) */
};

/* Value of the `tasks` map (key: tgid as trace_run sees it). */
struct ct_task {
	__u32 slot;
	__u32 pad;
};

/* A traced process, per slot (the `procs` array). */
struct ct_proc {
	__u32 tgid; /* 0: slot unused */
	__u32 ppid; /* the traced parent it was forked from, or 0 */
	char comm[16]; /* at exec (or at fork, before any exec) */
	__u64 start_ns; /* its start (task start_time, CLOCK_MONOTONIC ns; 0:
			 * unknown yet): with tgid, who it is (pids are reused) */
};

/* A slot's owner as the socket tables hold it: the slot and its
 * generation (slot_gen, raised at each exit of the slot's process), so
 * that work for a dead process's sockets never lands in the row of the
 * slot's next process. */
#define CT_OWNER(slot, gen) ((__u32)(slot) | ((__u32)(gen) << 8))
#define CT_OWNER_SLOT(o) ((o)&0xffu)
#define CT_OWNER_GEN(o) ((o) >> 8)

/* A connection, by local and remote address and port; IPv4 as
 * IPv4-mapped IPv6 (::ffff:a.b.c.d), as dual-stack sockets hold it. */
struct ct_tuple {
	__u32 laddr[4], raddr[4];
	__u16 lport, rport; /* host order */
};

/* Per-connection columns (--per-connection). */
enum ct_conn_col {
	CC_SENT, /* bytes accepted by send calls */
	CC_RECV, /* bytes returned by receive calls */
	CC_SPLICE, /* bytes spliced/sendfile'd in */
	CC_RECV_ZC, /* bytes mapped by TCP_ZEROCOPY_RECEIVE */
	CC_RETRANS, /* bytes retransmitted */
	CC_COUNT
};

/* --per-connection: a traced socket whose address was reused during the
 * run, by (address, birth) (the `conns_done` map). */
struct ct_conn_key {
	__u64 sk, born;
};

/* What the tables dropped (.bss map_stat): the LRU tables (`socks`,
 * `tuples`) evict without a word, so their inserts and deletes are
 * counted and user space finds evictions as inserted - deleted - present;
 * a full hash table counts its refusals. */
enum ct_map_stat {
	MS_SOCKS_IN,
	MS_SOCKS_DEL,
	MS_TUPLES_IN,
	MS_TUPLES_DEL,
	MS_CONNS_FULL, /* --per-connection: finished connections not kept */
	MS_STARTS_FULL, /* function entries not recorded (their calls unseen) */
	MS_TASKS_FULL, /* processes not traced: the table of traced ones is full */
	MS_COUNT
};

/* A traced socket (the `socks` map, key: its struct sock address). */
struct ct_sock {
	__u32 slot; /* the process that first used it */
	__u32 has_tuple;
	__u32 gen; /* slot_gen[slot] when it was marked (CT_OWNER) */
	__u32 pad;
	__u64 born; /* ktime when it was first seen */
	struct ct_tuple t;
	__u64 col[CC_COUNT];
};

#endif
