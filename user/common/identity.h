/* SPDX-License-Identifier: GPL-2.0-only */
/* Who trace_run acts for: the user a traced command runs as and who owns
 * the output files. Under sudo that is the invoking user (SUDO_UID,
 * SUDO_GID), --user NAME picks another, and root stays root. */
#ifndef CT_IDENTITY_H
#define CT_IDENTITY_H
#include <stddef.h>
#include <sys/types.h>

#define CT_ID_MAX_GROUPS 256

struct ct_identity {
	uid_t uid;
	gid_t gid;
	int root; /* uid 0: nothing to drop, nothing to chown */
	int have_pw; /* a passwd entry: name, home and groups from it */
	char name[64]; /* the passwd name, or the uid in digits */
	char home[512]; /* the passwd home, or "/" */
	gid_t groups[CT_ID_MAX_GROUPS]; /* supplementary groups (initgroups') */
	int ngroups;
};

/* Resolves user (--user NAME or a uid; NULL: SUDO_UID/SUDO_GID when
 * trace_run runs as root through sudo, else trace_run's own uid). Looks
 * up the passwd and group databases, so call it before forking. 0, or -1
 * with one line in err. */
int identity_resolve(const char *user, struct ct_identity *id, char *err, size_t errlen);
/* In a forked child before exec: takes the identity for good (groups,
 * gid, uid; then checks that root cannot be regained) and sets HOME, USER
 * and LOGNAME. Nothing for root. 0, or -1 with errno. */
int identity_become(const struct ct_identity *id);

#endif
