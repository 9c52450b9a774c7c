# Build steps shared by the test suites, the demo and the benchmarks; source it from bash.
# Each function installs what it needs on a clean Debian machine and is cheap when nothing changed.
# Paths are relative to the repository root ($AUTHJWT_ROOT).

AUTHJWT_ROOT="${AUTHJWT_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$AUTHJWT_ROOT/target}"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# Maven's local repository: kept under .cache so a fresh machine fills it from Maven Central.
MAVEN_REPO="${MAVEN_REPO:-$AUTHJWT_ROOT/.cache/m2}"
# The build tools venv (python/requirements-build.txt: maturin, ziglang, cargo-zigbuild, auditwheel).
BUILD_VENV="$AUTHJWT_ROOT/.cache/python-build"
# The wheel's own target dir: maturin links through its own zig wrapper, and cargo rebuilds every
# crate whose linker changed, so sharing a dir with the addon's build (cargo-zigbuild's wrapper, the
# same crate hashes) rebuilt both in full each time the other had run.
WHEEL_TARGET_DIR="${WHEEL_TARGET_DIR:-$CARGO_TARGET_DIR/wheel}"
# Release artifacts target this glibc (manylinux2014), so they load on every Linux users run.
GLIBC_BASELINE=2.17

apt_install() { # packages...
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Node >= 20.17 (needed by @napi-rs/cli) and binutils' strip.
ensure_node() {
  if ! command -v node >/dev/null ||
    ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=17)?0:1)'; then
    apt_install nodejs npm
  fi
  command -v strip >/dev/null || apt_install binutils
}

# `npm ci` in the current folder, or, when npm refuses the lock because the registry lacks some
# other platform's optional package (npm/cli#9846: @napi-rs/cli pulls @napi-rs/lzma-<platform>),
# `npm install` from the same lock.
npm_ci() {
  npm ci --loglevel=error 2>/dev/null || {
    echo "npm ci refused the lock file; installing from it with npm install"
    npm install --loglevel=error
  }
}

# The shipped binaries (addon, wheel, UniFFI library) seed aws-lc's random generator from the OS
# (getrandom, with RDRAND mixed in) instead of CPU-jitter sampling: jitter's start-up sampling costs
# ~100 ms of CPU at a process's first random draw (the first ES256 token, the first new key), most
# of a cold start. The OS generator is what ring and rustls rely on. Every glibc 2.17 release build
# sets it, so the three share one aws-lc build; debug builds (cargo test) keep their own.
release_binary_env() {
  AWS_LC_SYS_NO_JITTER_ENTROPY=1 "$@"
}

# The napi-rs addon in npm/, built against glibc 2.17 like the wheel: `napi build -x` runs
# `cargo zigbuild --target x86_64-unknown-linux-gnu.2.17` with zig from PyPI (ensure_build_tools).
# Always the release profile. `--release` is accepted (benchmarks pass it).
build_node_addon() {
  ensure_node
  ensure_build_tools
  local args=() arg
  for arg in "$@"; do [ "$arg" = --release ] || args+=("$arg"); done
  (
    cd "$AUTHJWT_ROOT/npm"
    [ -d node_modules/@napi-rs/cli ] || npm_ci
    PATH="$BUILD_VENV/bin:$PATH" release_binary_env npx napi build --platform --release -x \
      --target "x86_64-unknown-linux-gnu.$GLIBC_BASELINE" ${args[@]+"${args[@]}"} \
      --manifest-path ../bindings/node/Cargo.toml --output-dir . --js native.js --dts native.d.ts
    strip --strip-debug authjwt.*.node
  )
}

# The newest GLIBC_x.y symbol version a shared library needs (objdump -T), e.g. 2.17.
max_glibc_version() { # library
  objdump -T "$1" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -u -V | tail -n1
}

# The maturin/zig/cargo-zigbuild/auditwheel venv (pinned in python/requirements-build.txt).
ensure_build_tools() {
  ensure_python
  local req="$AUTHJWT_ROOT/python/requirements-build.txt" stamp="$BUILD_VENV/.requirements"
  if [ ! -x "$BUILD_VENV/bin/maturin" ] || ! cmp -s "$req" "$stamp"; then
    python3 -m venv "$BUILD_VENV"
    "$BUILD_VENV/bin/pip" install -q --disable-pip-version-check -r "$req" >&2
    cp "$req" "$stamp"
  fi
  command -v objdump >/dev/null || apt_install binutils
}

# A JDK and Maven, for the Kotlin package in kotlin/ (dependencies come from Maven Central).
ensure_kotlin() {
  local need=()
  command -v javac >/dev/null || need+=(default-jdk-headless)
  command -v mvn >/dev/null || need+=(maven)
  [ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
}

# Maven on the Kotlin project (kotlin/pom.xml), with the project's local repository.
# Usage: mvn_kotlin GOAL... (e.g. `mvn_kotlin -q verify`)
mvn_kotlin() {
  ensure_kotlin
  mvn -B -Dmaven.repo.local="$MAVEN_REPO" -f "$AUTHJWT_ROOT/kotlin/pom.xml" "$@"
}

# The Kotlin example (examples/kotlin) built with Maven, after build_uniffi_bindings; prints the
# classpath to run it with
# (`java -cp "$cp" dev.authjwt.examples.VerifyTokenKt ...`): no jna.library.path needed.
build_kotlin_example() {
  local cp_file="$AUTHJWT_ROOT/examples/kotlin/target/classpath.txt"
  mvn_kotlin -q install -DskipTests -Dauthjwt.skipNative=true -pl :authjwt-example-verify-token -am >&2
  mvn_kotlin -q dependency:build-classpath -pl :authjwt-example-verify-token -Dauthjwt.skipNative=true \
    -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp_file" >&2
  echo "$AUTHJWT_ROOT/examples/kotlin/target/classes:$(cat "$cp_file")"
}

# cargo through zig for glibc 2.17, as the wheel and the addon are built: cargo_zigbuild ARGS...
# Artifacts land in $CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/<profile>.
cargo_zigbuild() {
  ensure_build_tools
  PATH="$BUILD_VENV/bin:$PATH" release_binary_env cargo zigbuild --target "x86_64-unknown-linux-gnu.$GLIBC_BASELINE" "$@"
}

# The UniFFI library and its Kotlin/Swift bindings, generated into $CARGO_TARGET_DIR/uniffi; the
# library (release, glibc 2.17, sharing its dependency builds with the wheel and the addon) is
# staged at JNA's resource path for the JAR.
build_uniffi_bindings() {
  cargo_zigbuild --release -p authjwt-uniffi --lib || return 1
  # The generator is a host tool: its own unoptimised profile (Cargo.toml), no zig, never part of
  # the library's build.
  cargo build -q --profile bindgen -p authjwt-uniffi-bindgen || return 1
  local out="$CARGO_TARGET_DIR/uniffi" dir="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release"
  local lib="$dir/libauthjwt_uniffi.so" bindgen="$CARGO_TARGET_DIR/bindgen/uniffi-bindgen"
  # Library mode reads the UniFFI metadata symbols from the rlib: zig's linker leaves the .so
  # without a symbol table (its exported functions stay in .dynsym).
  local meta="$dir/libauthjwt_uniffi.rlib"
  rm -rf "$out/kotlin" "$out/swift"
  "$bindgen" generate --library "$meta" --language kotlin --no-format --out-dir "$out/kotlin" || return 1
  "$bindgen" generate --library "$meta" --language swift --no-format --out-dir "$out/swift" || return 1
  # JNA's resource path in the JAR (kotlin/authjwt/pom.xml packs $out/native).
  mkdir -p "$out/native/linux-x86-64"
  strip --strip-debug -o "$out/native/linux-x86-64/libauthjwt_uniffi.so" "$lib"
}

# python3 with venv support.
ensure_python() {
  local need=()
  command -v python3 >/dev/null || need+=(python3)
  python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
  [ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
}

# The abi3 wheel for manylinux2014 (glibc 2.17) in python/dist, built with
# `maturin build --release --zig --compatibility manylinux2014`; prints its path.
build_python_wheel() {
  ensure_build_tools
  rm -rf "$AUTHJWT_ROOT/python/dist"
  (cd "$AUTHJWT_ROOT/python" && PATH="$BUILD_VENV/bin:$PATH" CARGO_TARGET_DIR="$WHEEL_TARGET_DIR" \
    release_binary_env "$BUILD_VENV/bin/maturin" build --release \
    --zig --compatibility manylinux2014 --out dist --quiet >&2)
  local wheel
  wheel=$(ls "$AUTHJWT_ROOT"/python/dist/authjwt-*-abi3-*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$wheel" ]; then
    echo "no abi3 wheel was built in python/dist" >&2
    return 1
  fi
  echo "$wheel"
}

# The platform tags auditwheel finds a wheel fit for (its `show` report).
wheel_audit() { # wheel
  "$BUILD_VENV/bin/auditwheel" show "$1"
}

# The source distribution (maturin sdist) in python/dist; prints its path.
build_python_sdist() {
  ensure_build_tools
  (cd "$AUTHJWT_ROOT/python" && "$BUILD_VENV/bin/maturin" sdist --out dist >&2)
  ls "$AUTHJWT_ROOT"/python/dist/authjwt-*.tar.gz | head -n1
}

# A fresh virtualenv at $1 with the wheel $2 installed, plus `pip install` arguments after them.
python_venv_with_wheel() { # venv wheel [pip args...]
  local venv=$1 wheel=$2
  shift 2
  python3 -m venv --clear "$venv"
  [ $# -eq 0 ] || "$venv/bin/pip" install -q --disable-pip-version-check "$@"
  "$venv/bin/pip" install -q --disable-pip-version-check "$wheel"
}
