/* Symbolization (see symbolize.h). The kernel table is read once, sorted,
 * and searched; user space uses one libdwfl session per process, reported
 * from its /proc/PID/maps while it is alive. */
#include "symbolize.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <elfutils/libdwfl.h>

#define SYM_MAX_PIDS 8

struct ksym {
	uint64_t addr;
	char *name;
};

struct symbolizer {
	struct ksym *k;
	size_t nk;
	int k_loaded;
	struct {
		pid_t pid;
		Dwfl *dwfl;
	} p[SYM_MAX_PIDS];
	int np;
	char **pool; /* names made here ("[module+0x..]") */
	size_t npool, cap;
};

static const Dwfl_Callbacks proc_cb = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo, /* e.g. libc6-dbg's symbols */
};

struct symbolizer *sym_new(void)
{
	return calloc(1, sizeof(struct symbolizer));
}

static const char *intern(struct symbolizer *s, const char *str)
{
	if (s->npool == s->cap) {
		size_t c = s->cap ? s->cap * 2 : 64;
		char **p = realloc(s->pool, c * sizeof(*p));
		if (!p)
			return "[unknown]";
		s->pool = p;
		s->cap = c;
	}
	char *d = strdup(str);
	if (!d)
		return "[unknown]";
	s->pool[s->npool++] = d;
	return d;
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void load_kallsyms(struct symbolizer *s)
{
	s->k_loaded = 1;
	FILE *f = fopen("/proc/kallsyms", "r");
	if (!f)
		return;
	char line[512], name[256], type;
	unsigned long long a;
	size_t cap = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &a, &type, name) != 3 || !a)
			continue; /* zero addresses: kptr_restrict hides them */
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (s->nk == cap) {
			cap = cap ? cap * 2 : 65536;
			struct ksym *k = realloc(s->k, cap * sizeof(*k));
			if (!k)
				break;
			s->k = k;
		}
		s->k[s->nk].addr = a;
		s->k[s->nk].name = strdup(name);
		if (s->k[s->nk].name)
			s->nk++;
	}
	fclose(f);
	qsort(s->k, s->nk, sizeof(*s->k), ksym_cmp);
}

const char *sym_kernel(struct symbolizer *s, uint64_t addr)
{
	if (!s->k_loaded)
		load_kallsyms(s);
	size_t lo = 0, hi = s->nk;
	while (lo < hi) { /* the first symbol above addr */
		size_t mid = (lo + hi) / 2;
		if (s->k[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? s->k[lo - 1].name : "[unknown]";
}

static int load_module(Dwfl_Module *m, void **u, const char *n, Dwarf_Addr a, void *arg)
{
	(void)u, (void)n, (void)a, (void)arg;
	Dwarf_Addr bias;
	dwfl_module_getelf(m, &bias); /* opens the file (and its symbols) now */
	dwfl_module_getsymtab(m);
	return DWARF_CB_OK;
}

int sym_add_pid(struct symbolizer *s, pid_t pid, char *err, size_t errlen)
{
	if (s->np >= SYM_MAX_PIDS) {
		snprintf(err, errlen, "too many processes to symbolize");
		return -1;
	}
	Dwfl *d = dwfl_begin(&proc_cb);
	if (!d) {
		snprintf(err, errlen, "libdwfl: %s", dwfl_errmsg(-1));
		return -1;
	}
	dwfl_report_begin(d);
	int r = dwfl_linux_proc_report(d, pid);
	dwfl_report_end(d, NULL, NULL);
	if (r) {
		snprintf(err, errlen, "reading /proc/%d/maps: %s", (int)pid,
			 r > 0 ? strerror(r) : dwfl_errmsg(-1));
		dwfl_end(d);
		return -1;
	}
	dwfl_getmodules(d, load_module, NULL, 0);
	s->p[s->np].pid = pid;
	s->p[s->np++].dwfl = d;
	return 0;
}

const char *sym_user(struct symbolizer *s, pid_t pid, uint64_t addr)
{
	Dwfl *d = NULL;
	for (int i = 0; i < s->np; i++)
		if (s->p[i].pid == pid)
			d = s->p[i].dwfl;
	Dwfl_Module *m = d ? dwfl_addrmodule(d, addr) : NULL;
	if (!m)
		return "[unknown]";
	GElf_Sym sym;
	GElf_Off off = 0;
	const char *name = dwfl_module_addrinfo(m, addr, &off, &sym, NULL, NULL, NULL);
	/* a symbol that does not cover addr (a stripped library's nearest
	 * export) would name the wrong function: name the module instead */
	if (name && (sym.st_size == 0 || off < sym.st_size))
		return name;
	Dwarf_Addr start;
	const char *mod = dwfl_module_info(m, NULL, &start, NULL, NULL, NULL, NULL, NULL);
	const char *base = mod ? strrchr(mod, '/') : NULL;
	char buf[300];
	snprintf(buf, sizeof(buf), "[%s+0x%llx]", base ? base + 1 : mod ? mod : "?",
		 (unsigned long long)(addr - start));
	return intern(s, buf);
}

void sym_free(struct symbolizer *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nk; i++)
		free(s->k[i].name);
	free(s->k);
	for (int i = 0; i < s->np; i++)
		dwfl_end(s->p[i].dwfl);
	for (size_t i = 0; i < s->npool; i++)
		free(s->pool[i]);
	free(s->pool);
	free(s);
}
