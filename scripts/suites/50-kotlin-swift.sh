#!/usr/bin/env bash
# Kotlin and Swift (UniFFI): the Rust-side bridge tests, then the bindings generated from the built
# library with the crate's own uniffi-bindgen (library mode), the Swift files and the Swift
# package layout (swift/) checked for the expected API (no Swift toolchain can be installed here),
# and the Maven build of kotlin/ (`mvn verify`): dev.authjwt:authjwt with the native library in
# the JAR, its JUnit 5 tests (binding, client helpers, nimbus-jose-jwt interop), authjwt-ktor's
# tests in a Ktor test application, and examples/kotlin's test. Installs what it needs: a JDK and
# Maven from Debian when missing; dependencies from Maven Central into .cache/m2.
# Ends with `uniffi: N passed, N failed`.
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

echo "--- tools (JDK, Maven)"
ensure_kotlin
maven_version=$(mvn -B -v)
echo "${maven_version%%$'\n'*}"
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
swift_check "KeySet.fromJwks" "$swift" "public static func fromJwks\(json: String, events: EventListener\? = nil\) ?throws"
swift_check "RemoteKeySet(url:options:)" "$swift" "public convenience init\(url: String, options: RemoteKeySetOptions"
swift_check "verifyJwt(token:keySet:options:)" "$swift" "public func verifyJwt\(token: String, keySet: KeySet"
phase

echo "--- Swift package layout (swift/Package.swift over the generated files)"
swift_check "Package.swift declares the AuthJwt library" swift/Package.swift '\.library\(name: "AuthJwt"'
swift_check "Package.swift has the AuthJwtFFI binary target" swift/Package.swift '\.binaryTarget\(name: "AuthJwtFFI"'
swift_check "Package.swift has the AuthJwtFFI system library (Linux)" swift/Package.swift '\.systemLibrary\(name: "AuthJwtFFI"'
swift/sync-generated.sh "$out/swift"
swift_check "sync-generated.sh put AuthJwt.swift in the library target" swift/Sources/AuthJwt/AuthJwt.swift \
  "public func verifyJwt\\(token: String"
swift_check "the FFI module map links the Rust library" swift/Sources/AuthJwtFFI/module.modulemap 'link "authjwt_uniffi"'
phase

echo "--- mvn verify (kotlin/: authjwt, authjwt-ktor, examples/kotlin; JUnit 5 via Surefire)"
log=$(mktemp)
set +e
# The bindings were generated above; Maven packs them and the library (authjwt.skipNative).
# Test failures do not stop the reactor (every module's tests run); they are counted below.
mvn_kotlin verify -Dauthjwt.skipNative=true -Dmaven.test.failure.ignore=true 2>&1 | tee "$log" |
  grep -E '^\[(ERROR|WARNING)\]|Tests run:|BUILD|Reactor Summary|SUCCESS|FAILURE' | grep -v '^\[WARNING\] *$'
mvn_status=${PIPESTATUS[0]}
set -e
# Surefire's per-module totals: "Tests run: N, Failures: F, Errors: E, Skipped: S" (no class name).
read -r run fails errors < <(grep -E '^\[(INFO|ERROR|WARNING)\] Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$' "$log" |
  sed -E 's/.*Tests run: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2 \3/' |
  awk '{r += $1; f += $2; e += $3} END {print r + 0, f + 0, e + 0}')
count "$((run - fails - errors))" "$((fails + errors))"
echo "maven: $run tests run, $fails failures, $errors errors"
if [ "$mvn_status" -ne 0 ] && [ $((fails + errors)) -eq 0 ]; then
  echo "mvn verify exited with $mvn_status:"
  grep -E '^\[ERROR\]' "$log" | head -n 30
  count 0 1
fi
jar=kotlin/authjwt/target/authjwt-0.1.0.jar
if [ -f "$jar" ] && jar tf "$jar" | grep -qx 'linux-x86-64/libauthjwt_uniffi.so'; then
  echo "ok   the JAR carries linux-x86-64/libauthjwt_uniffi.so"
  count 1 0
else
  echo "FAIL the JAR lacks linux-x86-64/libauthjwt_uniffi.so"
  count 0 1
fi
rm -f "$log"
phase

echo "suite took $(($(date +%s) - started)) s"
echo "uniffi: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
