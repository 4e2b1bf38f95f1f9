// SPDX-License-Identifier: GPL-2.0-only
/* The profiler's pure logic: classification of sampled stacks into time
 * ledger rows, folded output, the flame graph's layout and SVG, and the
 * per-process mappings the side-band keeps (procmaps). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "report/flamegraph.h"
#include "report/folded.h"
#include "profile/procmaps.h"
#include "profile/symbolize.h"
#include "report/timeledger.h"

/* A stack from frames leaf first: nk kernel frames, then user frames. */
#define STACK(side, count, nk, ...)                                                             \
	((struct prof_stack){ side, PE_CLOCK, count, nk,                                        \
			      (int)(sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(char *)) - \
				      (nk),                                                     \
			      (const char *[]){ __VA_ARGS__ }, 0, NULL })

static int row(struct prof_stack s, const char **caller, int *irq)
{
	return tl_classify(&s, irq, caller);
}

static void primitives_count_for_their_caller(void **st)
{
	(void)st;
	const char *c;
	int irq;
	/* libc memcpy under ct_gather: the user-space gather */
	assert_int_equal(row(STACK(0, 1, 0, "__memmove_avx_unaligned_erms", "ct_gather", "a1_send",
				   "worker_main"),
			     &c, &irq),
			 TL_USER_GATHER);
	/* the same memcpy in a foreign program: another user-space copy, named
	 * by its caller */
	assert_int_equal(
		row(STACK(0, 1, 0, "__memmove_avx_unaligned_erms", "pack_frame", "main"), &c, &irq),
		TL_USER_OTHER);
	assert_string_equal(c, "pack_frame");
	/* the kernel send copy, inside tcp_sendmsg */
	assert_int_equal(row(STACK(0, 1, 3, "rep_movs_alternative", "_copy_from_iter",
				   "tcp_sendmsg_locked", "__send"),
			     &c, &irq),
			 TL_SEND_COPY);
	/* the same copy function outside tcp_sendmsg is no send copy */
	assert_int_equal(row(STACK(0, 1, 3, "rep_movs_alternative", "_copy_from_iter", "pipe_write",
				   "write"),
			     &c, &irq),
			 TL_KERNEL_OTHER);
	assert_string_equal(c, "pipe_write");
	/* the receive copy */
	assert_int_equal(row(STACK(1, 1, 4, "rep_movs_alternative", "_copy_to_iter",
				   "__skb_datagram_iter", "tcp_recvmsg", "__recv"),
			     &c, &irq),
			 TL_RECV_COPY);
	/* pinning is its own (non-copy) row */
	assert_int_equal(row(STACK(0, 1, 3, "iov_iter_get_pages2", "skb_zerocopy_iter_stream",
				   "tcp_sendmsg_locked", "__sendmsg"),
			     &c, &irq),
			 TL_ZC_PIN);
	assert_false(tl_rows[TL_ZC_PIN].copy);
}

static void interrupts_end_the_walk(void **st)
{
	(void)st;
	const char *c;
	int irq;
	/* the deferred copy runs in softirq: found before the softirq entry */
	assert_int_equal(row(STACK(0, 1, 5, "memcpy", "skb_copy_ubufs", "__netif_receive_skb",
				   "net_rx_action", "handle_softirqs", "__send"),
			     &c, &irq),
			 TL_DEFERRED);
	assert_int_equal(irq, 0);
	/* softirq work interrupting the gather is not the gather */
	assert_int_equal(row(STACK(0, 1, 3, "tcp_v4_rcv", "net_rx_action", "handle_softirqs",
				   "__memmove_avx_unaligned_erms", "ct_gather"),
			     &c, &irq),
			 -1);
	assert_int_equal(irq, 1);
	/* a page fault is the same context: the gather's */
	assert_int_equal(row(STACK(0, 1, 2, "clear_page_erms", "asm_exc_page_fault",
				   "__memmove_avx_unaligned_erms", "ct_gather"),
			     &c, &irq),
			 TL_USER_GATHER);
	/* no copy at all */
	assert_int_equal(row(STACK(0, 1, 1, "tcp_ack", "__send"), &c, &irq), -1);
	assert_int_equal(irq, 0);
}

static void ledger_sums_samples_per_row_and_side(void **st)
{
	(void)st;
	struct prof_stack s[] = {
		STACK(0, 30, 0, "memcpy", "ct_gather", "main"),
		STACK(0, 10, 2, "_copy_from_iter", "tcp_sendmsg", "__send"),
		STACK(1, 25, 3, "_copy_to_iter", "skb_copy_datagram_iter", "tcp_recvmsg", "__recv"),
		STACK(1, 5, 1, "tcp_ack", "__recv"),
	};
	s[3].event = PE_CYCLES; /* other events are not time */
	struct time_ledger tl;
	assert_int_equal(tl_build(&tl, s, 4, 2000000), 0);
	assert_int_equal(tl.total_all, 65);
	assert_int_equal(tl.total[0], 40);
	assert_int_equal(tl.rows[TL_USER_GATHER][0], 30);
	assert_int_equal(tl.rows[TL_SEND_COPY][0], 10);
	assert_int_equal(tl.rows[TL_RECV_COPY][1], 25);
	assert_int_equal(tl.row_all[TL_DEFERRED], 0);
	assert_int_equal(tl.nself, 3);
	assert_string_equal(tl.self[0].name, "memcpy"); /* most self samples first */
	assert_int_equal(tl.self[0].samples, 30);
	assert_string_equal(tl.self[2].name, "_copy_from_iter");
}

static void folded_merges_and_orders_frames(void **st)
{
	(void)st;
	struct prof_stack s[] = {
		STACK(0, 3, 1, "_copy_from_iter", "__send", "main"),
		STACK(1, 2, 0, "odd name;x", "main"),
		STACK(0, 4, 1, "_copy_from_iter", "__send", "main"), /* same names: merged */
	};
	struct folded_line *l;
	int n = folded_lines(s, 3, &l);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].stack, "receiver;main;odd_name:x");
	assert_int_equal(l[0].count, 2);
	assert_string_equal(l[1].stack, "sender;main;__send;_copy_from_iter_[k]");
	assert_int_equal(l[1].count, 7);
	char buf[256] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	assert_int_equal(folded_write(f, l, n), 0);
	fclose(f);
	assert_string_equal(
		buf, "receiver;main;odd_name:x 2\nsender;main;__send;_copy_from_iter_[k] 7\n");
	folded_free(l, n);
}

/* Tracing a program: each process is its own slot in the time ledger and
 * its own root ("comm/pid") in the folded lines. */
static void program_stacks_by_process(void **st)
{
	(void)st;
	struct prof_stack s[] = {
		STACK(5, 7, 0, "__memmove_avx_unaligned_erms", "pack", "main"),
		STACK(9, 3, 0, "main"),
		STACK(9, 2, 0, "main"),
	};
	s[0].pid = 1234, s[0].root = "iperf3/1234";
	s[1].pid = 1240, s[1].root = "python3/1240";
	s[2].pid = 1241, s[2].root = "python3/1241"; /* two processes in one slot ("others") */
	struct time_ledger tl;
	assert_int_equal(tl_build(&tl, s, 3, 2000000), 0);
	assert_int_equal(tl.total_all, 12);
	assert_int_equal(tl.total[5], 7);
	assert_int_equal(tl.total[9], 5);
	assert_int_equal(tl.rows[TL_USER_OTHER][5], 7); /* a foreign program's memcpy */
	assert_int_equal(tl.row_all[TL_USER_OTHER], 7);
	assert_string_equal(tl.other[0].name, "pack");
	struct folded_line *l;
	int n = folded_lines(s, 3, &l);
	assert_int_equal(n, 3);
	assert_string_equal(l[0].stack, "iperf3/1234;main;pack;__memmove_avx_unaligned_erms");
	assert_string_equal(l[1].stack, "python3/1240;main");
	assert_string_equal(l[2].stack, "python3/1241;main");
	folded_free(l, n);
}

/* The mappings over a trace: fork shares the parent's image, exec starts
 * a new one, a new mmap replaces what it overlaps, and an address is
 * found in the newest image that maps it. */
static void procmaps_follow_fork_exec_mmap(void **st)
{
	(void)st;
	struct procmaps *pm = pm_new();
	struct pm_hit h;
	assert_non_null(pm);
	assert_int_equal(pm_track(pm, 100), 0);
	pm_comm(pm, 100, "sh");
	pm_mmap(pm, 100, 0x1000, 0x3000, 0x2000, "/bin/sh", 7, NULL, 0);
	pm_mmap(pm, 100, 0x10000, 0x1000, 0, "/lib/libc.so", 8, NULL, 0);
	assert_int_equal(pm_find(pm, 100, 0x1800, &h), 0);
	assert_string_equal(pm_file_at(pm, h.file)->path, "/bin/sh");
	assert_int_equal(h.off, 0x2800);
	assert_int_equal(pm_find(pm, 100, 0x4000, &h), -1); /* end is exclusive */
	/* an mmap over the middle of /bin/sh's mapping splits it */
	pm_mmap(pm, 100, 0x2000, 0x1000, 0, "/tmp/x", 9, NULL, 0);
	assert_int_equal(pm_find(pm, 100, 0x2800, &h), 0);
	assert_string_equal(pm_file_at(pm, h.file)->path, "/tmp/x");
	assert_int_equal(h.off, 0x800);
	assert_int_equal(pm_find(pm, 100, 0x3800, &h), 0);
	assert_string_equal(pm_file_at(pm, h.file)->path, "/bin/sh");
	assert_int_equal(h.off, 0x4800);
	/* fork: the child has the parent's image; untracked parents: nothing */
	assert_int_equal(pm_fork(pm, 100, 101), 1);
	assert_int_equal(pm_fork(pm, 555, 556), 0);
	assert_false(pm_has(pm, 556));
	assert_string_equal(pm_comm_of(pm, 101), "sh");
	assert_int_equal(pm_find(pm, 101, 0x10010, &h), 0);
	/* the child execs: its new binary, and its old addresses still
	 * resolve through the old image */
	pm_exec(pm, 101, "python3");
	pm_mmap(pm, 101, 0x1000, 0x1000, 0x1000, "/usr/bin/python3", 10, NULL, 0);
	assert_int_equal(pm_find(pm, 101, 0x1010, &h), 0);
	assert_string_equal(pm_file_at(pm, h.file)->path, "/usr/bin/python3");
	assert_int_equal(pm_find(pm, 101, 0x10010, &h), 0);
	assert_string_equal(pm_file_at(pm, h.file)->path, "/lib/libc.so");
	assert_string_equal(pm_comm_of(pm, 101), "python3");
	assert_string_equal(pm_comm_of(pm, 100), "sh"); /* the parent is untouched */
	assert_int_equal(pm_find(pm, 100, 0x1010, &h), 0);
	assert_string_equal(pm_file_at(pm, h.file)->path, "/bin/sh");
	/* one file entry per (path, identity): a rebuilt file is another */
	unsigned char bid[20] = { 1, 2, 3 };
	pm_mmap(pm, 100, 0x20000, 0x1000, 0, "/lib/libc.so", 0, bid, 20);
	assert_int_equal(pm_find(pm, 100, 0x20000, &h), 0);
	assert_int_equal(pm_file_at(pm, h.file)->bid_len, 20);
	assert_int_equal(pm_nfiles(pm), 5);
	/* pid 101 reused by a new child of 100: the parent's image is its
	 * newest, python3's stays for the old process's samples */
	assert_int_equal(pm_fork(pm, 100, 101), 1);
	assert_int_equal(pm_find(pm, 101, 0x1010, &h), 0);
	assert_string_equal(pm_file_at(pm, h.file)->path, "/bin/sh");
	assert_string_equal(pm_comm_of(pm, 101), "sh");
	struct pm_stats ps;
	pm_get_stats(pm, &ps);
	assert_int_equal(ps.procs, 2);
	assert_int_equal(ps.images, 4);
	assert_int_equal(ps.procs_dropped + ps.maps_dropped, 0);
	pm_free(pm);
}

static void layout_widths_follow_samples(void **st)
{
	(void)st;
	struct folded_line l[] = {
		{ "sender;main;ct_gather;memcpy", 30 },
		{ "sender;main;send_[k]", 10 },
		{ "sender;other", 60 },
		{ "sender;tiny", 0 },
	};
	struct fg_rect *r;
	int n = fg_layout(l, 4, 1000, &r);
	/* all, sender, main, ct_gather, memcpy, send, other (tiny: too narrow) */
	assert_int_equal(n, 7);
	assert_string_equal(r[0].name, "all");
	assert_true(r[0].w == 1000 && r[0].x == 0 && r[0].depth == 0);
	assert_true(r[1].w == 1000 && r[1].depth == 1);
	assert_true(r[2].name_len == 4 && !strncmp(r[2].name, "main", 4) && r[2].w == 400);
	assert_true(!strncmp(r[3].name, "ct_gather", 9) && r[3].w == 300 && r[3].kind == 2);
	assert_true(!strncmp(r[4].name, "memcpy", 6) && r[4].depth == 4 && r[4].kind == 1);
	assert_true(!strncmp(r[5].name, "send_[k]", 8) && r[5].x == 300 && r[5].w == 100);
	assert_true(!strncmp(r[6].name, "other", 5) && r[6].x == 400 && r[6].w == 600 &&
		    r[6].kind == 0);
	free(r);
}

static void svg_is_complete_and_escaped(void **st)
{
	(void)st;
	struct folded_line l[] = { { "sender;a<b>&\"c\";memcpy", 5 } };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(flamegraph_write(f, l, 1, "t<1>"), 0);
	fclose(f);
	assert_non_null(strstr(buf, "<?xml"));
	assert_non_null(strstr(buf, "a&lt;b&gt;&amp;&quot;c&quot;"));
	assert_non_null(strstr(buf, "t&lt;1&gt;"));
	assert_null(strstr(buf, "a<b"));
	assert_non_null(strstr(buf, "</svg>\n"));
	assert_int_equal(strcmp(buf + len - 7, "</svg>\n"), 0);
	free(buf);
}

/* A mapped file the symbolizer was never handed a handle for (its
 * process gone before the side-band was read) and whose path now names a
 * FIFO or a device: it is not opened (a FIFO would block for ever, a
 * device open can act), the frame keeps its file offset, and the refusal
 * is counted. */
static void symbolizer_never_opens_a_fifo_or_device(void **st)
{
	(void)st;
	char dir[] = "/tmp/ct-sym-XXXXXX", fifo[64];
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/lib.so", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	struct stat sf, sd;
	assert_int_equal(stat(fifo, &sf), 0);
	assert_int_equal(stat("/dev/null", &sd), 0);
	const pid_t gone = 4194000; /* above any pid_max in use: no /proc entry */
	struct procmaps *pm = pm_new();
	assert_non_null(pm);
	assert_int_equal(pm_track(pm, gone), 0);
	pm_mmap(pm, gone, 0x10000, 0x1000, 0, fifo, sf.st_ino, NULL, 0);
	pm_mmap(pm, gone, 0x20000, 0x1000, 0, "/dev/null", sd.st_ino, NULL, 0);
	struct symbolizer *s = sym_new(pm);
	assert_non_null(s);
	alarm(20); /* a blocking open would hang here: SIGALRM fails the test */
	assert_string_equal(sym_user(s, gone, 0x10010), "[lib.so+0x10]");
	assert_string_equal(sym_user(s, gone, 0x20010), "[null+0x10]");
	alarm(0);
	assert_int_equal(sym_files_refused(s), 2);
	sym_free(s);
	pm_free(pm);
	unlink(fifo);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(primitives_count_for_their_caller),
		cmocka_unit_test(interrupts_end_the_walk),
		cmocka_unit_test(ledger_sums_samples_per_row_and_side),
		cmocka_unit_test(folded_merges_and_orders_frames),
		cmocka_unit_test(program_stacks_by_process),
		cmocka_unit_test(procmaps_follow_fork_exec_mmap),
		cmocka_unit_test(symbolizer_never_opens_a_fifo_or_device),
		cmocka_unit_test(layout_widths_follow_samples),
		cmocka_unit_test(svg_is_complete_and_escaped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
