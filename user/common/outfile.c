// SPDX-License-Identifier: GPL-2.0-only
/* Output files: see outfile.h. A stdio stream over a cookie, so callers
 * keep fprintf and fclose and the file appears only when written. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errf.h"
#include "identity.h"
#include "opts.h"

struct lazy {
	char *path;
	uid_t uid;
	gid_t gid;
	int fd; /* -1 until the first write */
	int err; /* errno of a failed open */
};

static int refuse(const char *path, char *err, size_t errlen)
{
	return errf(err, errlen,
		    "%s is a symbolic link; refusing to write through it (give "
		    "the file itself)",
		    path);
}

/* Creates the file (then it is ours to give away) or truncates the one
 * there, without following a link in the last component. */
static int lazy_create(struct lazy *z)
{
	int fl = O_WRONLY | O_NOFOLLOW | O_CLOEXEC;
	z->fd = open(z->path, fl | O_CREAT | O_EXCL, 0666);
	if (z->fd >= 0) {
		/* only a file made here changes owner: an existing one (or
		 * --output /dev/null) keeps its own */
		if (z->uid != (uid_t)-1 && fchown(z->fd, z->uid, z->gid)) {
			z->err = errno;
			close(z->fd);
			unlink(z->path);
			z->fd = -1;
		}
	} else if (errno == EEXIST) {
		z->fd = open(z->path, fl | O_TRUNC);
	}
	if (z->fd < 0 && !z->err)
		z->err = errno;
	return z->fd;
}

static ssize_t lazy_write(void *c, const char *buf, size_t n)
{
	struct lazy *z = c;
	if (z->fd < 0 && lazy_create(z) < 0) {
		errno = z->err;
		return -1;
	}
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(z->fd, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return done ? (ssize_t)done : -1;
		done += (size_t)w;
	}
	return (ssize_t)done;
}

static int lazy_close(void *c)
{
	struct lazy *z = c;
	int rc = 0;
	if (z->fd >= 0)
		rc = close(z->fd);
	if (z->err) {
		/* one line naming the file: the caller only sees fclose fail */
		fprintf(stderr, "trace_run: cannot write %s: %s%s\n", z->path, strerror(z->err),
			z->err == ELOOP ? " (a symbolic link: refused)" : "");
		rc = -1;
	}
	free(z->path);
	free(z);
	return rc;
}

/* No symbolic link, no directory, and a directory to create it in. */
static int check(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (lstat(path, &st) == 0 && (S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode))) {
		if (S_ISLNK(st.st_mode))
			return refuse(path, err, errlen);
		return errf(err, errlen, "cannot write %s: it is a directory", path);
	}
	/* the directory must be there now, not at the end of a long trace */
	char *dup = strdup(path);
	if (!dup)
		return errf(err, errlen, "out of memory");
	int dir_ok = stat(dirname(dup), &st) == 0 && S_ISDIR(st.st_mode);
	free(dup);
	if (!dir_ok)
		return errf(err, errlen, "cannot write %s: its directory does not exist", path);
	return 0;
}

FILE *outfile_open(const char *path, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	if (check(path, err, errlen))
		return NULL;
	struct lazy *z = calloc(1, sizeof(*z));
	if (!z || !(z->path = strdup(path))) {
		free(z);
		errf(err, errlen, "out of memory");
		return NULL;
	}
	z->uid = uid;
	z->gid = gid;
	z->fd = -1;
	cookie_io_functions_t io = { .write = lazy_write, .close = lazy_close };
	FILE *f = fopencookie(z, "w", io);
	if (!f) {
		free(z->path);
		free(z);
		errf(err, errlen, "out of memory");
	}
	return f;
}

FILE *outfile_for(const struct ct_opts *o, const char *path, char *err, size_t errlen)
{
	struct ct_identity id;
	if (identity_resolve(o->user, &id, err, errlen))
		return NULL;
	return outfile_open(path, id.root ? (uid_t)-1 : id.uid, id.gid, err, errlen);
}

int outfile_check_opts(const struct ct_opts *o, char *err, size_t errlen)
{
	const char *opt[2] = { "--folded", "--flamegraph" },
		   *path[2] = { o->folded, o->flamegraph };
	char why[400];
	for (int k = 0; k < 2; k++)
		if (path[k] && check(path[k], why, sizeof(why)))
			return errf(err, errlen, "%s: %s", opt[k], why);
	return 0;
}
