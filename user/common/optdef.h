/* SPDX-License-Identifier: GPL-2.0-only */
/* One command-line option as the option table describes it, and the typed
 * parsers that read its value into struct ct_opts (errors are one line). */
#ifndef CT_OPTDEF_H
#define CT_OPTDEF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ct_opts;

/* How an option's value is read and stored. */
enum ct_optkind {
	OK_NOTE, /* not an option: lines of --help (arg: a left column) */
	OK_EXIT, /* --help, --version: opts_parse returns .ret */
	OK_FLAG, /* no value: sets the bool at .off */
	OK_U64, /* digits with an optional K/M/G suffix, .min...max */
	OK_DOUBLE, /* a number, .dmin..dmax (.dmin excluded with .open_min) */
	OK_CHOICE, /* one of .choices, stores its value */
	OK_WORD, /* one of .choices, stores the text (a const char *) */
	OK_STRING, /* any text, stored as a const char * */
	OK_BUF, /* any text that fits, copied into the char array at .off */
	OK_HOOK, /* .hook reads it: the genuinely special ones */
};

struct ct_choice {
	const char *name;
	int value;
};

/* Bits of enum ct_role (a role: a binary) in .roles. */
#define R_SERVER (1u << 0)
#define R_CLIENT (1u << 1)
#define R_RUNNER (1u << 2)
#define R_TRACE (1u << 3)
#define R_ALL (R_SERVER | R_CLIENT | R_RUNNER | R_TRACE)

struct ct_optdef {
	const char *name; /* long name without "--"; NULL: an OK_NOTE */
	char short_name; /* 0: none */
	const char *arg; /* the value's name in --help; NULL: takes none */
	unsigned roles; /* R_*: the binaries that accept it */
	const char *help; /* its --help text, '\n' between lines */
	enum ct_optkind kind;
	size_t off, size; /* the field of struct ct_opts it sets */
	size_t seen; /* offset + 1 of a bool set when it is given; 0: none */
	unsigned given; /* bit for the checks across options (opttable.h) */
	unsigned long long min, max; /* OK_U64 */
	double dmin, dmax; /* OK_DOUBLE */
	bool open_min; /* OK_DOUBLE: dmin itself refused */
	const struct ct_choice *choices; /* OK_CHOICE, OK_WORD; {NULL} ends */
	const char *unit; /* after the range in the error: " seconds" */
	const char *must; /* instead of the range: "--X must be MUST, not 'V'" */
	const char *bad; /* the whole error instead: a format with one %s (V) */
	int (*hook)(struct ct_opts *o, const char *a, char *err, size_t errlen);
	int ret; /* OK_EXIT */
};

/* Reads a (NULL for OK_FLAG) into o as d says: 0, or -1 with one line in
 * err naming the option and the value. */
int optdef_parse(const struct ct_optdef *d, struct ct_opts *o, const char *a, char *err,
		 size_t errlen);
/* The name of value v among choices c ("?": none). */
const char *opt_choice_name(const struct ct_choice *c, int v);

/* Digits with an optional K/M/G suffix (x 2^10/20/30); nothing else, and
 * nothing past 64 bits. 0, or -1. */
int opt_u64(const char *s, unsigned long long *out);
/* A whole string that strtod reads. 0, or -1. */
int opt_double(const char *s, double *out);
/* [ADDR:]PORT (need_port) or ADDR[:PORT], ADDR an IPv4 address, a name, or
 * an IPv6 address (in brackets when a port follows). Fills addr (empty when
 * none is given) and *port (untouched when none is given). 0, or -1 with
 * one line in err naming what. */
int opts_hostport(const char *what, const char *a, int need_port, char *addr, size_t addrlen,
		  uint16_t *port, char *err, size_t errlen);

#endif
