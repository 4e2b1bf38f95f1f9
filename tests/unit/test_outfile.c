// SPDX-License-Identifier: GPL-2.0-only
/* Output files and who trace_run acts for: created at the first write
 * (an existing file is not truncated before), never through a symbolic
 * link, close-on-exec, given to the user; the user from --user or sudo's
 * SUDO_UID/SUDO_GID. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/identity.h"
#include "common/outfile.h"

static char dir[] = "/tmp/ct-outfile.XXXXXX";
static char err[256];

static char *at(const char *name)
{
	static char p[2][PATH_MAX];
	static int k;
	k ^= 1;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static void slurp(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t got = fread(buf, 1, n - 1, f);
	buf[got] = 0;
	fclose(f);
}

/* The descriptor this process holds on path, or -1. */
static int fd_of(const char *path)
{
	for (int fd = 3; fd < 1024; fd++) {
		char link[64], target[PATH_MAX];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		if (n > 0 && (target[n] = 0, !strcmp(target, path)))
			return fd;
	}
	return -1;
}

static void created_at_first_write(void **st)
{
	(void)st;
	struct stat sb;
	FILE *f = outfile_open(at("new.txt"), (uid_t)-1, (gid_t)-1, err, sizeof(err));
	assert_non_null(f);
	assert_int_equal(stat(at("new.txt"), &sb), -1); /* nothing yet */
	fprintf(f, "report\n");
	fflush(f);
	int fd = fd_of(at("new.txt"));
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC); /* never leaks into a command */
	assert_int_equal(fclose(f), 0);
	char buf[64];
	slurp(at("new.txt"), buf, sizeof(buf));
	assert_string_equal(buf, "report\n");

	/* an existing file keeps its content until the report is written */
	f = outfile_open(at("new.txt"), (uid_t)-1, (gid_t)-1, err, sizeof(err));
	assert_non_null(f);
	slurp(at("new.txt"), buf, sizeof(buf));
	assert_string_equal(buf, "report\n");
	assert_int_equal(fclose(f), 0); /* no write: untouched */
	slurp(at("new.txt"), buf, sizeof(buf));
	assert_string_equal(buf, "report\n");
	f = outfile_open(at("new.txt"), (uid_t)-1, (gid_t)-1, err, sizeof(err));
	fprintf(f, "two\n");
	assert_int_equal(fclose(f), 0);
	slurp(at("new.txt"), buf, sizeof(buf));
	assert_string_equal(buf, "two\n"); /* truncated, then written */
}

static void symlinks_refused(void **st)
{
	(void)st;
	FILE *t = fopen(at("victim"), "w");
	fputs("precious\n", t);
	fclose(t);
	assert_int_equal(symlink(at("victim"), at("link")), 0);
	assert_null(outfile_open(at("link"), (uid_t)-1, (gid_t)-1, err, sizeof(err)));
	assert_non_null(strstr(err, "is a symbolic link; refusing"));
	assert_null(strchr(err, '\n'));
	/* a link put there after the check: O_NOFOLLOW refuses it at the write */
	FILE *f = outfile_open(at("late"), (uid_t)-1, (gid_t)-1, err, sizeof(err));
	assert_non_null(f);
	assert_int_equal(symlink(at("victim"), at("late")), 0);
	fprintf(f, "overwritten\n");
	assert_int_not_equal(fclose(f), 0);
	char buf[64];
	slurp(at("victim"), buf, sizeof(buf));
	assert_string_equal(buf, "precious\n");
	assert_null(outfile_open(at("no/such/dir/x"), (uid_t)-1, (gid_t)-1, err, sizeof(err)));
	assert_non_null(strstr(err, "its directory does not exist"));
	assert_null(outfile_open(dir, (uid_t)-1, (gid_t)-1, err, sizeof(err)));
	assert_non_null(strstr(err, "is a directory"));
}

static void owner_is_the_user(void **st)
{
	(void)st;
	if (geteuid() != 0)
		skip();
	struct stat sb;
	FILE *f = outfile_open(at("owned"), 65534, 65534, err, sizeof(err));
	fprintf(f, "x\n");
	assert_int_equal(fclose(f), 0);
	assert_int_equal(stat(at("owned"), &sb), 0);
	assert_int_equal(sb.st_uid, 65534);
	assert_int_equal(sb.st_gid, 65534);
	/* a file that was there keeps its owner (never give away /etc/x) */
	assert_int_equal(chown(at("owned"), 0, 0), 0);
	f = outfile_open(at("owned"), 65534, 65534, err, sizeof(err));
	fprintf(f, "y\n");
	assert_int_equal(fclose(f), 0);
	assert_int_equal(stat(at("owned"), &sb), 0);
	assert_int_equal(sb.st_uid, 0);
}

static void identity_from_sudo(void **st)
{
	(void)st;
	struct ct_identity id;
	assert_int_equal(identity_resolve("root", &id, err, sizeof(err)), 0);
	assert_true(id.root);
	assert_int_equal(identity_resolve("no-such-user-ct", &id, err, sizeof(err)), -1);
	assert_string_equal(err, "--user: no user 'no-such-user-ct' on this system");
	if (geteuid() != 0)
		skip(); /* SUDO_UID counts only for root */
	setenv("SUDO_UID", "65534", 1);
	setenv("SUDO_GID", "65534", 1);
	assert_int_equal(identity_resolve(NULL, &id, err, sizeof(err)), 0);
	assert_false(id.root);
	assert_int_equal(id.uid, 65534);
	assert_int_equal(id.gid, 65534);
	assert_true(id.ngroups >= 1);
	assert_int_equal(id.groups[0], 65534);
	assert_int_equal(identity_resolve("root", &id, err, sizeof(err)), 0); /* --user wins */
	assert_true(id.root);
	setenv("SUDO_UID", "4000123", 1); /* no passwd entry: its number, home / */
	unsetenv("SUDO_GID");
	assert_int_equal(identity_resolve(NULL, &id, err, sizeof(err)), 0);
	assert_string_equal(id.name, "4000123");
	assert_string_equal(id.home, "/");
	assert_int_equal(id.ngroups, 1);
	setenv("SUDO_UID", "12ab", 1);
	assert_int_equal(identity_resolve(NULL, &id, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "SUDO_UID '12ab' is not a user id"));
	unsetenv("SUDO_UID");
	assert_int_equal(identity_resolve(NULL, &id, err, sizeof(err)), 0);
	assert_true(id.root); /* root without sudo stays root */
}

static int setup(void **st)
{
	(void)st;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st)
{
	(void)st;
	const char *names[] = { "new.txt", "victim", "link", "late", "owned" };
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		unlink(at(names[i]));
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(created_at_first_write),
		cmocka_unit_test(symlinks_refused),
		cmocka_unit_test(owner_is_the_user),
		cmocka_unit_test(identity_from_sudo),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
