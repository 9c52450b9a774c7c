# Counting test steps in a suite script; source it from bash after `set -euo pipefail`.
#   run_step "what it checks" command args...   shows the step's output and adds its counts
#   finish_steps NAME                           prints "NAME: N passed, N failed" and returns 1 on any failure
# Counts come from node:test's `# pass N` / `# fail N` lines or a plain `N passed, N failed` line;
# a step that prints neither (tsc) counts as one test.

steps_passed=0
steps_failed=0
steps_status=0
steps_log=$(mktemp)
trap 'rm -f "$steps_log"' EXIT

run_step() {
  echo "--- $1"
  shift
  local rc=0 p f
  "$@" 2>&1 | tee "$steps_log" || rc=$?
  [ "${PIPESTATUS[0]}" = 0 ] || rc=1
  p=$(sed -n -e 's/^# pass \([0-9]*\)$/\1/p' -e 's/^[a-z-]*:\{0,1\} *\([0-9]*\) passed, [0-9]* failed.*/\1/p' "$steps_log" | tail -1)
  f=$(sed -n -e 's/^# fail \([0-9]*\)$/\1/p' -e 's/^[a-z-]*:\{0,1\} *[0-9]* passed, \([0-9]*\) failed.*/\1/p' "$steps_log" | tail -1)
  [ -n "$p$f" ] || { [ "$rc" != 0 ] || p=1; }
  steps_passed=$((steps_passed + ${p:-0}))
  steps_failed=$((steps_failed + ${f:-0}))
  if [ "$rc" != 0 ]; then
    steps_status=1
    [ "${f:-0}" != 0 ] || steps_failed=$((steps_failed + 1))
  fi
}

finish_steps() { # suite name
  echo "$1: $steps_passed passed, $steps_failed failed"
  return $steps_status
}

# pytest from the virtualenv $1 against the installed package (the wheel $2), on the paths and
# options that follow; "no tests collected" is a failure.
pytest_installed() { # venv wheel pytest-args...
  local venv=$1 wheel=$2 status=0
  shift 2
  (cd "$AUTHJWT_ROOT" && AUTHJWT_WHEEL="$wheel" "$venv/bin/pytest" -q -p no:cacheprovider "$@") || status=$?
  if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: failing" >&2
    return 1
  fi
  return "$status"
}
