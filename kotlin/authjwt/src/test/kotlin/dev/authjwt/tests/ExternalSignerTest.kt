// A custom signer (a KMS) through the Kotlin binding: every token is verified against the signer's
// key in the JWKS at remoteUrl (served here on 127.0.0.1) before sign() returns it; a
// KeyVersionSigner names the key version (kid) per token. The "KMS" is a JDK key in the test; DER
// and digest answers are what AWS KMS and Google Cloud KMS give.
package dev.authjwt.tests

import com.nimbusds.jose.JWSAlgorithm
import com.nimbusds.jose.jwk.source.JWKSourceBuilder
import com.nimbusds.jose.proc.JWSVerificationKeySelector
import com.nimbusds.jose.proc.SecurityContext
import com.nimbusds.jwt.proc.DefaultJWTProcessor
import com.sun.net.httpserver.HttpServer
import dev.authjwt.AuthJwtException
import dev.authjwt.ExternalSigner
import dev.authjwt.ExternalSignerConfig
import dev.authjwt.Issuer
import dev.authjwt.KeySet
import dev.authjwt.HostCallbackException
import dev.authjwt.KeyVersionSigner
import dev.authjwt.verifyJwt
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.DynamicTest.dynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.TestInstance
import java.net.InetSocketAddress
import java.net.URI
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.PrivateKey
import java.security.Signature
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import java.util.concurrent.atomic.AtomicInteger

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExternalSignerTest {
    private fun ecPair(curve: String): KeyPair =
        KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec(curve)) }.generateKeyPair()

    private val v1 = ecPair("secp256r1")
    private val v2 = ecPair("secp256r1")
    private val stranger = ecPair("secp256r1")
    private val p384 = ecPair("secp384r1")

    private fun ecJwk(pair: KeyPair, kid: String, alg: String): String {
        val w = (pair.public as ECPublicKey).w
        val size = if (alg == "ES384") 48 else 32
        fun coord(n: java.math.BigInteger): String {
            val raw = n.toByteArray().dropWhile { it == 0.toByte() }.toByteArray()
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(ByteArray(size - raw.size) + raw)
        }
        val crv = if (alg == "ES384") "P-384" else "P-256"
        return """{"kty":"EC","crv":"$crv","x":"${coord(w.affineX)}","y":"${coord(w.affineY)}","kid":"$kid","alg":"$alg","use":"sig"}"""
    }

    private val jwks by lazy {
        """{"keys":[${ecJwk(v1, "kms/1", "ES256")},${ecJwk(v2, "kms/2", "ES256")},${ecJwk(p384, "kms-384/1", "ES384")}]}"""
    }
    private val fetches = AtomicInteger()
    private lateinit var server: HttpServer
    private lateinit var url: String

    @BeforeAll
    fun serveJwks() {
        server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        server.createContext("/jwks.json") { exchange ->
            fetches.incrementAndGet()
            val body = jwks.toByteArray()
            exchange.responseHeaders.add("Content-Type", "application/json")
            exchange.sendResponseHeaders(200, body.size.toLong())
            exchange.responseBody.use { it.write(body) }
        }
        server.start()
        url = "http://127.0.0.1:${server.address.port}/jwks.json"
    }

    @AfterAll
    fun stop() = server.stop(0)

    /** JDK signing as a KMS answers: DER for `SHA256withECDSA`, JOSE r || s for the P1363 form. */
    private fun jdkSign(algorithm: String, key: PrivateKey, input: ByteArray): ByteArray =
        Signature.getInstance(algorithm).run {
            initSign(key)
            update(input)
            sign()
        }

    private fun signer(answer: (ByteArray) -> ByteArray) = object : ExternalSigner {
        val calls = AtomicInteger()
        override suspend fun sign(signingInput: ByteArray): ByteArray {
            calls.incrementAndGet()
            return answer(signingInput)
        }
    }

    private fun issuer(config: ExternalSignerConfig) =
        Issuer(MapKeyStore(), options().copy(externalSigner = config, remoteUrl = url))

    @Test
    fun `DER answers give tokens nimbus verifies through remoteUrl, and the steady state fetches nothing`() = blocking {
        val kms = issuer(ExternalSignerConfig(signer { jdkSign("SHA256withECDSA", v1.private, it) }, "ES256", "kms/1"))
        val nimbus = DefaultJWTProcessor<SecurityContext>().apply {
            val keys = JWKSourceBuilder.create<SecurityContext>(URI(url).toURL()).retrying(false).build()
            jwsKeySelector = JWSVerificationKeySelector(JWSAlgorithm.ES256, keys)
        }
        val before = fetches.get()
        repeat(5) { i ->
            val token = kms.sign("""{"sub":"u$i"}""")
            checkEq(64, java.util.Base64.getUrlDecoder().decode(token.substringAfterLast('.')).size, "r || s length")
            checkEq("u$i", nimbus.process(token, null).subject, "sub")
        }
        // One fetch by authjwt's cached remote set, one by nimbus's.
        checkEq(2, fetches.get() - before, "fetches")
    }

    @Test
    fun `a KeyVersionSigner names the kid of each token and signs with that key version`() = blocking {
        val current = java.util.concurrent.atomic.AtomicReference<String?>("kms/1")
        val asked = java.util.Collections.synchronizedList(mutableListOf<String>())
        val versions = object : KeyVersionSigner {
            override suspend fun currentKid(): String? = current.get()
            override suspend fun sign(signingInput: ByteArray, kid: String): ByteArray {
                asked += kid
                val key = when (kid) {
                    "kms/1" -> v1.private
                    "kms/2" -> v2.private
                    else -> throw HostCallbackException.Failed("no key version $kid")
                }
                return jdkSign("SHA256withECDSA", key, signingInput)
            }
        }
        val kms = issuer(ExternalSignerConfig(alg = "ES256", kid = "kms/1", keyVersionSigner = versions))
        val keys = KeySet.fromJwks(jwks)
        val first = kms.sign(PAYLOAD)
        checkEq("kms/1", jsonString(headerOf(first), "kid"), "kid before the rotation")
        current.set("kms/2")
        val second = kms.sign(PAYLOAD)
        checkEq("kms/2", jsonString(headerOf(second), "kid"), "kid after the rotation")
        verifyJwt(second, keys, STRICT)
        // None: the config's kid.
        current.set(null)
        checkEq("kms/1", jsonString(headerOf(kms.sign(PAYLOAD)), "kid"), "kid when currentKid answers none")
        checkEq(listOf("kms/1", "kms/2", "kms/1"), asked.toList(), "key versions asked to sign")
        // A key version that is not published at remoteUrl never becomes a token.
        current.set("kms/9")
        val e = expectThrows<AuthJwtException.Store> { kms.sign(PAYLOAD) }
        check(e.toString().contains("kms/9")) { "$e" }
        checkEq("sign", e.operation, "the failed callback")
        // Without a fallback kid, currentKid must name one.
        val noFallback = issuer(ExternalSignerConfig(alg = "ES256", keyVersionSigner = versions))
        current.set(null)
        expectThrows<AuthJwtException.Store> { noFallback.sign(PAYLOAD) }
    }

    @Test
    fun `exactly one of signer and keyVersionSigner`() = blocking {
        val plain = signer { ByteArray(0) }
        val versions = object : KeyVersionSigner {
            override suspend fun currentKid(): String? = "kms/1"
            override suspend fun sign(signingInput: ByteArray, kid: String) = ByteArray(0)
        }
        expectThrows<AuthJwtException.InvalidConfig> { issuer(ExternalSignerConfig(alg = "ES256", kid = "kms/1")) }
        expectThrows<AuthJwtException.InvalidConfig> {
            issuer(ExternalSignerConfig(plain, "ES256", "kms/1", keyVersionSigner = versions))
        }
        // A plain signer still needs its kid.
        expectThrows<AuthJwtException.InvalidConfig> { issuer(ExternalSignerConfig(plain, "ES256")) }
    }

    private val bad: Map<String, (ByteArray) -> ByteArray> = mapOf(
        "wrong key" to { m -> jdkSign("SHA256withECDSA", stranger.private, m) },
        "wrong algorithm (a P-384 signature)" to { m -> jdkSign("SHA384withECDSA", p384.private, m) },
        "DER with a flipped bit" to { m ->
            jdkSign("SHA256withECDSA", v1.private, m).also { it[it.size - 3] = (it[it.size - 3].toInt() xor 1).toByte() }
        },
        "truncated" to { m -> jdkSign("SHA256withECDSAinP1363Format", v1.private, m).copyOf(63) },
        "empty" to { _ -> ByteArray(0) },
    )

    @TestFactory
    fun `bad answers are refused before a token leaves sign`() = bad.map { (what, answer) ->
        dynamicTest("refused before a token leaves sign: $what") { blocking {
            val s = signer(answer)
            val kms = issuer(ExternalSignerConfig(s, "ES256", "kms/1"))
            expectThrows<AuthJwtException.Store> { kms.sign(PAYLOAD) }
            checkEq(1, s.calls.get(), "signer calls")
        } }
    }
}
