/* io_uring: which request a thread submitted last (a SEND_ZC issued
 * inline pins, not copies: the tracepoint backend's split), and the
 * zero-copy notifications it posts, with IORING_NOTIF_USAGE_ZC_COPIED
 * when the application asked for IORING_SEND_ZC_REPORT_USAGE. Classic
 * tracepoints: their fields (opcode, res, cflags) are the same names on
 * every kernel, where the tp_btf arguments changed with 6.0. */
#ifndef CT_IO_URING_BPF_H
#define CT_IO_URING_BPF_H
#include "base.bpf.h"
#include "calls.bpf.h"
#include "slots.bpf.h"

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
	struct sys_val *v = sys_slot(zc);
	if (v)
		v->iou_zc = zc;
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
	return 0;
}

#endif
