// A small test runner for the Kotlin binding tests: no Gradle, no JUnit, one `main`.
// Each test runs with a timeout; the run ends with `N passed, N failed` and exits non-zero on any
// failure.
package dev.authjwt.tests

import dev.authjwt.JwkRow
import dev.authjwt.KeyStore
import dev.authjwt.KeyStoreException
import kotlinx.coroutines.delay
import kotlinx.coroutines.withTimeout
import java.util.concurrent.atomic.AtomicInteger

class Harness {
    private var passed = 0
    private val failures = mutableListOf<String>()

    suspend fun test(name: String, body: suspend () -> Unit) {
        val error = try {
            withTimeout(120_000) { body() }
            null
        } catch (t: Throwable) {
            t
        }
        if (error == null) {
            passed++
            println("ok   $name")
        } else {
            failures += name
            println("FAIL $name: $error")
        }
    }

    /** Prints the closing line and returns the process exit code. */
    fun finish(): Int {
        if (failures.isNotEmpty()) println("failed: ${failures.joinToString()}")
        println("$passed passed, ${failures.size} failed")
        return if (failures.isEmpty()) 0 else 1
    }
}

class AssertionFailed(message: String) : Exception(message)

fun check(condition: Boolean, message: () -> String) {
    if (!condition) throw AssertionFailed(message())
}

fun <T> checkEq(expected: T, actual: T, what: String) =
    check(expected == actual) { "$what: expected <$expected>, got <$actual>" }

/** Runs `block`, which must throw a `T`; returns it. */
suspend inline fun <reified T : Throwable> expectThrows(crossinline block: suspend () -> Unit): T {
    try {
        block()
    } catch (t: Throwable) {
        if (t is T) return t
        throw AssertionFailed("expected ${T::class.simpleName}, got $t")
    }
    throw AssertionFailed("expected ${T::class.simpleName}, nothing was thrown")
}

/** A string member of a flat JSON object (the tests have no JSON library on the classpath). */
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
 * calls so tests can check how often authjwt reads and writes.
 */
open class MapKeyStore(private val createDelayMs: Long = 0) : KeyStore {
    private val rows = LinkedHashMap<String, JwkRow>()
    val reads = AtomicInteger()
    val creates = AtomicInteger()

    override suspend fun getJwks(): List<JwkRow> {
        reads.incrementAndGet()
        return synchronized(rows) { rows.values.toList() }
    }

    override suspend fun createJwk(row: JwkRow): JwkRow {
        creates.incrementAndGet()
        if (createDelayMs > 0) delay(createDelayMs)
        synchronized(rows) {
            if (rows.containsKey(row.id)) throw KeyStoreException.Failed("duplicate id ${row.id}")
            rows[row.id] = row
        }
        return row
    }

    fun snapshot(): List<JwkRow> = synchronized(rows) { rows.values.toList() }
}

/** A store whose calls fail with `failure` (a database that is down). */
class FailingKeyStore(private val failure: Throwable) : KeyStore {
    override suspend fun getJwks(): List<JwkRow> = throw failure
    override suspend fun createJwk(row: JwkRow): JwkRow = throw failure
}
