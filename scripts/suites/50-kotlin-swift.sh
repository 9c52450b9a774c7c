#!/usr/bin/env bash
# Kotlin and Swift (UniFFI): the Rust-side bridge tests, then the bindings generated from the built
# library with the crate's own uniffi-bindgen (library mode), the Swift files checked for the
# expected API, and the generated Kotlin compiled with the Kotlin tests and examples/kotlin by
# kotlinc (npm package `kotlin-compiler`, no Gradle) and run on the JVM through JNA.
# Installs what it needs: Debian `libjna-java` (and a JRE if none), the pinned Kotlin compiler
# into .cache/kotlin. Ends with `uniffi: N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

KOTLIN_VERSION=2.4.20
target_dir="${CARGO_TARGET_DIR:-$root/target}"
out="$target_dir/uniffi"
kotlin_home="$root/.cache/kotlin/node_modules/kotlin-compiler"
started=$(date +%s)
phase_start=$started
phase() { # prints how long the previous phase took
  local now
  now=$(date +%s)
  echo "    ($(($now - phase_start)) s)"
  phase_start=$now
}

passed=0
failed=0
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

echo "--- tools"
need_apt=()
[ -f /usr/share/java/jna.jar ] || need_apt+=(libjna-java)
command -v java >/dev/null || need_apt+=(default-jre-headless)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
installed=$(node -p "require('$kotlin_home/package.json').version" 2>/dev/null || true)
if [ "$installed" != "$KOTLIN_VERSION" ]; then
  npm install --prefix "$root/.cache/kotlin" --no-save --no-audit --no-fund --loglevel=error \
    "kotlin-compiler@$KOTLIN_VERSION"
fi
kotlinc="$kotlin_home/bin/kotlinc"
coroutines="$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar"
stdlib="$kotlin_home/lib/kotlin-stdlib.jar"
jna=/usr/share/java/jna.jar
for f in "$kotlinc" "$coroutines" "$stdlib" "$jna"; do
  [ -e "$f" ] || { echo "missing $f" >&2; exit 1; }
done
phase

echo "--- cargo test -p authjwt-uniffi (the foreign-trait bridge driven from Rust)"
log=$(mktemp)
set +e
cargo test -p authjwt-uniffi 2>&1 | tee "$log"
rust_status=${PIPESTATUS[0]}
set -e
rust_passed=$(grep -Eo '[0-9]+ passed' "$log" | awk '{s += $1} END {print s + 0}')
rust_failed=$(grep -Eo '[0-9]+ failed' "$log" | awk '{s += $1} END {print s + 0}')
if [ "$rust_status" -ne 0 ] && [ "$rust_failed" -eq 0 ]; then rust_failed=1; fi
count "$rust_passed" "$rust_failed"
rm -f "$log"
phase

echo "--- cargo build -p authjwt-uniffi (cdylib + uniffi-bindgen)"
cargo build -p authjwt-uniffi
lib="$target_dir/debug/libauthjwt_uniffi.so"
bindgen="$target_dir/debug/uniffi-bindgen"
phase

echo "--- generate Kotlin and Swift bindings (library mode)"
rm -rf "$out/kotlin" "$out/swift"
"$bindgen" generate --library "$lib" --language kotlin --no-format --out-dir "$out/kotlin"
"$bindgen" generate --library "$lib" --language swift --no-format --out-dir "$out/swift"
phase

echo "--- Swift bindings: generated and complete (compiling them needs a Swift toolchain)"
swift="$out/swift/AuthJwt.swift"
swift_check() { # name, file, extended regex
  if [ -f "$2" ] && grep -qE -- "$3" "$2"; then
    echo "ok   swift: $1"
    count 1 0
  else
    echo "FAIL swift: $1 (no match for '$3' in $(basename "$2"))"
    count 0 1
  fi
}
swift_check "module map names the FFI module" "$out/swift/AuthJwtFFI.modulemap" "module AuthJwtFFI"
swift_check "header declares the issuer constructor" "$out/swift/AuthJwtFFI.h" \
  "uniffi_authjwt_uniffi_fn_constructor_issuer_new"
swift_check "KeyStore is a Sendable protocol" "$swift" "public protocol KeyStore: AnyObject, Sendable"
swift_check "KeyStore.getJwks is async throws" "$swift" "func getJwks\(\) ?async throws +-> \[JwkRow\]"
swift_check "MemoryStore is a KeyStore" "$swift" "extension MemoryStore: KeyStore"
swift_check "Issuer(store:options:)" "$swift" "public convenience init\(store: KeyStore, options: IssuerOptions"
swift_check "Issuer.sign is async throws" "$swift" \
  "func sign\(payloadJson: String, overrides: SignOverrides = SignOverrides\(\)\) ?async throws"
swift_check "JwkRow has Date timestamps" "$swift" "public var createdAt: Date"
swift_check "AuthJwtError is a Swift error enum" "$swift" "^enum AuthJwtError: Swift.Error"
swift_check "AuthJwtError.JwtExpired case" "$swift" "case JwtExpired\("
swift_check "AuthJwtError.errorCode()" "$swift" "public func errorCode\(\) -> String"
swift_check "KeySet.fromJwks" "$swift" "public static func fromJwks\(json: String\) ?throws"
swift_check "RemoteKeySet(url:options:)" "$swift" "public convenience init\(url: String, options: RemoteKeySetOptions"
swift_check "verifyJwt(token:keySet:options:)" "$swift" "public func verifyJwt\(token: String, keySet: KeySet"
phase

echo "--- kotlinc: generated bindings + tests/kotlin + examples/kotlin"
sources=("$out/kotlin/dev/authjwt/authjwt_uniffi.kt" tests/kotlin/*.kt examples/kotlin/*.kt)
# The jar is reused while the sources and the compiler are unchanged (kotlinc takes ~20 s).
key=$( (echo "$KOTLIN_VERSION"; cat "${sources[@]}") | sha256sum | cut -c1-16)
jar="$out/kotlin-tests-$key.jar"
if [ -f "$jar" ]; then
  echo "unchanged sources: reusing $(basename "$jar")"
else
  rm -f "$out"/kotlin-tests-*.jar
  "$kotlinc" -nowarn "${sources[@]}" -cp "$coroutines:$jna" -d "$jar.tmp.jar"
  mv "$jar.tmp.jar" "$jar"
fi
phase

echo "--- Kotlin tests (JVM + JNA, the example run in its own JVM)"
log=$(mktemp)
set +e
java -Djna.library.path="$target_dir/debug" -cp "$jar:$coroutines:$jna:$stdlib" \
  dev.authjwt.tests.AuthJwtTestsKt 2>&1 | tee "$log"
kotlin_status=${PIPESTATUS[0]}
set -e
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1 || true)
if [ -n "$line" ]; then
  count "$(echo "$line" | awk '{print $1}')" "$(echo "$line" | awk '{print $3}')"
fi
if [ "$kotlin_status" -ne 0 ] && { [ -z "$line" ] || [ "$(echo "$line" | awk '{print $3}')" = 0 ]; }; then
  echo "the Kotlin test run exited with $kotlin_status"
  count 0 1
fi
rm -f "$log"
phase

echo "suite took $(($(date +%s) - started)) s"
echo "uniffi: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
