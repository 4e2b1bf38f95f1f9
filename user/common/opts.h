/* SPDX-License-Identifier: GPL-2.0-only */
/* Run-time options shared by server, client, ctrun and trace_run: argv
 * read through the option table into struct ct_opts (ctopts.h). */
#ifndef CT_OPTS_H
#define CT_OPTS_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctopts.h"
#include "optdef.h" /* opts_hostport */

const char *impl_name(enum ct_impl i);
const char *mode_name(enum ct_mode m);
const char *net_name(enum ct_net n);
const char *rx_name(enum ct_rx r);
const char *tls_send_name(enum ct_tls_send t);

/* Parses argv for the given role. On error returns -1 and writes a
 * one-line message (no trailing newline) into err. Returns 1 for --help,
 * 2 for --version (the caller prints them), 0 otherwise. */
int opts_parse(struct ct_opts *o, enum ct_role role, int argc, char **argv, char *err,
	       size_t errlen);
/* --help: the options this role (binary) takes, and its EXAMPLES. */
void opts_usage(FILE *f, enum ct_role role, const char *prog);

#endif
