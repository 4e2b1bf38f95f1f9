# copytrace: `make` builds everything, `make test` runs every test.
CC      ?= gcc
CLANG   ?= clang
BPFTOOL ?= bpftool
ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
B       := build
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -pthread -Iuser -I$(B)
LDLIBS  += -pthread
BPF_LIBS := -lbpf -lelf -lz

# Data-path library shared by every binary.
CORE := errf opts msg hist result sockio gather impl_a1 impl_a2 impl_a3 zc_track parse \
        server client runner netns perfctl
CORE_OBJ := $(CORE:%=$(B)/obj/%.o)
# Tracer: BPF skeleton + loader.
TRACE := tracer probe ledger
TRACE_OBJ := $(TRACE:%=$(B)/obj/%.o)

# The user-facing tracer sits at the root; a VM build may put it under $(B).
TRACE_RUN ?= trace_run
BINS := $(B)/server $(B)/client $(B)/ctrun $(TRACE_RUN)
UNIT := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all clean deps test unit integration vmtest bench experiments demo vmlinux
all: $(BINS) $(UNIT)

$(B)/obj/%.o: user/%.c $(wildcard user/*.h) | $(B)/obj
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/obj $(B)/tests:
	mkdir -p $@

$(B)/server: $(B)/obj/main_server.o $(CORE_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)
$(B)/client: $(B)/obj/main_client.o $(CORE_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)
$(B)/ctrun: $(B)/obj/main_ctrun.o $(CORE_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# --- eBPF (CO-RE): clang -target bpf, then a bpftool skeleton -------------
$(B)/copytrace.bpf.o: bpf/copytrace.bpf.c $(wildcard bpf/*.h) vmlinux/$(ARCH)/vmlinux.h | $(B)/obj
	$(CLANG) -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Ivmlinux/$(ARCH) -Ibpf \
		-Wall -Werror -c $< -o $@
$(B)/copytrace.skel.h: $(B)/copytrace.bpf.o
	$(BPFTOOL) gen skeleton $< name copytrace_bpf > $@
$(TRACE_OBJ) $(B)/obj/trace_run.o: $(B)/copytrace.skel.h
$(B)/obj/%.o: CFLAGS += -Ibpf
$(TRACE_RUN): $(B)/obj/trace_run.o $(TRACE_OBJ) $(CORE_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(BPF_LIBS) $(LDLIBS)

vmlinux:
	scripts/gen-vmlinux.sh

# --- tests ------------------------------------------------------------------
$(B)/tests/test_%: tests/unit/test_%.c $(CORE_OBJ) | $(B)/tests
	$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS) -lcmocka

deps:
	@scripts/install-deps.sh

# Every test: unit (cmocka), integration, tracer, VM, experiment and bench smoke.
test: deps
	@$(MAKE) --no-print-directory all
	@tests/run_all.sh

unit: all
	@tests/run_all.sh unit

demo: deps
	@$(MAKE) --no-print-directory all
	./trace_run --impl a2

vmtest: deps all
	scripts/vmtest.sh

bench: deps all
	scripts/bench.sh

experiments: deps all
	scripts/run_experiments.sh

clean:
	rm -rf $(B) $(TRACE_RUN)
