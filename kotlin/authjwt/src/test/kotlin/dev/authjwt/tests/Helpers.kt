// Helpers of the Kotlin binding tests: assertions in the words the tests use (JUnit's underneath),
// test stores, and token surgery.
package dev.authjwt.tests

import dev.authjwt.JwkRow
import dev.authjwt.JwkUpdate
import dev.authjwt.KeyStore
import dev.authjwt.HostCallbackException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.opentest4j.AssertionFailedError
import java.util.concurrent.atomic.AtomicInteger

/** Runs a test body on a coroutine, bounded so a hang fails the test instead of the build. */
fun blocking(body: suspend CoroutineScope.() -> Unit) {
    runBlocking { withTimeout(120_000) { body() } }
}

fun check(condition: Boolean, message: () -> String) = assertTrue(condition, message)

fun <T> checkEq(expected: T, actual: T, what: String) = assertEquals(expected, actual, what)

/** Runs `block`, which must throw a `T`; returns it. */
suspend inline fun <reified T : Throwable> expectThrows(crossinline block: suspend () -> Unit): T {
    try {
        block()
    } catch (t: Throwable) {
        if (t is T) return t
        throw AssertionFailedError("expected ${T::class.simpleName}, got $t", t)
    }
    throw AssertionFailedError("expected ${T::class.simpleName}, nothing was thrown")
}

/** A string member of a flat JSON object (the binding tests keep to the JDK and the binding). */
fun jsonString(json: String, name: String): String? =
    Regex("\"" + Regex.escape(name) + "\":\"((?:[^\"\\\\]|\\\\.)*)\"").find(json)?.groupValues?.get(1)

/** An integer member of a flat JSON object. */
fun jsonLong(json: String, name: String): Long? =
    Regex("\"" + Regex.escape(name) + "\":(-?\\d+)").find(json)?.groupValues?.get(1)?.toLong()

/** The protected header of a compact JWS, decoded. */
fun headerOf(token: String): String =
    String(java.util.Base64.getUrlDecoder().decode(token.substringBefore('.')))

/** The token with one character of its signature changed (still valid base64url). */
fun tamperSignature(token: String): String {
    val i = token.lastIndexOf('.') + 5
    val c = if (token[i] == 'A') 'B' else 'A'
    return token.substring(0, i) + c + token.substring(i + 1)
}

/**
 * A host key store kept in a map, as an app would write one over Room or Core Data. Counts the
 * calls so tests can check how often authjwt reads and writes. `updatable = false` makes it a
 * store without the optional update callback.
 */
open class MapKeyStore(private val createDelayMs: Long = 0, private val updatable: Boolean = true) : KeyStore {
    private val rows = LinkedHashMap<String, JwkRow>()
    val reads = AtomicInteger()
    val creates = AtomicInteger()
    val updates = AtomicInteger()

    override suspend fun getJwks(): List<JwkRow> {
        reads.incrementAndGet()
        return synchronized(rows) { rows.values.toList() }
    }

    override suspend fun createJwk(row: JwkRow): JwkRow {
        creates.incrementAndGet()
        if (createDelayMs > 0) delay(createDelayMs)
        synchronized(rows) {
            if (rows.containsKey(row.id)) throw HostCallbackException.Failed("duplicate id ${row.id}")
            rows[row.id] = row
        }
        return row
    }

    override fun supportsUpdate(): Boolean = updatable

    override suspend fun updateJwk(id: String, update: JwkUpdate) {
        check(updatable) { "updateJwk called although supportsUpdate() is false" }
        updates.incrementAndGet()
        synchronized(rows) {
            val row = rows[id] ?: throw HostCallbackException.Failed("no row $id")
            rows[id] = row.copy(expiresAt = update.expiresAt)
        }
    }

    fun snapshot(): List<JwkRow> = synchronized(rows) { rows.values.toList() }
}

/** A store whose calls fail with `failure` (a database that is down). */
class FailingKeyStore(private val failure: Throwable) : KeyStore {
    override suspend fun getJwks(): List<JwkRow> = throw failure
    override suspend fun createJwk(row: JwkRow): JwkRow = throw failure
    override fun supportsUpdate(): Boolean = true
    override suspend fun updateJwk(id: String, update: JwkUpdate) = throw failure
}
