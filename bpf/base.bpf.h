/* SPDX-License-Identifier: GPL-2.0-only */
/* What every tracer header starts from: the kernel's types (vmlinux.h),
 * the libbpf helpers, the types shared with user space, and the few uapi
 * constants the programs test that BTF cannot carry (they are #defines). */
#ifndef CT_BASE_BPF_H
#define CT_BASE_BPF_H
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "copytrace.h"

#define MSG_ERRQUEUE 0x2000
#define MSG_ZEROCOPY 0x4000000

#endif
