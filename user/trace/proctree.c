// SPDX-License-Identifier: GPL-2.0-only
/* Process trees from /proc: see proctree.h. */
#include "proctree.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int proc_stat_parse(const char *text, struct proc_entry *e)
{
	/* "pid (comm) state ppid pgrp ...": comm ends at the last ')' */
	const char *open = strchr(text, '('), *close = strrchr(text, ')');
	if (!open || !close || close < open)
		return -1;
	int pid, ppid, pgrp;
	char state;
	if (sscanf(text, "%d", &pid) != 1 ||
	    sscanf(close + 1, " %c %d %d", &state, &ppid, &pgrp) != 3)
		return -1;
	size_t n = (size_t)(close - open - 1);
	if (n >= sizeof(e->comm))
		n = sizeof(e->comm) - 1;
	memcpy(e->comm, open + 1, n);
	e->comm[n] = 0;
	e->pid = pid;
	e->ppid = ppid;
	e->pgrp = pgrp;
	return 0;
}

int proc_stat_read(pid_t pid, struct proc_entry *e)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return proc_stat_parse(buf, e);
}

int pidset_has(const struct pidset *s, pid_t pid)
{
	for (int i = 0; i < s->n; i++)
		if (s->v[i] == pid)
			return 1;
	return 0;
}

int pidset_add(struct pidset *s, pid_t pid)
{
	if (pidset_has(s, pid))
		return 0;
	if (s->n == s->cap) {
		int cap = s->cap ? 2 * s->cap : 64;
		pid_t *v = realloc(s->v, (size_t)cap * sizeof(*v));
		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = pid;
	return 1;
}

void pidset_free(struct pidset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int proc_walk(int (*in)(void *arg, pid_t pid), int (*take)(void *arg, const struct proc_entry *e),
	      void *arg, int max_passes)
{
	int joined = 0;
	for (int pass = 0; pass < max_passes; pass++) {
		DIR *d = opendir("/proc");
		if (!d)
			return -1;
		int now = 0;
		for (struct dirent *de; (de = readdir(d));) {
			char *end;
			long pid = strtol(de->d_name, &end, 10);
			struct proc_entry e;
			if (*end || pid <= 0 || in(arg, (pid_t)pid) ||
			    proc_stat_read((pid_t)pid, &e) || !in(arg, e.ppid))
				continue;
			now += take(arg, &e) == 1;
		}
		closedir(d);
		joined += now;
		if (!now)
			break;
	}
	return joined;
}

struct desc {
	pid_t root;
	struct pidset *s;
};

static int desc_in(void *arg, pid_t pid)
{
	struct desc *d = arg;
	return pid == d->root || pidset_has(d->s, pid);
}

static int desc_take(void *arg, const struct proc_entry *e)
{
	struct desc *d = arg;
	return pidset_add(d->s, e->pid) == 1;
}

int proc_descendants(pid_t root, struct pidset *out)
{
	struct desc d = { root, out };
	return proc_walk(desc_in, desc_take, &d, 1000);
}
