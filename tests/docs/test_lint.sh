#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Docs group: the code's hygiene. clang-format (.clang-format: the kernel's
# style at 100 columns) on every C file, shellcheck (warnings and errors) on
# every shell script, pyflakes on every Python file, and the licence line
# (SPDX) at the top of every source file. No root.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1
for t in clang-format shellcheck pyflakes3; do
	command -v "$t" >/dev/null || { fail "$t is installed" "scripts/install-deps.sh"; finish; exit 1; }
done
mapfile -t C < <(git ls-files '*.c' '*.h' | grep -v '^vmlinux/')
out=$(clang-format --dry-run -Werror "${C[@]}" 2>&1)
[ -z "$out" ] && pass "clang-format: ${#C[@]} C files formatted as .clang-format says" ||
	fail "clang-format (run: clang-format -i FILE)" "$(grep -m3 'error:' <<<"$out" | tr '\n' ' ')"
mapfile -t SH < <({ git ls-files '*.sh' .ci/run tests/vm/init; git ls-files -z scripts | xargs -0 grep -lE '^#!.*(ba)?sh' 2>/dev/null; } | sort -u)
out=$(shellcheck -S warning -f gcc "${SH[@]}" 2>&1)
[ -z "$out" ] && pass "shellcheck -S warning: ${#SH[@]} shell scripts clean" ||
	fail "shellcheck -S warning" "$(head -5 <<<"$out" | tr '\n' ' ')"
mapfile -t PY < <({ git ls-files '*.py'; git ls-files -z analysis scripts | xargs -0 grep -lE '^#!.*python' 2>/dev/null; } | sort -u)
out=$(pyflakes3 "${PY[@]}" 2>&1)
[ -z "$out" ] && pass "pyflakes: ${#PY[@]} Python files clean" ||
	fail "pyflakes" "$(head -5 <<<"$out" | tr '\n' ' ')"
# every C file, header, script and Makefile says its licence in its first lines
nospdx=$(git ls-files '*.c' '*.h' '*.sh' '*.py' '*.bt' Makefile .ci/run tests/vm/init analysis/report debian/rules |
	grep -v '^vmlinux/' | while read -r f; do head -n 3 "$f" | grep -q 'SPDX-License-Identifier: GPL-2.0-only' || echo "$f"; done)
[ -z "$nospdx" ] && pass "every source file starts with SPDX-License-Identifier: GPL-2.0-only" ||
	fail "source files without the SPDX line" "$(echo $nospdx | cut -c1-300)"
finish
