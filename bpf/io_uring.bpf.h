/* SPDX-License-Identifier: GPL-2.0-only */
/* io_uring: which request a thread submitted last (a SEND_ZC issued
 * inline pins, not copies: the tracepoint backend's split), and the
 * zero-copy notifications it posts, with IORING_NOTIF_USAGE_ZC_COPIED
 * when the application asked for IORING_SEND_ZC_REPORT_USAGE, and the
 * time from a SEND_ZC request's submission to its notification. Classic
 * tracepoints: their fields (opcode, res, cflags) are the same names on
 * every kernel, where the tp_btf arguments changed with 6.0. */
#ifndef CT_IO_URING_BPF_H
#define CT_IO_URING_BPF_H
#include "base.bpf.h"
#include "calls.bpf.h"
#include "slots.bpf.h"

#define IORING_OP_SENDMSG 9
#define IORING_OP_SEND 26
#define IORING_OP_SEND_ZC 47
#define IORING_OP_SENDMSG_ZC 48
#define IORING_CQE_F_NOTIF (1u << 3)
#define IORING_NOTIF_USAGE_ZC_COPIED (1u << 31)

SEC("tracepoint/io_uring/io_uring_submit_req")
int tc_iou_submit(struct trace_event_raw_io_uring_submit_req *ctx)
{
	if (task_slot() < 0)
		return 0;
	__u8 op = BPF_CORE_READ_BITFIELD_PROBED(ctx, opcode);
	int zc = op == IORING_OP_SEND_ZC || op == IORING_OP_SENDMSG_ZC;
	/* a plain send request's flags (MSG_ZEROCOPY) are not in the event:
	 * any send request opens the zerocopy-only hooks */
	if (zc || op == IORING_OP_SEND || op == IORING_OP_SENDMSG)
		zc_seen = 1;
	struct sys_val *v = sys_slot(zc);
	if (v)
		v->iou_zc = zc;
	if (zc) {
		/* the request's start, for its notification's latency */
		struct zc_sent_key k = { .obj = (__u64)BPF_CORE_READ(ctx, ctx),
					 .id = BPF_CORE_READ(ctx, user_data) };
		struct zc_sent_val t = { .ts = bpf_ktime_get_ns(), .side = task_slot() };
		bpf_map_update_elem(&zcsent, &k, &t, BPF_ANY);
	}
	return 0;
}

SEC("tracepoint/io_uring/io_uring_complete")
int tc_iou_complete(struct trace_event_raw_io_uring_complete *ctx)
{
	__u32 cflags = BPF_CORE_READ_BITFIELD_PROBED(ctx, cflags);
	if (!(cflags & IORING_CQE_F_NOTIF))
		return 0;
	int side = task_slot();
	if (side < 0)
		return 0;
	__u32 res = BPF_CORE_READ_BITFIELD_PROBED(ctx, res);
	count(side, FN_IOU_NOTIF, 0, !!(res & IORING_NOTIF_USAGE_ZC_COPIED), 0);
	/* completion latency: the notification of a request whose start
	 * was seen (same ring, same user_data); else not timed */
	struct zc_sent_key k = { .obj = (__u64)BPF_CORE_READ(ctx, ctx),
				 .id = BPF_CORE_READ(ctx, user_data) };
	__u32 key = CT_STAT_KEY(side, FN_ZC_LATENCY);
	struct ct_stat *s = bpf_map_lookup_elem(&stats, &key);
	if (!s)
		return 0;
	struct zc_sent_val *v = bpf_map_lookup_elem(&zcsent, &k);
	__u64 t = v ? v->ts : 0, now = bpf_ktime_get_ns();
	if (v)
		bpf_map_delete_elem(&zcsent, &k);
	if (t && t < now)
		count_latency(s, now - t);
	else
		__sync_fetch_and_add(&s->aux, 1);
	return 0;
}

#endif
