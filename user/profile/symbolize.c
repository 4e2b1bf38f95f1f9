// SPDX-License-Identifier: GPL-2.0-only
/* Symbolization (see symbolize.h). The kernel table is read once, sorted,
 * and searched. A user address is first placed in a mapped file (the
 * process's mappings as they were: procmaps.c), as a file offset; the
 * file's program headers turn that into its own virtual address, looked
 * up in one libdwfl session per file, opened once and shared by every
 * process that mapped it. A file is only used when it is still the one
 * that was mapped (same build id, or inode when the kernel gave no id). */
#include "symbolize.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <elfutils/libdwfl.h>
#include <gelf.h>

#include "common/text.h"
#include "procmaps.h"

struct ksym {
	uint64_t addr;
	char *name;
};

/* One mapped file's libdwfl session: state 0 not opened yet, 1 usable,
 * -1 not (gone, replaced, not ELF). */
struct symfile {
	int state;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Elf *elf;
	GElf_Addr bias;
};

struct symbolizer {
	struct ksym *k;
	size_t nk;
	int k_loaded;
	const struct procmaps *pm;
	struct symfile *f; /* per procmaps file index */
	size_t nf;
	char **pool; /* names made here ("[module+0x..]") */
	uint64_t refused; /* files not opened: not regular, or not the one mapped */
	size_t npool, cap;
};

static const Dwfl_Callbacks file_cb = {
	.find_elf = dwfl_build_id_find_elf, /* unused: files are reported with dwfl_report_elf */
	.find_debuginfo = dwfl_standard_find_debuginfo, /* e.g. libc6-dbg's symbols */
};

struct symbolizer *sym_new(const struct procmaps *pm)
{
	struct symbolizer *s = calloc(1, sizeof(struct symbolizer));
	if (s)
		s->pm = pm;
	return s;
}

const char *sym_intern(struct symbolizer *s, const char *str)
{
	if (s->npool == s->cap) {
		size_t c = s->cap ? s->cap * 2 : 64;
		char **p = realloc(s->pool, c * sizeof(*p));
		if (!p)
			return "[unknown]";
		s->pool = p;
		s->cap = c;
	}
	/* names and paths come from the traced program: cleaned (text.h) */
	size_t n = text_clean_size(str);
	char *d = malloc(n);
	if (!d)
		return "[unknown]";
	s->pool[s->npool++] = text_clean(d, n, str);
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

/* Opens file id's ELF, if it is still the file that was mapped: a
 * regular file (never a FIFO or a device a traced process names), the
 * same inode (or, checked later, the same build id). */
static void open_file(struct symbolizer *s, struct symfile *sf, const struct pm_file *pf)
{
	sf->state = -1;
	if (pf->path[0] != '/')
		return; /* [vdso] and the like: no file */
	int pfd = pm_file_open(pf);
	if (pfd < 0)
		return; /* deleted (or "... (deleted)" already at mmap time) */
	struct stat st;
	if (fstat(pfd, &st) || !S_ISREG(st.st_mode) ||
	    (!pf->bid_len && pf->ino && (uint64_t)st.st_ino != pf->ino)) {
		close(pfd); /* not a file, or replaced since it was mapped */
		s->refused++;
		return;
	}
	char self[48];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	int fd = open(self, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	close(pfd);
	if (fd < 0)
		return;
	Dwfl *d = dwfl_begin(&file_cb);
	if (!d) {
		close(fd);
		return;
	}
	const char *base = strrchr(pf->path, '/') + 1;
	dwfl_report_begin(d);
	/* at its own addresses (bias 0 for a shared object): the caller
	 * turns a file offset into one of them */
	Dwfl_Module *m = dwfl_report_elf(d, base, pf->path, fd, 0, true);
	dwfl_report_end(d, NULL, NULL);
	if (!m) {
		close(fd); /* not consumed on failure */
		dwfl_end(d);
		return;
	}
	GElf_Addr bias = 0;
	Elf *e = dwfl_module_getelf(m, &bias);
	const unsigned char *bits;
	GElf_Addr va;
	int n = pf->bid_len ? dwfl_module_build_id(m, &bits, &va) : 0;
	if (!e || (pf->bid_len && (n != pf->bid_len || memcmp(bits, pf->bid, (size_t)n)))) {
		dwfl_end(d); /* a different build: its symbols would lie */
		s->refused += e != NULL;
		return;
	}
	dwfl_module_getsymtab(m); /* load the symbols now */
	*sf = (struct symfile){ 1, d, m, e, bias };
}

static struct symfile *symfile(struct symbolizer *s, uint32_t id)
{
	if (id >= s->nf) {
		size_t n = pm_nfiles(s->pm);
		struct symfile *f = realloc(s->f, n * sizeof(*f));
		if (!f || id >= n)
			return NULL;
		memset(f + s->nf, 0, (n - s->nf) * sizeof(*f));
		s->f = f;
		s->nf = n;
	}
	if (!s->f[id].state)
		open_file(s, &s->f[id], pm_file_at(s->pm, id));
	return &s->f[id];
}

/* The file's virtual address of file offset off: the PT_LOAD holding it. */
static int off_to_vaddr(Elf *e, uint64_t off, GElf_Addr *va)
{
	size_t n;
	if (elf_getphdrnum(e, &n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD && off >= ph.p_offset &&
		    off < ph.p_offset + ph.p_filesz) {
			*va = ph.p_vaddr + (off - ph.p_offset);
			return 0;
		}
	}
	return -1;
}

const char *sym_user(struct symbolizer *s, pid_t pid, uint64_t addr)
{
	struct pm_hit h;
	if (!s->pm || pm_find(s->pm, pid, addr, &h))
		return "[unknown]";
	const struct pm_file *pf = pm_file_at(s->pm, h.file);
	struct symfile *sf = symfile(s, h.file);
	GElf_Addr va;
	if (sf && sf->state > 0 && !off_to_vaddr(sf->elf, h.off, &va)) {
		GElf_Sym sym;
		GElf_Off o = 0;
		const char *name =
			dwfl_module_addrinfo(sf->mod, va + sf->bias, &o, &sym, NULL, NULL, NULL);
		/* a symbol that does not cover addr (a stripped library's
		 * nearest export) would name the wrong function: name the
		 * file instead */
		if (name && (sym.st_size == 0 || o < sym.st_size))
			return text_is_clean(name) ? name : sym_intern(s, name);
	}
	const char *base = strrchr(pf->path, '/');
	char buf[300];
	if (pf->path[0] == '[') /* "[vdso]": "[vdso+0x..]" */
		snprintf(buf, sizeof(buf), "%.*s+0x%llx]", (int)strcspn(pf->path, "]"), pf->path,
			 (unsigned long long)h.off);
	else
		snprintf(buf, sizeof(buf), "[%s+0x%llx]", base ? base + 1 : pf->path,
			 (unsigned long long)h.off);
	return sym_intern(s, buf);
}

void sym_free(struct symbolizer *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nk; i++)
		free(s->k[i].name);
	free(s->k);
	for (size_t i = 0; i < s->nf; i++)
		if (s->f[i].dwfl)
			dwfl_end(s->f[i].dwfl);
	free(s->f);
	for (size_t i = 0; i < s->npool; i++)
		free(s->pool[i]);
	free(s->pool);
	free(s);
}

uint64_t sym_files_refused(const struct symbolizer *s)
{
	return s ? s->refused : 0;
}
