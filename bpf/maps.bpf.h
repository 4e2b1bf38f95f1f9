/* SPDX-License-Identifier: GPL-2.0-only */
/* The tracer's state: its maps, with the value types BPF alone uses, and
 * the .bss variables a run changes. The map of traced processes, `tasks`,
 * is in traced.bpf.h (the profiler shares it). Before each run user space
 * clears every map here but those it lists as kept (reset_counters in
 * user/trace/tracer.c). */
#ifndef CT_MAPS_BPF_H
#define CT_MAPS_BPF_H
#include "base.bpf.h"
#include "traced.bpf.h"

/* Set by user space before each run (mmapped .bss). */
struct ct_filter filter = {};
/* Processes past the CT_NSLOTS - 1 slots, summed in the last one. */
__u64 slots_overflow = 0;
/* Send calls of the experiment seen with MSG_ZEROCOPY in their flags
 * (observed at syscall entry): user space warns when the zerocopy-only
 * hooks were left out although the sender asked for zerocopy. */
__u64 zc_sends_seen = 0;
/* 1 once a traced task has asked for a zerocopy send (MSG_ZEROCOPY in a
 * send, sendmsg or sendmmsg, or an io_uring send request): opens the
 * zerocopy-only hooks when cfg.zc_gated. Set, never cleared in a run. */
__u32 zc_seen = 0;
/* Slot lifecycles (filter.recycle): each slot's owner generation, raised
 * when its process exits (CT_OWNER); the slots whose process exited,
 * waiting for user space to harvest their counters into that process's
 * row before it frees them (1: dead; user space writes the 0); and the
 * processes traced and exited during the run. */
__u32 slot_gen[CT_NSLOTS] = {};
__u32 slot_dead[CT_NSLOTS] = {};
__u64 procs_seen = 0;
__u64 procs_exited = 0;
/* What the tables dropped or evicted (enum ct_map_stat). */
__u64 map_stat[MS_COUNT] = {};

/* The counters: one cell per (slot, function), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CT_NSTATS);
	__type(key, __u32);
	__type(value, struct ct_stat);
} stats SEC(".maps");

/* What is traced besides the processes in `tasks`: the cgroup, the slots
 * handed out (insert-if-absent is the claim: atomic on every kernel, where
 * a fetch-and-add with a result needs 5.12), and per slot the process's
 * tgid and name. */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroups SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CT_NSLOTS);
	__type(key, __u32);
	__type(value, __u32);
} claims SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CT_NSLOTS);
	__type(key, __u32);
	__type(value, struct ct_proc);
} procs SEC(".maps");

/* Traced sockets by address, and their connections by 4-tuple (for skbs
 * met without a socket, on the receive path). LRU: a dead socket's entry
 * goes when its address is reused (tasks.bpf.h) or the map is full. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ct_sock);
} socks SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ct_tuple);
	__type(value, __u32); /* CT_OWNER */
} tuples SEC(".maps");
/* --per-connection: the counters of traced sockets whose address was
 * reused during the run. Allocated as used (a server's hour of short
 * connections fills it, an a2 run holds two); what does not fit is
 * counted (map_stat). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct ct_conn_key);
	__type(value, struct ct_sock);
} conns_done SEC(".maps");

/* Entry timestamps and arguments, per thread and function. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct start_key);
	__type(value, struct start_val);
} starts SEC(".maps");

/* The send/recv syscall in flight per thread (syscall hooks): task-local
 * storage, so sys_exit needs no hash lookup and leaves nothing behind;
 * before 5.11 (no task storage) a hash by thread id instead
 * (core_fixes.bpf.h). User space creates the one it uses
 * (bpf_map__set_autocreate). */
enum sys_kind { SK_SEND, SK_RECV, SK_SPLICE_IN, SK_SPLICE_OUT, SK_RECV_ZC };
struct sys_val {
	__u64 ts; /* 0: no call of ours in flight */
	__u64 flags; /* the call's flags argument */
	__u64 sk; /* its TCP socket */
	__u64 uptr; /* TCP_ZEROCOPY_RECEIVE: the user's struct */
	__u32 fn; /* FN_SYS_SEND / FN_SYS_RECV / FN_SYS_ERRQ */
	__s32 side;
	__u32 kind; /* enum sys_kind */
	__u32 iou_zc; /* io_uring: the last request submitted was a SEND_ZC */
	__u32 zckey; /* MSG_ZEROCOPY send: the socket's next zerocopy id at entry */
	__u32 iou_wait; /* io_uring_enter in flight waits for completions */
	__u64 iou_ts; /* io_uring_enter in flight since (0: none); apart from ts,
		       * which tells an inline io_uring send from a send syscall */
	__s32 iou_side;
	__s32 memo_fd; /* the last TCP socket this thread's data syscalls used: */
	__u64 memo_file; /* its fd, file, struct socket and sock as read then */
	__u64 memo_so; /* (syscalls.bpf.h, fd_tcp_sock) */
	__u64 memo_sk;
	__u64 tls_rx_copied; /* tracepoint backend, a kTLS receive call in flight:
			      * bytes copied to the user from skbs of no socket
			      * (records tls.ko decrypted into its own buffer) */
};
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sys_val);
} sysc SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct sys_val);
} sysc_h SEC(".maps");

/* Zerocopy ids known completed per socket: the high-water mark hi + 1
 * (mod 2^32), raised with compare-and-swap because completions of one
 * socket race on two CPUs (a plain update before 5.12). */
struct zc_seen {
	__u64 done;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct zc_seen);
} zcstate SEC(".maps");

/* Completion latency: when each zerocopy send began, until its
 * completion takes it out. MSG_ZEROCOPY by (socket, id), io_uring
 * SEND_ZC by (ring, user_data). LRU: sends never completed (a closed
 * socket) age out. */
struct zc_sent_key {
	__u64 obj; /* struct sock * or io_uring ctx */
	__u64 id; /* zerocopy id, or the request's user_data */
};
struct zc_sent_val {
	__u64 ts;
	__s32 side;
	__u32 pad;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct zc_sent_key);
	__type(value, struct zc_sent_val);
} zcsent SEC(".maps");

/* Zerocopy buffers (ubuf_info) a traced send pinned pages under, by
 * address: io_uring's callback finds its process through them (its skb
 * may have no socket by then). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, __u32); /* CT_OWNER */
} uargs SEC(".maps");

#endif
