#!/usr/bin/env bash
# Rust: formatting, lints, and the core's tests on each crypto backend and on both together
# (cross-backend tests), plus every binding crate's own Rust tests.
set -euo pipefail
cd "$(dirname "$0")/../.."

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --all-features -- -D warnings

echo "--- core, backend aws-lc (default)"
cargo test -p authjwt-core
echo "--- core, backend rust-crypto only"
cargo test -p authjwt-core --no-default-features --features rust-crypto,remote
echo "--- core, both backends (cross-backend tests)"
cargo test -p authjwt-core --all-features
