// SPDX-License-Identifier: GPL-2.0-only
/* The typed parsers behind the option table: a value read, checked and
 * stored as its entry says; a bad one named in one line. */
#include "optdef.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errf.h"

/* strtoull with full-string and range checks; accepts K/M/G suffixes.
 * Digits only (strtoull would take " -5" as a huge number), and a value
 * the suffix would push past 64 bits is refused, not wrapped. */
int opt_u64(const char *s, unsigned long long *out)
{
	char *end;
	errno = 0;
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	static const char suf[] = "kmg";
	const char *k = *end ? strchr(suf, tolower((unsigned char)*end)) : NULL;
	if (k) {
		unsigned shift = 10u * (unsigned)(k - suf + 1);
		if (v > ULLONG_MAX >> shift)
			return -1;
		v <<= shift;
		end++;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

int opt_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

/* The field's own width: the table gives each entry its field's size. */
static void put_uint(struct ct_opts *o, const struct ct_optdef *d, unsigned long long v)
{
	char *p = (char *)o + d->off;
	uint8_t b = (uint8_t)v;
	uint16_t h = (uint16_t)v;
	uint32_t w = (uint32_t)v;
	uint64_t q = v;
	switch (d->size) {
	case 1:
		memcpy(p, &b, 1);
		break;
	case 2:
		memcpy(p, &h, 2);
		break;
	case 4:
		memcpy(p, &w, 4);
		break;
	default:
		memcpy(p, &q, 8);
		break;
	}
}

static void put_text(struct ct_opts *o, const struct ct_optdef *d, const char *a)
{
	memcpy((char *)o + d->off, &a, sizeof(a));
}

/* "--X must be RANGE, not 'V'", or the entry's own words for it. */
static int refuse(const struct ct_optdef *d, const char *range, const char *a, char *err,
		  size_t errlen)
{
	if (d->bad)
		return errf(err, errlen, d->bad, a);
	return errf(err, errlen, "--%s must be %s, not '%s'", d->name, d->must ? d->must : range,
		    a);
}

/* "a, b or c" */
static void choice_list(const struct ct_choice *c, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (int i = 0; c[i].name && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s",
				      i == 0		      ? ""
					      : c[i + 1].name ? ", "
							      : " or ",
				      c[i].name);
}

const char *opt_choice_name(const struct ct_choice *c, int v)
{
	for (; c->name; c++)
		if (c->value == v)
			return c->name;
	return "?";
}

int optdef_parse(const struct ct_optdef *d, struct ct_opts *o, const char *a, char *err,
		 size_t errlen)
{
	char range[256];
	unsigned long long u;
	double v;
	switch (d->kind) {
	case OK_NOTE:
	case OK_EXIT:
		return 0;
	case OK_FLAG:
		put_uint(o, d, 1);
		break;
	case OK_U64:
		if (opt_u64(a, &u) || u < d->min || u > d->max) {
			snprintf(range, sizeof(range), "%llu..%llu%s", d->min, d->max,
				 d->unit ? d->unit : "");
			return refuse(d, range, a, err, errlen);
		}
		put_uint(o, d, u);
		break;
	case OK_DOUBLE: /* written so that NaN fails both bounds */
		if (opt_double(a, &v) || !(d->open_min ? v > d->dmin : v >= d->dmin) ||
		    !(v <= d->dmax)) {
			snprintf(range, sizeof(range), "%g..%g%s", d->dmin, d->dmax,
				 d->unit ? d->unit : "");
			return refuse(d, range, a, err, errlen);
		}
		memcpy((char *)o + d->off, &v, sizeof(v));
		break;
	case OK_CHOICE:
	case OK_WORD: {
		const struct ct_choice *c = d->choices;
		while (c->name && strcmp(c->name, a))
			c++;
		if (!c->name) {
			choice_list(d->choices, range, sizeof(range));
			return refuse(d, range, a, err, errlen);
		}
		if (d->kind == OK_WORD)
			put_text(o, d, c->name);
		else
			put_uint(o, d, (unsigned long long)c->value);
		break;
	}
	case OK_STRING:
		put_text(o, d, a);
		break;
	case OK_BUF:
		if (strlen(a) >= d->size)
			return d->bad
				? errf(err, errlen, d->bad, a)
				: errf(err, errlen, "--%s '%.40s...' is too long", d->name, a);
		snprintf((char *)o + d->off, d->size, "%s", a);
		break;
	case OK_HOOK:
		if (d->hook(o, a, err, errlen))
			return -1;
		break;
	}
	if (d->seen) {
		bool t = true;
		memcpy((char *)o + d->seen - 1, &t, sizeof(t));
	}
	return 0;
}

/* What an address may hold: a name, IPv4, IPv6 (with a %scope). */
static int addr_chars(const char *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)a[i]) && !strchr(".-:%_", a[i]))
			return 0;
	return 1;
}

int opts_hostport(const char *what, const char *a, int need_port, char *addr, size_t addrlen,
		  uint16_t *port, char *err, size_t errlen)
{
	const char *host = a, *ps = NULL, *colon = strchr(a, ':');
	size_t n;
	unsigned long long u;
	if (a[0] == '[') { /* [IPv6] or [IPv6]:PORT */
		const char *end = strchr(a, ']');
		if (!end || end == a + 1 || (end[1] && (end[1] != ':' || !end[2])))
			return errf(err, errlen, "%s '%.80s' is not %s", what, a,
				    need_port ? "[ADDR:]PORT ([IPv6]:PORT)"
					      : "ADDR[:PORT] ([IPv6]:PORT)");
		host = a + 1;
		n = (size_t)(end - host);
		ps = end[1] ? end + 2 : NULL;
	} else if (colon && strchr(colon + 1, ':')) { /* a bare IPv6 address: no port */
		if (need_port)
			return errf(err, errlen,
				    "%s '%.80s': an IPv6 address goes in brackets, "
				    "[ADDR]:PORT",
				    what, a);
		n = strlen(a);
	} else if (colon) {
		n = (size_t)(colon - a);
		ps = colon + 1;
	} else if (need_port) { /* PORT alone */
		n = 0;
		ps = a;
	} else {
		n = strlen(a);
	}
	if ((!need_port && !n) || !addr_chars(host, n))
		return errf(err, errlen, "%s '%.80s': '%.*s' is not a host name or address", what,
			    a, (int)(n > 80 ? 80 : n), host);
	if (n >= addrlen)
		return errf(err, errlen, "%s: address '%.40s...' is too long", what, host);
	if (ps && (opt_u64(ps, &u) || u < 1 || u > 65535))
		return errf(err, errlen, "%s '%.80s': port must be 1..65535, not '%.20s'", what, a,
			    ps);
	if (need_port && !ps)
		return errf(err, errlen, "%s '%.80s' has no port: [ADDR:]PORT", what, a);
	snprintf(addr, addrlen, "%.*s", (int)n, host);
	if (ps)
		*port = (uint16_t)u;
	return 0;
}
