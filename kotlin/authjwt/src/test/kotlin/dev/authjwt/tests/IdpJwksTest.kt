// Identity-provider-shaped JWKS documents (tests/conformance/idp-jwks, shared with every host):
// the tokens signed by each set's usable keys verify through KeySet.fromJwks and through a
// RemoteKeySet served by a real HTTP server on 127.0.0.1; unusable keys are skipped and reported
// once each to the EventListener; a token naming a skipped key is ERR_JWKS_NO_MATCHING_KEY.
package dev.authjwt.tests

import com.nimbusds.jose.util.JSONArrayUtils
import com.nimbusds.jose.util.JSONObjectUtils
import com.sun.net.httpserver.HttpServer
import dev.authjwt.AuthJwtEvent
import dev.authjwt.AuthJwtException
import dev.authjwt.EventListener
import dev.authjwt.KeySet
import dev.authjwt.RemoteKeySet
import dev.authjwt.VerifyOptions
import dev.authjwt.verifyJwt
import java.io.File
import java.net.InetSocketAddress
import java.util.Collections
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.DynamicTest.dynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.TestInstance

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdpJwksTest {
    /** One fixture file: the document, the tokens that verify, those refused, the skip reports. */
    class Fixture(val name: String, doc: Map<String, Any?>) {
        val idp = doc["idp"] as String
        val options = VerifyOptions(issuer = listOf(doc["iss"] as String), audience = listOf(doc["aud"] as String))
        @Suppress("UNCHECKED_CAST")
        val jwks = JSONObjectUtils.toJSONString(doc["jwks"] as Map<String, Any?>)
        @Suppress("UNCHECKED_CAST")
        val keys = (doc["jwks"] as Map<String, Any?>)["keys"] as List<Map<String, Any?>>
        @Suppress("UNCHECKED_CAST")
        val tokens = doc["tokens"] as List<Map<String, Any?>>
        @Suppress("UNCHECKED_CAST")
        val rejected = doc["rejected"] as List<Map<String, Any?>>
        /** `index:kid:reason` per expected skip. */
        @Suppress("UNCHECKED_CAST")
        val skipped = (doc["skipped"] as List<Map<String, Any?>>).map {
            "${(it["index"] as Number).toInt()}:${it["kid"]}:${it["reason"]}"
        }
    }

    private val dir: File = generateSequence(File(System.getProperty("user.dir")).absoluteFile) { it.parentFile }
        .map { File(it, "tests/conformance/idp-jwks") }
        .first { it.isDirectory }

    private val fixtures: List<Fixture> = JSONArrayUtils.parse(File(dir, "index.json").readText())
        .map { name: Any? -> Fixture(name as String, JSONObjectUtils.parse(File(dir, "$name.json").readText())) }

    private lateinit var server: HttpServer

    @BeforeAll
    fun startServer() {
        server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        for (f in fixtures) {
            server.createContext("/${f.name}/jwks") { exchange ->
                val body = f.jwks.toByteArray()
                exchange.responseHeaders.add("Content-Type", "application/json")
                exchange.sendResponseHeaders(200, body.size.toLong())
                exchange.responseBody.use { it.write(body) }
            }
        }
        server.start()
    }

    @AfterAll
    fun stopServer() = server.stop(0)

    private class Recorder : EventListener {
        val events: MutableList<AuthJwtEvent> = Collections.synchronizedList(mutableListOf())
        override fun onEvent(event: AuthJwtEvent) {
            events.add(event)
        }
        fun skips() = events.filter { it.name == "jwks.key_skipped" }.map { "${it.index}:${it.kid}:${it.reason}" }
    }

    @Test
    fun `the fixture index lists every IdP shape`() {
        val names = fixtures.map { it.name }
        for (name in listOf("keycloak", "entra", "auth0", "okta", "google", "cognito", "apple", "supabase", "mixed")) {
            check(name in names) { "$name missing from index.json" }
        }
    }

    @TestFactory
    fun `local key sets verify each IdP's tokens and report what they skip`(): List<DynamicTest> = fixtures.map { f ->
        dynamicTest("${f.idp} (local)") {
            val recorder = Recorder()
            val keys = KeySet.fromJwks(f.jwks, recorder)
            check(f.tokens.isNotEmpty()) { "${f.name} has tokens" }
            for (t in f.tokens) {
                val verified = verifyJwt(t["token"] as String, keys, f.options)
                checkEq(t["kid"], jsonString(verified.headerJson, "kid"), "${f.name} kid")
                checkEq("user-of-${t["kid"]}", jsonString(verified.payloadJson, "sub"), "${f.name} sub")
            }
            for (t in f.rejected) {
                val e = runCatching { verifyJwt(t["token"] as String, keys, f.options) }.exceptionOrNull()
                check(e is AuthJwtException) { "${f.name}: ${t["kid"]} must be refused, got $e" }
                checkEq(t["code"], (e as AuthJwtException).errorCode(), "${f.name} ${t["kid"]}")
            }
            checkEq(f.skipped, recorder.skips(), "${f.name} skip reports")
            val shown = recorder.events.toString()
            for (key in f.keys) {
                for (member in listOf("d", "n", "x", "y")) {
                    val material = key[member] as? String ?: continue
                    check(material !in shown) { "${f.name}: an event shows \"$member\"" }
                }
            }
        }
    }

    @Test
    fun `a published private key is reported as a compromise`() {
        val f = fixtures.first { it.name == "leaked-private" }
        val recorder = Recorder()
        KeySet.fromJwks(f.jwks, recorder)
        checkEq(listOf("private_key_published"), recorder.events.map { it.reason }, "reasons")
        check(recorder.events.single().message!!.startsWith("SECURITY: ")) { "loud message" }
    }

    @TestFactory
    fun `remote key sets verify each IdP's tokens`(): List<DynamicTest> = fixtures.map { f ->
        dynamicTest("${f.idp} (remote)") {
            blocking {
                val remote = RemoteKeySet("http://127.0.0.1:${server.address.port}/${f.name}/jwks")
                for (t in f.tokens) {
                    val verified = remote.verify(t["token"] as String, f.options)
                    checkEq(t["kid"], jsonString(verified.headerJson, "kid"), "${f.name} kid")
                }
                for (t in f.rejected) {
                    val e = expectThrows<AuthJwtException> { remote.verify(t["token"] as String, f.options) }
                    checkEq(t["code"], e.errorCode(), "${f.name} ${t["kid"]}")
                }
            }
        }
    }
}
