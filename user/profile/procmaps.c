// SPDX-License-Identifier: GPL-2.0-only
/* Per-process executable mappings over a trace (procmaps.h). Processes and
 * files are found through fixed open-addressing hashes sized for the caps,
 * so memory stays bounded whatever the traced programs do. */
#include "procmaps.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct pm_map {
	uint64_t start, end, pgoff;
	uint32_t file;
};

struct pm_image {
	struct pm_map *m;
	uint32_t n, cap;
};

struct pm_proc {
	pid_t pid;
	char comm[16];
	int nimg;
	struct pm_image img[PM_MAX_IMAGES];
};

#define PHASH (2 * PM_MAX_PROCS)
#define FHASH (2 * PM_MAX_FILES)

struct procmaps {
	struct pm_proc *procs;
	size_t nprocs, pcap;
	uint32_t *phash; /* index + 1, 0: empty */
	struct pm_file *files;
	size_t nfiles, fcap;
	uint32_t *fhash;
	struct pm_stats st; /* the *_dropped counters */
	size_t npinned; /* files[].fd held */
};

struct procmaps *pm_new(void)
{
	struct procmaps *pm = calloc(1, sizeof(*pm));
	if (!pm)
		return NULL;
	pm->phash = calloc(PHASH, sizeof(*pm->phash));
	pm->fhash = calloc(FHASH, sizeof(*pm->fhash));
	if (!pm->phash || !pm->fhash) {
		pm_free(pm);
		return NULL;
	}
	return pm;
}

void pm_free(struct procmaps *pm)
{
	if (!pm)
		return;
	for (size_t i = 0; i < pm->nprocs; i++)
		for (int k = 0; k < pm->procs[i].nimg; k++)
			free(pm->procs[i].img[k].m);
	for (size_t i = 0; i < pm->nfiles; i++) {
		free(pm->files[i].path);
		if (pm->files[i].fd >= 0)
			close(pm->files[i].fd);
	}
	free(pm->procs);
	free(pm->files);
	free(pm->phash);
	free(pm->fhash);
	free(pm);
}

/* The hash slot of pid: its own, or the empty one where it would go. */
static uint32_t *pslot(const struct procmaps *pm, pid_t pid)
{
	uint32_t h = ((uint32_t)pid * 2654435761u) % PHASH;
	while (pm->phash[h] && pm->procs[pm->phash[h] - 1].pid != pid)
		h = (h + 1) % PHASH;
	return &pm->phash[h];
}

static struct pm_proc *proc(const struct procmaps *pm, pid_t pid)
{
	uint32_t i = *pslot(pm, pid);
	return i ? &pm->procs[i - 1] : NULL;
}

int pm_has(const struct procmaps *pm, pid_t pid)
{
	return proc(pm, pid) != NULL;
}

static struct pm_proc *track(struct procmaps *pm, pid_t pid)
{
	uint32_t *s = pslot(pm, pid);
	if (*s)
		return &pm->procs[*s - 1];
	if (pm->nprocs >= PM_MAX_PROCS) {
		pm->st.procs_dropped++;
		return NULL;
	}
	if (pm->nprocs == pm->pcap) {
		size_t c = pm->pcap ? pm->pcap * 2 : 64;
		struct pm_proc *p = realloc(pm->procs, c * sizeof(*p));
		if (!p) {
			pm->st.procs_dropped++;
			return NULL;
		}
		pm->procs = p;
		pm->pcap = c;
	}
	struct pm_proc *p = &pm->procs[pm->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	*s = (uint32_t)pm->nprocs;
	return p;
}

int pm_track(struct procmaps *pm, pid_t pid)
{
	return track(pm, pid) ? 0 : -1;
}

/* A new image for p (the oldest goes past PM_MAX_IMAGES). */
static struct pm_image *new_image(struct procmaps *pm, struct pm_proc *p)
{
	if (p->nimg == PM_MAX_IMAGES) {
		free(p->img[0].m);
		memmove(p->img, p->img + 1, (PM_MAX_IMAGES - 1) * sizeof(p->img[0]));
		p->nimg--;
		pm->st.images_dropped++;
	}
	struct pm_image *im = &p->img[p->nimg++];
	memset(im, 0, sizeof(*im));
	return im;
}

static struct pm_image *cur_image(struct procmaps *pm, struct pm_proc *p)
{
	return p->nimg ? &p->img[p->nimg - 1] : new_image(pm, p);
}

int pm_fork(struct procmaps *pm, pid_t parent, pid_t child)
{
	struct pm_proc *pp = proc(pm, parent);
	if (!pp)
		return 0;
	struct pm_proc *c = track(pm, child);
	if (!c)
		return 0;
	pp = proc(pm, parent); /* track may have moved the array */
	snprintf(c->comm, sizeof(c->comm), "%s", pp->comm);
	if (!pp->nimg)
		return 1;
	/* a child already known is a reused pid: the copy becomes its newest
	 * image, the dead process's stay for its own samples */
	const struct pm_image *src = &pp->img[pp->nimg - 1];
	struct pm_image *im = new_image(pm, c);
	if (src->n && !(im->m = malloc(src->n * sizeof(*im->m)))) {
		pm->st.maps_dropped += src->n;
		return 1;
	}
	if (src->n)
		memcpy(im->m, src->m, src->n * sizeof(*im->m));
	im->n = im->cap = src->n;
	return 1;
}

void pm_exec(struct procmaps *pm, pid_t pid, const char *comm)
{
	struct pm_proc *p = proc(pm, pid);
	if (!p)
		return;
	/* the first exec of a process seeded empty (a held child seen
	 * before any mapping) reuses its empty image */
	if (!p->nimg || p->img[p->nimg - 1].n)
		new_image(pm, p);
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
}

void pm_comm(struct procmaps *pm, pid_t pid, const char *comm)
{
	struct pm_proc *p = proc(pm, pid);
	if (p)
		snprintf(p->comm, sizeof(p->comm), "%s", comm);
}

static uint32_t fhash_of(const char *path, uint64_t ino, const unsigned char *bid, int bid_len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (const char *c = path; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	for (int i = 0; i < 8; i++)
		h = (h ^ (unsigned char)(ino >> (8 * i))) * 16777619u;
	for (int i = 0; i < bid_len; i++)
		h = (h ^ bid[i]) * 16777619u;
	return h % FHASH;
}

/* path resolved inside pid's root (openat2 RESOLVE_IN_ROOT, 5.6+: a
 * symbolic link in a container cannot lead out of it), O_PATH. */
static int open_in_root(pid_t pid, const char *path)
{
	char root[48];
	snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return -1;
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int fd = (int)syscall(SYS_openat2, rfd, path + 1, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(rfd, path + 1, O_PATH | O_CLOEXEC);
	close(rfd);
	return fd;
}

int pm_file_open(const struct pm_file *pf)
{
	if (pf->path[0] != '/')
		return -1;
	if (pf->fd >= 0)
		return fcntl(pf->fd, F_DUPFD_CLOEXEC, 0);
	int fd = pf->pid > 0 ? open_in_root(pf->pid, pf->path) : -1;
	if (fd >= 0 || (!pf->ino && !pf->bid_len))
		return fd;
	return open(pf->path, O_PATH | O_CLOEXEC);
}

/* The index of a file (path, identity), added when new; -1 when full. */
static int64_t file_id(struct procmaps *pm, const char *path, uint64_t ino,
		       const unsigned char *bid, int bid_len)
{
	if (bid_len < 0 || bid_len > PM_BUILD_ID)
		bid_len = 0;
	uint32_t h = fhash_of(path, ino, bid, bid_len);
	for (; pm->fhash[h]; h = (h + 1) % FHASH) {
		const struct pm_file *f = &pm->files[pm->fhash[h] - 1];
		if (f->ino == ino && f->bid_len == bid_len &&
		    !memcmp(f->bid, bid, (size_t)bid_len) && !strcmp(f->path, path))
			return pm->fhash[h] - 1;
	}
	if (pm->nfiles >= PM_MAX_FILES) {
		pm->st.files_dropped++;
		return -1;
	}
	if (pm->nfiles == pm->fcap) {
		size_t c = pm->fcap ? pm->fcap * 2 : 256;
		struct pm_file *f = realloc(pm->files, c * sizeof(*f));
		if (!f)
			return -1;
		pm->files = f;
		pm->fcap = c;
	}
	struct pm_file *f = &pm->files[pm->nfiles];
	memset(f, 0, sizeof(*f));
	if (!(f->path = strdup(path)))
		return -1;
	f->fd = -1;
	f->ino = ino;
	f->bid_len = (uint8_t)bid_len;
	if (bid_len)
		memcpy(f->bid, bid, (size_t)bid_len);
	pm->fhash[h] = (uint32_t)++pm->nfiles;
	return (int64_t)pm->nfiles - 1;
}

/* Adds [start, end) to im, cutting what it overlaps out of older ones. */
static void map_insert(struct procmaps *pm, struct pm_image *im, struct pm_map nm)
{
	if (im->n >= PM_MAX_MAPS) {
		pm->st.maps_dropped++;
		return;
	}
	struct pm_map *v = malloc((im->n + 2) * sizeof(*v));
	if (!v) {
		pm->st.maps_dropped++;
		return;
	}
	uint32_t k = 0;
	int put = 0;
	for (uint32_t i = 0; i < im->n; i++) {
		struct pm_map o = im->m[i];
		if (!put && o.start >= nm.start) {
			v[k++] = nm;
			put = 1;
		}
		if (o.end <= nm.start || o.start >= nm.end) {
			v[k++] = o;
			continue;
		}
		if (o.start < nm.start) { /* the part left of the new one */
			struct pm_map l = o;
			l.end = nm.start;
			/* sorted: it goes before nm, which is not yet placed */
			v[k++] = l;
		}
		if (o.end > nm.end) { /* the part right of it */
			struct pm_map r = o;
			r.pgoff += nm.end - o.start;
			r.start = nm.end;
			if (!put) {
				v[k++] = nm;
				put = 1;
			}
			v[k++] = r;
		}
	}
	if (!put)
		v[k++] = nm;
	free(im->m);
	im->m = v;
	im->n = im->cap = k;
}

void pm_mmap(struct procmaps *pm, pid_t pid, uint64_t start, uint64_t len, uint64_t pgoff,
	     const char *path, uint64_t ino, const unsigned char *bid, int bid_len)
{
	struct pm_proc *p = proc(pm, pid);
	if (!p || !len || !path[0])
		return;
	int64_t f = file_id(pm, path, ino, bid, bid_len);
	if (f < 0) {
		pm->st.maps_dropped++;
		return;
	}
	struct pm_file *pf = &pm->files[f];
	pf->pid = pid;
	/* the file as this process sees it, while it still lives: a
	 * container's files are not at the same path in ours */
	if (pf->fd < 0 && pf->path[0] == '/' && pm->npinned < PM_MAX_PINNED &&
	    (pf->fd = open_in_root(pid, pf->path)) >= 0)
		pm->npinned++;
	struct pm_image *im = cur_image(pm, p);
	map_insert(pm, im, (struct pm_map){ start, start + len, pgoff, (uint32_t)f });
}

int pm_seed(struct procmaps *pm, pid_t pid)
{
	char path[64], line[4352];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	if (!track(pm, pid)) {
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		uint64_t lo, hi, off, ino;
		char perm[5];
		unsigned maj, mnr;
		int n = 0;
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 " %n",
			   &lo, &hi, perm, &off, &maj, &mnr, &ino, &n) < 7 ||
		    perm[2] != 'x')
			continue;
		char *name = line + n;
		name[strcspn(name, "\n")] = 0;
		if (name[0] == '/' || name[0] == '[')
			pm_mmap(pm, pid, lo, hi - lo, off, name, ino, NULL, 0);
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if ((f = fopen(path, "r"))) {
		char comm[32] = "";
		if (fgets(comm, sizeof(comm), f)) {
			comm[strcspn(comm, "\n")] = 0;
			pm_comm(pm, pid, comm);
		}
		fclose(f);
	}
	return 0;
}

static const struct pm_map *in_image(const struct pm_image *im, uint64_t addr)
{
	uint32_t lo = 0, hi = im->n;
	while (lo < hi) { /* the first mapping starting above addr */
		uint32_t mid = (lo + hi) / 2;
		if (im->m[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && im->m[lo - 1].end > addr ? &im->m[lo - 1] : NULL;
}

int pm_find(const struct procmaps *pm, pid_t pid, uint64_t addr, struct pm_hit *hit)
{
	const struct pm_proc *p = proc(pm, pid);
	for (int k = p ? p->nimg - 1 : -1; k >= 0; k--) {
		const struct pm_map *m = in_image(&p->img[k], addr);
		if (m) {
			hit->file = m->file;
			hit->off = m->pgoff + (addr - m->start);
			return 0;
		}
	}
	return -1;
}

const struct pm_file *pm_file_at(const struct procmaps *pm, uint32_t file)
{
	return file < pm->nfiles ? &pm->files[file] : NULL;
}

size_t pm_nfiles(const struct procmaps *pm)
{
	return pm->nfiles;
}

const char *pm_comm_of(const struct procmaps *pm, pid_t pid)
{
	const struct pm_proc *p = proc(pm, pid);
	return p && p->comm[0] ? p->comm : NULL;
}

void pm_get_stats(const struct procmaps *pm, struct pm_stats *st)
{
	*st = pm->st;
	st->procs = pm->nprocs;
	st->images = st->maps = 0;
	for (size_t i = 0; i < pm->nprocs; i++) {
		st->images += (uint64_t)pm->procs[i].nimg;
		for (int k = 0; k < pm->procs[i].nimg; k++)
			st->maps += pm->procs[i].img[k].n;
	}
}
