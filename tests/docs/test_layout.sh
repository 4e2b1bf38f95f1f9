#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Docs group: the source tree is layered as README.md's Layout says (no
# include or call loops, folders used only from above, every file named),
# and README's backend table is the hook plan's. No root; needs make's build.
source "$(dirname "$0")/../lib.sh"
py_cases "$(dirname "$0")/test_layout.py"
finish
