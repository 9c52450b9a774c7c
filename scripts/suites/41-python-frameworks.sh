#!/usr/bin/env bash
# Python framework integrations: authjwt.fastapi, .starlette, .flask, .django against the real
# frameworks (test clients, uvicorn and gunicorn on 127.0.0.1), and mypy --strict on the
# examples, in a virtualenv of their own so the main Python suite does not install them.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

source scripts/lib/build.sh
source scripts/lib/steps.sh
test_venv=.cache/python-frameworks

echo "--- maturin build --release (abi3 wheel)"
wheel=$(build_python_wheel)
wheel=${wheel#"$root/"}
echo "built $wheel"

echo "--- fresh virtualenv with the wheel, the frameworks and the test tools"
python_venv_with_wheel "$test_venv" "$wheel" -r python/requirements-dev.txt -r python/requirements-frameworks.txt
# The extras must be satisfied by the pinned versions (pip reports a conflict otherwise).
"$test_venv/bin/pip" install -q --disable-pip-version-check "$wheel[fastapi,starlette,flask,django]" \
  -r python/requirements-frameworks.txt

echo "--- pytest python/tests/frameworks (against the installed package)"
pytest_installed "$root/$test_venv" "$root/$wheel" python/tests/frameworks
