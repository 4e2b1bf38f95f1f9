#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Quick start, part 1: install what is missing, build, and run the main job:
# trace A2 (one-copy) and print where its bytes are copied.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make -s all
exec ./trace_run --impl "${IMPL:-a2}" "$@"
