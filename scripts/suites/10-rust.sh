#!/usr/bin/env bash
# Rust: formatting, lints, and the core's tests with both crypto backends (cross-backend tests)
# and with rust-crypto alone.
set -euo pipefail
cd "$(dirname "$0")/../.."

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --all-features -- -D warnings
# The rust-crypto-only build has code of its own (and none of aws-lc's): lint it too.
cargo clippy -p authjwt-core --all-targets --no-default-features --features rust-crypto,remote -- -D warnings

# With both backends on, aws-lc serves the crate's API exactly as in the default build (which the
# bindings ship and their suites test), so that run also covers the default; the only code that
# exists without aws-lc is tested by the rust-crypto run.
echo "--- core, both backends (aws-lc serving, as by default, plus the cross-backend tests)"
cargo test -p authjwt-core --all-features
echo "--- core, backend rust-crypto only"
cargo test -p authjwt-core --no-default-features --features rust-crypto,remote
