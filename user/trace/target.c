// SPDX-License-Identifier: GPL-2.0-only
/* Tracing a program: see target.h. */
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmdtree.h"
#include "common/errf.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

_Static_assert(CT_MAX_PIDS == CT_SLOT_LATE, "--pid: one slot per listed process");

#define GRACE_S 5.0 /* after a stop is passed on, before SIGKILL */
#define TICK_MS 50 /* the longest the wait sleeps between looks */
#define ADOPT_EVERY_S 0.5 /* --pid: looks for descendants born since */

/* The signal that ends the trace, and how many came (each is passed on
 * to a command). */
static volatile sig_atomic_t sig_last, sig_count;

static void on_stop(int sig)
{
	sig_last = sig;
	sig_count++;
}

static void on_child(int sig)
{
	(void)sig; /* only wakes the wait */
}

/* SIGINT, SIGTERM and SIGHUP (a dropped ssh session) all end the trace
 * with a report; no SA_RESTART, so a sleep in the wait is cut short. */
static void install_signals(int command)
{
	struct sigaction sa = { .sa_handler = on_stop };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (command) {
		sa.sa_handler = on_child;
		sa.sa_flags = SA_NOCLDSTOP;
		sigaction(SIGCHLD, &sa, NULL);
	}
}

static const char *stop_reason(int sig)
{
	return sig == SIGINT	? "interrupted by SIGINT (Ctrl-C)"
		: sig == SIGHUP ? "interrupted by SIGHUP (hangup)"
				: "interrupted by SIGTERM";
}

/* A process's thread-group id and name from /proc (a thread id given
 * names its process). 0, or -1 when there is no such process. */
static int proc_info(pid_t pid, pid_t *tgid, char *comm, size_t n)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	*tgid = 0;
	comm[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Name:", 5))
			snprintf(comm, n, "%.*s", (int)strcspn(line + 6, "\n"), line + 6);
		else if (!strncmp(line, "Tgid:", 5))
			*tgid = (pid_t)atoi(line + 5);
	}
	fclose(f);
	return *tgid > 0 ? 0 : -1;
}

/* The listed processes: each one's process (a thread id names it), a
 * pidfd to see it exit, its name. opts.c checked the list's form. */
static int prepare_pids(struct ct_target *tg, const char *list, struct trace_filter *f, char *err,
			size_t errlen)
{
	for (const char *s = list; *s;) {
		char *end;
		long v = strtol(s, &end, 10);
		pid_t tgid;
		if (v <= 0 || v > CT_PID_MAX || (*end && *end != ','))
			return errf(err, errlen, "--pid: '%.20s' is not a process id", s);
		s = *end ? end + 1 : end;
		if (proc_info((pid_t)v, &tgid, f->comms[tg->npids], sizeof(f->comms[0])))
			return errf(err, errlen, "--pid: no process with id %ld", v);
		int dup = 0;
		for (int i = 0; i < tg->npids; i++)
			dup |= tg->pids[i] == tgid;
		if (dup)
			continue;
		if (tg->npids >= CT_MAX_PIDS)
			return errf(err, errlen, "--pid: at most %d processes", CT_MAX_PIDS);
		if (pw_add(&tg->watch, tgid) != 1) /* gone since proc_info, or no pidfd */
			return errf(err, errlen, "--pid: process %d: %s", (int)tgid,
				    errno ? strerror(errno) : "it has exited");
		tg->pids[tg->npids++] = tgid;
	}
	if (!tg->npids)
		return errf(err, errlen, "--pid: no process id given");
	for (int i = 0; i < tg->npids; i++)
		f->pids[i] = tg->pids[i];
	f->npids = tg->npids;
	return 0;
}

static int prepare_cgroup(struct ct_target *tg, const char *path, struct trace_filter *f,
			  struct ct_program *p, char *err, size_t errlen)
{
	char full[512], root[256] = "/sys/fs/cgroup";
	/* a relative path is under the cgroup2 mount: /sys/fs/cgroup, or
	 * /sys/fs/cgroup/unified on hybrid systems */
	FILE *m = setmntent("/proc/self/mounts", "r");
	for (struct mntent *e; m && (e = getmntent(m));)
		if (!strcmp(e->mnt_type, "cgroup2")) {
			snprintf(root, sizeof(root), "%s", e->mnt_dir);
			break;
		}
	if (m)
		endmntent(m);
	if (path[0] == '/')
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%s/%s", root, path);
	tg->cgroup_fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct statfs sf;
	if (tg->cgroup_fd < 0 || fstatfs(tg->cgroup_fd, &sf) || sf.f_type != CGROUP2_SUPER_MAGIC)
		return errf(err, errlen, "--cgroup %s: %s", path,
			    tg->cgroup_fd < 0 ? strerror(errno) : "not a cgroup v2 directory");
	f->cgroup_fd = tg->cgroup_fd;
	snprintf(p->what, sizeof(p->what), "%s", full);
	return 0;
}

/* Why the held child could not run the command: at which step, errno. */
struct start_err {
	int as_user; /* 1: taking the user's identity failed, 0: exec */
	int err;
};

static void child_fail(int fd, int as_user)
{
	struct start_err e = { as_user, errno };
	if (write(fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* Forks the command, held on a pipe until target_start; why it could not
 * start comes back on a close-on-exec pipe. trace_run is the subreaper
 * of everything it starts. */
static int prepare_command(struct ct_target *tg, const struct ct_opts *o, struct trace_filter *f,
			   char *err, size_t errlen)
{
	char **argv = o->cmd;
	int go[2], ex[2];
	/* the user's groups come from NSS: looked up here, before the fork */
	if (identity_resolve(o->user, &tg->id, err, errlen))
		return -1;
	if (cmdtree_subreaper())
		return errf(err, errlen, "PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	install_signals(1);
	if (pipe2(go, O_CLOEXEC))
		return errf(err, errlen, "pipe: %s", strerror(errno));
	if (pipe2(ex, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		return errf(err, errlen, "pipe: %s", strerror(errno));
	}
	pid_t parent = getpid(), pid = fork();
	if (pid < 0) {
		int e = errno;
		close(go[0]);
		close(go[1]);
		close(ex[0]);
		close(ex[1]);
		return errf(err, errlen, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		close(go[1]);
		close(ex[0]);
		/* its own process group: a terminal's Ctrl-C reaches trace_run
		 * alone, which passes it on once */
		setpgid(0, 0);
		/* trace_run's handlers and mask are not the command's */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* root is dropped before the command's first instruction */
		if (identity_become(&tg->id))
			child_fail(ex[1], 1);
		/* after the uid change, which clears it: dies with trace_run */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		char c;
		if (getppid() != parent || read(go[0], &c, 1) != 1)
			_exit(127); /* trace_run gave up before the start */
		execvp(argv[0], argv);
		child_fail(ex[1], 0);
	}
	setpgid(pid, pid); /* also here: no signal may reach a group not made yet */
	close(go[0]);
	close(ex[1]);
	tg->child = tg->pgid = pid;
	tg->go_fd = go[1];
	tg->exec_fd = ex[0];
	const char *base = strrchr(argv[0], '/');
	snprintf(f->comms[0], sizeof(f->comms[0]), "%s", base ? base + 1 : argv[0]);
	f->pids[0] = pid;
	f->npids = 1;
	return 0;
}

int target_prepare(struct ct_target *tg, const struct ct_opts *o, struct trace_filter *f,
		   struct ct_program *p, char *err, size_t errlen)
{
	memset(tg, 0, sizeof(*tg));
	memset(f, 0, sizeof(*f));
	tg->go_fd = tg->exec_fd = tg->cgroup_fd = f->cgroup_fd = -1;
	f->follow_fork = 1;
	f->recycle = 1; /* an exited process frees its slot (reaper.c) */
	f->per_conn = o->per_conn;
	p->exit_status = -1;
	if (o->cmd) {
		p->mode = "command";
		size_t n = 0;
		for (char **a = o->cmd; *a && n < sizeof(p->what) - 1; a++)
			n += (size_t)snprintf(p->what + n, sizeof(p->what) - n, "%s%s",
					      a == o->cmd ? "" : " ", *a);
		return prepare_command(tg, o, f, err, errlen);
	}
	install_signals(0);
	if (o->pids) {
		p->mode = "pid";
		snprintf(p->what, sizeof(p->what), "%s", o->pids);
		return prepare_pids(tg, o->pids, f, err, errlen);
	}
	p->mode = "cgroup";
	return prepare_cgroup(tg, o->cgroup, f, p, err, errlen);
}

/* The descendants of the traced processes, walked in /proc: a process
 * whose parent is traced joins (with a pidfd to see it go). */
static int walk_in(void *arg, pid_t pid)
{
	return tracer_is_traced(((struct ct_target *)arg)->t, pid);
}

static int walk_take(void *arg, const struct proc_entry *e)
{
	struct ct_target *tg = arg;
	/* trace_run itself, when a listed process is its ancestor */
	if (e->pid == getpid() || tracer_add_process(tg->t, e->pid, e->ppid, e->comm) != 1)
		return 0;
	pw_add(&tg->watch, e->pid);
	return 1;
}

int target_attached(struct ct_target *tg, struct tracer *t, char *err, size_t errlen)
{
	tg->t = t;
	if (!tg->npids)
		return 0;
	/* forks are followed from the attach on: a child born during the
	 * walk is either followed by BPF or met by the next pass */
	if (proc_walk(walk_in, walk_take, tg, 1000) < 0)
		return errf(err, errlen, "reading /proc for the listed processes' children: %s",
			    strerror(errno));
	return 0;
}

int target_start(struct ct_target *tg, const struct ct_opts *o, char *err, size_t errlen)
{
	if (!tg->child)
		return 0;
	char c = 1;
	struct start_err e = { 0, 0 };
	if (write(tg->go_fd, &c, 1) != 1)
		return errf(err, errlen, "starting the command failed: %s", strerror(errno));
	close(tg->go_fd);
	tg->go_fd = -1;
	ssize_t n = read(tg->exec_fd, &e, sizeof(e)); /* EOF: exec succeeded */
	close(tg->exec_fd);
	tg->exec_fd = -1;
	if (n == (ssize_t)sizeof(e)) {
		waitpid(tg->child, NULL, 0);
		tg->child = 0;
		if (e.as_user)
			return errf(err, errlen, "cannot run the command as user %s: %s",
				    tg->id.name, strerror(e.err));
		return errf(err, errlen, "cannot execute '%s': %s", o->cmd[0], strerror(e.err));
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --pid: watches the traced processes BPF added since (children born
 * during the trace). */
static void adopt_born(struct ct_target *tg)
{
	static int pids[8192];
	int n = tg->t ? tracer_traced_pids(tg->t, pids, 8192) : 0;
	for (int i = 0; i < n; i++)
		if (!pw_has(&tg->watch, pids[i]) && !pidset_has(&tg->gone, pids[i]) &&
		    pw_add(&tg->watch, pids[i]) == 0)
			pidset_add(&tg->gone, pids[i]);
}

static void wait_pids(struct ct_target *tg, const struct ct_opts *o, volatile int *stop,
		      struct ct_program *p, double t0)
{
	double adopted = t0;
	for (;;) {
		if (sig_count || *stop) {
			p->ended = stop_reason(sig_count ? sig_last : SIGINT);
			return;
		}
		if (o->duration_given && now() - t0 >= o->duration) {
			p->ended = "--duration elapsed";
			return;
		}
		if (!tg->npids) { /* a cgroup: its tasks come and go */
			poll(NULL, 0, TICK_MS);
			continue;
		}
		int alive = pw_alive(&tg->watch, TICK_MS);
		if (!alive || now() - adopted >= ADOPT_EVERY_S) {
			adopt_born(tg);
			adopted = now();
			alive = pw_alive(&tg->watch, 0);
		}
		if (!alive) {
			p->ended = "every traced process exited";
			return;
		}
	}
}

/* The command's process group while its id is reserved (the command
 * not reaped yet); then 0: its members, all descendants of trace_run,
 * are signalled one by one, never a group that reused the id. */
static pid_t group(const struct ct_target *tg)
{
	return tg->main_done ? 0 : tg->pgid;
}

static void wait_command(struct ct_target *tg, const struct ct_opts *o, volatile int *stop,
			 struct ct_program *p, double t0)
{
	double stopping = 0;
	int passed = 0, killed = 0, outlived = 0;
	for (;;) {
		int was = tg->main_done;
		if (cmdtree_reap(tg->child, &tg->status, &tg->main_done))
			break;
		outlived |= tg->main_done && !was; /* others are still there */
		/* each SIGINT/SIGTERM/SIGHUP is passed on, the same signal */
		int n = sig_count;
		if (n != passed) {
			passed = n;
			cmdtree_signal(group(tg), sig_last);
			if (!stopping) {
				stopping = now();
				p->ended = stop_reason(sig_last);
			}
		} else if (*stop && !stopping) { /* a stop from before our handlers */
			cmdtree_signal(group(tg), SIGINT);
			stopping = now();
			p->ended = stop_reason(SIGINT);
		}
		if (!stopping && o->duration_given && now() - t0 >= o->duration) {
			cmdtree_signal(group(tg), SIGTERM);
			stopping = now();
			p->ended = "--duration elapsed";
		}
		if (stopping && !killed && now() - stopping > GRACE_S) {
			int left = cmdtree_kill(tg->pgid, tg->child, &tg->status, &tg->main_done,
						GRACE_S);
			fprintf(stderr,
				"trace_run: the command's processes were still running %.0f s "
				"after the signal: killed%s\n",
				GRACE_S, left ? " (some could not be, see ps)" : "");
			killed = 1;
		} else if (killed && now() - stopping > 3 * GRACE_S) {
			break; /* unkillable (uninterruptible sleep): not waited for forever */
		}
		poll(NULL, 0, TICK_MS); /* SIGCHLD cuts it short */
	}
	if (!stopping)
		p->ended = !tg->main_done ? "the command's processes exited"
			: outlived ? "the command exited, and later the last process it started"
			: WIFEXITED(tg->status) ? "the command exited"
						: "the command was killed by a signal";
	tg->child = 0;
}

void target_wait(struct ct_target *tg, const struct ct_opts *o, volatile int *stop,
		 struct ct_program *p)
{
	double t0 = now();
	if (tg->child)
		wait_command(tg, o, stop, p, t0);
	else
		wait_pids(tg, o, stop, p, t0);
	if (tg->main_done)
		p->exit_status = WIFEXITED(tg->status) ? WEXITSTATUS(tg->status)
						       : 128 + WTERMSIG(tg->status);
	p->seconds = now() - t0;
}

void target_close(struct ct_target *tg)
{
	if (tg->pgid) { /* nothing trace_run started outlives it */
		cmdtree_kill(tg->pgid, tg->child, &tg->status, &tg->main_done, GRACE_S);
		tg->child = tg->pgid = 0;
	}
	if (tg->go_fd >= 0)
		close(tg->go_fd);
	if (tg->exec_fd >= 0)
		close(tg->exec_fd);
	if (tg->cgroup_fd >= 0)
		close(tg->cgroup_fd);
	tg->go_fd = tg->exec_fd = tg->cgroup_fd = -1;
	pw_free(&tg->watch);
	pidset_free(&tg->gone);
}
