#!/usr/bin/env bash
# Python packages as users install them: the wheel built for manylinux2014 (maturin --zig) is
# audited (`auditwheel show` must report manylinux_2_17_x86_64 / manylinux2014_x86_64), installed
# alone into a fresh virtualenv that signs and verifies a token, and the sdist is checked to carry
# the workspace crates it builds from (set AUTHJWT_SDIST_BUILD=1 to also `pip wheel` it from
# source: a full release build, minutes). The Node addon's glibc check and the npm packages'
# install test are in suite 30 (npm/test/pack). Ends with `packages: N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
source scripts/lib/build.sh

passed=0
failed=0
result() { # ok|fail, what
  if [ "$1" = ok ]; then
    echo "ok   $2"
    passed=$((passed + 1))
  else
    echo "FAIL $2"
    failed=$((failed + 1))
  fi
}

echo "--- maturin build --release --zig --compatibility manylinux2014"
started=$(date +%s)
wheel=$(build_python_wheel)
echo "built ${wheel#"$root/"} in $(($(date +%s) - started)) s"
case "$(basename "$wheel")" in
  *-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl | \
    *-cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl) result ok "wheel is tagged cp39-abi3 manylinux_2_17 / manylinux2014" ;;
  *) result fail "wheel tags: $(basename "$wheel")" ;;
esac

echo "--- auditwheel show"
audit=$(wheel_audit "$wheel" 2>&1 || true)
echo "$audit"
if echo "$audit" | tr -s ' \n' ' ' | grep -Eq '"manylinux_2_17_x86_64"'; then
  result ok "auditwheel: the wheel is consistent with manylinux_2_17_x86_64 (manylinux2014)"
else
  result fail "auditwheel does not report manylinux_2_17_x86_64"
fi
so=$(mktemp -d)
python3 -m zipfile -e "$wheel" "$so"
native=$(find "$so" -name '_native*.so' | head -n1)
newest=$(max_glibc_version "$native")
rm -rf "$so"
echo "authjwt/_native: newest GLIBC symbol version $newest"
if [ "$(printf '%s\n%s\n' "$newest" "$GLIBC_BASELINE" | sort -V | tail -n1)" = "$GLIBC_BASELINE" ]; then
  result ok "the extension needs glibc <= $GLIBC_BASELINE"
else
  result fail "the extension needs GLIBC_$newest"
fi

echo "--- a fresh virtualenv with only the wheel signs and verifies"
venv=.cache/packages-venv
python_venv_with_wheel "$venv" "$wheel"
if out=$("$venv/bin/python" - <<'EOF' 2>&1
import authjwt

issuer = authjwt.Issuer(secret="packages-test-secret-0123456789-abcdefghij", key_pair_config={"alg": "EdDSA"})
token = issuer.sign({"sub": "wheel"})
print(authjwt.verify_jwt(token, authjwt.KeySet.from_jwks(issuer.jwks())).payload["sub"])
EOF
); [ "$(echo "$out" | tail -n1)" = wheel ]; then
  result ok "installed wheel: Issuer.sign then verify_jwt"
else
  echo "$out"
  result fail "installed wheel: Issuer.sign then verify_jwt"
fi

echo "--- maturin sdist"
sdist=$(build_python_sdist)
echo "built ${sdist#"$root/"} ($(du -k "$sdist" | cut -f1) KiB)"
listing=$(tar -tzf "$sdist")
missing=()
for want in Cargo.toml Cargo.lock pyproject.toml core/Cargo.toml core/src/lib.rs bindings/python/Cargo.toml \
  bindings/python/src/lib.rs authjwt/__init__.py authjwt/py.typed; do
  echo "$listing" | grep -qx "authjwt-0.1.0/$want" || missing+=("$want")
done
if [ ${#missing[@]} -eq 0 ]; then
  result ok "the sdist carries the workspace crates and the Python package"
else
  result fail "the sdist lacks ${missing[*]}"
fi
unpacked=$(mktemp -d)
tar -xzf "$sdist" -C "$unpacked"
# The sdist's own workspace resolves from its lock file alone (no crate outside it is needed).
if cargo metadata --offline --format-version 1 --manifest-path "$unpacked/authjwt-0.1.0/bindings/python/Cargo.toml" >/dev/null; then
  result ok "the sdist's Cargo workspace resolves offline"
else
  result fail "the sdist's Cargo workspace does not resolve"
fi
if [ "${AUTHJWT_SDIST_BUILD:-0}" = 1 ]; then
  started=$(date +%s)
  if "$BUILD_VENV/bin/pip" wheel -q --no-deps -w "$unpacked/wheel" "$sdist"; then
    result ok "pip wheel builds the sdist from source ($(($(date +%s) - started)) s)"
  else
    result fail "pip wheel of the sdist"
  fi
fi
rm -rf "$unpacked"

echo "packages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
