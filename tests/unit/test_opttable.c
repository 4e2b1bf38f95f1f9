// SPDX-License-Identifier: GPL-2.0-only
/* The option table, the parser and --help agree: each binary's --help
 * lists exactly the options its parser takes, every entry's typed parser
 * refuses bad values in one line, and what --help says of an option's
 * choices and defaults is what the parser does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/opts.h"
#include "common/opttable.h"

#define NROLES 4
static const char *const role_names[NROLES] = { "server", "client", "ctrun", "trace_run" };
static struct ct_opts o;
static char err[512];

static int parse(enum ct_role role, const char *a, const char *b)
{
	char *av[] = { "prog", (char *)a, (char *)b, NULL };
	int ac = b ? 3 : a ? 2 : 1;
	return opts_parse(&o, role, ac, av, err, sizeof(err));
}

static char *help_of(enum ct_role role)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	opts_usage(f, role, "prog");
	fclose(f);
	return buf;
}

/* "  --name" opening a line of help (not a mention in the prose) */
static int help_lists(const char *help, const char *name)
{
	char key[64];
	snprintf(key, sizeof(key), "\n  --%s", name);
	for (const char *p = strstr(help, key); p; p = strstr(p + 1, key)) {
		char c = p[strlen(key)];
		if (c == ' ' || c == '\n')
			return 1;
	}
	return 0;
}

static unsigned long long field(const struct ct_optdef *d)
{
	const char *p = (const char *)&o + d->off;
	uint8_t b;
	uint16_t h;
	uint32_t w;
	uint64_t q;
	switch (d->size) {
	case 1:
		memcpy(&b, p, 1);
		return b;
	case 2:
		memcpy(&h, p, 2);
		return h;
	case 4:
		memcpy(&w, p, 4);
		return w;
	default:
		memcpy(&q, p, 8);
		return q;
	}
}

/* some entry of that name is this role's */
static int name_in_role(const char *name, int r)
{
	for (size_t i = 0; i < opt_table_len; i++)
		if (opt_table[i].name && !strcmp(opt_table[i].name, name) &&
		    (opt_table[i].roles & (1u << r)))
			return 1;
	return 0;
}

static enum ct_role first_role(const struct ct_optdef *d)
{
	for (int r = 0; r < NROLES; r++)
		if (d->roles & (1u << r))
			return (enum ct_role)r;
	fail_msg("--%s: no role", d->name);
	return ROLE_SERVER;
}

/* Every entry is whole, and its field has room for what it stores. */
static void entries_well_formed(void **st)
{
	(void)st;
	assert_true(opt_table_len > 40);
	for (size_t i = 0; i < opt_table_len; i++) {
		const struct ct_optdef *d = &opt_table[i];
		const char *n = d->name ? d->name : d->arg ? d->arg : "(note)";
		if (!d->help || !d->roles || (d->roles & ~R_ALL))
			fail_msg("%s: no help or bad roles", n);
		if (!d->name != (d->kind == OK_NOTE))
			fail_msg("%s: only a note has no name", n);
		if ((d->kind == OK_FLAG || d->kind == OK_EXIT) != (d->name && !d->arg))
			fail_msg("%s: a flag or exit takes no value, the others one", n);
		if (d->kind == OK_HOOK && !d->hook)
			fail_msg("%s: no hook", n);
		if ((d->kind == OK_CHOICE || d->kind == OK_WORD) &&
		    (!d->choices || !d->choices[1].name))
			fail_msg("%s: fewer than two choices", n);
		size_t want = d->kind == OK_FLAG		     ? sizeof(bool)
			: d->kind == OK_DOUBLE			     ? sizeof(double)
			: d->kind == OK_STRING || d->kind == OK_WORD ? sizeof(char *)
								     : 0;
		if (want && d->size != want)
			fail_msg("--%s: field of %zu bytes for its kind", d->name, d->size);
		if (d->kind == OK_U64 || d->kind == OK_CHOICE) {
			unsigned long long max = d->max;
			for (const struct ct_choice *c = d->choices; c && c->name; c++)
				max = (unsigned long long)c->value > max
					? (unsigned long long)c->value
					: max;
			if (d->size != 1 && d->size != 2 && d->size != 4 && d->size != 8)
				fail_msg("--%s: field of %zu bytes", d->name, d->size);
			if (d->size < 8 &&
			    max > (d->size == 4 ? 0x7fffffffull : (1ull << (8 * d->size)) - 1))
				fail_msg("--%s: %llu does not fit its field", d->name, max);
		}
		if (d->kind == OK_U64 && d->min > d->max)
			fail_msg("--%s: min > max", d->name);
		/* entries of one name: other binaries, the same way of taking a value */
		for (size_t j = i + 1; d->name && j < opt_table_len; j++) {
			const struct ct_optdef *e = &opt_table[j];
			if (e->name && !strcmp(e->name, d->name) &&
			    ((e->roles & d->roles) || !e->arg != !d->arg ||
			     e->short_name != d->short_name))
				fail_msg("--%s: two entries overlap or differ in taking a value",
					 d->name);
		}
	}
}

/* Each binary's --help lists an entry exactly when the entry is that
 * binary's, and in the table's order, its value's name after it. */
static void help_lists_each_entry_for_its_roles(void **st)
{
	(void)st;
	for (int r = 0; r < NROLES; r++) {
		char *help = help_of((enum ct_role)r);
		const char *at = help;
		for (size_t i = 0; i < opt_table_len; i++) {
			const struct ct_optdef *d = &opt_table[i];
			int mine = !!(d->roles & (1u << r));
			if (!d->name) { /* a note: its first line, only in its roles' help */
				char first[80];
				const char *h = d->help[0] == '\n' ? d->help + 1 : d->help;
				snprintf(first, sizeof(first), "%.*s", (int)strcspn(h, "\n"), h);
				if (!!strstr(help, first) != mine)
					fail_msg("%s --help: note '%s' %s", role_names[r], first,
						 mine ? "missing" : "shown");
				continue;
			}
			if (help_lists(help, d->name) != name_in_role(d->name, r))
				fail_msg("%s --help: --%s %s", role_names[r], d->name,
					 mine ? "missing" : "listed");
			if (!mine)
				continue;
			char line[96];
			snprintf(line, sizeof(line), "\n  --%s%s%s", d->name, d->arg ? " " : "",
				 d->arg ? d->arg : "");
			const char *p = strstr(at, line);
			if (!p)
				fail_msg("%s --help: '%s' missing or out of the table's order",
					 role_names[r], line + 1);
			at = p + 1;
		}
		free(help);
	}
}

/* The other way round, without the table: every option a binary's --help
 * lists its parser takes, and every option another binary's --help lists
 * (and no made-up one) its parser refuses, naming it in one line. */
static void parser_takes_exactly_what_help_lists(void **st)
{
	(void)st;
	char *help[NROLES];
	for (int r = 0; r < NROLES; r++)
		help[r] = help_of((enum ct_role)r);
	int checked = 0;
	for (int src = 0; src < NROLES; src++) {
		for (const char *p = strstr(help[src], "\n  --"); p; p = strstr(p + 1, "\n  --")) {
			char name[48], want[96];
			size_t n = strspn(p + 5, "abcdefghijklmnopqrstuvwxyz-");
			if (!n || n >= sizeof(name))
				continue;
			snprintf(name, sizeof(name), "%.*s", (int)n, p + 5);
			char opt[52];
			snprintf(opt, sizeof(opt), "--%s", name);
			snprintf(want, sizeof(want), "option '--%s' is not valid here (see --help)",
				 name);
			for (int r = 0; r < NROLES; r++) {
				int rc = parse((enum ct_role)r, opt, "@@");
				int refused = rc == -1 && !strcmp(err, want);
				if (refused == help_lists(help[r], name))
					fail_msg("%s: %s %s by the parser, %s its --help",
						 role_names[r], opt, refused ? "refused" : "taken",
						 refused ? "listed in" : "not in");
				if (rc == -1)
					assert_null(strchr(err, '\n'));
				checked++;
			}
		}
	}
	assert_true(checked > 4 * 40);
	for (int r = 0; r < NROLES; r++) {
		assert_int_equal(parse((enum ct_role)r, "--no-such-option", NULL), -1);
		assert_string_equal(err, "unknown option '--no-such-option' (see --help)");
		free(help[r]);
	}
}

static void refused(const struct ct_optdef *d, const char *v)
{
	enum ct_role r = first_role(d);
	char opt[52];
	snprintf(opt, sizeof(opt), "--%s", d->name);
	int rc = parse(r, opt, v);
	if (rc != -1)
		fail_msg("--%s '%s' taken", d->name, v);
	if (strchr(err, '\n'))
		fail_msg("--%s '%s': error of more than one line", d->name, v);
	if (d->kind != OK_BUF && !strstr(err, opt))
		fail_msg("--%s '%s': '%s' does not name the option", d->name, v, err);
	char quoted[80];
	snprintf(quoted, sizeof(quoted), "'%.40s", v);
	if (d->kind != OK_HOOK && d->kind != OK_BUF && *v && !strstr(err, quoted))
		fail_msg("--%s '%s': '%s' does not name the value", d->name, v, err);
}

/* taken: whatever else the run may say, not a refusal of this value */
static void taken(const struct ct_optdef *d, const char *v)
{
	char opt[52], quoted[80];
	snprintf(opt, sizeof(opt), "--%s", d->name);
	snprintf(quoted, sizeof(quoted), "'%s'", v);
	if (parse(first_role(d), opt, v) && strstr(err, quoted))
		fail_msg("--%s '%s' refused: %s", d->name, v, err);
}

/* Every typed parser refuses what is not its kind or out of its range, in
 * one line naming the option and the value, and takes its bounds. */
static void typed_parsers_refuse_in_one_line(void **st)
{
	(void)st;
	char v[600];
	for (size_t i = 0; i < opt_table_len; i++) {
		const struct ct_optdef *d = &opt_table[i];
		switch (d->kind) {
		case OK_U64: {
			const char *bad[] = { "",   "x",  "-1",	 " 1",
					      "+1", "1x", "1.5", "99999999999999999999" };
			for (size_t k = 0; k < sizeof(bad) / sizeof(*bad); k++)
				refused(d, bad[k]);
			snprintf(v, sizeof(v), "%llu", d->max + 1);
			refused(d, v);
			if (d->min) {
				snprintf(v, sizeof(v), "%llu", d->min - 1);
				refused(d, v);
			}
			snprintf(v, sizeof(v), "%llu", d->min);
			taken(d, v);
			snprintf(v, sizeof(v), "%llu", d->max);
			taken(d, v);
			break;
		}
		case OK_DOUBLE: {
			const char *bad[] = { "", "x", "nan", "1e999", "1s" };
			for (size_t k = 0; k < sizeof(bad) / sizeof(*bad); k++)
				refused(d, bad[k]);
			snprintf(v, sizeof(v), "%g", d->dmax * 2);
			refused(d, v);
			snprintf(v, sizeof(v), "%g", d->open_min ? d->dmin : d->dmin / 2);
			refused(d, v);
			snprintf(v, sizeof(v), "%g", d->dmax);
			taken(d, v);
			snprintf(v, sizeof(v), "%g", d->open_min ? d->dmin + 0.001 : d->dmin);
			taken(d, v);
			break;
		}
		case OK_CHOICE:
		case OK_WORD: {
			refused(d, "");
			refused(d, "X");
			snprintf(v, sizeof(v), "%sx", d->choices[0].name);
			refused(d, v);
			for (const struct ct_choice *c = d->choices; c->name; c++) {
				char opt[52];
				snprintf(opt, sizeof(opt), "--%s", d->name);
				taken(d,
				      c->name); /* and stored (the checks across options come after) */
				if (d->kind == OK_WORD) {
					const char *got;
					memcpy(&got, (const char *)&o + d->off, sizeof(got));
					assert_string_equal(got, c->name);
				} else if (field(d) != (unsigned long long)c->value) {
					fail_msg("%s %s stored %llu", opt, c->name, field(d));
				}
			}
			break;
		}
		case OK_BUF:
			memset(v, 'h', d->size);
			v[d->size] = 0;
			refused(d, v);
			v[d->size - 1] = 0;
			taken(d, v);
			break;
		case OK_HOOK:
			refused(d, "");
			break;
		default:
			break;
		}
	}
}

/* What the completion reads from --help is each option's choices: the
 * value's name "a|b|c" or "a1..a5", or "B  a|b|c ..." opening the text. */
static void choices_shown_as_completion_reads_them(void **st)
{
	(void)st;
	for (size_t i = 0; i < opt_table_len; i++) {
		const struct ct_optdef *d = &opt_table[i];
		if (d->kind != OK_CHOICE && d->kind != OK_WORD)
			continue;
		char joined[256] = "", range[256] = "";
		size_t n = 0, k = 0;
		for (const struct ct_choice *c = d->choices; c->name; c++, k++)
			n += (size_t)snprintf(joined + n, sizeof(joined) - n, "%s%s", k ? "|" : "",
					      c->name);
		/* "a1..a5": a1 a2 ... a5, one prefix, numbers one apart */
		size_t pre = strcspn(d->choices[0].name, "0123456789");
		int first = atoi(d->choices[0].name + pre), ok = pre > 0;
		for (size_t j = 0; j < k; j++) {
			char want[32];
			snprintf(want, sizeof(want), "%.*s%d", (int)pre, d->choices[0].name,
				 first + (int)j);
			ok = ok && !strcmp(want, d->choices[j].name);
		}
		if (ok)
			snprintf(range, sizeof(range), "%s..%s", d->choices[0].name,
				 d->choices[k - 1].name);
		size_t jl = strlen(joined);
		int in_text = d->arg[strspn(d->arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")] == 0 &&
			!strncmp(d->help, joined, jl) && (d->help[jl] == ' ' || !d->help[jl]);
		if (strcmp(d->arg, joined) && (!ok || strcmp(d->arg, range)) && !in_text)
			fail_msg("--%s: --help shows '%s', not its choices %s", d->name, d->arg,
				 joined);
	}
}

/* A "(default X" that --help gives a number or a choice is what the
 * parser leaves when the option is not given. */
static void help_defaults_are_the_parsers(void **st)
{
	(void)st;
	int checked = 0;
	for (size_t i = 0; i < opt_table_len; i++) {
		const struct ct_optdef *d = &opt_table[i];
		const char *p = strstr(d->help, "(default ");
		if (!p || (d->kind != OK_U64 && d->kind != OK_CHOICE && d->kind != OK_WORD))
			continue;
		p += strlen("(default ");
		char word[32];
		snprintf(word, sizeof(word), "%.*s", (int)strcspn(p, ");, "), p);
		if (d->kind == OK_U64 && strspn(word, "0123456789") != strlen(word))
			continue; /* "(default auto)": chosen at run time */
		for (int r = 0; r < NROLES; r++) {
			if (!(d->roles & (1u << r)))
				continue;
			assert_int_equal(parse((enum ct_role)r, NULL, NULL), 0);
			char got[32];
			if (d->kind == OK_WORD) {
				const char *s;
				memcpy(&s, (const char *)&o + d->off, sizeof(s));
				snprintf(got, sizeof(got), "%s", s);
			} else if (d->kind == OK_CHOICE) {
				snprintf(got, sizeof(got), "%s",
					 opt_choice_name(d->choices, (int)field(d)));
			} else {
				snprintf(got, sizeof(got), "%llu", field(d));
			}
			if (strcmp(got, word))
				fail_msg("%s --%s: --help says default %s, the parser leaves %s",
					 role_names[r], d->name, word, got);
			checked++;
		}
	}
	assert_true(checked >= 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(entries_well_formed),
		cmocka_unit_test(help_lists_each_entry_for_its_roles),
		cmocka_unit_test(parser_takes_exactly_what_help_lists),
		cmocka_unit_test(typed_parsers_refuse_in_one_line),
		cmocka_unit_test(choices_shown_as_completion_reads_them),
		cmocka_unit_test(help_defaults_are_the_parsers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
