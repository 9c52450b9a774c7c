// Kotlin tests of the UniFFI binding (JUnit 5, run by Maven Surefire), against the native library
// that JNA loads from the module's resources, as an app loads it from the JAR.
package dev.authjwt.tests

import com.sun.net.httpserver.HttpServer
import dev.authjwt.AuthJwtEvent
import dev.authjwt.AuthJwtException
import dev.authjwt.EventListener
import dev.authjwt.ExternalSigner
import dev.authjwt.ExternalSignerConfig
import dev.authjwt.Issuer
import dev.authjwt.IssuerOptions
import dev.authjwt.JwkRow
import dev.authjwt.KeyPairConfig
import dev.authjwt.KeySet
import dev.authjwt.KeyStore
import dev.authjwt.HostCallbackException
import dev.authjwt.MemoryStore
import dev.authjwt.PrivateKeyFormat
import dev.authjwt.RemoteKeySet
import dev.authjwt.RemoteKeySetOptions
import dev.authjwt.SessionHooks
import dev.authjwt.SignOverrides
import dev.authjwt.VerifyOptions
import dev.authjwt.verifyJwt
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.delay
import kotlinx.coroutines.withContext
import java.net.InetSocketAddress
import java.time.Duration
import java.time.Instant
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicReference
import org.junit.jupiter.api.DisplayName
import org.junit.jupiter.api.DynamicTest.dynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory

const val ISS = "https://auth.example.com"
const val SECRET = "kotlin-test-secret-that-is-long-enough"
const val PAYLOAD = """{"sub":"user-1","email":"ada@example.com","name":"Ada"}"""

val ALGORITHMS = listOf(
    "EdDSA", "Ed25519", "ES256", "ES384", "ES512",
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
)

fun options(alg: String = "EdDSA", secret: String? = SECRET) = IssuerOptions(
    secret = secret,
    keyPairConfig = KeyPairConfig(alg = alg),
    issuer = ISS,
    audience = listOf("api"),
)

val STRICT = VerifyOptions(issuer = listOf(ISS), audience = listOf("api"))

class AuthJwtTest {
    @TestFactory
    fun `sign, publish and verify round trip with each algorithm`() = ALGORITHMS.map { alg ->
        dynamicTest("sign, publish and verify round trip with $alg") { blocking {
            val store = MapKeyStore()
            val issuer = Issuer(store, options(alg))
            val token = issuer.sign(PAYLOAD)
            val rows = store.snapshot()
            checkEq(1, rows.size, "rows created")
            checkEq(alg, rows[0].alg, "stored alg")
            check(!rows[0].privateKey.contains("\"d\"")) { "private key stored in clear" }
            val header = headerOf(token)
            checkEq(alg, jsonString(header, "alg"), "header alg")
            checkEq(rows[0].id, jsonString(header, "kid"), "header kid")

            val jwks = issuer.jwks()
            val keys = KeySet.fromJwks(jwks)
            checkEq(1u, keys.size(), "keys in the JWKS")
            check(keys.algorithms().contains(alg)) { "JWKS algorithms ${keys.algorithms()}" }
            val jwt = verifyJwt(token, keys, STRICT)
            checkEq("user-1", jsonString(jwt.payloadJson, "sub"), "sub")
            checkEq("ada@example.com", jsonString(jwt.payloadJson, "email"), "email")
            checkEq(ISS, jsonString(jwt.payloadJson, "iss"), "iss")
            checkEq("api", jsonString(jwt.payloadJson, "aud"), "aud")
            val iat = jsonLong(jwt.payloadJson, "iat") ?: error("no iat")
            checkEq(iat + 15 * 60, jsonLong(jwt.payloadJson, "exp"), "default exp = iat + 15m")
            checkEq(rows[0].id, jsonString(jwt.headerJson, "kid"), "verified kid")

            val own = issuer.verify(token)
            checkEq(jwt.payloadJson, own.payloadJson, "issuer.verify payload")
        } }
    }

    @Test
    fun `100 coroutines signing on an empty store create exactly one key`() = blocking {
        val store = MapKeyStore(createDelayMs = 50)
        val issuer = Issuer(store, options())
        val tokens = withContext(Dispatchers.Default) {
            (1..100).map { async { issuer.sign("""{"sub":"user-$it"}""") } }.awaitAll()
        }
        checkEq(1, store.creates.get(), "createJwk calls")
        val kids = tokens.map { jsonString(headerOf(it), "kid") }.toSet()
        checkEq(setOf(store.snapshot()[0].id), kids, "kids used")
    }

    @Test
    fun `signing with a warm key cache does not call the store`() = blocking {
        val store = MapKeyStore()
        val issuer = Issuer(store, options())
        issuer.sign(PAYLOAD)
        val reads = store.reads.get()
        repeat(50) { issuer.sign(PAYLOAD) }
        checkEq(reads, store.reads.get(), "getJwks calls after warm-up")
        checkEq(1, store.creates.get(), "createJwk calls")
    }

    @Test
    fun `signCached signs with the loaded key and refuses before one is loaded`() = blocking {
        val issuer = Issuer(MapKeyStore(), options())
        expectThrows<AuthJwtException> { issuer.signCached(PAYLOAD) }
        issuer.sign(PAYLOAD)
        val token = issuer.signCached("""{"email":"b@example.com"}""", SignOverrides(subject = "user-2"))
        val jwt = issuer.verify(token)
        checkEq("user-2", jsonString(jwt.payloadJson, "sub"), "sub override")
    }

    @Test
    fun `MemoryStore is a KeyStore an Issuer can use`() = blocking {
        val store = MemoryStore()
        val asKeyStore: KeyStore = store
        val issuer = Issuer(asKeyStore, options(secret = null).copy(disablePrivateKeyEncryption = true))
        val token = issuer.sign(PAYLOAD)
        val rows = store.getJwks()
        checkEq(1, rows.size, "rows in MemoryStore")
        checkEq(rows[0].id, jsonString(headerOf(token), "kid"), "kid")
        verifyJwt(token, KeySet.fromJwks(issuer.jwks()), STRICT)
    }

    @Test
    fun `rows move between stores with their instants and keep signing with the same key`() = blocking {
        val first = MapKeyStore()
        Issuer(first, options()).sign(PAYLOAD)
        val row = first.snapshot()[0]
        val age = Duration.between(row.createdAt, Instant.now()).abs()
        check(age < Duration.ofMinutes(5)) { "createdAt $row.createdAt is not now" }
        checkEq(0, row.createdAt.nano % 1_000_000, "createdAt has millisecond precision")
        val moved = Issuer(MemoryStore.withRows(listOf(row)), options())
        val token = moved.sign(PAYLOAD)
        checkEq(row.id, jsonString(headerOf(token), "kid"), "kid after the move")
    }

    @Test
    fun `rotate makes a new key, both stay published, old tokens still verify`() = blocking {
        val store = MapKeyStore()
        val issuer = Issuer(store, options("ES256"))
        val old = issuer.sign(PAYLOAD)
        val row: JwkRow = issuer.rotate()
        check(row.id != jsonString(headerOf(old), "kid")) { "rotate returned the old key" }
        checkEq("ES256", row.alg, "rotated alg")
        val fresh = issuer.sign(PAYLOAD)
        checkEq(row.id, jsonString(headerOf(fresh), "kid"), "kid after rotate")
        val keys = KeySet.fromJwks(issuer.jwks())
        checkEq(2u, keys.size(), "keys published")
        verifyJwt(old, keys, STRICT)
        verifyJwt(fresh, keys, STRICT)
        issuer.verify(old)
    }

    @Test
    @DisplayName("signSession puts the user in the payload with sub = user.id")
    fun `signSession puts the user in the payload with sub = user id`() = blocking {
        val issuer = Issuer(MapKeyStore(), options())
        val token = issuer.signSession(
            """{"id":"u-42","email":"grace@example.com","name":"Grace"}""",
            """{"id":"s-1","userId":"u-42"}""",
        )
        val jwt = issuer.verify(token)
        checkEq("u-42", jsonString(jwt.payloadJson, "sub"), "sub")
        checkEq("grace@example.com", jsonString(jwt.payloadJson, "email"), "email")
    }

    @Test
    fun `signSession uses the host's definePayload and getSubject`() = blocking {
        val hooks = object : SessionHooks {
            override suspend fun definePayload(userJson: String, sessionJson: String): String? {
                delay(1)
                return """{"role":"admin"}"""
            }
            override suspend fun getSubject(userJson: String, sessionJson: String): String? = "custom-sub"
        }
        val issuer = Issuer(MapKeyStore(), options().copy(sessionHooks = hooks))
        val jwt = issuer.verify(issuer.signSession("""{"id":"u-1","email":"a@b.c"}""", "{}"))
        checkEq("admin", jsonString(jwt.payloadJson, "role"), "role")
        checkEq("custom-sub", jsonString(jwt.payloadJson, "sub"), "sub")
        checkEq(null, jsonString(jwt.payloadJson, "email"), "email (not in definePayload)")
    }

    @Test
    fun `an external signer (a key the host keeps) signs, DER answers too, and bad answers are refused`() = blocking {
        val generator = java.security.KeyPairGenerator.getInstance("EC")
        generator.initialize(java.security.spec.ECGenParameterSpec("secp256r1"))
        val pair = generator.generateKeyPair()
        val stranger = generator.generateKeyPair()
        fun signer(algorithm: String, key: java.security.PrivateKey, mangle: (ByteArray) -> ByteArray = { it }) =
            object : ExternalSigner {
                override suspend fun sign(signingInput: ByteArray): ByteArray {
                    val s = java.security.Signature.getInstance(algorithm)
                    s.initSign(key)
                    s.update(signingInput)
                    return mangle(s.sign())
                }
            }
        val point = (pair.public as java.security.interfaces.ECPublicKey).w
        val jwk = """{"kty":"EC","crv":"P-256","x":"${b64u32(point.affineX)}","y":"${b64u32(point.affineY)}"}"""
        val jwks = """{"keys":[${jwk.dropLast(1)},"kid":"hw-1","alg":"ES256","use":"sig"}]}"""
        val store = MapKeyStore()
        // The signer's public key checks each token before it is returned (no fetch of remoteUrl).
        fun issuer(s: ExternalSigner) = Issuer(store, options().copy(
            externalSigner = ExternalSignerConfig(s, "ES256", "hw-1", publicKey = jwk),
            remoteUrl = "https://auth.example.com/jwks",
        ))
        // The JOSE form r || s, as Android Keystore gives with this algorithm name; DER, as a KMS gives.
        for (algorithm in listOf("SHA256withECDSAinP1363Format", "SHA256withECDSA")) {
            val token = issuer(signer(algorithm, pair.private)).sign(PAYLOAD)
            checkEq("hw-1", jsonString(headerOf(token), "kid"), "kid")
            checkEq("ES256", jsonString(headerOf(token), "alg"), "alg")
            verifyJwt(token, KeySet.fromJwks(jwks), STRICT)
        }
        val bad = listOf(
            signer("SHA256withECDSA", stranger.private),
            signer("SHA256withECDSAinP1363Format", pair.private) { it.copyOf(63) },
            signer("SHA256withECDSAinP1363Format", pair.private) { ByteArray(0) },
        )
        for (s in bad) expectThrows<AuthJwtException.Store> { issuer(s).sign(PAYLOAD) }
        checkEq(0, store.creates.get(), "keys created in the store")
    }

    @Test
    @DisplayName("an event listener hears key.created, token.issued and token.rejected, no claim values")
    fun `an event listener hears key created, token issued and token rejected, no claim values`() = blocking {
        val events = java.util.Collections.synchronizedList(mutableListOf<AuthJwtEvent>())
        val listener = object : EventListener {
            override fun onEvent(event: AuthJwtEvent) {
                events += event
            }
        }
        val store = MapKeyStore()
        val issuer = Issuer(store, options().copy(events = listener))
        val token = issuer.sign(PAYLOAD)
        val kid = store.snapshot()[0].id
        check(events.any { it.name == "key.created" && it.kid == kid && it.alg == "EdDSA" }) { "$events" }
        check(events.any { it.name == "token.issued" && it.kid == kid }) { "$events" }
        expectThrows<AuthJwtException> { issuer.verify(tamperSignature(token)) }
        check(events.any { it.name == "token.rejected" && it.code == "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" }) {
            "$events"
        }
        check(events.none { it.toString().contains("ada@example.com") }) { "claim value in $events" }
    }

    // Error codes.

    @Test
    fun `an expired token is ERR_JWT_EXPIRED`() = blocking {
        val issuer = Issuer(MapKeyStore(), options())
        val token = issuer.sign(PAYLOAD, SignOverrides(expirationTime = "5m"))
        val later = STRICT.copy(currentDate = Instant.now().plus(Duration.ofHours(1)))
        val e = expectThrows<AuthJwtException.JwtExpired> { issuer.verify(token, later) }
        checkEq("ERR_JWT_EXPIRED", e.code, "code")
        checkEq("ERR_JWT_EXPIRED", e.errorCode(), "errorCode()")
        checkEq("exp", e.claim, "claim")
    }

    @Test
    fun `a tampered signature is ERR_JWS_SIGNATURE_VERIFICATION_FAILED`() = blocking {
        val issuer = Issuer(MapKeyStore(), options())
        val keys = KeySet.fromJwks(issuer.jwks())
        val bad = tamperSignature(issuer.sign(PAYLOAD))
        val e = expectThrows<AuthJwtException.SignatureVerificationFailed> { verifyJwt(bad, keys, STRICT) }
        checkEq("ERR_JWS_SIGNATURE_VERIFICATION_FAILED", e.code, "code")
    }

    @Test
    fun `a token from another issuer is ERR_JWKS_NO_MATCHING_KEY`() = blocking {
        val mine = KeySet.fromJwks(Issuer(MapKeyStore(), options()).jwks())
        val theirs = Issuer(MapKeyStore(), options()).sign(PAYLOAD)
        val e = expectThrows<AuthJwtException.NoMatchingKey> { verifyJwt(theirs, mine, STRICT) }
        checkEq("ERR_JWKS_NO_MATCHING_KEY", e.code, "code")
    }

    @Test
    fun `a wrong audience is ERR_JWT_CLAIM_VALIDATION_FAILED on aud`() = blocking {
        val issuer = Issuer(MapKeyStore(), options())
        val token = issuer.sign(PAYLOAD)
        val e = expectThrows<AuthJwtException.ClaimValidationFailed> {
            issuer.verify(token, STRICT.copy(audience = listOf("other-api")))
        }
        checkEq("ERR_JWT_CLAIM_VALIDATION_FAILED", e.code, "code")
        checkEq("aud", e.claim, "claim")
        checkEq("check_failed", e.reason, "reason")
    }

    @Test
    fun `a store that throws HostCallbackException is ERR_STORE with the host's message`() = blocking {
        val issuer = Issuer(FailingKeyStore(HostCallbackException.Failed("database is down")), options())
        val e = expectThrows<AuthJwtException.Store> { issuer.sign(PAYLOAD) }
        checkEq("ERR_STORE", e.code, "code")
        checkEq("get_jwks", e.operation, "operation")
        check(e.detail.contains("database is down")) { "detail lost the host message: ${e.detail}" }
    }

    @Test
    fun `a store that throws any exception is ERR_STORE with its message`() = blocking {
        val issuer = Issuer(FailingKeyStore(IllegalStateException("disk on fire")), options())
        val e = expectThrows<AuthJwtException.Store> { issuer.jwks() }
        check(e.detail.contains("disk on fire")) { "detail lost the host message: ${e.detail}" }
    }

    @Test
    fun `a failed createJwk fails sign and nothing half-made is used afterwards`() = blocking {
        val failing = AtomicInteger(1)
        val store = object : MapKeyStore() {
            override suspend fun createJwk(row: JwkRow): JwkRow {
                if (failing.getAndDecrement() > 0) throw HostCallbackException.Failed("unique constraint")
                return super.createJwk(row)
            }
        }
        val issuer = Issuer(store, options())
        val e = expectThrows<AuthJwtException.Store> { issuer.sign(PAYLOAD) }
        checkEq("create_jwk", e.operation, "operation")
        checkEq(0, store.snapshot().size, "rows after the failure")
        val token = issuer.sign(PAYLOAD)
        checkEq(store.snapshot()[0].id, jsonString(headerOf(token), "kid"), "kid is the stored row")
        verifyJwt(token, KeySet.fromJwks(issuer.jwks()), STRICT)
    }

    @Test
    fun `a store that does not answer within storeTimeout is ERR_STORE, timed out`() = blocking {
        val slow = object : MapKeyStore() {
            override suspend fun getJwks(): List<JwkRow> {
                delay(30_000)
                return emptyList()
            }
        }
        val issuer = Issuer(slow, options().copy(storeTimeout = 0.2))
        val e = expectThrows<AuthJwtException.Store> { issuer.sign(PAYLOAD) }
        check(e.timedOut) { "not marked as a timeout: ${e.detail}" }
    }

    @Test
    fun `a row sealed with another secret is ERR_KEY_DECRYPTION_FAILED naming the kid, no new key`() = blocking {
        val store = MapKeyStore()
        Issuer(store, options()).sign(PAYLOAD)
        val other = Issuer(store, options(secret = "a-different-secret-of-enough-length"))
        val e = expectThrows<AuthJwtException.KeyDecryptionFailed> { other.sign(PAYLOAD) }
        checkEq(store.snapshot()[0].id, e.kid, "kid")
        checkEq(1, store.creates.get(), "keys created")
    }

    @Test
    fun `configurations that cannot work are ERR_INVALID_CONFIG when the Issuer is built`() = blocking {
        val weakRsa = options("RS256").copy(keyPairConfig = KeyPairConfig(alg = "RS256", modulusLength = 1024u))
        for (bad in listOf(weakRsa, options("ECDH-ES"), options("HS256"), options(secret = null))) {
            val e = expectThrows<AuthJwtException.InvalidConfig> { Issuer(MapKeyStore(), bad) }
            checkEq("ERR_INVALID_CONFIG", e.code, "code")
        }
        expectThrows<AuthJwtException.InvalidConfig> {
            Issuer(MapKeyStore(), options().copy(storeTimeout = -1.0))
        }
    }

    @Test
    fun `a malformed JWKS is ERR_JWKS_INVALID`() = blocking {
        for (doc in listOf("not json", """{"keys":5}""", """{"keys":["not a key"]}""")) {
            val e = expectThrows<AuthJwtException.JwksInvalid> { KeySet.fromJwks(doc) }
            checkEq("ERR_JWKS_INVALID", e.code, "code")
        }
    }

    @Test
    fun `the better-auth private key format is written when asked`() = blocking {
        val store = MapKeyStore()
        val issuer = Issuer(store, options().copy(privateKeyFormat = PrivateKeyFormat.BETTER_AUTH))
        issuer.sign(PAYLOAD)
        check(store.snapshot()[0].privateKey.startsWith("\"")) { "not a JSON string literal" }
    }

    @Test
    fun `options and rows do not print secrets`() = blocking {
        val text = options().toString() + MapKeyStore().let { s ->
            Issuer(s, options()).sign(PAYLOAD); s.snapshot()[0].toString()
        }
        check(!text.contains(SECRET)) { "secret printed: $text" }
        check(text.contains("<redacted>") && text.contains("<sealed>")) { "not redacted: $text" }
    }

    @Test
    fun `RemoteKeySet verifies against a JWKS served over HTTP, cached, refetched for a new kid`() = blocking {
        val store = MapKeyStore()
        val issuer = Issuer(store, options())
        val served = AtomicReference(issuer.jwks())
        val hits = AtomicInteger()
        val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        server.createContext("/api/auth/jwks") { exchange ->
            hits.incrementAndGet()
            val body = served.get().toByteArray()
            exchange.responseHeaders.add("Content-Type", "application/json")
            exchange.sendResponseHeaders(200, body.size.toLong())
            exchange.responseBody.use { it.write(body) }
        }
        server.start()
        try {
            val url = "http://127.0.0.1:${server.address.port}/api/auth/jwks"
            val remote = RemoteKeySet(url, RemoteKeySetOptions(cooldownDuration = 0.0))
            val first = remote.verify(issuer.sign(PAYLOAD), STRICT)
            checkEq("user-1", jsonString(first.payloadJson, "sub"), "sub")
            remote.verify(issuer.sign(PAYLOAD), STRICT)
            checkEq(1, hits.get(), "fetches with a warm cache")

            issuer.rotate()
            served.set(issuer.jwks())
            remote.verify(issuer.sign(PAYLOAD), STRICT)
            checkEq(2, hits.get(), "fetches after a token with a new kid")

            val bad = tamperSignature(issuer.sign(PAYLOAD))
            expectThrows<AuthJwtException.SignatureVerificationFailed> { remote.verify(bad, STRICT) }
        } finally {
            server.stop(0)
        }
    }

    @Test
    fun `a JWKS URL over plain http to a non-loopback host is ERR_INVALID_CONFIG`() = blocking {
        val e = expectThrows<AuthJwtException.InvalidConfig> { RemoteKeySet("http://auth.example.com/jwks") }
        checkEq("ERR_INVALID_CONFIG", e.errorCode(), "code")
    }
}

/** A P-256 coordinate as JWK wants it: 32 big-endian bytes, base64url without padding. */
fun b64u32(n: java.math.BigInteger): String {
    val raw = n.toByteArray().dropWhile { it == 0.toByte() }.toByteArray()
    val padded = ByteArray(32 - raw.size) + raw
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(padded)
}
