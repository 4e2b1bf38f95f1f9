#!/usr/bin/env bash
# Analysis group: nested per-function times are not summed (review issue 10).
# Runs each case of test_kernel_time.py (synthetic trace rows -> collect.py ->
# results.csv / functions.csv / columns.md / plots) as one check. No root.
source "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
T="$(dirname "$0")/test_kernel_time.py"
while IFS=$'\t' read -r name what; do
	check "$what" $PY "$T" "$name"
done < <($PY "$T" --list)
finish
