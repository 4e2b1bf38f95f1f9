#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Docs group: README.md states what the code does (options, defaults, JSON
# keys, CSV columns, script flags, make targets). No root.
source "$(dirname "$0")/../lib.sh"
py_cases "$(dirname "$0")/test_readme.py"
finish
