// `swift test` once the native library is provided (README.md). Not run in this project's test
// run: no Swift toolchain can be installed on its machines.
import AuthJwt
import XCTest

final class AuthJwtTests: XCTestCase {
    func testSignAndVerifyRoundTrip() async throws {
        let options = IssuerOptions(
            secret: "swift-test-secret-that-is-long-enough",
            keyPairConfig: KeyPairConfig(alg: "EdDSA"),
            issuer: "https://auth.example.com",
            audience: ["api"]
        )
        let issuer = try Issuer(store: MemoryStore(), options: options)
        let token = try await issuer.sign(payloadJson: #"{"sub":"user-1"}"#)
        let keys = try KeySet.fromJwks(json: try await issuer.jwks())
        let jwt = try verifyJwt(
            token: token, keySet: keys,
            options: VerifyOptions(issuer: ["https://auth.example.com"], audience: ["api"])
        )
        XCTAssertTrue(jwt.payloadJson.contains(#""sub":"user-1""#))
    }

    func testAnExpiredTokenIsJwtExpired() async throws {
        let options = IssuerOptions(secret: "swift-test-secret-that-is-long-enough")
        let issuer = try Issuer(store: MemoryStore(), options: options)
        let token = try await issuer.sign(payloadJson: "{}", overrides: SignOverrides(expirationTime: "5m"))
        let later = VerifyOptions(currentDate: Date().addingTimeInterval(3600))
        do {
            _ = try await issuer.verify(token: token, options: later)
            XCTFail("an expired token verified")
        } catch let error as AuthJwtError {
            XCTAssertEqual(error.errorCode(), "ERR_JWT_EXPIRED")
        }
    }
}
