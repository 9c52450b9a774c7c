// The shared JWKS cache (RemoteKeySetOptions.cache) from Kotlin: several remote key sets over one
// in-memory cache make one fetch against a loopback JWKS server that counts requests; a cache that
// throws never fails a verification. The rules are the core's; these check that Kotlin reaches them.
package dev.authjwt.tests

import dev.authjwt.AuthJwtEvent
import dev.authjwt.EventListener
import dev.authjwt.Issuer
import dev.authjwt.JwksCache
import dev.authjwt.JwksCacheEntry
import dev.authjwt.HostCallbackException
import dev.authjwt.RemoteKeySet
import dev.authjwt.RemoteKeySetOptions
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import java.util.Collections
import org.junit.jupiter.api.Test

/** A cache in process memory shared by the key sets given it, with an atomic claim. */
class MemoryJwksCache : JwksCache {
    @Volatile var stored: JwksCacheEntry? = null
    val saves: MutableList<JwksCacheEntry> = Collections.synchronizedList(mutableListOf())
    private var claimed = false

    override suspend fun load(): JwksCacheEntry? = stored
    override suspend fun save(entry: JwksCacheEntry) {
        saves.add(entry)
        stored = entry
    }
    override fun supportsClaim(): Boolean = true
    override suspend fun claim(ttlSeconds: Double): Boolean = synchronized(this) {
        if (claimed) false else { claimed = true; true }
    }
    override suspend fun release() = synchronized(this) { claimed = false }
}

class SharedJwksCacheTest {
    private class Recorder : EventListener {
        val events: MutableList<AuthJwtEvent> = Collections.synchronizedList(mutableListOf())
        override fun onEvent(event: AuthJwtEvent) {
            events.add(event)
        }
    }

    @Test
    fun `key sets sharing one cache make one fetch`() = blocking {
        val issuer = Issuer(MapKeyStore(), options())
        LoopbackServer().use { server ->
            server.answer("/jwks", 200, issuer.jwks(), mapOf("Cache-Control" to "max-age=60", "ETag" to "\"v1\""))
            val cache = MemoryJwksCache()
            val url = "${server.origin()}/jwks"
            val sets = List(8) { RemoteKeySet(url, RemoteKeySetOptions(cache = cache)) }
            val token = issuer.sign(PAYLOAD)
            sets.map { set -> async { set.verify(token, STRICT) } }.awaitAll()
            checkEq(1, server.requests.size, "one fetch for the eight key sets")
            checkEq(1, cache.saves.size, "one entry saved")
            val entry = cache.saves[0]
            checkEq(url, entry.url, "the entry names the URL")
            checkEq("\"v1\"", entry.etag, "the entry keeps the ETag")
            checkEq(60_000UL, entry.lifetimeMs, "the server's max-age is the entry's lifetime")

            // A key set made later adopts the entry instead of fetching.
            val recorder = Recorder()
            RemoteKeySet(url, RemoteKeySetOptions(cache = cache, events = recorder)).verify(token, STRICT)
            checkEq(1, server.requests.size, "still one fetch")
            check(recorder.events.any { it.name == "jwks.cache_loaded" }) { "${recorder.events}" }
        }
    }

    @Test
    fun `a cache that throws never fails a verification`() = blocking {
        val issuer = Issuer(MapKeyStore(), options())
        LoopbackServer().use { server ->
            server.answer("/jwks", 200, issuer.jwks())
            val failing = object : JwksCache {
                override suspend fun load(): JwksCacheEntry? = throw HostCallbackException.Failed("cache down")
                override suspend fun save(entry: JwksCacheEntry) = throw IllegalStateException("cache down")
                override fun supportsClaim(): Boolean = false
                override suspend fun claim(ttlSeconds: Double): Boolean = true
                override suspend fun release() {}
            }
            val recorder = Recorder()
            val remote = RemoteKeySet("${server.origin()}/jwks", RemoteKeySetOptions(cache = failing, events = recorder))
            remote.verify(issuer.sign(PAYLOAD), STRICT)
            checkEq(1, server.requests.size, "the key set fetched for itself")
            check(recorder.events.count { it.name == "jwks.cache_failed" } >= 2) { "${recorder.events}" }
        }
    }
}
