/* Structs and enums shared by the eBPF programs and user space.
 * Included from bpf/copytrace.bpf.c (with vmlinux.h) and from user/tracer.c
 * (with <stdint.h>), so only fixed-width __u64/__u32 types are used. */
#ifndef CT_COPYTRACE_H
#define CT_COPYTRACE_H

/* Sides of the experiment. The server sends the messages (stream mode) and
 * the responses (rr mode); the client receives them. */
enum ct_side { CT_SERVER = 0, CT_CLIENT = 1, CT_NSIDES = 2 };

/* One counter row per (side, function). The same ids in every backend;
 * a backend fills the rows it can observe. */
enum ct_fn {
	FN_GATHER = 0,      /* uprobe ct_gather: user-space copy */
	FN_TCP_SENDMSG,     /* fentry/kprobe tcp_sendmsg; tp sock_send_length */
	FN_SEND_COPY,       /* _copy_from_iter inside tcp_sendmsg */
	FN_SEND_COPY_NC,    /* _copy_from_iter_nocache inside tcp_sendmsg */
	FN_SEND_COPY_CSUM,  /* csum_and_copy_from_iter_full inside tcp_sendmsg */
	FN_SEND_COPY_FULL,  /* _copy_from_iter_full (older kernels) */
	FN_SEND_COPY_CHK,   /* copy_from_iter's length, from __check_object_size
			     * (when _copy_from_iter cannot be traced) */
	FN_ZC_PIN,          /* skb_zerocopy_iter_stream: bytes pinned */
	FN_SENDMSG_LOCKED,  /* tp tcp_sendmsg_locked: skbs filled */
	FN_SYS_SEND,        /* syscalls sendto/sendmsg: kernel time */
	FN_TCP_RECVMSG,     /* fentry/kprobe tcp_recvmsg; tp sock_recv_length */
	FN_RECV_COPY,       /* skb_copy_datagram_iter / tp skb_copy_datagram_iovec */
	FN_SYS_RECV,        /* syscalls recvfrom/recvmsg (data): kernel time */
	FN_SYS_ERRQ,        /* syscall recvmsg(MSG_ERRQUEUE): kernel time */
	FN_ZC_CALLBACK,     /* __msg_zerocopy_callback / tp inet_sk_error_report */
	FN_DEFERRED_COPY,   /* skb_copy_ubufs / inferred at netif_receive_skb */
	FN_RETRANS,         /* tp tcp_retransmit_skb: bytes sent again */
	FN_COUNT
};

/* Per-call log2 histogram of nanoseconds: slot i holds calls with
 * 2^i <= ns < 2^(i+1) (slot 0 also holds 0). */
#define CT_HIST_SLOTS 32

/* One per-CPU counter cell; user space sums the CPUs.
 * aux: FN_TCP_SENDMSG bytes asked (fentry/kprobe), FN_ZC_CALLBACK ids completed,
 *      FN_TCP_SENDMSG (tracepoint) bytes sent with MSG_ZEROCOPY pinned.
 * aux2: FN_ZC_CALLBACK ids completed with the data copied;
 *       FN_TCP_SENDMSG bytes asked by calls whose exit was missed. */
struct ct_stat {
	__u64 calls;
	__u64 missed;       /* calls whose exit was not seen (counted in calls) */
	__u64 bytes;
	__u64 ns;
	__u64 timed;        /* calls that contributed to ns and hist */
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
	__u64 arg;          /* what the entry knew: bytes asked, length to copy */
	__u64 ptr;          /* tcp_sendmsg: its msghdr (ties copies to the call) */
	__s32 side;
	__u32 pad;
};

/* The columns a call whose exit was missed adds to, from what its entry
 * recorded (BPF counts an entry it overwrites, user space the entries
 * left at the end): bytes asked go to aux, never to the bytes done. */
static inline __attribute__((always_inline))
void ct_missed_columns(__u32 fn, __u64 arg, __u64 *bytes, __u64 *aux, __u64 *aux2)
{
	*bytes = *aux = *aux2 = 0;
	if (fn == FN_TCP_SENDMSG)
		*aux = *aux2 = arg;         /* bytes asked; aux2: asked by missed calls */
	else if (fn == FN_RECV_COPY || fn == FN_DEFERRED_COPY)
		*bytes = arg;               /* the length its entry was about to copy */
	else if (fn == FN_ZC_CALLBACK)
		*bytes = arg >> 32;         /* uarg->bytelen; its ids were credited at entry */
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

#define CT_STAT_KEY(side, fn) ((side) * FN_COUNT + (fn))
#define CT_NSTATS (CT_NSIDES * FN_COUNT)

/* Filter, written by user space into .bss before the run starts. */
struct ct_filter {
	__u64 netns[2];     /* server, client netns inode (equal on loopback) */
	__u32 pid[2];       /* server, client tgid */
	__u32 port;         /* server TCP port (host order) */
	__u32 enabled;      /* 0: count nothing */
};

#endif
