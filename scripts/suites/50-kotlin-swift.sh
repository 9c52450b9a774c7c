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

source scripts/lib/build.sh
out="$CARGO_TARGET_DIR/uniffi"
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
ensure_kotlin
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

echo "--- build the library and generate Kotlin and Swift bindings (library mode)"
build_uniffi_bindings
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
jar=$(compile_kotlin kotlin-tests tests/kotlin/*.kt examples/kotlin/*.kt)
phase

echo "--- Kotlin tests (JVM + JNA, the example run in its own JVM)"
log=$(mktemp)
set +e
java -Djna.library.path="$CARGO_TARGET_DIR/debug" -cp "$(kotlin_classpath "$jar")" \
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
