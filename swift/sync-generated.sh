#!/usr/bin/env bash
# Copies the UniFFI-generated Swift files (scripts/lib/build.sh's build_uniffi_bindings writes them
# to target/uniffi/swift) into the package: AuthJwt.swift into Sources/AuthJwt, the C header into
# Sources/AuthJwtFFI beside a module map that links libauthjwt_uniffi (the Linux system library).
# For Apple platforms the same header and module map go into the XCFramework (README.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
generated=${1:-$here/../target/uniffi/swift}
cp "$generated/AuthJwt.swift" "$here/Sources/AuthJwt/AuthJwt.swift"
cp "$generated/AuthJwtFFI.h" "$here/Sources/AuthJwtFFI/AuthJwtFFI.h"
cat >"$here/Sources/AuthJwtFFI/module.modulemap" <<'MAP'
module AuthJwtFFI {
    header "AuthJwtFFI.h"
    link "authjwt_uniffi"
    export *
}
MAP
echo "copied AuthJwt.swift and AuthJwtFFI.h from $generated"
