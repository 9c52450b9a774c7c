#!/usr/bin/env bash
# Runs every benchmark in one go and writes bench/RESULTS.md (a program run, never a test):
#   1. the core's own Rust loop (core/examples/bench_core.rs), release build;
#   2. Node: npm/bench/bench.mjs (authjwt vs jose, fast-jwt, jsonwebtoken, better-auth) on a
#      release build of the addon, then bench/node-extra.mjs for thread-pool scaling (1 and 2
#      tokio workers) and the 1,000,000-call memory check;
#   3. Python: python/bench/bench.py (authjwt vs PyJWT, joserfc) on a release wheel, then
#      bench/memory.py;
#   4. bench/collect.py: one Markdown table with ratios against the peers and the issue's targets.
# Node and Python also run the cold-start programs (bench/cold-start.mjs, bench/cold_start.py:
# import, first token, first verify in fresh processes) and the scaling ones (bench/scaling.mjs,
# bench/scaling.py: worker_threads / threads, Promise.all / asyncio.gather of 10,000 verifies).
# Kotlin: bench/kotlin (its own Maven project, outside kotlin/pom.xml's modules), 1,000
# coroutines signing and verifying at 1 and 2 dispatcher threads, with 1 and 2 tokio workers.
# Remote key sets: bench/remote-fetches.mjs (with bench/remote_fetches.py) counts JWKS fetches per
# scenario (cold burst, steady state, outage, rotation) for authjwt, jose and PyJWT (~1 minute).
# Rotation (issue 19): bench/rotation-latency.mjs, sign() p50/p99/max across scheduled rotations
# for authjwt and Better Auth's jwt plugin (~9 minutes), and bench/rotation-fleet.mjs (with
# bench/rotation_fleet_worker.py), two fleets of verifiers over 5 minutes of 30 s rotations.
#
# Environment: BENCH_SECONDS (measuring time per cell, default 2; the Node and Python programs
# split it over 5 interleaved rounds and report the median), BENCH_MEMORY_CALLS (default
# 1000000), BENCH_COLD_RUNS (fresh processes per cold-start cell, default 20). Outputs of each program are kept in .cache/bench/. Takes ~20-22 minutes on 2 cores (14 of them the rotation programs).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# The build steps the test suites use (release variants here).
source scripts/lib/build.sh
out=$root/.cache/bench
mkdir -p "$out"
rm -f "$out"/*.md "$out"/*.json "$out"/*.log
export BENCH_SECONDS="${BENCH_SECONDS:-2}"
calls="${BENCH_MEMORY_CALLS:-1000000}"
cold_runs="${BENCH_COLD_RUNS:-20}"
failed=()
cut -d' ' -f1-3 /proc/loadavg >"$out/load.txt"

step() { echo; echo "=== $* ($(date -u +%H:%M:%S))"; }

step "Rust core loop (release)"
if cargo build --release -q -p authjwt-core --example bench_core &&
  "$CARGO_TARGET_DIR/release/examples/bench_core" --json "$out/rust.json" | tee "$out/rust.md"; then :
else failed+=(rust); fi

step "Node: release build of the addon"
node_ok=1
# A separate shell, so that `set -e` stops the build at its first failure (it is off inside `||`).
bash -c 'set -euo pipefail; source scripts/lib/build.sh; build_node_addon --release' ||
  { node_ok=0; failed+=(node-build); }
if [ "$node_ok" = 1 ]; then
  step "Node: npm/bench/bench.mjs"
  (cd npm/bench && { [ -d node_modules ] || npm_ci; } && node bench.mjs) | tee "$out/node.md" || failed+=(node-bench)
  for workers in 1 2; do
    step "Node: 64 async signs in flight, TOKIO_WORKER_THREADS=$workers"
    TOKIO_WORKER_THREADS=$workers node bench/node-extra.mjs concurrency |
      tee "$out/node-conc-$workers.json" || failed+=("node-concurrency-$workers")
  done
  step "Node: cold start, $cold_runs fresh processes per cell"
  RUNS=$cold_runs node bench/cold-start.mjs | tee "$out/node-cold-start.md" || failed+=(node-cold-start)
  step "Node: worker_threads and Promise.all scaling"
  node bench/scaling.mjs | tee "$out/node-scaling.md" || failed+=(node-scaling)
  step "Node: memory, $calls sign+verify"
  node --expose-gc bench/node-extra.mjs memory "$calls" | tee "$out/node-memory.log" || failed+=(node-memory)
  step "Rotation: sign() latency across scheduled rotations (authjwt vs Better Auth's jwt plugin)"
  node bench/rotation-latency.mjs | tee "$out/rotation-latency.md" || failed+=(rotation-latency)
fi

step "Python: release wheel (maturin)"
py_ok=1
bench_venv=.cache/python-bench
if wheel=$(build_python_wheel); then
  peers=()
  for pkg in PyJWT cryptography joserfc; do
    peers+=("$(grep -E "^$pkg(\[[a-z]+\])?==" python/requirements-dev.txt)")
  done
  if [ -x "$bench_venv/bin/python" ] && "$bench_venv/bin/python" -c 'import jwt, joserfc' 2>/dev/null; then
    "$bench_venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$wheel" ||
      { py_ok=0; failed+=(python-install); }
  else
    python_venv_with_wheel "$bench_venv" "$wheel" "${peers[@]}" || { py_ok=0; failed+=(python-install); }
  fi
else
  py_ok=0
  failed+=(python-build)
fi
if [ "$py_ok" = 1 ]; then
  step "Python: python/bench/bench.py"
  "$bench_venv/bin/python" python/bench/bench.py --seconds "$BENCH_SECONDS" |
    tee "$out/python.md" || failed+=(python-bench)
  step "Python: cold start, $cold_runs fresh processes per cell"
  RUNS=$cold_runs "$bench_venv/bin/python" bench/cold_start.py | tee "$out/python-cold-start.md" ||
    failed+=(python-cold-start)
  step "Python: threads and asyncio.gather scaling"
  "$bench_venv/bin/python" bench/scaling.py | tee "$out/python-scaling.md" || failed+=(python-scaling)
  step "Python: memory, $calls sign+verify"
  "$bench_venv/bin/python" bench/memory.py "$calls" | tee "$out/python-memory.log" ||
    failed+=(python-memory)
  if [ "$node_ok" = 1 ]; then
    step "Remote key sets: fetches per scenario (authjwt Node/Python, jose, PyJWT; one JWKS server)"
    node bench/remote-fetches.mjs --python "$bench_venv/bin/python" | tee "$out/remote-fetches.md" ||
      failed+=(remote-fetches)
    step "Rotation: fleets of verifiers over 5 minutes of 30 s rotations (authjwt vs Better Auth + jose)"
    node bench/rotation-fleet.mjs --python "$bench_venv/bin/python" | tee "$out/rotation-fleet.md" ||
      failed+=(rotation-fleet)
  fi
fi

step "Kotlin: the UniFFI library (release) and dev.authjwt:authjwt"
# A separate shell, so that `set -e` stops the build at its first failure (it is off inside `||`).
if bash -c 'set -euo pipefail; source scripts/lib/build.sh; build_uniffi_bindings
    mvn_kotlin -q install -DskipTests -Dauthjwt.skipNative=true -pl :authjwt -am
    mvn -B -q -Dmaven.repo.local="$MAVEN_REPO" -f bench/kotlin/pom.xml package dependency:build-classpath \
      -Dmdep.includeScope=runtime -Dmdep.outputFile="$PWD/bench/kotlin/target/classpath.txt"'; then
  kotlin_cp="bench/kotlin/target/classes:$(cat bench/kotlin/target/classpath.txt)"
  : >"$out/kotlin-scaling.md"
  for workers in 1 2; do
    step "Kotlin: 1,000 coroutines, Dispatchers.Default at 1 and 2 threads, TOKIO_WORKER_THREADS=$workers"
    TOKIO_WORKER_THREADS=$workers java -cp "$kotlin_cp" dev.authjwt.bench.ScalingKt |
      tee -a "$out/kotlin-scaling.md" || failed+=("kotlin-scaling-$workers")
  done
else failed+=(kotlin-build); fi

step "Collecting into bench/RESULTS.md"
python3 bench/collect.py "$out" bench/RESULTS.md
if [ ${#failed[@]} -gt 0 ]; then
  echo "bench: failed parts: ${failed[*]}" >&2
  exit 1
fi
echo "bench: done, see bench/RESULTS.md"
