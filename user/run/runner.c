// SPDX-License-Identifier: GPL-2.0-only
/* Runner: server and client as forked children, each in a network
 * namespace made with unshare(CLONE_NEWNET). The namespaces (and the veth
 * pair inside them) die with the children, so no exit path can leave one
 * behind; PR_SET_PDEATHSIG kills the children if the runner dies. With
 * --role, one side only, in this host's own namespace, its peer elsewhere. */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/errf.h"
#include "netns.h"
#include "nicdev.h"
#include "net/ktls.h"
#include "net/proto.h"
#include "net/rx_zerocopy.h"
#include "net/sockio.h"

#define SERVER_ADDR "198.18.0.1" /* RFC 2544 benchmarking range */
#define CLIENT_ADDR "198.18.0.2"
#define PREFIX "/24"
#define STOP_GRACE_MS 15000
#define CLIENT_FIRST_MS 2000 /* Ctrl-C: the client's head start on the server */
#define SLACK_S 60 /* beyond --duration before a run counts as hung */
#define NIC_RETURN_MS 20000 /* a freed namespace hands its NIC back (TCG: slow) */

/* child_main's join_fd besides a namespace to join */
#define NS_NEW (-1) /* a fresh one */
#define NS_HOST (-2) /* stay in this host's (--role) */

volatile int runner_stop;

void runner_install_signals(void)
{
	stop_signals(&runner_stop);
}

struct child {
	pid_t pid;
	int sync_r; /* child -> parent: 1 byte once in its namespace */
	int go_w; /* parent -> child: start */
	int res_r; /* child -> parent: struct side_result */
	int ready_r; /* server -> parent: listening */
	int done;
	struct side_result res;
};

static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static void write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		done += (size_t)n;
	}
}

/* The child's life: enter a namespace, wait for go, run one side, report. */
static void child_main(const struct ct_opts *o, int is_server, int join_fd, int sync_w, int go_r,
		       int res_w, int ready_w)
{
	struct side_result r;
	struct ct_opts mine = *o;
	char e = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Its own process group: a terminal's Ctrl-C reaches the runner only,
	 * which stops the client first (collect), not all three at once. */
	setpgid(0, 0);
	side_signals();
	if (join_fd == NS_HOST)
		;
	else if (join_fd >= 0 ? setns(join_fd, CLONE_NEWNET) : unshare(CLONE_NEWNET))
		e = (char)errno;
	if (write(sync_w, e ? &e : "k", 1) != 1 || e)
		_exit(1);
	char go;
	if (read(go_r, &go, 1) != 1)
		_exit(1); /* the runner gave up before start */
	if (!o->host_role) /* --role: --listen's or --connect's address */
		snprintf(mine.addr, sizeof(mine.addr), "%s",
			 o->net == NET_LOOPBACK ? "127.0.0.1" : SERVER_ADDR);
	if (is_server) {
		mine.ready_fd = ready_w;
		mine.perf = NULL; /* --perf-ctl is the client's: its window */
		server_run(&mine, &r);
	} else {
		client_run(&mine, &r);
	}
	write_full(res_w, &r, sizeof(r));
	_exit(r.ok ? 0 : 1);
}

static int all_fds[16];
static int n_fds;

static int mkpipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC))
		return -1;
	all_fds[n_fds++] = p[0];
	all_fds[n_fds++] = p[1];
	return 0;
}

static int start_child(struct child *ch, const struct ct_opts *o, int is_server, int join_fd,
		       char *err, size_t errlen)
{
	int sync[2], go[2], res[2], ready[2] = { -1, -1 };
	if (mkpipe(sync) || mkpipe(go) || mkpipe(res) || (is_server && mkpipe(ready)))
		return errf(err, errlen, "pipe: %s", strerror(errno));
	ch->pid = fork();
	if (ch->pid < 0)
		return errf(err, errlen, "fork: %s", strerror(errno));
	if (ch->pid == 0) {
		/* Keep only our own pipe ends, so EOF means what it says. */
		for (int i = 0; i < n_fds; i++) {
			int f = all_fds[i];
			if (f != sync[1] && f != go[0] && f != res[1] && f != ready[1])
				close(f);
		}
		child_main(o, is_server, join_fd, sync[1], go[0], res[1], ready[1]);
	}
	/* The parent keeps only its own ends (and only those in all_fds: a
	 * stale number there could later close a tracer's descriptor). */
	int theirs[4] = { sync[1], go[0], res[1], ready[1] };
	for (int k = 0; k < 4; k++) {
		if (theirs[k] < 0)
			continue;
		close(theirs[k]);
		for (int i = 0; i < n_fds; i++)
			if (all_fds[i] == theirs[k])
				all_fds[i--] = all_fds[--n_fds];
	}
	ch->sync_r = sync[0];
	ch->go_w = go[1];
	ch->res_r = res[0];
	ch->ready_r = ready[0];
	char b;
	struct pollfd p = { .fd = ch->sync_r, .events = POLLIN };
	if (poll(&p, 1, 10000) != 1 || read(ch->sync_r, &b, 1) != 1)
		return errf(err, errlen, "%s process did not start",
			    is_server ? "server" : "client");
	if (b != 'k') {
		if (b == EPERM)
			return errf(err, errlen,
				    "creating network namespaces needs root (CAP_SYS_ADMIN): run "
				    "with sudo");
		return errf(err, errlen, "cannot enter a network namespace: %s", strerror(b));
	}
	return 0;
}

/* --net nic: one NIC into each namespace. A device moved into a network
 * namespace goes back to the initial one when the namespace dies, so no
 * exit path strands it; the next run waits for it to come back. */
static int setup_nic(pid_t s, pid_t c, char *err, size_t len)
{
	char spid[16], cpid[16];
	snprintf(spid, sizeof(spid), "%d", (int)s);
	snprintf(cpid, sizeof(cpid), "%d", (int)c);
	if (nic_wait(NIC_SERVER_DEV, NIC_RETURN_MS, err, len) ||
	    nic_wait(NIC_CLIENT_DEV, NIC_RETURN_MS, err, len) ||
	    nic_check_offloads(NIC_SERVER_DEV, err, len) ||
	    nic_check_offloads(NIC_CLIENT_DEV, err, len))
		return -1;
	/* the MTU stays the NIC's (1500): --rx zerocopy then maps only what
	 * GRO coalesces into whole pages, as on a real Ethernet NIC */
	pid_t me = getpid();
	return ns_ip(me, err, len, "link", "set", "dev", NIC_SERVER_DEV, "netns", spid, NULL) ||
			ns_ip(me, err, len, "link", "set", "dev", NIC_CLIENT_DEV, "netns", cpid,
			      NULL) ||
			ns_ip(s, err, len, "addr", "add", SERVER_ADDR PREFIX, "dev", NIC_SERVER_DEV,
			      NULL) ||
			ns_ip(s, err, len, "link", "set", NIC_SERVER_DEV, "up", NULL) ||
			ns_ip(c, err, len, "link", "set", "lo", "up", NULL) ||
			ns_ip(c, err, len, "addr", "add", CLIENT_ADDR PREFIX, "dev", NIC_CLIENT_DEV,
			      NULL) ||
			ns_ip(c, err, len, "link", "set", NIC_CLIENT_DEV, "up", NULL)
		? -1
		: 0;
}

static int setup_net(const struct ct_opts *o, pid_t s, pid_t c, char *err, size_t len)
{
	char cpid[16];
	snprintf(cpid, sizeof(cpid), "%d", (int)c);
	if (ns_ip(s, err, len, "link", "set", "lo", "up", NULL))
		return -1;
	if (o->net == NET_LOOPBACK)
		return 0;
	if (o->net == NET_NIC)
		return setup_nic(s, c, err, len);
	/* Both ends are born inside the namespaces, so they vanish with them. */
	if (ns_ip(s, err, len, "link", "add", "ct-srv", "type", "veth", "peer", "name", "ct-cli",
		  "netns", cpid, NULL) ||
	    ns_ip(s, err, len, "addr", "add", SERVER_ADDR PREFIX, "dev", "ct-srv", NULL) ||
	    ns_ip(s, err, len, "link", "set", "ct-srv", "up", NULL) ||
	    ns_ip(c, err, len, "link", "set", "lo", "up", NULL) ||
	    ns_ip(c, err, len, "addr", "add", CLIENT_ADDR PREFIX, "dev", "ct-cli", NULL) ||
	    ns_ip(c, err, len, "link", "set", "ct-cli", "up", NULL))
		return -1;
	/* --rx zerocopy maps segments of whole pages only: the pair then
	 * carries the client's page MSS (jumbo frames, as a NIC would need;
	 * at Ethernet's 1500 B TCP cuts every few pages inside one). */
	char mtu[16];
	snprintf(mtu, sizeof(mtu), "%d", RXZC_MSS + 40);
	if (o->rx == RX_ZEROCOPY &&
	    (ns_ip(s, err, len, "link", "set", "ct-srv", "mtu", mtu, NULL) ||
	     ns_ip(c, err, len, "link", "set", "ct-cli", "mtu", mtu, NULL)))
		return -1;
	return 0;
}

/* Waits for both results; forwards a stop request; kills on a hang. */
static int collect(struct child ch[2], const struct ct_opts *o, char *err, size_t len)
{
	/* --role: the peer may take --peer-timeout to come */
	uint64_t deadline = now_ns() + (uint64_t)((o->duration + SLACK_S + o->peer_timeout) * 1e9);
	int server_told = 0;
	uint64_t told_client = 0; /* when the stop request went to the client */
	while (!ch[0].done || !ch[1].done) {
		if (runner_stop && !told_client) {
			told_client = now_ns();
			deadline = told_client + STOP_GRACE_MS * 1000000ull;
			if (ch[1].pid > 0) /* absent under --role server */
				kill(ch[1].pid, SIGINT); /* the client ends the run cleanly */
		}
		/* The server only once the client is done (its half-close ends
		 * the server too) or stuck: stopped at once, the server could
		 * close before the client's own handler ran, and the client
		 * would report a mid-run close. */
		if (told_client && !server_told &&
		    (ch[1].done || now_ns() - told_client > CLIENT_FIRST_MS * 1000000ull)) {
			server_told = 1;
			if (ch[0].pid > 0)
				kill(ch[0].pid, SIGINT);
		}
		if (now_ns() > deadline)
			return errf(err, len, "run did not finish in time; killed");
		struct pollfd p[2] = { { ch[0].done ? -1 : ch[0].res_r, POLLIN, 0 },
				       { ch[1].done ? -1 : ch[1].res_r, POLLIN, 0 } };
		if (poll(p, 2, 200) <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			if (!p[i].revents)
				continue;
			if (read_full(ch[i].res_r, &ch[i].res, sizeof(ch[i].res)))
				return errf(err, len, "%s process died", i ? "client" : "server");
			ch[i].done = 1;
		}
	}
	return 0;
}

static void reap(struct child ch[2])
{
	for (int i = 0; i < 2; i++) {
		if (ch[i].pid > 0) {
			if (!ch[i].done)
				kill(ch[i].pid, SIGKILL);
			while (waitpid(ch[i].pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
		ch[i].pid = 0;
	}
	for (int i = 0; i < n_fds; i++)
		close(all_fds[i]);
	n_fds = 0;
}

int runner_run(const struct ct_opts *o, const struct run_hooks *h, struct run_result *out,
	       char *err, size_t errlen)
{
	struct child ch[2];
	int rc = -1, hooked = 0;
	/* which sides run here: both, or --role's one (the other is done) */
	int here[2] = { o->host_role != HOST_CLIENT, o->host_role != HOST_SERVER };
	memset(ch, 0, sizeof(ch));
	memset(out, 0, sizeof(*out));
	out->opts = *o;
	side_init(&out->server);
	side_init(&out->client);
	err[0] = 0;
	/* a6 needs kernel TLS: say so once, before any namespace or child */
	char why[200];
	if (o->impl == IMPL_A6 && ktls_probe(why, sizeof(why)))
		return errf(err, errlen, "--impl a6: %s", why);
	for (int i = 0; i < 2; i++)
		ch[i].done = !here[i];

	if (here[0] && start_child(&ch[0], o, 1, o->host_role ? NS_HOST : NS_NEW, err, errlen))
		goto done;
	int join = o->host_role ? NS_HOST : NS_NEW;
	if (o->net == NET_LOOPBACK && !o->host_role) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)ch[0].pid);
		join = open(path, O_RDONLY | O_CLOEXEC);
		if (join < 0) {
			errf(err, errlen, "open %s: %s", path, strerror(errno));
			goto done;
		}
	}
	int e = here[1] ? start_child(&ch[1], o, 0, join, err, errlen) : 0;
	if (join >= 0)
		close(join);
	if (e || (!o->host_role && setup_net(o, ch[0].pid, ch[1].pid, err, errlen)))
		goto done;

	/* --role: the absent side's pid is 0, its namespace this host's */
	pid_t any = here[0] ? ch[0].pid : ch[1].pid;
	struct run_targets t = { .server_pid = ch[0].pid,
				 .client_pid = ch[1].pid,
				 .server_netns = ns_inode(here[0] ? ch[0].pid : any),
				 .client_netns = ns_inode(here[1] ? ch[1].pid : any),
				 .port = o->port };
	ssize_t n = readlink("/proc/self/exe", t.exe, sizeof(t.exe) - 1);
	t.exe[n > 0 ? n : 0] = 0;
	if (h && h->before_start && h->before_start(h->arg, &t)) {
		errf(err, errlen, "tracer setup failed");
		goto done;
	}
	hooked = 1;
	if (runner_stop) {
		errf(err, errlen, "interrupted");
		goto done;
	}

	/* Server first; the client starts once the server listens. */
	char b;
	if (here[0]) {
		if (write(ch[0].go_w, "g", 1) != 1)
			goto done;
		struct pollfd p = { .fd = ch[0].ready_r, .events = POLLIN };
		if (poll(&p, 1, 10000) != 1 || read(ch[0].ready_r, &b, 1) != 1) {
			if (read_full(ch[0].res_r, &out->server, sizeof(out->server)) == 0) {
				ch[0].done = 1;
				errf(err, errlen, "server: %s", out->server.error);
			} else {
				errf(err, errlen, "server did not start listening");
			}
			goto done;
		}
		if (h && h->listening)
			h->listening(h->arg);
	}
	if (here[1] && write(ch[1].go_w, "g", 1) != 1)
		goto done;
	if (collect(ch, o, err, errlen))
		goto done;
	if (here[0])
		out->server = ch[0].res;
	if (here[1])
		out->client = ch[1].res;
	if (!out->server.ok && !out->client.ok)
		errf(err, errlen, "server: %s; client: %s", out->server.error, out->client.error);
	else if (!out->server.ok)
		errf(err, errlen, "server: %s", out->server.error);
	else if (!out->client.ok)
		errf(err, errlen, "client: %s", out->client.error);
	else
		rc = 0;
done:
	reap(ch);
	if (hooked && h && h->after_end)
		h->after_end(h->arg);
	return rc;
}
