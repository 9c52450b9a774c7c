// The helpers apps use on tokens they hold but do not verify (decode, isExpired), and the HTTP
// helpers server integrations build on (bearer token, missing scopes, RFC 6750 challenges).
package dev.authjwt.tests

import dev.authjwt.AuthJwtException
import dev.authjwt.Issuer
import dev.authjwt.MemoryStore
import dev.authjwt.SignOverrides
import dev.authjwt.authChallenge
import dev.authjwt.decodeJwtUnverified
import dev.authjwt.decodeProtectedHeaderUnverified
import dev.authjwt.extractBearerToken
import dev.authjwt.isExpired
import dev.authjwt.missingScopes
import org.junit.jupiter.api.Test
import java.time.Instant

class ClientHelpersTest {
    @Test
    fun `decodeJwtUnverified reads the claims and header of a token it does not verify`() = blocking {
        val issuer = Issuer(MemoryStore(), options("ES256"))
        val token = issuer.sign(PAYLOAD)
        val decoded = decodeJwtUnverified(token)
        checkEq("user-1", jsonString(decoded.payloadJson, "sub"), "sub")
        checkEq("ES256", jsonString(decoded.headerJson, "alg"), "alg")
        checkEq(decoded.headerJson, decodeProtectedHeaderUnverified(token), "header alone")
        // A forged signature still decodes: these helpers never vouch for a token.
        checkEq(decoded, decodeJwtUnverified(tamperSignature(token)), "decoded despite the signature")
        for (bad in listOf("", "a.b", "not.a.jwt", "eyJhbGciOiJub25lIn0.W10.")) {
            val e = expectThrows<AuthJwtException> { decodeJwtUnverified(bad) }
            check(e.errorCode() in setOf("ERR_JWS_INVALID", "ERR_JWT_INVALID")) { "$bad: ${e.errorCode()}" }
        }
    }

    @Test
    fun `isExpired applies the verification rule exp at or before now minus leeway`() = blocking {
        val issuer = Issuer(MemoryStore(), options())
        val exp = Instant.ofEpochSecond(2_000_000_000)
        val token = issuer.sign(PAYLOAD, SignOverrides(expiresAt = exp))
        check(!isExpired(token, currentDate = exp.minusSeconds(1))) { "expired a second early" }
        check(isExpired(token, currentDate = exp)) { "exp == now is expired" }
        check(!isExpired(token, leewaySeconds = 30, currentDate = exp.plusSeconds(29))) { "leeway ignored" }
        check(isExpired(token, leewaySeconds = 30, currentDate = exp.plusSeconds(30))) { "leeway too long" }
        check(!isExpired(issuer.sign(PAYLOAD))) { "a fresh token is expired by the system clock" }
        expectThrows<AuthJwtException.InvalidConfig> { isExpired(token, leewaySeconds = -1) }
        expectThrows<AuthJwtException> { isExpired("garbage") }
    }

    @Test
    fun `bearer tokens, missing scopes and challenges come from the core`() = blocking {
        checkEq("abc.def.ghi", extractBearerToken("Bearer abc.def.ghi"), "token")
        checkEq("t1", extractBearerToken("  bearer   t1 "), "any case, spacing")
        for (bad in listOf("", "Bearer", "Basic dXNlcjpwYXNz", "Bearer a b")) {
            checkEq(null, extractBearerToken(bad), "'$bad'")
        }
        checkEq(listOf("admin"), missingScopes("""{"scope":"read write"}""", listOf("read", "admin")), "scope")
        checkEq(emptyList<String>(), missingScopes("""{"scp":["read","admin"]}""", listOf("admin")), "scp")

        val missing = authChallenge("missing_token", realm = "api")
        checkEq(401.toUShort(), missing.status, "status")
        checkEq("Bearer realm=\"api\"", missing.wwwAuthenticate, "challenge")
        val expired = authChallenge("ERR_JWT_EXPIRED", realm = "api")
        checkEq(
            "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"the token has expired\"",
            expired.wwwAuthenticate,
            "expired challenge",
        )
        checkEq(403.toUShort(), authChallenge("insufficient_scope", scope = "read").status, "scope status")
        checkEq(503.toUShort(), authChallenge("ERR_JWKS_TIMEOUT").status, "outage status")
        checkEq(null, authChallenge("ERR_JWKS_TIMEOUT").wwwAuthenticate, "no challenge on 503")
        expectThrows<AuthJwtException.InvalidConfig> { authChallenge("nonsense") }
    }
}
