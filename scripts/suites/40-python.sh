#!/usr/bin/env bash
# Python: build the abi3 wheel with maturin, install it into a fresh virtualenv, and run the
# pytest suite (API, stores, interop with PyJWT and joserfc, mypy --strict on a typed sample,
# the sqlite example's smoke test) against the INSTALLED package, never the source tree.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

source scripts/lib/build.sh
source scripts/lib/steps.sh
test_venv=.cache/python-test

echo "--- maturin build --release (abi3 wheel)"
wheel=$(build_python_wheel)
wheel=${wheel#"$root/"}
echo "built $wheel"

# tests/test_shared_cache.py runs a real Redis on 127.0.0.1.
command -v redis-server >/dev/null || apt_install redis-server

echo "--- fresh virtualenv with the wheel and the test tools"
python_venv_with_wheel "$test_venv" "$wheel" -r python/requirements-dev.txt

echo "--- pytest (against the installed package)"
# (python/tests/frameworks is suite 41-python-frameworks)
pytest_installed "$root/$test_venv" "$root/$wheel" --ignore=python/tests/frameworks python/tests
