#!/usr/bin/env bash
# Boot Debian's stock distro kernel under QEMU and run copytrace's fentry and
# kprobe tracer tests inside it (the way libbpf CI and the kernel's
# tools/testing/selftests/bpf/vmtest.sh do).
#
#   1. resolve the kernel package (the one Debian's linux-image-amd64 depends on),
#      fetch it with apt-get download and cache only what the VM needs under
#      .cache/vm/<package>_<version>/ (git ignores .cache, make clean keeps it);
#   2. build static test binaries into build/vm/ (make B=build/vm LDFLAGS=-static);
#   3. pack an initramfs: busybox-static + binaries + tests/vm/init + tests/vm/tests.sh
#      + veth.ko (cpio newc, gzip);
#   4. boot it with qemu-system-x86_64 under timeout, stream the console, and
#      decide from the guest's marker line "CT-VMTEST-RESULT passed=N failed=M".
# Prints ok/not ok per guest check and a closing "RESULT passed=N failed=M"
# (tests/run_all.sh sums it); exits 0 only when the guest ran and every check passed.
# A missing QEMU, busybox or kernel package is a failure, never a silent pass.
#
# Environment:
#   CT_SKIP_VM=1       skip explicitly (exit 0, prints that it skipped)
#   VM_KERNEL_PKG      binary package to boot (default: what linux-image-amd64 depends on)
#   VM_KERNEL_VERSION  version of that package (default: apt's candidate)
#   VM_KERNEL_DEB      a local linux-image .deb to boot instead of fetching one
#   VM_CACHE           cache folder (default .cache/vm)
#   VM_B               build folder for the static binaries and initramfs (default build/vm)
#   VM_TIMEOUT         seconds for the whole boot + tests + poweroff (default 290)
#   VM_MEM, VM_SMP     guest memory (MiB, default 1024) and CPUs (default 2)
#   VM_DURATION        seconds per traced run inside the guest (default 0.5)
#   VM_JOBS            traced runs at a time inside the guest (default 1)
#   VM_ACCEL           tcg (default) or kvm
#   VM_TCG_THREAD      single (default) or multi: QEMU TCG threading. With multi
#                      (MTTCG) the guest's live patching of fentry/ftrace sites hung a
#                      vCPU at a patched function entry (soft lockup) twice in 3 runs;
#                      single keeps 2 guest CPUs but runs them on one host thread
#   VM_TESTS           all (default) | smoke (environment checks only)
#   VM_BPF_LIBS        libraries for the static trace_run link (default -lbpf -lelf -lz)
#   VM_APPEND          extra kernel command line words
#   VM_EXTRA           a busybox-sh file the guest sources after its tests (debugging;
#                      it may call pass/fail/check/diag from tests/vm/tests.sh)
#   VM_HOST_TOOLS      host programs copied in with their libraries (default: ip bpftool)
#   VM_LOG             console log file (default build/vm/console.log)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

if [ "${CT_SKIP_VM:-0}" = 1 ]; then
	echo "vmtest: skipped (CT_SKIP_VM=1)"
	exit 0
fi

VM_CACHE=${VM_CACHE:-$ROOT/.cache/vm}
VM_B=${VM_B:-build/vm}
VM_TIMEOUT=${VM_TIMEOUT:-290}
VM_MEM=${VM_MEM:-1024}
VM_SMP=${VM_SMP:-2}
VM_DURATION=${VM_DURATION:-0.5}
VM_TESTS=${VM_TESTS:-all}
VM_JOBS=${VM_JOBS:-1}
VM_BPF_LIBS=${VM_BPF_LIBS:--lbpf -lelf -lz}
VM_LOG=${VM_LOG:-$VM_B/console.log}
# Binaries the guest tests use; trace_run is the one under test.
VM_BINS=(trace_run ctrun server client)
# Dynamic host tools copied in with their libraries (see step 3).
VM_HOST_TOOLS=${VM_HOST_TOOLS:-ip bpftool}

T0=$(date +%s.%N)
H_PASS=0
H_FAIL=0
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
log() { echo "vmtest: $*"; }
hpass() { H_PASS=$((H_PASS + 1)); echo "ok - vm: $1"; }
hfail() { H_FAIL=$((H_FAIL + 1)); echo "not ok - vm: $1"; }
# die MSG: the VM cannot run at all; fail loudly.
die() {
	hfail "$1"
	[ -n "${2:-}" ] && echo "# $2"
	log "FAILED after $(elapsed "$T0")s (set CT_SKIP_VM=1 to skip the VM tests explicitly)"
	echo "RESULT passed=$H_PASS failed=$H_FAIL"
	exit 1
}

# ---- tools -------------------------------------------------------------------
QEMU=${QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null || die "$QEMU not found" "install it: apt-get install qemu-system-x86 (or run scripts/install-deps.sh)"
BUSYBOX=${BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] || BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] && [ -x "$BUSYBOX" ] || die "busybox not found" "apt-get install busybox-static"
if LC_ALL=C ldd "$BUSYBOX" >/dev/null 2>&1; then
	die "$BUSYBOX is dynamically linked" "apt-get install busybox-static (the initramfs needs a static busybox)"
fi
for t in cpio gzip dpkg-deb tar timeout; do
	command -v "$t" >/dev/null || die "$t not found" "apt-get install cpio dpkg tar coreutils"
done
mkdir -p "$VM_CACHE" "$VM_B" || die "cannot create $VM_CACHE or $VM_B"

# ---- 1. the kernel package -------------------------------------------------------
T1=$(date +%s.%N)
apt_candidate() { # PKG -> version apt would download, or nothing
	apt-cache show --no-all-versions "$1" 2>/dev/null | awk '/^Version:/ { print $2; exit }'
}
resolve_pkg() { # -> the linux-image-*-amd64 package linux-image-amd64 depends on
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}
if [ -n "${VM_KERNEL_DEB:-}" ]; then
	[ -r "$VM_KERNEL_DEB" ] || die "VM_KERNEL_DEB=$VM_KERNEL_DEB not readable"
	KPKG=$(dpkg-deb -f "$VM_KERNEL_DEB" Package) || die "VM_KERNEL_DEB=$VM_KERNEL_DEB is not a .deb"
	KVER=$(dpkg-deb -f "$VM_KERNEL_DEB" Version)
else
	KPKG=${VM_KERNEL_PKG:-$(resolve_pkg)}
	KVER=${VM_KERNEL_VERSION:-}
	if [ -z "$KPKG" ] || { [ -z "$KVER" ] && [ -z "$(apt_candidate "$KPKG")" ]; }; then
		# fresh machine: package lists never fetched
		if [ "$(id -u)" -eq 0 ]; then
			log "apt-get update (package lists missing)"
			apt-get update -qq >/dev/null 2>&1
			KPKG=${VM_KERNEL_PKG:-$(resolve_pkg)}
		fi
	fi
	[ -n "$KVER" ] || KVER=$(apt_candidate "${KPKG:-none}")
	if [ -z "$KPKG" ] || [ -z "$KVER" ]; then
		# offline: reuse the newest cached kernel of that package (or any), if there is one
		cached=$(ls -1dt "$VM_CACHE"/${KPKG:-linux-image-}*_*/.complete 2>/dev/null | head -n 1)
		[ -n "$cached" ] || die "cannot resolve the kernel package (${KPKG:-the dependency of linux-image-amd64}) with apt-cache and nothing is cached in $VM_CACHE" \
			"needs Debian's package mirror (apt-get update), or set VM_KERNEL_DEB=/path/to/linux-image-*.deb"
		d=$(basename "$(dirname "$cached")")
		KPKG=${d%_*}
		KVER=${d##*_}
		log "apt cannot resolve the kernel; using cached $KPKG $KVER"
	fi
fi
KDIR="$VM_CACHE/${KPKG}_${KVER}"
if [ ! -e "$KDIR/.complete" ]; then
	rm -rf "$KDIR.tmp"
	mkdir -p "$KDIR.tmp/root" || die "cannot create $KDIR.tmp"
	if [ -n "${VM_KERNEL_DEB:-}" ]; then
		deb=$VM_KERNEL_DEB
	else
		log "fetching $KPKG $KVER (apt-get download)"
		(cd "$KDIR.tmp" && apt-get download -q -o APT::Sandbox::User=root "$KPKG=$KVER" 2>&1 | grep -v '^Get:' | sed 's/^/vmtest: apt: /') || true
		deb=$(ls -1 "$KDIR.tmp"/*.deb 2>/dev/null | head -n 1)
		[ -n "$deb" ] || die "apt-get download $KPKG=$KVER failed" "needs Debian's package mirror; or set VM_KERNEL_DEB=/path/to/linux-image-*.deb"
	fi
	log "extracting vmlinuz, config and veth.ko from $(basename "$deb")"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$KDIR.tmp/root" --wildcards \
		'./boot/vmlinuz-*' './boot/config-*' '*/modules/*/kernel/drivers/net/veth.ko*' ||
		die "extracting $deb failed"
	# veth's dependencies (none on Debian 6.1), breadth first, then load order = reverse
	modinfo_dep() { # MODULE_FILE -> comma list of dependencies
		local f=$1 tmp
		case $f in
		*.ko.xz) tmp=$(mktemp); xz -dc "$f" >"$tmp"; modinfo -F depends "$tmp" 2>/dev/null; rm -f "$tmp" ;;
		*.ko.zst) tmp=$(mktemp); zstd -qdc "$f" >"$tmp"; modinfo -F depends "$tmp" 2>/dev/null; rm -f "$tmp" ;;
		*) modinfo -F depends "$f" 2>/dev/null ;;
		esac
	}
	order=()
	queue=(veth)
	while [ ${#queue[@]} -gt 0 ]; do
		m=${queue[0]}; queue=("${queue[@]:1}")
		f=$(find "$KDIR.tmp/root" -name "$m.ko*" | head -n 1)
		if [ -z "$f" ]; then
			dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$KDIR.tmp/root" --wildcards "*/modules/*/kernel/*/$m.ko*" 2>/dev/null
			f=$(find "$KDIR.tmp/root" -name "$m.ko*" | head -n 1)
		fi
		[ -n "$f" ] || { log "module $m not in the package (built in?)"; continue; }
		order=("$m" "${order[@]}")
		command -v modinfo >/dev/null || continue
		for dep in $(modinfo_dep "$f" | tr ',' ' '); do queue+=("$dep"); done
	done
	# flatten: vmlinuz, config, modules/<name>.ko (decompressed: busybox insmod)
	mkdir -p "$KDIR.tmp/modules"
	: >"$KDIR.tmp/modules/order"
	for m in "${order[@]}"; do
		grep -qx "$m.ko" "$KDIR.tmp/modules/order" && continue
		f=$(find "$KDIR.tmp/root" -name "$m.ko*" | head -n 1)
		case $f in
		*.ko.xz) xz -dc "$f" >"$KDIR.tmp/modules/$m.ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$KDIR.tmp/modules/$m.ko" ;;
		*) cp "$f" "$KDIR.tmp/modules/$m.ko" ;;
		esac || die "cannot unpack module $f"
		echo "$m.ko" >>"$KDIR.tmp/modules/order"
	done
	mv "$KDIR.tmp"/root/boot/vmlinuz-* "$KDIR.tmp/vmlinuz" 2>/dev/null || die "no boot/vmlinuz-* in $deb"
	mv "$KDIR.tmp"/root/boot/config-* "$KDIR.tmp/config" 2>/dev/null || log "no boot/config-* in $deb"
	rm -rf "$KDIR.tmp/root" "$KDIR.tmp"/*.deb
	echo "$KPKG $KVER" >"$KDIR.tmp/.complete"
	rm -rf "$KDIR" && mv "$KDIR.tmp" "$KDIR" || die "cannot move $KDIR.tmp into place"
else
	log "using cached $KPKG $KVER ($KDIR)"
fi
if [ -r "$KDIR/config" ]; then
	for opt in CONFIG_DEBUG_INFO_BTF CONFIG_BPF_SYSCALL CONFIG_KPROBES CONFIG_FUNCTION_TRACER; do
		grep -q "^$opt=y" "$KDIR/config" || log "warning: $KPKG has no $opt=y; some guest checks will fail"
	done
fi
T_FETCH=$(elapsed "$T1")

# ---- 2. static test binaries ---------------------------------------------------------
T2=$(date +%s.%N)
targets=()
for b in "${VM_BINS[@]}"; do targets+=("$VM_B/$b"); done
log "building static ${VM_BINS[*]} into $VM_B"
make -k --no-print-directory -s B="$VM_B" TRACE_RUN="$VM_B/trace_run" LDFLAGS=-static \
	BPF_LIBS="$VM_BPF_LIBS" "${targets[@]}" >"$VM_B/build.log" 2>&1
mrc=$?
for b in "${VM_BINS[@]}"; do
	f="$VM_B/$b"
	if [ -x "$f" ] && ! LC_ALL=C ldd "$f" >/dev/null 2>&1; then
		hpass "static build of $b"
	else
		hfail "static build of $b (see $VM_B/build.log)"
		rm -f "$f"
	fi
done
[ $mrc -eq 0 ] || { echo "# make exited $mrc; last lines of $VM_B/build.log:"; tail -n 15 "$VM_B/build.log" | sed 's/^/#   /'; }
T_BUILD=$(elapsed "$T2")

# ---- 3. initramfs -------------------------------------------------------------------------
IR="$VM_B/initramfs"
rm -rf "$IR"
mkdir -p "$IR"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,root,etc,ct/bin,lib/modules} || die "cannot create $IR"
cp "$BUSYBOX" "$IR/bin/busybox"
for a in $("$BUSYBOX" --list); do
	[ "$a" = busybox ] || ln -sf busybox "$IR/bin/$a"
done
# /dev/console before devtmpfs is mounted, so init's first output is not lost
[ "$(id -u)" -eq 0 ] && mknod -m 600 "$IR/dev/console" c 5 1 2>/dev/null
echo "root:x:0:0:root:/root:/bin/sh" >"$IR/etc/passwd"
echo "root:x:0:" >"$IR/etc/group"
install -m 755 tests/vm/init "$IR/init"
install -m 644 tests/vm/tests.sh "$IR/ct/tests.sh"
if [ -n "${VM_EXTRA:-}" ]; then
	install -m 644 "$VM_EXTRA" "$IR/ct/extra.sh" || die "VM_EXTRA=$VM_EXTRA not readable"
fi
for b in "${VM_BINS[@]}"; do
	[ -x "$VM_B/$b" ] && install -m 755 "$VM_B/$b" "$IR/ct/bin/$b"
done
cp "$KDIR"/modules/*.ko "$KDIR/modules/order" "$IR/lib/modules/" 2>/dev/null
# Host tools the guest needs beyond busybox, with their shared libraries:
# iproute2's ip (the runner runs "ip link add ... type veth peer ... netns PID",
# which busybox ip cannot) and bpftool (leftover-link checks).
for t in $VM_HOST_TOOLS; do
	p=$(command -v "$t" 2>/dev/null)
	[ -n "$p" ] || p=$(ls /usr/sbin/"$t" /sbin/"$t" 2>/dev/null | head -n 1)
	if [ -z "$p" ]; then log "warning: host tool $t not found; guest checks that need it will fail"; continue; fi
	install -m 755 "$(readlink -f "$p")" "$IR/usr/sbin/$t"
	for lib in $(LC_ALL=C ldd "$p" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		cp -L --parents "$lib" "$IR/" || die "cannot copy $lib (needed by $t) into the initramfs"
	done
done
INITRD="$VM_B/initramfs.cpio.gz"
(cd "$IR" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$INITRD" ||
	die "packing the initramfs failed"
log "initramfs $INITRD: $(du -h "$INITRD" | cut -f1)"

# ---- 4. boot ------------------------------------------------------------------------------
# thread=single: see VM_TCG_THREAD above
ACCEL=(-accel "tcg,thread=${VM_TCG_THREAD:-single}")
CPU=()
# KVM only when asked for (VM_ACCEL=kvm): a /dev/kvm that opens is no proof it
# works (nested KVM here aborted QEMU on a host MSR write).
[ "${VM_ACCEL:-tcg}" = kvm ] && { ACCEL=(-accel kvm); CPU=(-cpu host); }
# rcupdate.rcu_expedited=1: synchronize_rcu() (netns teardown, kprobe and
# trampoline detach) is most of a traced run's fixed cost under TCG; ~25 % faster.
# softlockup_panic=1: a guest kernel lockup panics (backtrace on the console)
# and QEMU exits at once (-no-reboot) instead of burning the time limit.
APPEND="console=ttyS0 quiet panic=-1 softlockup_panic=1 rcupdate.rcu_expedited=1 CT_DURATION=$VM_DURATION CT_TESTS=$VM_TESTS CT_JOBS=$VM_JOBS ${VM_APPEND:-}"
log "booting $KPKG $KVER (${ACCEL[1]}, -m $VM_MEM -smp $VM_SMP, limit ${VM_TIMEOUT}s); console follows"
T3=$(date +%s.%N)
timeout -k 10 "$VM_TIMEOUT" "$QEMU" "${ACCEL[@]}" "${CPU[@]}" -m "$VM_MEM" -smp "$VM_SMP" \
	-nographic -no-reboot -monitor none -serial stdio -nic none \
	-kernel "$KDIR/vmlinuz" -initrd "$INITRD" -append "$APPEND" </dev/null 2>&1 |
	tr -d '\r' | tee "$VM_LOG"
qrc=${PIPESTATUS[0]}
T_BOOT=$(elapsed "$T3")

# ---- 5. verdict from the console ----------------------------------------------------------
marker=$(grep -ao 'CT-VMTEST-RESULT passed=[0-9]* failed=[0-9]*' "$VM_LOG" | tail -n 1)
echo
# The guest prints the JSON of its fentry 64 KiB veth runs between
# CT-LEDGER-BEGIN NAME / CT-LEDGER-END; keep each as build/vm/NAME.json and
# render them as one table (build/vm/ledgers.txt) for the closing notes.
rm -f "$VM_B"/ledger-*.json
awk -v dir="$VM_B" '
	/CT-LEDGER-BEGIN/ { sub(/.*CT-LEDGER-BEGIN /, ""); f = dir "/ledger-" $1 ".json"; printf "" > f; next }
	/CT-LEDGER-END/ { if (f) close(f); f = ""; next }
	f { print >> f }' "$VM_LOG"
render_ledgers() {
	python3 - "$@" <<'PY'
import json, sys
rows = [("user_copy_bytes", "user-space gather"), ("send_copy_bytes", "kernel send copy"),
        ("zerocopy_bytes", "zerocopy pinned"), ("deferred_copy_bytes", "deferred copy (skb_copy_ubufs)"),
        ("recv_copy_bytes", "kernel receive copy")]
docs = []
for p in sys.argv[1:]:
    try:
        docs.append(json.load(open(p)))
    except Exception as e:
        print(f"{p}: not JSON ({e})")
if not docs:
    sys.exit(0)
d0 = docs[0]
print(f"copy ledger, backend {d0.get('backend')}, kernel {d0.get('kernel')}, {d0.get('size')} B, "
      f"{d0.get('threads')} thread(s), {d0.get('net')}, {d0.get('mode')} (QEMU TCG: times are not performance data)")
print(f"  {'bytes per message':32}" + "".join(f"{d.get('impl'):>13} " for d in docs))
for k, label in rows:
    cells = []
    for d in docs:
        l = d.get("ledger", {}); m = l.get("messages") or 0
        star = "*" if l.get(k.replace("_bytes", "_inferred")) else " "
        cells.append(f"{(l.get(k, 0) / m if m else 0):13.0f}{star}")
    print(f"  {label:32}" + "".join(cells))
print(f"  {'messages':32}" + "".join(f"{d.get('ledger', {}).get('messages', 0):13} " for d in docs))
print("  (* = inferred by the tracer, not observed)")
for d in docs:
    a = d.get("app", {})
    print(f"\n  {d.get('impl')}: app sent {a.get('bytes_sent')} B, received {a.get('bytes_received')} B, "
          f"zerocopy completions {a.get('zc_completions')} (copied {a.get('zc_copied')})")
    print(f"    {'side':9}{'function':28}{'calls':>9}{'bytes':>13}{'mean_ns':>11}  hook")
    for r in d.get("functions", []):
        calls = r.get("calls", 0); ns = r.get("ns", 0); tc = r.get("timed_calls", calls) or 0
        mean = f"{ns / tc:.0f}" if tc and ns else "-"
        print(f"    {r.get('side', ''):9}{r.get('name', ''):28}{calls:>9}{r.get('bytes', 0):>13}{mean:>11}  {r.get('hook', '')}")
    for n in d.get("notes", []):
        print(f"    note: {n}")
PY
}
ledgers=()
for i in a1 a2 a3; do
	f="$VM_B/ledger-fentry-$i-65536-veth.json"
	[ -s "$f" ] && ledgers+=("$f")
done
if [ ${#ledgers[@]} -gt 0 ]; then
	log "guest ledgers (fentry backend, 64 KiB, veth), also in $VM_B/ledgers.txt:"
	if command -v python3 >/dev/null; then
		render_ledgers "${ledgers[@]}" | tee "$VM_B/ledgers.txt"
	else
		cat "${ledgers[@]}" | tee "$VM_B/ledgers.txt"
	fi
else
	log "guest printed no ledgers"
	: >"$VM_B/ledgers.txt"
fi
if [ -z "$marker" ]; then
	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		hfail "guest did not finish within VM_TIMEOUT=${VM_TIMEOUT}s (console: $VM_LOG)"
	else
		hfail "guest printed no result marker (qemu exit $qrc; kernel panic or init failure? console: $VM_LOG)"
	fi
	G_PASS=0; G_FAIL=0
else
	G_PASS=$(sed -E 's/.*passed=([0-9]+).*/\1/' <<<"$marker")
	G_FAIL=$(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$marker")
	[ "$qrc" -eq 0 ] || log "qemu exited $qrc after the marker"
fi
P=$((H_PASS + G_PASS))
F=$((H_FAIL + G_FAIL))
log "kernel $KPKG $KVER: guest passed=$G_PASS failed=$G_FAIL"
log "wall time $(elapsed "$T0")s (kernel fetch/cache ${T_FETCH}s, static build ${T_BUILD}s, boot+tests+poweroff ${T_BOOT}s)"
echo "RESULT passed=$P failed=$F"
[ "$F" -eq 0 ]
