/* SPDX-License-Identifier: GPL-2.0-only */
/* NIC preconditions of --net nic: the device is there and offloads what
 * zero-copy needs. */
#ifndef CT_NICDEV_H
#define CT_NICDEV_H
#include <stddef.h>

/* --net nic's devices, one per namespace (the VM's two virtio-net NICs). */
#define NIC_SERVER_DEV "eth0"
#define NIC_CLIENT_DEV "eth1"

/* Waits up to ms for dev to exist in the caller's namespace (a device
 * returns to it only when the namespace of the previous run is freed,
 * which the kernel does asynchronously). 0, or -1 with a reason in err. */
int nic_wait(const char *dev, int ms, char *err, size_t errlen);
/* Asks the driver (SIOCETHTOOL) for scatter-gather and transmit checksum
 * offload: without either the kernel copies zerocopy pages at send
 * (skb_copy_ubufs), and a NIC run would show nothing a veth run does not.
 * 0, or -1 with a reason in err. */
int nic_check_offloads(const char *dev, char *err, size_t errlen);
#endif
