// The remote key set's fetch options from Kotlin, against real HTTP servers on loopback started by
// each test: request headers (sent, their values never in toString or errors), allowHttp for a
// non-loopback host, discovery with its issuer check, ERR_JWKS_UNAVAILABLE with the HTTP status,
// and stale-if-error. The rules are the core's; these check that Kotlin reaches them.
package dev.authjwt.tests

import com.sun.net.httpserver.HttpServer
import dev.authjwt.AuthJwtEvent
import dev.authjwt.AuthJwtException
import dev.authjwt.EventListener
import dev.authjwt.Issuer
import dev.authjwt.RemoteKeySet
import dev.authjwt.RemoteKeySetOptions
import kotlinx.coroutines.delay
import java.net.Inet4Address
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.NetworkInterface
import java.util.Collections
import java.util.concurrent.ConcurrentHashMap
import org.junit.jupiter.api.Test

/** A JWKS server on `address` (127.0.0.1 unless given): per-path answers, request headers kept. */
class LoopbackServer(address: InetAddress = InetAddress.getByName("127.0.0.1")) : AutoCloseable {
    class Answer(val status: Int, val body: String, val headers: Map<String, String> = emptyMap())

    private val answers = ConcurrentHashMap<String, Answer>()
    private val server = HttpServer.create(InetSocketAddress(address, 0), 0)

    /** Each request's headers (names as the JDK normalises them), in arrival order. */
    val requests: MutableList<Map<String, String>> = Collections.synchronizedList(mutableListOf())

    init {
        server.createContext("/") { exchange ->
            requests.add(exchange.requestHeaders.mapValues { it.value.joinToString(",") })
            val answer = answers[exchange.requestURI.path] ?: Answer(404, "")
            val body = answer.body.toByteArray()
            exchange.responseHeaders.add("Content-Type", "application/json")
            answer.headers.forEach { (k, v) -> exchange.responseHeaders.add(k, v) }
            exchange.sendResponseHeaders(answer.status, if (body.isEmpty()) -1 else body.size.toLong())
            exchange.responseBody.use { it.write(body) }
        }
        server.start()
    }

    val port: Int get() = server.address.port

    fun origin(host: String = "127.0.0.1") = "http://$host:$port"

    fun answer(path: String, status: Int, body: String, headers: Map<String, String> = emptyMap()) {
        answers[path] = Answer(status, body, headers)
    }

    override fun close() = server.stop(0)
}

class RemoteKeySetFetchTest {
    private class Recorder : EventListener {
        val events: MutableList<AuthJwtEvent> = Collections.synchronizedList(mutableListOf())
        override fun onEvent(event: AuthJwtEvent) {
            events.add(event)
        }
    }

    private fun signer() = Issuer(MapKeyStore(), options())

    @Test
    fun `request headers are sent and their values never show in toString or errors`() = blocking {
        val issuer = signer()
        LoopbackServer().use { server ->
            server.answer("/jwks", 200, issuer.jwks())
            val options = RemoteKeySetOptions(headers = mapOf("X-Api-Key" to "s3cret-value"))
            val remote = RemoteKeySet("${server.origin()}/jwks", options)
            remote.verify(issuer.sign(PAYLOAD), STRICT)
            checkEq(1, server.requests.size, "one fetch")
            checkEq("s3cret-value", server.requests[0]["X-api-key"], "the header reached the server")
            check(options.toString().contains("X-Api-Key")) { "the header is named: $options" }
            check(!options.toString().contains("s3cret")) { "the options' toString shows the value: $options" }
            check(!remote.toString().contains("s3cret")) { "$remote" }

            // A failed fetch does not echo the headers either.
            server.answer("/jwks", 500, "")
            val failing = RemoteKeySet("${server.origin()}/jwks", options)
            val e = expectThrows<AuthJwtException.JwksUnavailable> { failing.verify(issuer.sign(PAYLOAD), STRICT) }
            check(!e.toString().contains("s3cret") && !e.detail.contains("s3cret")) { "$e" }
        }
        // Headers authjwt sets itself, and malformed ones, are refused without echoing the value.
        for ((name, value) in listOf("If-None-Match" to "\"s3cret\"", "X-Token" to "line\nbreak-s3cret", "bad name" to "s3cret")) {
            val e = expectThrows<AuthJwtException.InvalidConfig> {
                RemoteKeySet("https://auth.example.com/jwks", RemoteKeySetOptions(headers = mapOf(name to value)))
            }
            checkEq("ERR_INVALID_CONFIG", e.errorCode(), name)
            check(!e.toString().contains("s3cret")) { "$name: $e" }
        }
    }

    @Test
    fun `plain http to a non-loopback host needs allowHttp`() = blocking {
        val refused = expectThrows<AuthJwtException.InvalidConfig> { RemoteKeySet("http://jwks.cluster.test/jwks") }
        checkEq("ERR_INVALID_CONFIG", refused.errorCode(), "code")
        check(refused.detail.contains("allowHttp")) { refused.detail }
        // Accepted with the opt-in (nothing is fetched until the first verify).
        RemoteKeySet("http://jwks.cluster.test/jwks", RemoteKeySetOptions(allowHttp = true))

        // Over the wire to this machine's own non-loopback address, which is what allowHttp is
        // about (loopback needs no opt-in). A machine that runs the suite reaches its package
        // registries, so it has such an interface; without one the test fails rather than skip.
        val address = NetworkInterface.getNetworkInterfaces().toList()
            .filter { it.isUp && !it.isLoopback }
            .flatMap { it.inetAddresses.toList() }
            .firstOrNull { it is Inet4Address }
        checkNotNull(address) { "no non-loopback IPv4 interface to serve plain http on" }
        val host = address.hostAddress
        val issuer = signer()
        LoopbackServer(address).use { server ->
            server.answer("/jwks", 200, issuer.jwks())
            val url = "${server.origin(host)}/jwks"
            val byAddress = expectThrows<AuthJwtException.InvalidConfig> { RemoteKeySet(url) }
            check(byAddress.detail.contains("allowHttp")) { byAddress.detail }
            val remote = RemoteKeySet(url, RemoteKeySetOptions(allowHttp = true))
            remote.verify(issuer.sign(PAYLOAD), STRICT)
            checkEq(1, server.requests.size, "fetched over plain http from $host")
        }
    }

    @Test
    fun `discovery follows jwks_uri and refuses a document naming another issuer`() = blocking {
        val issuer = signer()
        LoopbackServer().use { server ->
            val origin = server.origin()
            server.answer("/keys", 200, issuer.jwks())
            server.answer(
                "/.well-known/openid-configuration",
                200,
                """{"issuer":"$origin","jwks_uri":"$origin/keys"}""",
            )
            val remote = RemoteKeySet.discover(origin, RemoteKeySetOptions())
            remote.verify(issuer.sign(PAYLOAD), STRICT)

            server.answer(
                "/.well-known/openid-configuration",
                200,
                """{"issuer":"https://other.example","jwks_uri":"$origin/keys"}""",
            )
            val e = expectThrows<AuthJwtException.JwksInvalid> { RemoteKeySet.discover(origin, RemoteKeySetOptions()) }
            checkEq("ERR_JWKS_INVALID", e.errorCode(), "code")
        }
    }

    @Test
    fun `an answer of 500 is ERR_JWKS_UNAVAILABLE with the status`() = blocking {
        val issuer = signer()
        LoopbackServer().use { server ->
            server.answer("/jwks", 500, "")
            val remote = RemoteKeySet("${server.origin()}/jwks")
            val e = expectThrows<AuthJwtException.JwksUnavailable> { remote.verify(issuer.sign(PAYLOAD), STRICT) }
            checkEq("ERR_JWKS_UNAVAILABLE", e.errorCode(), "code")
            checkEq(500.toUShort(), e.status, "status")
        }
    }

    @Test
    fun `past max-age a failing server leaves the last good set verifying (stale-if-error), reported to the events listener`() = blocking {
        val issuer = signer()
        val token = issuer.sign(PAYLOAD)
        LoopbackServer().use { server ->
            server.answer("/jwks", 200, issuer.jwks(), mapOf("Cache-Control" to "max-age=1"))
            val url = "${server.origin()}/jwks"
            val recorder = Recorder()
            val stale = RemoteKeySet(url, RemoteKeySetOptions(cacheMinAge = 1.0, staleIfError = 60.0, events = recorder))
            val strict = RemoteKeySet(url, RemoteKeySetOptions(cacheMinAge = 1.0, staleIfError = 0.0))
            stale.verify(token, STRICT)
            strict.verify(token, STRICT)

            server.answer("/jwks", 500, "")
            delay(1_100) // past the server's max-age=1
            stale.verify(token, STRICT)
            val event = recorder.events.firstOrNull { it.name == "jwks.stale" }
            check(event != null) { "jwks.stale reported: ${recorder.events.map { it.name }}" }
            checkEq("ERR_JWKS_UNAVAILABLE", event!!.code, "stale event code")
            // Without stale-if-error the same outage fails verification.
            val e = expectThrows<AuthJwtException.JwksUnavailable> { strict.verify(token, STRICT) }
            checkEq(500.toUShort(), e.status, "status")
        }
    }
}
