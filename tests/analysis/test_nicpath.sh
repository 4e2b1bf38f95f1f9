#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Analysis group: the report's section over a NIC from the VM's ledger files
# (analysis/nicpath.py). Each case of test_nicpath.py is one check. No root.
source "$(dirname "$0")/../lib.sh"
py_cases "$(dirname "$0")/test_nicpath.py"
finish
