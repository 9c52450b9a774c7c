// Rotation from Kotlin: the core's publish-before-sign rule reached through the binding. A staged
// rotation publishes the new key at once and keeps signing with the current one; the JWKS
// Cache-Control follows the rotation lead; a lead that is not shorter than the interval is refused.
package dev.authjwt.tests

import dev.authjwt.AuthJwtException
import dev.authjwt.Issuer
import dev.authjwt.KeySet
import dev.authjwt.verifyJwt
import org.junit.jupiter.api.Test

class RotationTest {
    @Test
    fun `a staged rotation publishes the new key now and keeps signing with the current one`() = blocking {
        val issuer = Issuer(MapKeyStore(), options())
        val before = issuer.sign(PAYLOAD)
        val staged = issuer.rotateStaged()
        val current = jsonString(headerOf(before), "kid")
        check(staged.id != current) { "rotateStaged returned the current key" }
        val keys = KeySet.fromJwks(issuer.jwks())
        checkEq(2u, keys.size(), "both keys published")
        check(issuer.jwks().contains("\"${staged.id}\"")) { "the staged key is in the JWKS" }
        // The default lead is 600 s: the staged key signs only after it.
        val after = issuer.sign(PAYLOAD)
        checkEq(current, jsonString(headerOf(after), "kid"), "kid right after a staged rotation")
        verifyJwt(after, keys, STRICT)

        // rotate() keeps its meaning: the new key signs at once.
        val now = issuer.rotate()
        checkEq(now.id, jsonString(headerOf(issuer.sign(PAYLOAD)), "kid"), "kid after rotate()")
    }

    @Test
    fun `the JWKS max-age is at most half the rotation lead`() = blocking {
        checkEq(
            "public, max-age=300, stale-while-revalidate=60",
            Issuer(MapKeyStore(), options()).jwksCacheControl(),
            "default lead (600 s)",
        )
        val byInterval = Issuer(MapKeyStore(), options().copy(rotationInterval = 60))
        checkEq("public, max-age=15, stale-while-revalidate=3", byInterval.jwksCacheControl(), "lead = interval / 2")
        val byLead = Issuer(MapKeyStore(), options().copy(rotationInterval = 3600, rotationLead = 120))
        checkEq("public, max-age=60, stale-while-revalidate=12", byLead.jwksCacheControl(), "rotationLead 120 s")
    }

    @Test
    fun `a lead not shorter than the rotation interval is ERR_INVALID_CONFIG`() = blocking {
        val e = expectThrows<AuthJwtException.InvalidConfig> {
            Issuer(MapKeyStore(), options().copy(rotationInterval = 60, rotationLead = 60))
        }
        checkEq("ERR_INVALID_CONFIG", e.errorCode(), "code")
    }
}
