#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Quick start, part 2: install what is missing, build, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
exec make -s test
