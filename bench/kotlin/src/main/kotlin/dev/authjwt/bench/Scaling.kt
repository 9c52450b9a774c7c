// Many cores, Kotlin (a program that prints figures, never a test).
//
// 1,000 coroutines at once call the binding for BENCH_SECONDS (default 2, split over ROUNDS
// interleaved rounds, default 3; the median round is printed) on Dispatchers.Default limited to 1
// and to 2 threads, for EdDSA and ES256:
//   - Issuer.sign and Issuer.verify: `suspend`, the core's work runs on authjwt's tokio workers
//     (TOKIO_WORKER_THREADS, default one per core), the coroutine's thread only waits;
//   - KeySet.verify: a plain call, run on the coroutine's own thread;
//   - a control with no authjwt in it, SHA-256 of 64 KiB (java.security.MessageDigest): what two
//     threads can gain on this machine at this moment, so a busy machine is not read as a lock.
// Beside each figure: the CPU cores the process used (CPU time / wall time); the load average
// (/proc/loadavg) before and after the run.
//
//   java -cp "$cp" dev.authjwt.bench.ScalingKt        (bench/run.sh builds "$cp")
package dev.authjwt.bench

import dev.authjwt.Issuer
import dev.authjwt.IssuerOptions
import dev.authjwt.KeyPairConfig
import dev.authjwt.KeySet
import dev.authjwt.MemoryStore
import dev.authjwt.VerifyOptions
import java.io.File
import java.lang.management.ManagementFactory
import java.security.MessageDigest
import java.util.concurrent.atomic.AtomicLong
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.joinAll
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext

const val ISS = "https://auth.example.com"
const val AUD = "https://api.example.com"
const val PAYLOAD = """{"sub":"user_2NfTq7XJ9kLm4PzR8wYc","email":"ada.lovelace@example.com","name":"Ada Lovelace"}"""
const val COROUTINES = 1_000
val SECONDS = System.getenv("BENCH_SECONDS")?.toDouble() ?: 2.0
val ROUNDS = System.getenv("ROUNDS")?.toInt() ?: 3
val THREADS = listOf(1, 2)
val CONTROL_BUFFER = ByteArray(64 * 1024)

class Figure(val ops: Double, val cores: Double)

fun load(): String = File("/proc/loadavg").readText().split(" ").take(3).joinToString(" ")

fun processCpuNanos(): Long =
    (ManagementFactory.getOperatingSystemMXBean() as com.sun.management.OperatingSystemMXBean).processCpuTime

/** One round: [COROUTINES] coroutines on [dispatcher] repeat [once] until a shared deadline. */
suspend fun round(dispatcher: CoroutineDispatcher, seconds: Double, once: suspend () -> Unit): Figure {
    val done = AtomicLong()
    val cpu0 = processCpuNanos()
    val t0 = System.nanoTime()
    val deadline = t0 + (seconds * 1e9).toLong()
    withContext(dispatcher) {
        List(COROUTINES) {
            launch {
                while (System.nanoTime() < deadline) {
                    once()
                    done.incrementAndGet()
                }
            }
        }.joinAll()
    }
    val wall = (System.nanoTime() - t0) / 1e9
    return Figure(done.get() / wall, (processCpuNanos() - cpu0) / 1e9 / wall)
}

class Cell(val alg: String, val what: String, val threads: Int, val once: suspend () -> Unit) {
    val rounds = mutableListOf<Figure>()
    fun median(): Figure = rounds.sortedBy { it.ops }[rounds.size / 2]
}

@OptIn(ExperimentalCoroutinesApi::class)
fun main() = runBlocking {
    val loadBefore = load()
    val cells = mutableListOf<Cell>()
    for (alg in listOf("EdDSA", "ES256")) {
        val issuer = Issuer(
            MemoryStore(),
            IssuerOptions(
                secret = "bench-secret-0123456789abcdef0123456789abcdef",
                keyPairConfig = KeyPairConfig(alg = alg),
                issuer = ISS,
                audience = listOf(AUD),
            ),
        )
        val token = issuer.sign(PAYLOAD)
        val keys = KeySet.fromJwks(issuer.jwks())
        val expected = VerifyOptions(issuer = listOf(ISS), audience = listOf(AUD))
        // A figure only counts calls that did their work.
        check(issuer.verify(token, expected).payloadJson.contains("user_2NfTq7XJ9kLm4PzR8wYc"))
        check(keys.verify(token, expected).payloadJson.contains("user_2NfTq7XJ9kLm4PzR8wYc"))
        for (threads in THREADS) {
            cells += Cell(alg, "Issuer.sign (suspend)", threads) { issuer.sign(PAYLOAD) }
            cells += Cell(alg, "Issuer.verify (suspend)", threads) { issuer.verify(token, expected) }
            cells += Cell(alg, "KeySet.verify (plain call)", threads) { keys.verify(token, expected) }
        }
    }
    for (threads in THREADS) {
        cells += Cell("-", "control: SHA-256 of 64 KiB", threads) {
            MessageDigest.getInstance("SHA-256").digest(CONTROL_BUFFER)
        }
    }
    val dispatchers = THREADS.associateWith { Dispatchers.Default.limitedParallelism(it) }
    // Warm-up (JIT, the tokio runtime, JNA's stubs), not counted.
    for (cell in cells) round(dispatchers.getValue(cell.threads), 0.2, cell.once)
    repeat(ROUNDS) {
        for (cell in cells) cell.rounds += round(dispatchers.getValue(cell.threads), SECONDS / ROUNDS, cell.once)
    }
    val loadAfter = load()

    val tokio = System.getenv("TOKIO_WORKER_THREADS") ?: "default (${Runtime.getRuntime().availableProcessors()})"
    println(
        "Kotlin ${KotlinVersion.CURRENT}, JVM ${System.getProperty("java.version")}, " +
            "${Runtime.getRuntime().availableProcessors()} cores, tokio workers: $tokio; " +
            "$COROUTINES coroutines in flight, median of $ROUNDS rounds, ${"%.2f".format(SECONDS / ROUNDS)} s each",
    )
    println()
    println("| alg | what | Dispatchers.Default threads | ops/s | vs 1 thread | cores used |")
    println("| --- | --- | ---: | ---: | ---: | ---: |")
    val base = cells.filter { it.threads == 1 }.associate { (it.alg to it.what) to it.median().ops }
    for (cell in cells.sortedWith(compareBy({ it.alg == "-" }, { it.alg }, { it.what }, { it.threads }))) {
        val m = cell.median()
        val ratio = m.ops / base.getValue(cell.alg to cell.what)
        println(
            "| ${cell.alg} | ${cell.what} | ${cell.threads} | ${"%.0f".format(m.ops)} | " +
                "${"%.2f".format(ratio)}x | ${"%.2f".format(m.cores)} |",
        )
    }
    println()
    println("Load average (1, 5, 15 min): $loadBefore before, $loadAfter after.")
    println(
        "\"cores used\": process CPU time / wall time (JIT and GC included). The suspend calls run the " +
            "core's work on authjwt's tokio workers, so their figure follows the tokio worker count more " +
            "than the dispatcher's; KeySet.verify and the control run on the dispatcher's threads.",
    )
}
