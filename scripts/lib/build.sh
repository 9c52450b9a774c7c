# Build steps shared by the test suites, the demo and the benchmarks; source it from bash.
# Each function installs what it needs on a clean Debian machine and is cheap when nothing changed.
# Paths are relative to the repository root ($AUTHJWT_ROOT).

AUTHJWT_ROOT="${AUTHJWT_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$AUTHJWT_ROOT/target}"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

KOTLIN_VERSION=2.4.20
KOTLIN_HOME="$AUTHJWT_ROOT/.cache/kotlin/node_modules/kotlin-compiler"
JNA_JAR=/usr/share/java/jna.jar

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

# The napi-rs addon in npm/ (dev profile by default; `build_node_addon --release` for benchmarks).
build_node_addon() {
  ensure_node
  (
    cd "$AUTHJWT_ROOT/npm"
    [ -d node_modules/@napi-rs/cli ] || npm_ci
    npx napi build --platform "$@" --manifest-path ../bindings/node/Cargo.toml --output-dir . \
      --js native.js --dts native.d.ts
    # A dev build carries ~90 MB of debug info; strip it rather than re-link with other RUSTFLAGS
    # (which would invalidate the shared target/).
    strip --strip-debug authjwt.*.node
  )
}

# The Kotlin compiler (npm package kotlin-compiler), JNA and a JRE.
ensure_kotlin() {
  local need=()
  [ -f "$JNA_JAR" ] || need+=(libjna-java)
  command -v java >/dev/null || need+=(default-jre-headless)
  [ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
  ensure_node
  local installed
  installed=$(node -p "require('$KOTLIN_HOME/package.json').version" 2>/dev/null || true)
  if [ "$installed" != "$KOTLIN_VERSION" ]; then
    npm install --prefix "$AUTHJWT_ROOT/.cache/kotlin" --no-save --loglevel=error \
      "kotlin-compiler@$KOTLIN_VERSION"
  fi
}

# The UniFFI library and its Kotlin/Swift bindings, generated into $CARGO_TARGET_DIR/uniffi.
build_uniffi_bindings() {
  cargo build -p authjwt-uniffi
  local out="$CARGO_TARGET_DIR/uniffi"
  local lib="$CARGO_TARGET_DIR/debug/libauthjwt_uniffi.so"
  local bindgen="$CARGO_TARGET_DIR/debug/uniffi-bindgen"
  rm -rf "$out/kotlin" "$out/swift"
  "$bindgen" generate --library "$lib" --language kotlin --no-format --out-dir "$out/kotlin"
  "$bindgen" generate --library "$lib" --language swift --no-format --out-dir "$out/swift"
}

# Compiles Kotlin sources with the generated bindings into a jar (reused while nothing changed);
# prints the jar's path. Usage: compile_kotlin NAME SOURCE...
compile_kotlin() {
  local name=$1
  shift
  local out="$CARGO_TARGET_DIR/uniffi"
  local sources=("$out/kotlin/dev/authjwt/authjwt_uniffi.kt" "$@")
  local key jar
  key=$( (echo "$KOTLIN_VERSION"; cat "${sources[@]}") | sha256sum | cut -c1-16)
  jar="$out/$name-$key.jar"
  if [ ! -f "$jar" ]; then
    rm -f "$out/$name"-*.jar
    "$KOTLIN_HOME/bin/kotlinc" -nowarn "${sources[@]}" \
      -cp "$KOTLIN_HOME/lib/kotlinx-coroutines-core-jvm.jar:$JNA_JAR" -d "$jar.tmp.jar" >&2
    mv "$jar.tmp.jar" "$jar"
  fi
  echo "$jar"
}

# The classpath to run a jar from compile_kotlin.
kotlin_classpath() { # jar
  echo "$1:$KOTLIN_HOME/lib/kotlinx-coroutines-core-jvm.jar:$JNA_JAR:$KOTLIN_HOME/lib/kotlin-stdlib.jar"
}

# python3 with venv support.
ensure_python() {
  local need=()
  command -v python3 >/dev/null || need+=(python3)
  python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
  [ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
}

# The abi3 wheel (maturin build --release) in python/dist; prints its path.
build_python_wheel() {
  ensure_python
  local build_venv="$AUTHJWT_ROOT/.cache/python-build"
  if [ ! -x "$build_venv/bin/maturin" ]; then
    python3 -m venv "$build_venv"
    "$build_venv/bin/pip" install -q --disable-pip-version-check \
      "$(grep '^maturin==' "$AUTHJWT_ROOT/python/requirements-dev.txt")" >&2
  fi
  rm -rf "$AUTHJWT_ROOT/python/dist"
  (cd "$AUTHJWT_ROOT/python" && "$build_venv/bin/maturin" build --release --out dist --quiet >&2)
  local wheel
  wheel=$(ls "$AUTHJWT_ROOT"/python/dist/authjwt-*-abi3-*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$wheel" ]; then
    echo "no abi3 wheel was built in python/dist" >&2
    return 1
  fi
  echo "$wheel"
}

# A fresh virtualenv at $1 with the wheel $2 installed, plus `pip install` arguments after them.
python_venv_with_wheel() { # venv wheel [pip args...]
  local venv=$1 wheel=$2
  shift 2
  python3 -m venv --clear "$venv"
  [ $# -eq 0 ] || "$venv/bin/pip" install -q --disable-pip-version-check "$@"
  "$venv/bin/pip" install -q --disable-pip-version-check "$wheel"
}
