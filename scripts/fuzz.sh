#!/usr/bin/env bash
# Runs every fuzz target for a bounded time from the seed corpus in fuzz/corpus/.
# Usage: scripts/fuzz.sh [seconds-per-target=60] [target ...]
# A crash (or a leak/timeout libFuzzer reports) fails the run; the reproducer is in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
all_targets=(verify_token jwks_parse seal_open expiration_time jwk_import)
targets=("${@:-${all_targets[@]}}")

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzzing needs the nightly toolchain (rustup toolchain install nightly)" >&2
  exit 1
fi
# cargo install puts it in $CARGO_HOME/bin, which a fresh shell may not have on its PATH.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --version 0.13.2 --locked
fi

# Fuzz builds keep their own target dir: sanitizer flags would invalidate the workspace's.
export CARGO_TARGET_DIR="$PWD/target/fuzz"
cd fuzz
cargo +nightly fuzz build -O
passed=0
failed=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  log=$(mktemp)
  if cargo +nightly fuzz run -O "$t" "corpus/$t" -- -max_total_time="$seconds" -rss_limit_mb=2048 \
      -max_len=20000 -print_final_stats=1 >"$log" 2>&1; then
    execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo '?')
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+' || echo '?')
    echo "fuzz $t: ok, ${seconds}s, $execs execs, coverage $cov edges, 0 crashes"
    passed=$((passed + 1))
  else
    echo "fuzz $t: FAILED (see below; reproducer in fuzz/artifacts/$t/)"
    tail -n 40 "$log"
    failed=$((failed + 1))
  fi
  rm -f "$log"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
