/* SPDX-License-Identifier: GPL-2.0-only */
/* The run-time constants of the tracer and the profiler: one struct
 * (struct ct_config, copytrace.h) that user space fills and writes once
 * before the load (skel->rodata->cfg = c). The values here are the
 * defaults a field keeps when user space leaves it alone. */
#ifndef CT_CONFIG_BPF_H
#define CT_CONFIG_BPF_H
#include "vmlinux.h"
#include "copytrace.h"

const volatile struct ct_config cfg = {
	.pidns_dev = 0,
	.pidns_ino = 0,
	.pidns_level = 0,
	.have_task_storage = 1,
	.have_task_btf = 1,
	.recvmsg_flags_arg = 3,
	.have_fn_pairs = 1,
	.send_from_syscall = 0,
	.splice_from_syscall = 0,
	.nr_sendto = -1,
	.nr_sendmsg = -1,
	.nr_recvfrom = -1,
	.nr_recvmsg = -1,
	.nr_write = -1,
	.nr_writev = -1,
	.nr_read = -1,
	.nr_readv = -1,
	.nr_sendfile = -1,
	.nr_splice = -1,
	.nr_getsockopt = -1,
	.nr_io_uring_enter = -1,
	.nr_sendmmsg = -1,
};

#endif
