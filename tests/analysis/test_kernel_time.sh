#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Analysis group: nested per-function times are not summed.
# Each case of test_kernel_time.py (synthetic trace rows -> collect.py ->
# results.csv / functions.csv / columns.md / plots) is one check. No root.
source "$(dirname "$0")/../lib.sh"
py_cases "$(dirname "$0")/test_kernel_time.py"
finish
