#!/usr/bin/env bash
# Builds AuthJwtFFI.xcframework for the Swift package on macOS with Xcode (iOS device, iOS
# simulator, macOS), then copies the generated Swift into Sources/AuthJwt. Not run in this
# project's test run (no macOS, no Xcode); the release workflow's plan runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
for target in "${targets[@]}"; do
  # A static library for Apple platforms (the crate's cdylib is for JNA and Linux).
  cargo rustc --release -p authjwt-uniffi --lib --target "$target" --crate-type staticlib
done
cargo build --profile bindgen -p authjwt-uniffi-bindgen
lib() { echo "target/$1/release/libauthjwt_uniffi.a"; }
out=target/uniffi/apple
rm -rf "$out" swift/AuthJwtFFI.xcframework
mkdir -p "$out/headers" "$out/ios-sim" "$out/macos"
target/bindgen/uniffi-bindgen generate --library "$(lib aarch64-apple-darwin)" --language swift \
  --out-dir target/uniffi/swift
cp target/uniffi/swift/AuthJwtFFI.h "$out/headers/"
# The framework's module map must be named module.modulemap.
cp target/uniffi/swift/AuthJwtFFI.modulemap "$out/headers/module.modulemap"
lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" -output "$out/ios-sim/libauthjwt_uniffi.a"
lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" -output "$out/macos/libauthjwt_uniffi.a"
xcodebuild -create-xcframework \
  -library "$(lib aarch64-apple-ios)" -headers "$out/headers" \
  -library "$out/ios-sim/libauthjwt_uniffi.a" -headers "$out/headers" \
  -library "$out/macos/libauthjwt_uniffi.a" -headers "$out/headers" \
  -output swift/AuthJwtFFI.xcframework
swift/sync-generated.sh target/uniffi/swift
