/* Loader: backend selection, filter, attach/detach, per-CPU counter reads. */
#include "tracer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "copytrace.skel.h"
#include "errf.h"
#include "probe.h"

/* HK_RAWSYS: tp_btf sys_enter/sys_exit for all four syscalls (preferred);
 * HK_SYSCALL: the classic per-syscall tracepoints (fallback). */
enum hk { HK_FENTRY, HK_KPROBE, HK_TP, HK_RAWSYS, HK_SYSCALL, HK_UPROBE };

struct hookdef {
	const char *prog, *prog_ret; /* entry and exit programs (exit may be NULL) */
	enum hk kind;
	int fn;
	const char *target;          /* function, or "cat/name" for tracepoints */
	const char *classic;         /* HK_TP: classic tracepoint program, or NULL */
	int required;                /* the backend is useless without it */
	int inferred;
	int zc_only;                 /* tracepoint hook useful only for MSG_ZEROCOPY senders */
};

#define FK(pfx, sfx, fn, target, req)                                           \
	{ pfx "_" sfx, pfx "_" sfx "_ret", pfx[0] == 'f' ? HK_FENTRY : HK_KPROBE, fn, \
	  target, NULL, req, 0, 0 }
#define KERNEL_HOOKS(pfx)                                                     \
	FK(pfx, "tcp_sendmsg", FN_TCP_SENDMSG, "tcp_sendmsg", 1),             \
	FK(pfx, "copy_from_iter", FN_SEND_COPY, "_copy_from_iter", 0),        \
	FK(pfx, "copy_from_iter_nocache", FN_SEND_COPY_NC, "_copy_from_iter_nocache", 0), \
	FK(pfx, "csum_copy", FN_SEND_COPY_CSUM, "csum_and_copy_from_iter_full", 0), \
	FK(pfx, "copy_full", FN_SEND_COPY_FULL, "_copy_from_iter_full", 0),   \
	{ pfx "_usercopy_check", NULL, pfx[0] == 'f' ? HK_FENTRY : HK_KPROBE,      \
	  FN_SEND_COPY_CHK, "__check_object_size", NULL, 0, 1, 0 },              \
	FK(pfx, "zc_pin", FN_ZC_PIN, "skb_zerocopy_iter_stream", 0),          \
	FK(pfx, "tcp_recvmsg", FN_TCP_RECVMSG, "tcp_recvmsg", 0),             \
	FK(pfx, "skb_copy_datagram_iter", FN_RECV_COPY, "skb_copy_datagram_iter", 0), \
	FK(pfx, "zc_callback", FN_ZC_CALLBACK, "__msg_zerocopy_callback", 0), \
	FK(pfx, "copy_ubufs", FN_DEFERRED_COPY, "skb_copy_ubufs", 0)

static const struct hookdef hooks[] = {
	KERNEL_HOOKS("fe"),
	KERNEL_HOOKS("kp"),
	{ "tb_send_length", NULL, HK_TP, FN_TCP_SENDMSG, "sock/sock_send_length", "tc_send_length", 1, 0, 0 },
	{ "tb_recv_length", NULL, HK_TP, FN_TCP_RECVMSG, "sock/sock_recv_length", "tc_recv_length", 0, 0, 0 },
	{ "tb_copy_datagram", NULL, HK_TP, FN_RECV_COPY, "skb/skb_copy_datagram_iovec", "tc_copy_datagram", 1, 0, 0 },
	{ "tb_sendmsg_locked", NULL, HK_TP, FN_SENDMSG_LOCKED, "tcp/tcp_sendmsg_locked", NULL, 0, 0, 0 },
	{ "tb_error_report", NULL, HK_TP, FN_ZC_CALLBACK, "sock/inet_sk_error_report", NULL, 0, 0, 1 },
	{ "tb_consume_skb", NULL, HK_TP, FN_ZC_CALLBACK, "skb/consume_skb", NULL, 0, 0, 1 },
	{ "tb_netif_receive", NULL, HK_TP, FN_DEFERRED_COPY, "net/netif_receive_skb", "tc_netif_receive", 0, 1, 1 },
	{ "sr_enter", "sr_exit", HK_RAWSYS, FN_SYS_SEND, "sys_enter", NULL, 0, 0, 0 },
	{ "sc_enter_sendto", "sc_exit_sendto", HK_SYSCALL, FN_SYS_SEND, "syscalls/sys_enter_sendto", NULL, 0, 0, 0 },
	{ "sc_enter_sendmsg", "sc_exit_sendmsg", HK_SYSCALL, FN_SYS_SEND, "syscalls/sys_enter_sendmsg", NULL, 0, 0, 0 },
	{ "sc_enter_recvfrom", "sc_exit_recvfrom", HK_SYSCALL, FN_SYS_RECV, "syscalls/sys_enter_recvfrom", NULL, 0, 0, 0 },
	{ "sc_enter_recvmsg", "sc_exit_recvmsg", HK_SYSCALL, FN_SYS_RECV, "syscalls/sys_enter_recvmsg", NULL, 0, 0, 0 },
	{ "tb_retransmit", NULL, HK_TP, FN_RETRANS, "tcp/tcp_retransmit_skb", NULL, 0, 0, 0 },
	{ "up_gather", "up_gather_ret", HK_UPROBE, FN_GATHER, "ct_gather", NULL, 0, 0, 0 },
};
#define NHOOKS ((int)(sizeof(hooks) / sizeof(hooks[0])))

static const char *row_names[FN_COUNT] = {
	[FN_GATHER] = "ct_gather",
	[FN_TCP_SENDMSG] = "tcp_sendmsg",
	[FN_SEND_COPY] = "_copy_from_iter",
	[FN_SEND_COPY_NC] = "_copy_from_iter_nocache",
	[FN_SEND_COPY_CSUM] = "csum_and_copy_from_iter_full",
	[FN_SEND_COPY_FULL] = "_copy_from_iter_full",
	[FN_SEND_COPY_CHK] = "copy_from_iter",
	[FN_ZC_PIN] = "skb_zerocopy_iter_stream",
	[FN_SENDMSG_LOCKED] = "tcp_sendmsg_locked",
	[FN_SYS_SEND] = "sys_sendto/sendmsg",
	[FN_TCP_RECVMSG] = "tcp_recvmsg",
	[FN_RECV_COPY] = "skb_copy_datagram_iter",
	[FN_SYS_RECV] = "sys_recvfrom/recvmsg",
	[FN_SYS_ERRQ] = "sys_recvmsg(MSG_ERRQUEUE)",
	[FN_ZC_CALLBACK] = "__msg_zerocopy_callback",
	[FN_DEFERRED_COPY] = "skb_copy_ubufs",
	[FN_RETRANS] = "tcp_retransmit_skb",
};

/* Which hooks are enabled this run (index into hooks[]); for HK_TP, 1 =
 * tp_btf, 2 = classic. */
static int enabled[NHOOKS];

static char libbpf_last[512];
static char libbpf_failed_prog[128]; /* from "prog 'NAME': failed to load" */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (getenv("CT_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_WARN) {
		char buf[512];
		vsnprintf(buf, sizeof(buf), fmt, ap);
		size_t n = strlen(buf);
		while (n && buf[n - 1] == '\n')
			buf[--n] = 0;
		if (n)
			snprintf(libbpf_last, sizeof(libbpf_last), "%s", buf);
		char *q = strstr(buf, "prog '");
		if (q && strstr(buf, "failed to load")) {
			q += 6;
			size_t k = strcspn(q, "'");
			snprintf(libbpf_failed_prog, sizeof(libbpf_failed_prog), "%.*s", (int)k, q);
		}
	}
	return 0;
}

const char *backend_name(enum ct_backend b)
{
	static const char *n[] = { "fentry", "kprobe", "tracepoint" };
	return n[b];
}

void tracer_note(struct tracer *t, const char *fmt, ...)
{
	if (t->nnotes >= CT_MAX_NOTES)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->notes[t->nnotes++], sizeof(t->notes[0]), fmt, ap);
	va_end(ap);
}

static void set_hook(struct tracer *t, int fn, const char *fmt, const char *arg,
		     int inferred, int timed)
{
	struct ct_row_info *r = &t->rows[fn];
	if (r->present) { /* several hooks feed one row: list them */
		size_t n = strlen(r->hook);
		snprintf(r->hook + n, sizeof(r->hook) - n, ",%s", arg);
		return;
	}
	snprintf(r->hook, sizeof(r->hook), fmt, arg);
	r->present = 1;
	r->inferred = inferred;
	r->timed = timed;
}

/* Chooses the hooks of backend b; returns 0 when its required hooks are
 * usable, else -1 with why. */
static int choose(struct tracer *t, enum ct_backend b, char *why, size_t wlen)
{
	memset(enabled, 0, sizeof(enabled));
	memset(t->rows, 0, sizeof(t->rows));
	t->nnotes = 0;
	t->zc_skipped = 0;
	t->raw_sys = 0;
	why[0] = 0;
	for (int i = 0; i < NHOOKS; i++) {
		const struct hookdef *h = &hooks[i];
		int ok = 0;
		char cat[64] = "", name[96] = "";
		const char *slash = strchr(h->target, '/');
		if (slash) {
			snprintf(cat, sizeof(cat), "%.*s", (int)(slash - h->target), h->target);
			snprintf(name, sizeof(name), "%s", slash + 1);
		}
		int copy_seen = t->rows[FN_SEND_COPY].present || t->rows[FN_SEND_COPY_NC].present ||
				t->rows[FN_SEND_COPY_FULL].present;
		if (h->fn == FN_SEND_COPY_CHK && copy_seen)
			continue; /* only a fallback */
		switch (h->kind) {
		case HK_FENTRY:
			if (b != BK_FENTRY)
				continue;
			if (probe_vmlinux_btf() &&
			    btf__find_by_name_kind(probe_vmlinux_btf(), h->target, BTF_KIND_FUNC) <= 0) {
				if (h->fn != FN_SEND_COPY_FULL && h->fn != FN_SEND_COPY_CSUM &&
				    h->fn != FN_SEND_COPY_NC)
					tracer_note(t, "%s: not in kernel BTF, row dropped", h->target);
				break;
			}
			int e = probe_fentry(h->target);
			ok = e == 0;
			if (!ok) {
				const char *r = e == -EOPNOTSUPP ?
					"not an ftrace site (not in available_filter_functions)" :
					strerror(-e);
				if (h->required)
					snprintf(why, wlen, "test load of fentry/%s failed: %s",
						 h->target, r);
				else if (e != -EOPNOTSUPP || (h->fn != FN_SEND_COPY &&
					 h->fn != FN_SEND_COPY_NC) || !t->tentative_note++)
					tracer_note(t, "fentry/%s unavailable (%s), row dropped",
						    h->target, r);
			}
			if (ok && h->fn == FN_SEND_COPY_CHK)
				set_hook(t, h->fn, "inferred: fentry %s (length checked before each copy)",
					 h->target, 1, 0);
			else if (ok)
				set_hook(t, h->fn, "fentry+fexit %s", h->target, 0, 1);
			break;
		case HK_KPROBE:
			if (b != BK_KPROBE)
				continue;
			ok = probe_kprobe_func(h->target);
			if (!ok) {
				if (h->required)
					snprintf(why, wlen, "%s", probe_kprobes() ?
						 "tcp_sendmsg cannot take a kprobe" :
						 "the kernel has no kprobes (no kprobe_events, no kprobe PMU)");
				else if (h->fn != FN_SEND_COPY_FULL && h->fn != FN_SEND_COPY_CSUM &&
					 h->fn != FN_SEND_COPY_NC)
					tracer_note(t, "kprobe/%s unavailable, row dropped", h->target);
			}
			if (ok && h->fn == FN_SEND_COPY_CHK)
				set_hook(t, h->fn, "inferred: kprobe %s (length checked before each copy)",
					 h->target, 1, 0);
			else if (ok)
				set_hook(t, h->fn, "kprobe+kretprobe %s", h->target, 0, 1);
			break;
		case HK_TP:
			if (b != BK_TRACEPOINT && h->fn != FN_RETRANS)
				continue;
			if (h->zc_only && !(t->flags & CT_TR_ZC_HOOKS)) {
				t->zc_skipped = 1;
				continue;
			}
			/* CT_TP_CLASSIC=1 forces classic tracepoints (tests the
			 * fallback for kernels without tp_btf). */
			if (probe_tp_btf(name) && !getenv("CT_TP_CLASSIC")) {
				ok = 1;
				set_hook(t, h->fn, "tp_btf/%s", name, h->inferred, 0);
			} else if (h->classic && probe_tp(cat, name)) {
				ok = 2;
				set_hook(t, h->fn, "tracepoint/%s", h->target, h->inferred, 0);
			} else {
				tracer_note(t, "tracepoint %s unavailable%s, row dropped", h->target,
					    h->classic ? "" : " (needs tp_btf)");
			}
			break;
		case HK_RAWSYS:
			if (t->flags & CT_TR_NO_SYSTIME)
				continue;
			ok = !getenv("CT_TP_CLASSIC") && probe_tp_btf("sys_enter") &&
			     probe_tp_btf("sys_exit");
			if (ok) {
				set_hook(t, FN_SYS_SEND, "%s", "tp_btf/sys_enter+sys_exit (sendto,sendmsg)", 0, 1);
				set_hook(t, FN_SYS_RECV, "%s", "tp_btf/sys_enter+sys_exit (recvfrom,recvmsg)", 0, 1);
				t->raw_sys = 1;
			}
			break;
		case HK_SYSCALL:
			if (t->raw_sys || (t->flags & CT_TR_NO_SYSTIME))
				continue;
			ok = probe_tp(cat, name);
			if (ok)
				set_hook(t, h->fn, "tracepoint/%s", h->target + strlen("syscalls/sys_enter_"), 0, 1);
			else
				tracer_note(t, "tracepoint %s unavailable, row dropped", h->target);
			break;
		case HK_UPROBE:
			ok = 1;
			set_hook(t, h->fn, "uprobe+uretprobe %s", h->target, 0, 1);
			break;
		}
		enabled[i] = ok;
		if (!ok && h->required && b != BK_TRACEPOINT)
			return -1;
	}
	if (b == BK_TRACEPOINT) {
		/* Either the send or the receive side must be visible. */
		int any = 0;
		for (int i = 0; i < NHOOKS; i++)
			if (hooks[i].kind == HK_TP && hooks[i].required && enabled[i])
				any = 1;
		if (!any) {
			snprintf(why, wlen, "neither sock_send_length nor skb_copy_datagram_iovec "
				 "tracepoints exist");
			return -1;
		}
		/* sock_send_length also splits bytes into copied and pinned. */
		if (t->rows[FN_TCP_SENDMSG].present) {
			set_hook(t, FN_SEND_COPY, "%s", "inferred: sock_send_length bytes of sends without effective MSG_ZEROCOPY", 1, 0);
			set_hook(t, FN_ZC_PIN, "%s", "inferred: sock_send_length bytes of sends with MSG_ZEROCOPY+SO_ZEROCOPY+SG route", 1, 0);
		}
		if (t->rows[FN_DEFERRED_COPY].present) {
			size_t n = strlen(t->rows[FN_DEFERRED_COPY].hook);
			snprintf(t->rows[FN_DEFERRED_COPY].hook + n, sizeof(t->rows[0].hook) - n,
				 " (inferred: zerocopy frags at receive)");
		}
	}
	if (t->zc_skipped)
		tracer_note(t, "zerocopy-only hooks (inet_sk_error_report, consume_skb, "
			    "netif_receive_skb) are loaded for a3 only; MSG_ZEROCOPY sends are "
			    "%s", t->flags & CT_TR_NO_SYSTIME ? "not watched (--no-syscall-time)" :
			    "still watched at syscall entry");
	if (t->flags & CT_TR_NO_SYSTIME) {
		tracer_note(t, "--no-syscall-time: no kernel time per send/recv call, syscall "
			    "rows absent");
		if (b == BK_TRACEPOINT) {
			/* the copied/pinned split needs the send call's flags */
			t->rows[FN_SEND_COPY].present = t->rows[FN_ZC_PIN].present = 0;
			tracer_note(t, "--no-syscall-time: send flags (MSG_ZEROCOPY) not seen, so "
				    "the tracepoint backend cannot split sent bytes into copied "
				    "and pinned; those rows are absent");
		}
	}
	for (int f = 0; f < FN_COUNT; f++)
		t->rows[f].name = row_names[f];
	return 0;
}

int tracer_open(struct tracer *t, const char *backend, unsigned flags, char *err,
		size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->flags = flags;
	libbpf_set_print(libbpf_print);
	if (geteuid() != 0)
		return errf(err, errlen, "must run as root (eBPF and network namespaces need "
			    "CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN): run it with sudo");
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0 || !probe_vmlinux_btf())
		return errf(err, errlen, "kernel BTF missing (/sys/kernel/btf/vmlinux): boot a "
			    "kernel built with CONFIG_DEBUG_INFO_BTF=y");
	if (probe_mounts(err, errlen))
		return -1;

	char why[3][256] = { "", "", "" };
	int chosen = -1;
	static const char *names[] = { "fentry", "kprobe", "tracepoint" };
	for (int b = 0; b < 3; b++) {
		if (strcmp(backend, "auto") && strcmp(backend, names[b]))
			continue;
		if (choose(t, (enum ct_backend)b, why[b], sizeof(why[b])) == 0) {
			chosen = b;
			break;
		}
	}
	if (chosen < 0) {
		if (strcmp(backend, "auto")) {
			int b = !strcmp(backend, "fentry") ? 0 : !strcmp(backend, "kprobe") ? 1 : 2;
			return errf(err, errlen, "backend %s is not usable on this kernel: %s "
				    "(try --backend auto)", backend, why[b]);
		}
		return errf(err, errlen, "no usable tracing backend: fentry: %s; kprobe: %s; "
			    "tracepoint: %s", why[0], why[1], why[2]);
	}
	t->backend = (enum ct_backend)chosen;
	if (!strcmp(backend, "auto") && chosen > 0)
		tracer_note(t, "backend auto: fentry unusable (%s)%s%s", why[0],
			    chosen > 1 ? "; kprobe unusable: " : "", chosen > 1 ? why[1] : "");

	/* Load; when an optional program is rejected (an unexpected kernel),
	 * drop its row with a note and try again. */
	for (int attempt = 0;; attempt++) {
		t->skel = copytrace_bpf__open();
		if (!t->skel)
			return errf(err, errlen, "opening the eBPF object failed: %s", strerror(errno));
		int np = probe_func_params("tcp_recvmsg");
		t->skel->rodata->recvmsg_flags_arg = np == 6 ? 4 : 3;
		t->skel->rodata->nr_sendto = SYS_sendto;
		t->skel->rodata->nr_sendmsg = SYS_sendmsg;
		t->skel->rodata->nr_recvfrom = SYS_recvfrom;
		t->skel->rodata->nr_recvmsg = SYS_recvmsg;

		struct bpf_program *p;
		bpf_object__for_each_program(p, t->skel->obj)
			bpf_program__set_autoload(p, false);
		for (int i = 0; i < NHOOKS; i++) {
			if (!enabled[i])
				continue;
			const char *names2[2] = { hooks[i].kind == HK_TP && enabled[i] == 2 ?
						  hooks[i].classic : hooks[i].prog, hooks[i].prog_ret };
			for (int k = 0; k < 2; k++) {
				if (!names2[k])
					continue;
				p = bpf_object__find_program_by_name(t->skel->obj, names2[k]);
				if (!p)
					return errf(err, errlen, "internal: no eBPF program %s", names2[k]);
				bpf_program__set_autoload(p, true);
			}
		}
		libbpf_last[0] = 0;
		libbpf_failed_prog[0] = 0;
		if (!copytrace_bpf__load(t->skel))
			break;
		int e = errno, dropped = 0;
		for (int i = 0; i < NHOOKS && attempt < 8 && libbpf_failed_prog[0]; i++) {
			const struct hookdef *h = &hooks[i];
			if (!enabled[i] || h->required)
				continue;
			if (strcmp(libbpf_failed_prog, h->prog) &&
			    (!h->prog_ret || strcmp(libbpf_failed_prog, h->prog_ret)) &&
			    (!h->classic || strcmp(libbpf_failed_prog, h->classic)))
				continue;
			enabled[i] = 0;
			t->rows[h->fn].present = 0;
			tracer_note(t, "eBPF program %s for %s rejected by this kernel, row dropped",
				    libbpf_failed_prog, h->target);
			dropped = 1;
		}
		copytrace_bpf__destroy(t->skel);
		t->skel = NULL;
		if (!dropped)
			return errf(err, errlen, "loading the eBPF programs (%s backend) failed: %s%s%s",
				    backend_name(t->backend), strerror(e), libbpf_last[0] ? ": " : "",
				    libbpf_last);
	}
	t->ncpu = libbpf_num_possible_cpus();
	if (t->ncpu <= 0)
		return errf(err, errlen, "cannot count possible CPUs");
	return 0;
}

static void clear_map(int fd, size_t keysz)
{
	char key[64], next[64];
	if (keysz > sizeof(key))
		return;
	while (bpf_map_get_next_key(fd, NULL, next) == 0) {
		memcpy(key, next, keysz);
		if (bpf_map_delete_elem(fd, key))
			break;
	}
}

static int reset_counters(struct tracer *t)
{
	size_t sz = sizeof(struct ct_stat) * (size_t)t->ncpu;
	void *zero = calloc(1, sz);
	if (!zero)
		return -1;
	int fd = bpf_map__fd(t->skel->maps.stats);
	for (__u32 k = 0; k < CT_NSTATS; k++)
		bpf_map_update_elem(fd, &k, zero, BPF_ANY);
	free(zero);
	clear_map(bpf_map__fd(t->skel->maps.starts), sizeof(struct { __u32 a, b; }));
	clear_map(bpf_map__fd(t->skel->maps.zcstate), sizeof(__u64));
	return 0;
}

static int add_link(struct tracer *t, struct bpf_link *l)
{
	if (!l || t->nlinks >= CT_MAX_LINKS) {
		bpf_link__destroy(l);
		return -1;
	}
	t->links[t->nlinks++] = l;
	return 0;
}

int tracer_attach(struct tracer *t, const struct run_targets *tg, char *err,
		  size_t errlen)
{
	tracer_detach(t);
	if (reset_counters(t))
		return errf(err, errlen, "out of memory");
	struct ct_filter *f = &t->skel->bss->filter;
	f->enabled = 0;
	f->netns[0] = tg->server_netns;
	f->netns[1] = tg->client_netns;
	f->pid[0] = (__u32)tg->server_pid;
	f->pid[1] = (__u32)tg->client_pid;
	f->port = tg->port;
	t->skel->bss->zc_sends_seen = 0;
	snprintf(t->uprobe_exe, sizeof(t->uprobe_exe), "%s", tg->exe);
	__sync_synchronize();
	f->enabled = 1;

	for (int i = 0; i < NHOOKS; i++) {
		const struct hookdef *h = &hooks[i];
		if (!enabled[i])
			continue;
		const char *names2[2] = { h->kind == HK_TP && enabled[i] == 2 ? h->classic : h->prog,
					  h->prog_ret };
		for (int k = 0; k < 2; k++) {
			if (!names2[k])
				continue;
			struct bpf_program *p = bpf_object__find_program_by_name(t->skel->obj, names2[k]);
			struct bpf_link *l;
			libbpf_last[0] = 0;
			if (h->kind == HK_UPROBE) {
				LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = h->target, .retprobe = k == 1);
				l = bpf_program__attach_uprobe_opts(p, -1, t->uprobe_exe, 0, &uo);
			} else {
				l = bpf_program__attach(p);
			}
			if (libbpf_get_error(l))
				l = NULL;
			if (!l || add_link(t, l)) {
				int e = errno;
				if (h->required && t->backend != BK_TRACEPOINT) {
					tracer_detach(t);
					return errf(err, errlen, "attaching %s to %s failed: %s",
						    names2[k], h->target, strerror(e));
				}
				tracer_note(t, "attaching %s to %s failed (%s), row dropped",
					    names2[k], h->target, strerror(e));
				t->rows[h->fn].present = 0;
				if (h->kind == HK_RAWSYS)
					t->rows[FN_SYS_RECV].present = 0;
				enabled[i] = 0;
				break;
			}
		}
	}
	return 0;
}

void tracer_detach(struct tracer *t)
{
	if (t->skel && t->skel->bss)
		t->skel->bss->filter.enabled = 0;
	for (int i = 0; i < t->nlinks; i++)
		bpf_link__destroy(t->links[i]);
	t->nlinks = 0;
}

int tracer_read(struct tracer *t, struct ct_stat *out)
{
	memset(out, 0, sizeof(*out) * CT_NSTATS);
	struct ct_stat *pc = calloc((size_t)t->ncpu, sizeof(*pc));
	if (!pc)
		return -1;
	int fd = bpf_map__fd(t->skel->maps.stats);
	for (__u32 k = 0; k < CT_NSTATS; k++) {
		if (bpf_map_lookup_elem(fd, &k, pc))
			continue;
		for (int c = 0; c < t->ncpu; c++) {
			out[k].calls += pc[c].calls;
			out[k].bytes += pc[c].bytes;
			out[k].ns += pc[c].ns;
			out[k].timed += pc[c].timed;
			out[k].aux += pc[c].aux;
			out[k].aux2 += pc[c].aux2;
			for (int s = 0; s < CT_HIST_SLOTS; s++)
				out[k].hist[s] += pc[c].hist[s];
		}
	}
	free(pc);
	if ((t->flags & CT_TR_NO_SYSTIME) && t->backend == BK_TRACEPOINT)
		for (int side = 0; side < CT_NSIDES; side++) {
			/* counted as copied for want of the flags: not an observation */
			memset(&out[CT_STAT_KEY(side, FN_SEND_COPY)], 0, sizeof(*out));
			memset(&out[CT_STAT_KEY(side, FN_ZC_PIN)], 0, sizeof(*out));
		}

	/* Entries whose exit never ran: the processes are gone, so each one is
	 * a call whose fexit/kretprobe was skipped (a trampoline update by
	 * another tracer makes calls in flight skip fexit; kretprobe instances
	 * can run out). Count them with the size the entry recorded, and say
	 * so. */
	struct { __u32 tid, fn; } key, next;
	struct { __u64 ts, arg; __s32 side; __u32 pad; } v;
	__u64 missed[FN_COUNT] = { 0 }, mbytes[FN_COUNT] = { 0 };
	int sfd = bpf_map__fd(t->skel->maps.starts);
	void *prev = NULL;
	while (bpf_map_get_next_key(sfd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(sfd, &key, &v) || v.side < 0 || v.side >= CT_NSIDES ||
		    key.fn >= FN_COUNT)
			continue;
		struct ct_stat *o = &out[CT_STAT_KEY(v.side, key.fn)];
		__u64 b = 0;
		switch (key.fn) {
		case FN_TCP_SENDMSG: case FN_RECV_COPY: case FN_DEFERRED_COPY:
			b = v.arg; /* bytes asked / to copy */
			break;
		case FN_ZC_CALLBACK:
			b = v.arg >> 32;
			o->aux += v.arg & 0xffff;
			if (!((v.arg >> 16) & 1))
				o->aux2 += v.arg & 0xffff;
			break;
		default:
			continue; /* syscalls, gather: no bytes known */
		}
		o->calls++;
		o->bytes += b;
		missed[key.fn]++;
		mbytes[key.fn] += b;
	}
	if (t->zc_skipped && t->skel->bss->zc_sends_seen)
		tracer_note(t, "%llu send call(s) asked for MSG_ZEROCOPY but the zerocopy-only "
			    "hooks were not loaded: zerocopy completions and the deferred copy "
			    "are not counted", (unsigned long long)t->skel->bss->zc_sends_seen);
	for (int f = 0; f < FN_COUNT; f++)
		if (missed[f])
			tracer_note(t, "%s: %llu call(s) entered but their exit was not seen (fexit "
				    "skipped by a trampoline update of another tracer, or kretprobe "
				    "instances exhausted); counted with the %llu B their entry recorded",
				    row_names[f], (unsigned long long)missed[f],
				    (unsigned long long)mbytes[f]);
	return 0;
}

void tracer_note_misses(struct tracer *t)
{
	struct bpf_program *p;
	if (!t->skel)
		return;
	bpf_object__for_each_program(p, t->skel->obj) {
		int fd = bpf_program__fd(p);
		if (fd < 0)
			continue;
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.recursion_misses)
			tracer_note(t, "%s missed %llu events (BPF recursion protection: it fired "
				    "while another BPF program ran on that CPU); its row undercounts",
				    bpf_program__name(p), (unsigned long long)info.recursion_misses);
	}
}

void tracer_close(struct tracer *t)
{
	tracer_detach(t);
	copytrace_bpf__destroy(t->skel);
	t->skel = NULL;
	probe_free();
}
