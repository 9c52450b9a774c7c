// Hostile and careless input found in review (issue 14), through the Kotlin binding: option lists
// that would switch a check off, negative leeway, short secrets, a store that reuses an id, a row
// that leaks private members. Each rule lives in the core; this checks that Kotlin gets it.
package dev.authjwt.tests

import dev.authjwt.AuthJwtException
import dev.authjwt.Issuer
import dev.authjwt.JwkRow
import dev.authjwt.KeySet
import dev.authjwt.VerifyOptions
import dev.authjwt.verifyJwt
import java.time.Instant
import org.junit.jupiter.api.Test

class HardeningTest {
    @Test
    fun `verify options that would switch a check off are ERR_INVALID_CONFIG`() = blocking {
        val issuer = Issuer(MapKeyStore(), options())
        val token = issuer.sign(PAYLOAD)
        val keys = KeySet.fromJwks(issuer.jwks())
        for ((opts, name) in listOf(
            VerifyOptions(issuer = listOf()) to "issuer",
            VerifyOptions(audience = listOf()) to "audience",
            VerifyOptions(algorithms = listOf()) to "algorithms",
            VerifyOptions(requiredClaims = listOf()) to "requiredClaims",
            VerifyOptions(typ = "") to "typ",
            VerifyOptions(clockTolerance = -1) to "clockTolerance",
            VerifyOptions(clockTolerance = Long.MIN_VALUE) to "clockTolerance",
            VerifyOptions(maxTokenAge = -1) to "maxTokenAge",
        )) {
            val e = expectThrows<AuthJwtException> { verifyJwt(token, keys, opts) }
            checkEq("ERR_INVALID_CONFIG", e.errorCode(), name)
            check(e.message.orEmpty().contains(name)) { "names $name: ${e.message}" }
            val own = expectThrows<AuthJwtException> { issuer.verify(token, opts) }
            checkEq("ERR_INVALID_CONFIG", own.errorCode(), "Issuer.verify $name")
        }
        verifyJwt(token, keys, STRICT)
    }

    @Test
    fun `a secret under 32 characters is refused unless allowWeakSecret is set`() = blocking {
        for (weak in listOf("x", "12345678", "Zq7!wK-9", "a".repeat(31))) {
            val e = expectThrows<AuthJwtException> { Issuer(MapKeyStore(), options(secret = weak)) }
            checkEq("ERR_INVALID_CONFIG", e.errorCode(), weak)
            // A one-letter secret is in any English sentence; the longer ones must not appear.
            if (weak.length >= 8) check(!e.message.orEmpty().contains(weak)) { "echoes the secret: ${e.message}" }
        }
        Issuer(MapKeyStore(), options(secret = "x").copy(allowWeakSecret = true)).sign(PAYLOAD)
    }

    @Test
    fun `createJwk returning the id of a row just read is refused and nothing is signed`() = blocking {
        val source = MapKeyStore()
        Issuer(source, options(secret = null).copy(disablePrivateKeyEncryption = true)).sign(PAYLOAD)
        val existing = source.snapshot()[0].copy(expiresAt = Instant.now().minusSeconds(5))
        val store = object : MapKeyStore() {
            override suspend fun getJwks(): List<JwkRow> = listOf(existing)
            override suspend fun createJwk(row: JwkRow): JwkRow = row.copy(id = existing.id)
        }
        val issuer = Issuer(store, options(secret = null).copy(disablePrivateKeyEncryption = true))
        val e = expectThrows<AuthJwtException> { issuer.sign(PAYLOAD) }
        checkEq("ERR_STORE", e.errorCode(), "code")
        check(e.message.orEmpty().contains(existing.id)) { "names the kid: ${e.message}" }
    }

    @Test
    fun `a row whose publicKey holds private members never signs`() = blocking {
        val source = MapKeyStore()
        Issuer(source, options(secret = null).copy(disablePrivateKeyEncryption = true)).sign(PAYLOAD)
        val row = source.snapshot()[0]
        val leaky = row.copy(publicKey = row.privateKey)
        val store = object : MapKeyStore() {
            override suspend fun getJwks(): List<JwkRow> = listOf(leaky)
        }
        val issuer = Issuer(store, options(secret = null).copy(disablePrivateKeyEncryption = true))
        val signError = expectThrows<AuthJwtException> { issuer.sign(PAYLOAD) }
        val jwksError = expectThrows<AuthJwtException> { issuer.jwks() }
        checkEq("ERR_JWKS_INVALID", signError.errorCode(), "sign")
        checkEq(jwksError.message, signError.message, "one error for sign and jwks")
        checkEq(0, store.creates.get(), "no new key")
    }
}
