// SPDX-License-Identifier: GPL-2.0-only
#include "nicdev.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/errf.h"

int nic_wait(const char *dev, int ms, char *err, size_t errlen)
{
	struct timespec ts = { 0, 50 * 1000000L };
	for (int waited = 0; !if_nametoindex(dev); waited += 50) {
		if (waited >= ms)
			return errf(err, errlen,
				    "--net nic: no network device %s here after %d ms "
				    "(a NIC per side: %s for the server, %s for the client)",
				    dev, ms, NIC_SERVER_DEV, NIC_CLIENT_DEV);
		nanosleep(&ts, NULL);
	}
	return 0;
}

static int ethtool_get(int fd, const char *dev, __u32 cmd, __u32 *val)
{
	struct ethtool_value ev = { .cmd = cmd };
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ifr.ifr_data = (void *)&ev;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		return -1;
	*val = ev.data;
	return 0;
}

int nic_check_offloads(const char *dev, char *err, size_t errlen)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errf(err, errlen, "socket: %s", strerror(errno));
	__u32 sg = 0, csum = 0;
	int rc = 0;
	if (ethtool_get(fd, dev, ETHTOOL_GSG, &sg) || ethtool_get(fd, dev, ETHTOOL_GTXCSUM, &csum))
		rc = errf(err, errlen, "--net nic: SIOCETHTOOL on %s: %s", dev, strerror(errno));
	else if (!sg || !csum)
		rc = errf(err, errlen,
			  "--net nic: %s has %s%s%s off: the kernel would copy every "
			  "zerocopy send before it leaves",
			  dev, sg ? "" : "scatter-gather", !sg && !csum ? " and " : "",
			  csum ? "" : "tx checksum offload");
	close(fd);
	return rc;
}
