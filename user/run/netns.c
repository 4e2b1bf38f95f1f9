// SPDX-License-Identifier: GPL-2.0-only
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

uint64_t ns_inode(pid_t pid)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	return stat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

int ns_ip(pid_t pid, char *err, size_t errlen, ...)
{
	char *argv[24] = { "ip" };
	int argc = 1, pfd[2];
	va_list ap;
	va_start(ap, errlen);
	while (argc < 23 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;

	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	int nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || pipe2(pfd, O_CLOEXEC)) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		if (nsfd >= 0)
			close(nsfd);
		return -1;
	}
	pid_t c = fork();
	if (c == 0) {
		dup2(pfd[1], 2);
		dup2(pfd[1], 1);
		if (setns(nsfd, CLONE_NEWNET)) {
			fprintf(stderr, "setns: %s\n", strerror(errno));
			_exit(126);
		}
		execvp("ip", argv);
		fprintf(stderr, "cannot run 'ip' (install iproute2): %s\n", strerror(errno));
		_exit(127);
	}
	close(nsfd);
	close(pfd[1]);
	char buf[256] = "";
	ssize_t n = read(pfd[0], buf, sizeof(buf) - 1);
	close(pfd[0]);
	int st = 0;
	if (c < 0 || waitpid(c, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		if (n > 0) {
			buf[n] = 0;
			buf[strcspn(buf, "\n")] = 0;
		}
		snprintf(err, errlen, "ip %s %s failed: %s", argv[1], argc > 2 ? argv[2] : "",
			 n > 0 ? buf : "no output");
		return -1;
	}
	return 0;
}
