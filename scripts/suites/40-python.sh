#!/usr/bin/env bash
# Python: build the abi3 wheel with maturin, install it into a fresh virtualenv, and run the
# pytest suite (API, stores, interop with PyJWT and joserfc, mypy --strict on a typed sample,
# the sqlite example's smoke test) against the INSTALLED package, never the source tree.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

need_apt=()
command -v python3 >/dev/null || need_apt+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}"
fi

build_venv=.cache/python-build
test_venv=.cache/python-test
if [ ! -x "$build_venv/bin/maturin" ]; then
  python3 -m venv "$build_venv"
  "$build_venv/bin/pip" install -q --disable-pip-version-check "$(grep '^maturin==' python/requirements-dev.txt)"
fi

echo "--- maturin build --release (abi3 wheel)"
rm -rf python/dist
(cd python && "$root/$build_venv/bin/maturin" build --release --out dist --quiet 2>&1 | grep -v '^\s*$' || true)
wheel=$(ls python/dist/authjwt-*-abi3-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$wheel" ]; then
  echo "no abi3 wheel was built in python/dist" >&2
  exit 1
fi
echo "built $wheel"

echo "--- fresh virtualenv with the wheel and the test tools"
python3 -m venv --clear "$test_venv"
"$test_venv/bin/pip" install -q --disable-pip-version-check -r python/requirements-dev.txt
"$test_venv/bin/pip" install -q --disable-pip-version-check "$wheel"

echo "--- pytest (against the installed package)"
set +e
(cd "$root" && AUTHJWT_WHEEL="$root/$wheel" "$test_venv/bin/pytest" -q -p no:cacheprovider python/tests)
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$status"
