#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Analysis group: the report's kTLS section from the VM's ledger files
# (analysis/ktls.py). Each case of test_ktls.py is one check. No root.
source "$(dirname "$0")/../lib.sh"
py_cases "$(dirname "$0")/test_ktls.py"
finish
