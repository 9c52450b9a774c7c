// Rotation from Kotlin: the core's publish-before-sign rule reached through the binding. A staged
// rotation publishes the new key at once and keeps signing with the current one; the JWKS
// Cache-Control follows the rotation lead; a lead that is not shorter than the interval is refused.
// revoke and the retirement of a rotated-away key go through the store's updateJwk.
package dev.authjwt.tests

import dev.authjwt.AuthJwtException
import dev.authjwt.Issuer
import dev.authjwt.KeySet
import dev.authjwt.verifyJwt
import org.junit.jupiter.api.Test
import java.time.Instant

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

    @Test
    fun `revoke of the signing key writes the epoch, leaves the JWKS at once and a new key signs`() = blocking {
        val store = MapKeyStore()
        val issuer = Issuer(store, options())
        val token = issuer.sign(PAYLOAD)
        val kid = jsonString(headerOf(token), "kid")!!
        issuer.revoke(kid)
        checkEq(Instant.EPOCH, store.snapshot().single { it.id == kid }.expiresAt, "expiresAt of the revoked row")
        check(!issuer.jwks().contains("\"$kid\"")) { "the revoked key is still published" }
        expectThrows<AuthJwtException> { issuer.verify(token) }
        val next = jsonString(headerOf(issuer.sign(PAYLOAD)), "kid")
        check(next != kid) { "the revoked key signed again" }
        // Another process over the same rows sees the revocation.
        val other = Issuer(store, options())
        check(!other.jwks().contains("\"$kid\"")) { "another issuer publishes the revoked key" }
    }

    @Test
    fun `rotate retires the old key through updateJwk and revoke then removes it at once`() = blocking {
        val store = MapKeyStore()
        val issuer = Issuer(store, options())
        val old = jsonString(headerOf(issuer.sign(PAYLOAD)), "kid")!!
        val before = Instant.now()
        val fresh = issuer.rotate()
        val retired = store.snapshot().single { it.id == old }.expiresAt
        check(retired != null && !retired.isBefore(before.minusSeconds(1))) { "old key retired at the switch: $retired" }
        checkEq(null, store.snapshot().single { it.id == fresh.id }.expiresAt, "new key's expiresAt")
        checkEq(2u, KeySet.fromJwks(issuer.jwks()).size(), "the old key stays published for the grace period")
        issuer.revoke(old)
        checkEq(1u, KeySet.fromJwks(issuer.jwks()).size(), "only the signing key after revoke")
        checkEq(fresh.id, jsonString(headerOf(issuer.sign(PAYLOAD)), "kid"), "the signing key is untouched")
        val missing = expectThrows<AuthJwtException> { issuer.revoke("no-such-kid") }
        checkEq("ERR_JWKS_NO_MATCHING_KEY", missing.errorCode(), "unknown kid")
    }

    @Test
    fun `a store whose supportsUpdate is false cannot revoke and keeps a rotated-away key published`() = blocking {
        val store = MapKeyStore(updatable = false)
        val issuer = Issuer(store, options())
        val kid = jsonString(headerOf(issuer.sign(PAYLOAD)), "kid")!!
        val e = expectThrows<AuthJwtException.InvalidConfig> { issuer.revoke(kid) }
        checkEq("ERR_INVALID_CONFIG", e.errorCode(), "code")
        check(e.message.orEmpty().contains("updateJwk")) { "the message names the callback: ${e.message}" }
        issuer.rotate()
        checkEq(0, store.updates.get(), "updateJwk calls")
        checkEq(null, store.snapshot().single { it.id == kid }.expiresAt, "the old row is untouched")
        checkEq(2u, KeySet.fromJwks(issuer.jwks()).size(), "both keys published")
    }

    @Test
    fun `MemoryStore supports the update callback`() = blocking {
        val store = dev.authjwt.MemoryStore()
        check(store.supportsUpdate()) { "MemoryStore.supportsUpdate()" }
        val issuer = Issuer(store, options())
        val kid = jsonString(headerOf(issuer.sign(PAYLOAD)), "kid")!!
        issuer.revoke(kid)
        checkEq(Instant.EPOCH, store.getJwks().single().expiresAt, "expiresAt")
    }
}
