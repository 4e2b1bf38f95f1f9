/* Tracing a program: see target.h. */
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/errf.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
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

static int prepare_pids(struct ct_target *tg, const char *list, struct trace_filter *f,
			char *err, size_t errlen)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *s = strtok(buf, ","); s; s = strtok(NULL, ",")) {
		long v = atol(s);
		pid_t tgid;
		if (v <= 0 || v > 4194304)
			return errf(err, errlen, "--pid: '%s' is not a process id", s);
		if (tg->npids >= CT_NSLOTS - 1)
			return errf(err, errlen, "--pid: at most %d processes", CT_NSLOTS - 1);
		if (proc_info((pid_t)v, &tgid, f->comms[tg->npids], sizeof(f->comms[0])))
			return errf(err, errlen, "--pid: no process with id %ld", v);
		int dup = 0;
		for (int i = 0; i < tg->npids; i++)
			dup |= tg->pids[i] == tgid;
		if (!dup)
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
		return errf(err, errlen, "--cgroup %s: %s", path, tg->cgroup_fd < 0 ?
			    strerror(errno) : "not a cgroup v2 directory");
	f->cgroup_fd = tg->cgroup_fd;
	snprintf(p->what, sizeof(p->what), "%s", full);
	return 0;
}

/* Forks the command, held on a pipe until target_start; exec's errno
 * comes back on a close-on-exec pipe. */
static int prepare_command(struct ct_target *tg, char **argv, struct trace_filter *f,
			   char *err, size_t errlen)
{
	int go[2], ex[2];
	if (pipe2(go, O_CLOEXEC))
		return errf(err, errlen, "pipe: %s", strerror(errno));
	if (pipe2(ex, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		return errf(err, errlen, "pipe: %s", strerror(errno));
	}
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(go[0]); close(go[1]); close(ex[0]); close(ex[1]);
		return errf(err, errlen, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		close(go[1]);
		close(ex[0]);
		/* trace_run's handlers are not the command's */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		char c;
		if (read(go[0], &c, 1) != 1)
			_exit(127); /* trace_run gave up before the start */
		execvp(argv[0], argv);
		int e = errno;
		if (write(ex[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(ex[1]);
	tg->child = pid;
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
	f->per_conn = o->per_conn;
	p->exit_status = -1;
	if (o->cmd) {
		p->mode = "command";
		size_t n = 0;
		for (char **a = o->cmd; *a && n < sizeof(p->what) - 1; a++)
			n += (size_t)snprintf(p->what + n, sizeof(p->what) - n, "%s%s",
					      a == o->cmd ? "" : " ", *a);
		return prepare_command(tg, o->cmd, f, err, errlen);
	}
	if (o->pids) {
		p->mode = "pid";
		snprintf(p->what, sizeof(p->what), "%s", o->pids);
		return prepare_pids(tg, o->pids, f, err, errlen);
	}
	p->mode = "cgroup";
	return prepare_cgroup(tg, o->cgroup, f, p, err, errlen);
}

int target_start(struct ct_target *tg, const struct ct_opts *o, char *err, size_t errlen)
{
	if (!tg->child)
		return 0;
	char c = 1;
	int e = 0;
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
		return errf(err, errlen, "cannot execute '%s': %s", o->cmd[0], strerror(e));
	}
	return 0;
}

static int all_gone(const struct ct_target *tg)
{
	for (int i = 0; i < tg->npids; i++)
		if (kill(tg->pids[i], 0) == 0 || errno != ESRCH)
			return 0;
	return 1;
}

void target_wait(struct ct_target *tg, const struct ct_opts *o, volatile int *stop,
		 struct ct_program *p)
{
	double t0 = now(), killed = 0;
	int forwarded = 0;
	p->ended = "interrupted (Ctrl-C)";
	for (;;) {
		if (tg->child) {
			pid_t r = waitpid(tg->child, &tg->status, WNOHANG);
			if (r == tg->child) {
				tg->child = 0;
				p->exit_status = WIFEXITED(tg->status) ? WEXITSTATUS(tg->status) :
						 128 + WTERMSIG(tg->status);
				p->ended = WIFEXITED(tg->status) ? "the command exited" :
					   "the command was killed by a signal";
				break;
			}
			/* Ctrl-C reaches the command from the terminal too; a
			 * SIGTERM to trace_run alone is passed on, then SIGKILL
			 * after 5 s */
			if (*stop && !forwarded) {
				kill(tg->child, SIGINT);
				forwarded = 1;
				killed = now();
			} else if (forwarded && now() - killed > 5) {
				kill(tg->child, SIGKILL);
			}
		} else {
			if (*stop)
				break;
			if (tg->npids && all_gone(tg)) {
				p->ended = "every traced process exited";
				break;
			}
			if (o->duration_given && now() - t0 >= o->duration) {
				p->ended = "--duration elapsed";
				break;
			}
		}
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	p->seconds = now() - t0;
}

void target_close(struct ct_target *tg)
{
	if (tg->child) {
		kill(tg->child, SIGKILL);
		waitpid(tg->child, NULL, 0);
		tg->child = 0;
	}
	if (tg->go_fd >= 0)
		close(tg->go_fd);
	if (tg->exec_fd >= 0)
		close(tg->exec_fd);
	if (tg->cgroup_fd >= 0)
		close(tg->cgroup_fd);
	tg->go_fd = tg->exec_fd = tg->cgroup_fd = -1;
}
