#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Analysis group: the profiler's data (folded stacks, time ledger) in
# collect.py and the report's verdicts. Each case of test_profiler.py is one
# check. No root.
source "$(dirname "$0")/../lib.sh"
py_cases "$(dirname "$0")/test_profiler.py"
finish
