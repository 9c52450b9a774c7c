// swift-tools-version:5.9
// authjwt for Swift: the library target `AuthJwt` is the UniFFI-generated AuthJwt.swift (copied
// into Sources/AuthJwt by sync-generated.sh); `AuthJwtFFI` is the C interface of the Rust library.
// On Apple platforms it is an XCFramework (README.md has the recipe); on Linux a system library:
// the header and module map here, libauthjwt_uniffi.so on the linker and loader paths.
// Not compiled in this project's test run: no Swift toolchain can be installed on its machines.
import PackageDescription

#if os(Linux)
let ffiTarget: Target = .systemLibrary(name: "AuthJwtFFI", path: "Sources/AuthJwtFFI")
#else
let ffiTarget: Target = .binaryTarget(name: "AuthJwtFFI", path: "AuthJwtFFI.xcframework")
#endif

let package = Package(
    name: "AuthJwt",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "AuthJwt", targets: ["AuthJwt"]),
    ],
    targets: [
        ffiTarget,
        .target(name: "AuthJwt", dependencies: ["AuthJwtFFI"], path: "Sources/AuthJwt"),
        .testTarget(name: "AuthJwtTests", dependencies: ["AuthJwt"], path: "Tests/AuthJwtTests"),
    ]
)
