// SPDX-License-Identifier: GPL-2.0-only
/* Who trace_run acts for: see identity.h. */
#include "identity.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errf.h"

/* A decimal id from the environment (sudo writes them), or -1. */
static long env_id(const char *name)
{
	const char *s = getenv(name);
	if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
		return -1;
	long v = strtol(s, NULL, 10);
	return v <= (long)(unsigned)-2 ? v : -1; /* (uid_t)-1 means "unchanged" */
}

static void from_pw(struct ct_identity *id, const struct passwd *pw)
{
	id->have_pw = 1;
	snprintf(id->name, sizeof(id->name), "%s", pw->pw_name);
	snprintf(id->home, sizeof(id->home), "%s", pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/");
}

int identity_resolve(const char *user, struct ct_identity *id, char *err, size_t errlen)
{
	memset(id, 0, sizeof(*id));
	const struct passwd *pw = NULL;
	if (user) {
		char *end;
		pw = getpwnam(user);
		if (!pw && *user) {
			unsigned long v = strtoul(user, &end, 10);
			if (!*end && v < (unsigned)-1)
				pw = getpwuid((uid_t)v);
		}
		if (!pw)
			return errf(err, errlen, "--user: no user '%s' on this system", user);
		id->uid = pw->pw_uid;
		id->gid = pw->pw_gid;
	} else if (geteuid() == 0 && getenv("SUDO_UID")) {
		long u = env_id("SUDO_UID"), g = env_id("SUDO_GID");
		if (u < 0)
			return errf(err, errlen,
				    "SUDO_UID '%s' is not a user id (give --user NAME)",
				    getenv("SUDO_UID"));
		pw = getpwuid((uid_t)u);
		if (g < 0 && getenv("SUDO_GID"))
			return errf(err, errlen,
				    "SUDO_GID '%s' is not a group id (give --user NAME)",
				    getenv("SUDO_GID"));
		id->uid = (uid_t)u;
		id->gid = g >= 0 ? (gid_t)g : pw ? pw->pw_gid : (gid_t)u;
	} else {
		id->uid = geteuid();
		id->gid = getegid();
		pw = getpwuid(id->uid);
	}
	id->root = id->uid == 0;
	if (pw) {
		from_pw(id, pw);
	} else {
		snprintf(id->name, sizeof(id->name), "%u", (unsigned)id->uid);
		snprintf(id->home, sizeof(id->home), "/");
	}
	/* initgroups' list, read now: the child only calls setgroups */
	id->groups[0] = id->gid;
	id->ngroups = 1;
	if (id->have_pw) {
		int n = CT_ID_MAX_GROUPS;
		if (getgrouplist(id->name, id->gid, id->groups, &n) < 0)
			return errf(err, errlen, "user %s is in more than %d groups", id->name,
				    CT_ID_MAX_GROUPS);
		id->ngroups = n;
	}
	return 0;
}

int identity_become(const struct ct_identity *id)
{
	if (id->root)
		return 0;
	/* groups and gid while still root, the uid last */
	if (setgroups((size_t)id->ngroups, id->groups) || setresgid(id->gid, id->gid, id->gid) ||
	    setresuid(id->uid, id->uid, id->uid))
		return -1;
	uid_t r, e, s;
	if (getresuid(&r, &e, &s) || r != id->uid || e != id->uid || s != id->uid ||
	    setuid(0) == 0) {
		errno = EPERM; /* root is still reachable: never exec like this */
		return -1;
	}
	if (setenv("HOME", id->home, 1) || setenv("USER", id->name, 1) ||
	    setenv("LOGNAME", id->name, 1))
		return -1;
	return 0;
}
