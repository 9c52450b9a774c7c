#!/usr/bin/env bash
# Fuzz smoke run: every target for a short time (long runs: scripts/fuzz.sh 600).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ./scripts/fuzz.sh "${FUZZ_SECONDS:-10}"
