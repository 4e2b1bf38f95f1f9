/* SPDX-License-Identifier: GPL-2.0-only */
/* Process trees from /proc: every process's parent and group, read from
 * /proc/PID/stat, and a walk that grows a set of processes by their
 * descendants until a whole pass over /proc finds none new (so a fork
 * that races the walk is met on the next pass). */
#ifndef CT_PROCTREE_H
#define CT_PROCTREE_H
#include <stddef.h>
#include <sys/types.h>

struct proc_entry {
	pid_t pid, ppid, pgrp;
	char comm[16];
};

/* Parses the text of /proc/PID/stat (comm may hold spaces and ')').
 * 0, or -1 when it is not such a line. */
int proc_stat_parse(const char *text, struct proc_entry *e);
/* Reads /proc/PID/stat; 0, or -1 when there is no such process. */
int proc_stat_read(pid_t pid, struct proc_entry *e);

/* A set of pids (a growing array; the trees are small). */
struct pidset {
	pid_t *v;
	int n, cap;
};
int pidset_has(const struct pidset *s, pid_t pid);
int pidset_add(struct pidset *s, pid_t pid); /* 1 added, 0 there already, -1 no memory */
void pidset_free(struct pidset *s);

/* take(arg, e) is shown each process whose parent is in the tree and
 * that is not yet in it, and returns 1 when it joined the tree (0: not).
 * in(arg, pid) says whether pid is in the tree. Passes over /proc repeat
 * until one adds nothing (at most max_passes). Returns how many joined,
 * or -1 when /proc cannot be read. */
int proc_walk(int (*in)(void *arg, pid_t pid), int (*take)(void *arg, const struct proc_entry *e),
	      void *arg, int max_passes);

/* The descendants of root now (root not included), by repeated passes. */
int proc_descendants(pid_t root, struct pidset *out);

#endif
