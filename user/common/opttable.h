/* SPDX-License-Identifier: GPL-2.0-only */
/* Every command-line option of every binary, in --help's order, and each
 * binary's EXAMPLES: the one place an option is written. */
#ifndef CT_OPTTABLE_H
#define CT_OPTTABLE_H
#include <stddef.h>

#include "ctopts.h"
#include "optdef.h"

/* struct ct_optdef.given: what the checks across options (opts.c's
 * role_check) need to know was given, not just what it set. */
enum { GIVEN_LISTEN = 1, GIVEN_CONNECT = 2, GIVEN_PEER_TIMEOUT = 4, GIVEN_NET = 8 };

/* Entries of one long name have disjoint .roles (one per wording of its
 * help or way of reading it) and the same .arg presence. */
extern const struct ct_optdef opt_table[];
extern const size_t opt_table_len;
/* The choices of --impl, --mode, --rx: also the names the reports print. */
extern const struct ct_choice ct_impl_choices[], ct_mode_choices[], ct_rx_choices[],
	ct_tls_send_choices[];

/* What --help prints under EXAMPLES: (NULL: no such section). */
const char *opt_examples(enum ct_role role);

#endif
