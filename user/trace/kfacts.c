// SPDX-License-Identifier: GPL-2.0-only
/* Kernel facts: the table, its lookups and its text form (kfacts.h). */
#include "kfacts.h"

#include <stdlib.h>
#include <string.h>

#include "common/errf.h"

const struct kf_func *kf_func(const struct kernel_facts *kf, const char *name)
{
	for (int i = 0; i < kf->nfunc; i++)
		if (!strcmp(kf->func[i].name, name))
			return &kf->func[i];
	return NULL;
}

const struct kf_tp *kf_tp(const struct kernel_facts *kf, const char *name)
{
	for (int i = 0; i < kf->ntp; i++)
		if (!strcmp(kf->tp[i].name, name))
			return &kf->tp[i];
	return NULL;
}

struct kf_func *kf_add_func(struct kernel_facts *kf, const char *name)
{
	struct kf_func *f = (struct kf_func *)kf_func(kf, name);
	if (f || kf->nfunc >= KF_MAX || strlen(name) >= KF_NAME)
		return f;
	f = &kf->func[kf->nfunc++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->params = f->ret_slot = -1;
	return f;
}

struct kf_tp *kf_add_tp(struct kernel_facts *kf, const char *name)
{
	struct kf_tp *t = (struct kf_tp *)kf_tp(kf, name);
	if (t || kf->ntp >= KF_MAX || strlen(name) >= KF_NAME)
		return t;
	t = &kf->tp[kf->ntp++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	return t;
}

void kfacts_write(FILE *f, const struct kernel_facts *kf)
{
	fprintf(f, "# copytrace kernel facts (trace_run --kernel-facts)\n");
	fprintf(f, "kernel %s\n", kf->release);
	fprintf(f, "global kprobes=%d cmpxchg=%d task_storage=%d task_btf=%d\n", kf->kprobes,
		kf->cmpxchg, kf->task_storage, kf->task_btf);
	for (int i = 0; i < kf->nfunc; i++) {
		const struct kf_func *x = &kf->func[i];
		fprintf(f, "func %s btf=%d ftrace=%d fentry=%d kprobe=%d params=%d ret=%d\n",
			x->name, x->btf, x->ftrace, x->fentry, x->kprobe, x->params, x->ret_slot);
	}
	for (int i = 0; i < kf->ntp; i++)
		fprintf(f, "tp %s btf=%d event=%d\n", kf->tp[i].name, kf->tp[i].btf,
			kf->tp[i].event);
}

/* KEY=VALUE words after the name; every key must be one of keys[]. */
static int fields(char *rest, const char *const *keys, int *vals, int n)
{
	char *save;
	for (char *w = strtok_r(rest, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		char *eq = strchr(w, '=');
		if (!eq)
			return -1;
		*eq = 0;
		int k = 0;
		while (k < n && strcmp(keys[k], w))
			k++;
		char *end;
		long v = strtol(eq + 1, &end, 10);
		if (k == n || *end || end == eq + 1)
			return -1;
		vals[k] = (int)v;
	}
	return 0;
}

int kfacts_read(FILE *f, struct kernel_facts *kf, char *err, size_t errlen)
{
	static const char *const gk[] = { "kprobes", "cmpxchg", "task_storage", "task_btf" };
	static const char *const fk[] = { "btf", "ftrace", "fentry", "kprobe", "params", "ret" };
	static const char *const tk[] = { "btf", "event" };
	char line[512];
	int no = 0;
	memset(kf, 0, sizeof(*kf));
	while (fgets(line, sizeof(line), f)) {
		no++;
		char *p = line + strspn(line, " \t");
		if (*p == '#' || *p == '\n' || !*p)
			continue;
		char kind[16], name[KF_NAME + 1];
		int off = 0, bad = 1;
		if (sscanf(p, "%15s %n", kind, &off) != 1)
			return errf(err, errlen, "kernel facts line %d: cannot be read", no);
		p += off;
		if (!strcmp(kind, "kernel")) {
			snprintf(kf->release, sizeof(kf->release), "%.*s", (int)strcspn(p, "\n"),
				 p);
			bad = 0;
		} else if (!strcmp(kind, "global")) {
			int v[4] = { 0 };
			bad = fields(p, gk, v, 4);
			kf->kprobes = v[0], kf->cmpxchg = v[1], kf->task_storage = v[2],
			kf->task_btf = v[3];
		} else if (sscanf(p, "%64s %n", name, &off) == 1 && strlen(name) < KF_NAME) {
			if (!strcmp(kind, "func")) {
				int v[6] = { 0, 0, 0, 0, -1, -1 };
				struct kf_func *x = kf_add_func(kf, name);
				bad = !x || fields(p + off, fk, v, 6);
				if (x) {
					x->btf = v[0], x->ftrace = v[1], x->fentry = v[2];
					x->kprobe = v[3], x->params = v[4], x->ret_slot = v[5];
				}
			} else if (!strcmp(kind, "tp")) {
				int v[2] = { 0 };
				struct kf_tp *x = kf_add_tp(kf, name);
				bad = !x || fields(p + off, tk, v, 2);
				if (x)
					x->btf = v[0], x->event = v[1];
			}
		}
		if (bad)
			return errf(err, errlen, "kernel facts line %d: not a fact: %.60s", no,
				    line);
	}
	return 0;
}
