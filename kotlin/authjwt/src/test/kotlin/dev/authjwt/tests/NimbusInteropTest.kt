// Interop with nimbus-jose-jwt, the JVM's reference JOSE library: nimbus verifies authjwt's tokens
// through the JWKS authjwt publishes (fetched over HTTP on 127.0.0.1, as a resource server would),
// and authjwt verifies tokens nimbus signed with keys nimbus generated. EdDSA is left out: nimbus
// verifies Ed25519 only with Google Tink on the classpath, which this build does not pull in.
package dev.authjwt.tests

import com.nimbusds.jose.JOSEObjectType
import com.nimbusds.jose.JWSAlgorithm
import com.nimbusds.jose.JWSHeader
import com.nimbusds.jose.crypto.ECDSASigner
import com.nimbusds.jose.crypto.RSASSASigner
import com.nimbusds.jose.jwk.Curve
import com.nimbusds.jose.jwk.JWK
import com.nimbusds.jose.jwk.JWKSet
import com.nimbusds.jose.jwk.KeyUse
import com.nimbusds.jose.jwk.gen.ECKeyGenerator
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator
import com.nimbusds.jose.jwk.source.JWKSourceBuilder
import com.nimbusds.jose.proc.BadJOSEException
import com.nimbusds.jose.proc.JWSVerificationKeySelector
import com.nimbusds.jose.proc.SecurityContext
import com.nimbusds.jwt.JWTClaimsSet
import com.nimbusds.jwt.SignedJWT
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier
import com.nimbusds.jwt.proc.DefaultJWTProcessor
import com.sun.net.httpserver.HttpServer
import dev.authjwt.AuthJwtException
import dev.authjwt.Issuer
import dev.authjwt.KeySet
import dev.authjwt.MemoryStore
import dev.authjwt.verifyJwt
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.ValueSource
import java.net.InetSocketAddress
import java.net.URI
import java.util.Date

class NimbusInteropTest {
    /** A nimbus JWT processor for `alg` over the JWKS at `url`, checking iss, aud and times. */
    private fun nimbusProcessor(alg: String, url: String) = DefaultJWTProcessor<SecurityContext>().apply {
        val keys = JWKSourceBuilder.create<SecurityContext>(URI(url).toURL()).retrying(false).build()
        jwsKeySelector = JWSVerificationKeySelector(JWSAlgorithm.parse(alg), keys)
        jwtClaimsSetVerifier = DefaultJWTClaimsVerifier(
            "api",
            JWTClaimsSet.Builder().issuer(ISS).build(),
            setOf("sub", "iat", "exp"),
        )
    }

    @ParameterizedTest(name = "nimbus verifies an authjwt {0} token through the published JWKS")
    @ValueSource(strings = ["RS256", "PS256", "ES256", "ES384", "ES512"])
    fun `nimbus verifies authjwt's tokens through the published JWKS`(alg: String) = blocking {
        val issuer = Issuer(MemoryStore(), options(alg))
        val jwks = issuer.jwks()
        val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        server.createContext("/api/auth/jwks") { exchange ->
            val body = jwks.toByteArray()
            exchange.responseHeaders.add("Content-Type", "application/json")
            exchange.sendResponseHeaders(200, body.size.toLong())
            exchange.responseBody.use { it.write(body) }
        }
        server.start()
        try {
            val processor = nimbusProcessor(alg, "http://127.0.0.1:${server.address.port}/api/auth/jwks")
            val token = issuer.sign(PAYLOAD)
            val claims = processor.process(token, null)
            checkEq("user-1", claims.subject, "sub")
            checkEq("ada@example.com", claims.getStringClaim("email"), "email")
            checkEq(listOf("api"), claims.audience, "aud")
            assertThrows(BadJOSEException::class.java) { processor.process(tamperSignature(token), null) }
        } finally {
            server.stop(0)
        }
    }

    private fun nimbusKey(alg: String): JWK {
        val algorithm = JWSAlgorithm.parse(alg)
        return when (alg) {
            "RS256", "PS256" -> RSAKeyGenerator(2048)
            "ES256" -> ECKeyGenerator(Curve.P_256)
            "ES384" -> ECKeyGenerator(Curve.P_384)
            "ES512" -> ECKeyGenerator(Curve.P_521)
            else -> error("no nimbus key for $alg")
        }.keyID("nimbus-$alg").algorithm(algorithm).keyUse(KeyUse.SIGNATURE).generate()
    }

    @ParameterizedTest(name = "authjwt verifies a {0} token nimbus signed")
    @ValueSource(strings = ["RS256", "PS256", "ES256", "ES384", "ES512"])
    fun `authjwt verifies tokens nimbus signed`(alg: String) = blocking {
        val key = nimbusKey(alg)
        val signer = if (alg.startsWith("ES")) ECDSASigner(key.toECKey()) else RSASSASigner(key.toRSAKey())
        val now = System.currentTimeMillis() / 1000 * 1000
        val claims = JWTClaimsSet.Builder()
            .issuer(ISS).audience("api").subject("nimbus-user")
            .issueTime(Date(now)).expirationTime(Date(now + 300_000))
            .claim("email", "grace@example.com")
            .build()
        val jwt = SignedJWT(
            JWSHeader.Builder(JWSAlgorithm.parse(alg)).keyID(key.keyID).type(JOSEObjectType.JWT).build(),
            claims,
        )
        jwt.sign(signer)
        val token = jwt.serialize()
        val keys = KeySet.fromJwks(JWKSet(key).toPublicJWKSet().toString())
        val verified = verifyJwt(token, keys, STRICT)
        checkEq("nimbus-user", jsonString(verified.payloadJson, "sub"), "sub")
        checkEq("grace@example.com", jsonString(verified.payloadJson, "email"), "email")
        checkEq("nimbus-$alg", jsonString(verified.headerJson, "kid"), "kid")
        val e = expectThrows<AuthJwtException.SignatureVerificationFailed> {
            verifyJwt(tamperSignature(token), keys, STRICT)
        }
        assertEquals("ERR_JWS_SIGNATURE_VERIFICATION_FAILED", e.errorCode())
    }
}
