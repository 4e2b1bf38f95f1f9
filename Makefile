# SPDX-License-Identifier: GPL-2.0-only
# copytrace: `make` builds everything, `make test` runs every test.
CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= bpftool
ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
B       := build
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -pthread -Iuser -I$(B)
# Frame pointers: the profiler walks user stacks by them.
CFLAGS  += -fno-omit-frame-pointer
LDLIBS  += -pthread
BPF_LIBS := -lbpf -ldw -lelf -lz -lm
# a4 (io_uring) lives in the data paths, so every binary that links them
# (server, client, ctrun, trace_run, the unit tests) needs liburing; the
# BPF tools and analysis do not.
URING_LIBS := -luring
# --exporter's HTTP server; EXPORTER=0 builds trace_run without it (the VM's
# static build: Debian ships no static p11-kit/libunistring for libmicrohttpd)
EXPORTER ?= 1
HTTP_LIBS := $(if $(filter 1,$(EXPORTER)),-lmicrohttpd)

# Objects by folder, each layer using only the ones above it:
#   common/  options, results, histogram, errors
#   net/     the message model and the data paths a1..a6
#   run/     the runner: namespaces, server and client as children
#   trace/   kernel facts, the hook plan, the tracer, targets, self-cost
#   profile/ the sampling profiler: side-band, process maps, symbols
#   report/  the ledger model, --check, the time ledger, the writers
#   cmd/     the binaries' mains
# Every binary links common + net; ctrun and trace_run add run.
COMMON  := $(addprefix common/,errf optdef opttable opts result hist perfctl text identity outfile version)
NET     := $(addprefix net/,msg hello parse gather impl conn impl_a1 impl_a2 impl_a3 impl_a4 impl_a5 impl_a6 ktls zc_track \
	     pagepipe sockio rx_zerocopy server client)
RUN     := $(addprefix run/,runner netns nicdev)
TRACE   := $(addprefix trace/,kfacts probe hooks tracer counters reaper procrows target selfcost proctree \
	     pidwatch cmdtree)
PROFILE := $(addprefix profile/,profiler symbolize procmaps sideband)
REPORT  := $(addprefix report/,take bycomm ledger check timeledger writer table json csv csvtext interval folded \
	     flamegraph prom exporter)
obj = $(patsubst %,$(B)/obj/%.o,$(1))
DATA_OBJ  := $(call obj,$(COMMON) $(NET))
RUN_OBJ   := $(call obj,$(RUN))
TRACE_OBJ := $(call obj,$(TRACE) $(PROFILE) $(REPORT))
HDRS := $(wildcard user/*/*.h)

# The user-facing tracer sits at the root; a VM build may put it under $(B).
TRACE_RUN ?= trace_run
# hookfloor: empty BPF programs on the tracer's hook points (make bench).
BINS := $(B)/server $(B)/client $(B)/ctrun $(TRACE_RUN) $(B)/hookfloor $(B)/hookplan
UNIT := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))
# a kTLS program of no data path of ours, traced by the VM test (-- COMMAND)
VMHELP := $(B)/ktls_pair

.PHONY: all programs clean deps test unit integration vmtest bench experiments demo vmlinux docs install uninstall
all: $(BINS) $(UNIT) $(VMHELP)
# the binaries alone (the Debian package builds these, not the tests)
programs: $(BINS)

$(B)/obj/%.o: user/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

# The release (VERSION) and, in a git checkout, the commit built; the
# header changes only when they do, so a build does not redo version.o.
CT_VERSION := $(shell v=$$(cat VERSION 2>/dev/null || echo 0); \
	g=$$(git describe --always --dirty --exclude '*' 2>/dev/null); echo "$$v$${g:++g$$g}")
$(B)/ct_version.h: FORCE
	@mkdir -p $(@D)
	@echo '#define CT_VERSION "$(CT_VERSION)"' >$@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(B)/obj/common/version.o: $(B)/ct_version.h
.PHONY: FORCE
FORCE:

$(B)/server: $(call obj,cmd/server) $(DATA_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(URING_LIBS) $(LDLIBS)
$(B)/client: $(call obj,cmd/client) $(DATA_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(URING_LIBS) $(LDLIBS)
$(B)/ctrun: $(call obj,cmd/ctrun) $(RUN_OBJ) $(DATA_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(URING_LIBS) $(LDLIBS)

# --- eBPF (CO-RE): clang -target bpf, then a bpftool skeleton -------------
# One object and skeleton per bpf/*.bpf.c: copytrace (the tracer, built from
# the per-concern bpf/*.bpf.h files), profile (the sampling profiler) and
# hookfloor (make bench's empty programs). The objects are kept, not
# deleted as intermediates, so the next make does not rebuild them.
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(B)/%.bpf.o,$(wildcard bpf/*.bpf.c))
.SECONDARY: $(BPF_OBJS)
$(B)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) vmlinux/$(ARCH)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Ivmlinux/$(ARCH) -Ibpf \
		-Wall -Werror -c $< -o $@
$(B)/%.skel.h: $(B)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@
$(TRACE_OBJ) $(call obj,cmd/trace_run): $(B)/copytrace.skel.h $(B)/profile.skel.h
$(TRACE_OBJ) $(call obj,cmd/trace_run): CFLAGS += -Ibpf
$(call obj,report/exporter): CFLAGS += $(if $(filter 1,$(EXPORTER)),,-DCT_NO_EXPORTER)
$(TRACE_RUN): $(call obj,cmd/trace_run) $(TRACE_OBJ) $(RUN_OBJ) $(DATA_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(BPF_LIBS) $(HTTP_LIBS) $(URING_LIBS) $(LDLIBS)

# hookplan: the hook plan over recorded kernel facts (the table in docs/kernels.md)
$(call obj,cmd/hookplan) $(call obj,trace/hooks): $(B)/copytrace.skel.h
$(call obj,cmd/hookplan): CFLAGS += -Ibpf
$(B)/hookplan: $(call obj,cmd/hookplan trace/hooks trace/kfacts common/errf common/version)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(call obj,cmd/hookfloor): $(B)/hookfloor.skel.h
$(B)/hookfloor: $(call obj,cmd/hookfloor common/version)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ -lbpf $(LDLIBS)

vmlinux:
	scripts/gen-vmlinux.sh

# --- tests ------------------------------------------------------------------
$(B)/tests/test_%: CFLAGS += -Ibpf
$(B)/tests/test_profile: $(call obj,report/timeledger report/folded report/flamegraph profile/procmaps profile/symbolize)
$(B)/tests/test_profile: LDLIBS += -ldw -lelf
# the hook plan over the kernel facts recorded in tests/unit/kfacts/
$(B)/tests/test_hooks: $(call obj,trace/hooks trace/kfacts)
$(B)/tests/test_hooks: CFLAGS += -DKFACTS_DIR=\"$(CURDIR)/tests/unit/kfacts\"
$(B)/tests/test_hooks: | $(B)/copytrace.skel.h
$(B)/tests/test_proctree: $(call obj,trace/proctree trace/pidwatch trace/cmdtree)
$(B)/tests/test_procrows: $(call obj,trace/procrows)
# the writers on a fixed run, against tests/unit/golden/
$(B)/tests/test_report: $(TRACE_OBJ) $(RUN_OBJ)
$(B)/tests/test_report: CFLAGS += -DGOLDEN_DIR=\"$(CURDIR)/tests/unit/golden\"
$(B)/tests/test_report: LDLIBS += $(BPF_LIBS) $(HTTP_LIBS)
$(B)/tests/test_report: | $(B)/copytrace.skel.h $(B)/profile.skel.h
$(B)/tests/test_%: tests/unit/test_%.c $(DATA_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $^ -o $@ $(URING_LIBS) $(LDLIBS) -lcmocka

$(B)/ktls_pair: tests/vm/ktls_pair.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< -o $@ $(LDFLAGS)

deps:
	@scripts/install-deps.sh

# Every test: unit (cmocka), integration, tracer, VM, experiment and bench smoke.
test: deps
	@$(MAKE) --no-print-directory all
	@tests/run_all.sh

unit: all
	@tests/run_all.sh unit

integration: all
	@tests/run_all.sh integration

demo: deps
	@$(MAKE) --no-print-directory all
	./trace_run --impl a2

vmtest: deps all
	scripts/vmtest.sh

bench: deps all
	scripts/bench.sh

experiments: deps all
	scripts/run_experiments.sh

# --- man pages, completion, install -----------------------------------------
# Both come from each binary's own --help (help2man, scripts/gen-completion.sh):
# one source for the options, nothing to keep in step by hand.
PREFIX  ?= /usr/local
DESTDIR ?=
MANS := $(B)/man/trace_run.8 $(B)/man/ctrun.1 $(B)/man/copytrace-server.1 $(B)/man/copytrace-client.1
COMPS := $(B)/completion/trace_run $(B)/completion/ctrun
man_name = $(if $(filter trace_run,$(1)),trace and account for every byte a TCP send copies,\
	$(if $(filter ctrun,$(1)),run copytrace's server and client in network namespaces,\
	copytrace's $(subst copytrace-,,$(1)) of the message model))
$(B)/man/trace_run.8: $(TRACE_RUN)
$(B)/man/ctrun.1: $(B)/ctrun
$(B)/man/copytrace-server.1: $(B)/server
$(B)/man/copytrace-client.1: $(B)/client
$(MANS):
	@mkdir -p $(@D)
	help2man --no-info --no-discard-stderr --section $(subst .,,$(suffix $@)) \
		--name "$(call man_name,$(basename $(@F)))" --version-string "$(CT_VERSION)" \
		--output $@ ./$<
$(B)/completion/trace_run: $(TRACE_RUN) scripts/gen-completion.sh
$(B)/completion/ctrun: $(B)/ctrun scripts/gen-completion.sh
$(COMPS):
	@mkdir -p $(@D)
	scripts/gen-completion.sh ./$< $(@F) >$@
docs: $(MANS) $(COMPS)

# Installed layout (make uninstall removes exactly these):
INST_SBIN  := $(DESTDIR)$(PREFIX)/sbin
INST_BIN   := $(DESTDIR)$(PREFIX)/bin
INST_MAN   := $(DESTDIR)$(PREFIX)/share/man
INST_COMP  := $(DESTDIR)$(PREFIX)/share/bash-completion/completions
INST_SHARE := $(DESTDIR)$(PREFIX)/share/copytrace
INST_DOC   := $(DESTDIR)$(PREFIX)/share/doc/copytrace
ANALYSIS   := $(wildcard analysis/*.py) analysis/report
install: programs docs
	install -d $(INST_SBIN) $(INST_BIN) $(INST_MAN)/man1 $(INST_MAN)/man8 $(INST_COMP) \
		$(INST_SHARE)/analysis $(INST_SHARE)/contrib $(INST_DOC)
	install -m 755 $(TRACE_RUN) $(INST_SBIN)/trace_run
	install -m 755 $(B)/ctrun $(INST_BIN)/ctrun
	install -m 755 $(B)/server $(INST_BIN)/copytrace-server
	install -m 755 $(B)/client $(INST_BIN)/copytrace-client
	install -m 644 $(B)/man/trace_run.8 $(INST_MAN)/man8/
	install -m 644 $(B)/man/ctrun.1 $(B)/man/copytrace-server.1 $(B)/man/copytrace-client.1 $(INST_MAN)/man1/
	install -m 644 $(COMPS) $(INST_COMP)/
	install -m 755 $(ANALYSIS) $(INST_SHARE)/analysis/
	install -m 644 contrib/* $(INST_SHARE)/contrib/
	install -m 644 README.md LICENSE $(INST_DOC)/
	install -m 644 docs/*.md $(INST_DOC)/
uninstall:
	rm -f $(INST_SBIN)/trace_run $(INST_BIN)/ctrun $(INST_BIN)/copytrace-server \
		$(INST_BIN)/copytrace-client $(INST_MAN)/man8/trace_run.8 \
		$(addprefix $(INST_MAN)/man1/,ctrun.1 copytrace-server.1 copytrace-client.1) \
		$(addprefix $(INST_COMP)/,trace_run ctrun)
	rm -rf $(INST_SHARE) $(INST_DOC)

clean:
	rm -rf $(B) $(TRACE_RUN)
