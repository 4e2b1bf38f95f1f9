#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Installs the Debian/Ubuntu packages copytrace needs; quiet when all present.
set -euo pipefail

# build, BPF, tests, topology, analysis, benchmarks, stock-kernel VM
PKGS=(make gcc clang llvm libbpf-dev libelf-dev libdw-dev zlib1g-dev liblzma-dev libbz2-dev libcmocka-dev
      liburing-dev libmicrohttpd-dev pkg-config
      iproute2 procps psmisc python3 python3-matplotlib
      iperf3 sockperf bpftrace nginx redis-server redis-tools curl prometheus postgresql
      qemu-system-x86 busybox-static cpio kmod help2man dpkg-dev debhelper shellcheck pyflakes3 clang-format)
# Packages whose name differs between Debian and Ubuntu: first that exists wins.
ALTS=("bpftool|linux-tools-common" "linux-perf|linux-tools-common")

missing=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
for p in "${PKGS[@]}"; do have "$p" || missing+=("$p"); done
for alt in "${ALTS[@]}"; do
	IFS='|' read -r -a names <<<"$alt"
	ok=0
	for n in "${names[@]}"; do have "$n" && ok=1 && break; done
	[ "$ok" = 1 ] || missing+=("$alt")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages (${missing[*]}); run as root: sudo $0" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
resolved=()
for p in "${missing[@]}"; do
	if [[ "$p" == *"|"* ]]; then
		IFS='|' read -r -a names <<<"$p"
		for n in "${names[@]}"; do
			if apt-cache show "$n" >/dev/null 2>&1; then resolved+=("$n"); break; fi
		done
	else
		resolved+=("$p")
	fi
done
apt-get install -y -qq --no-install-recommends "${resolved[@]}" >/dev/null
# Ubuntu ships bpftool/perf per kernel in linux-tools-$(uname -r).
if ! command -v bpftool >/dev/null 2>&1 || ! command -v perf >/dev/null 2>&1; then
	apt-get install -y -qq "linux-tools-$(uname -r)" >/dev/null 2>&1 || true
fi
command -v bpftool >/dev/null || { echo "install-deps: bpftool not found after install" >&2; exit 1; }
