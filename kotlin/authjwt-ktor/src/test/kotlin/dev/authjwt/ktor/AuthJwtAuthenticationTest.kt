// The Ktor provider in a real Ktor application (ktor-server-test-host), verifying tokens of an
// authjwt Issuer whose JWKS is served over HTTP on 127.0.0.1.
package dev.authjwt.ktor

import com.sun.net.httpserver.HttpServer
import dev.authjwt.Issuer
import dev.authjwt.IssuerOptions
import dev.authjwt.KeyPairConfig
import dev.authjwt.MemoryStore
import dev.authjwt.SignOverrides
import io.ktor.client.request.get
import io.ktor.client.request.header
import io.ktor.client.statement.HttpResponse
import io.ktor.client.statement.bodyAsText
import io.ktor.http.HttpHeaders
import io.ktor.http.HttpStatusCode
import io.ktor.server.application.install
import io.ktor.server.auth.Authentication
import io.ktor.server.auth.authenticate
import io.ktor.server.auth.principal
import io.ktor.server.response.respondText
import io.ktor.server.routing.get
import io.ktor.server.routing.routing
import io.ktor.server.testing.ApplicationTestBuilder
import io.ktor.server.testing.testApplication
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.ValueSource
import java.net.InetSocketAddress
import java.net.ServerSocket

const val ISS = "https://auth.example.com"

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthJwtAuthenticationTest {
    private val issuers = mutableMapOf<String, Issuer>()
    private lateinit var server: HttpServer

    private fun issuer(alg: String) = issuers.getOrPut(alg) {
        Issuer(
            MemoryStore(),
            IssuerOptions(
                secret = "ktor-test-secret-that-is-long-enough",
                keyPairConfig = KeyPairConfig(alg = alg),
                issuer = ISS,
                audience = listOf("api"),
            ),
        )
    }

    private fun jwksUrl(alg: String) = "http://127.0.0.1:${server.address.port}/jwks/$alg"

    @BeforeAll
    fun serveJwks() {
        server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        server.createContext("/jwks/") { exchange ->
            val alg = exchange.requestURI.path.substringAfterLast('/')
            val body = runBlocking { issuer(alg).jwks() }.toByteArray()
            exchange.responseHeaders.add("Content-Type", "application/json")
            exchange.sendResponseHeaders(200, body.size.toLong())
            exchange.responseBody.use { it.write(body) }
        }
        server.start()
    }

    @AfterAll
    fun stopServer() = server.stop(0)

    private fun sign(alg: String, payload: String = """{"sub":"user-1"}""", overrides: SignOverrides = SignOverrides()) =
        runBlocking { issuer(alg).sign(payload, overrides) }

    /** An app with `/me` behind `authjwt("api")`, `/orders` behind a scope, `/maybe` optional. */
    private fun app(alg: String = "EdDSA", url: String = jwksUrl(alg), test: suspend ApplicationTestBuilder.() -> Unit) =
        testApplication {
            application {
                install(Authentication) {
                    authjwt("api") {
                        jwksUrl = url
                        issuer = ISS
                        audience = "api"
                    }
                    authjwt("orders") {
                        jwksUrl = url
                        issuer = ISS
                        audience = "api"
                        realm = "api"
                        requiredScopes = listOf("read:orders")
                    }
                }
                routing {
                    authenticate("api") {
                        get("/me") {
                            val principal = call.principal<AuthJwtPrincipal>()!!
                            call.respondText("${principal.subject} ${principal.header["alg"]}")
                        }
                    }
                    authenticate("orders") {
                        get("/orders") { call.respondText("orders of ${call.principal<AuthJwtPrincipal>()!!.subject}") }
                    }
                    authenticate("api", optional = true) {
                        get("/maybe") { call.respondText("principal=${call.principal<AuthJwtPrincipal>()?.subject}") }
                    }
                }
            }
            test()
        }

    private suspend fun ApplicationTestBuilder.getWith(path: String, authorization: String?): HttpResponse =
        client.get(path) { if (authorization != null) header(HttpHeaders.Authorization, authorization) }

    @ParameterizedTest(name = "a valid {0} token reaches the route with its principal")
    @ValueSource(strings = ["EdDSA", "Ed25519", "ES256", "ES384", "ES512", "RS256", "PS256"])
    fun `a valid token reaches the route with its principal`(alg: String) = app(alg) {
        val response = getWith("/me", "Bearer ${sign(alg)}")
        assertEquals(HttpStatusCode.OK, response.status)
        assertEquals("user-1 \"$alg\"", response.bodyAsText())
    }

    @Test
    fun `no Authorization header is 401 with a bare Bearer challenge`() = app {
        val response = getWith("/me", null)
        assertEquals(HttpStatusCode.Unauthorized, response.status)
        assertEquals("Bearer realm=\"api\"", response.headers[HttpHeaders.WWWAuthenticate])
    }

    @Test
    fun `a malformed Authorization header is 400 invalid_request`() = app {
        for (value in listOf("Basic dXNlcjpwYXNz", "Bearer a b", "Bearer")) {
            val response = getWith("/me", value)
            assertEquals(HttpStatusCode.BadRequest, response.status, value)
            val challenge = response.headers[HttpHeaders.WWWAuthenticate]!!
            assertTrue(challenge.startsWith("Bearer realm=\"api\", error=\"invalid_request\""), challenge)
            assertTrue(response.bodyAsText().contains("\"error\":\"invalid_request\""))
        }
    }

    @Test
    fun `an expired token is 401 invalid_token saying it expired`() = app {
        val token = sign("EdDSA", overrides = SignOverrides(expiresAt = java.time.Instant.now().minusSeconds(60)))
        val response = getWith("/me", "Bearer $token")
        assertEquals(HttpStatusCode.Unauthorized, response.status)
        assertEquals(
            "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"the token has expired\"",
            response.headers[HttpHeaders.WWWAuthenticate],
        )
    }

    @Test
    fun `a tampered signature, a wrong audience and another issuer's key are 401 invalid_token`() = app {
        val token = sign("EdDSA")
        val i = token.lastIndexOf('.') + 5
        val tampered = token.substring(0, i) + (if (token[i] == 'A') 'B' else 'A') + token.substring(i + 1)
        val otherAudience = sign("EdDSA", overrides = SignOverrides(audience = listOf("other")))
        val foreign = sign("ES256")
        val expected = mapOf(
            tampered to "the token's signature is invalid",
            otherAudience to "the token's \\\"aud\\\" claim is not accepted",
            foreign to "the token is not signed by a known key",
        )
        for ((bad, description) in expected) {
            val response = getWith("/me", "Bearer $bad")
            assertEquals(HttpStatusCode.Unauthorized, response.status, description)
            val challenge = response.headers[HttpHeaders.WWWAuthenticate]!!
            assertTrue(challenge.contains("error=\"invalid_token\", error_description=\"$description\""), challenge)
            assertFalse(challenge.contains(bad), "the token is echoed in the challenge")
        }
    }

    @Test
    fun `a token without the required scope is 403 insufficient_scope, with it 200`() = app {
        val without = getWith("/orders", "Bearer ${sign("EdDSA", """{"sub":"user-1","scope":"read:profile"}""")}")
        assertEquals(HttpStatusCode.Forbidden, without.status)
        val challenge = without.headers[HttpHeaders.WWWAuthenticate]!!
        assertTrue(challenge.contains("error=\"insufficient_scope\""), challenge)
        assertTrue(challenge.endsWith("scope=\"read:orders\""), challenge)
        val with = getWith("/orders", "Bearer ${sign("EdDSA", """{"sub":"user-1","scope":"read:profile read:orders"}""")}")
        assertEquals(HttpStatusCode.OK, with.status)
        assertEquals("orders of user-1", with.bodyAsText())
    }

    @Test
    fun `an unreachable JWKS is 503 without a challenge`() {
        val closedPort = ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()).use { it.localPort }
        app(url = "http://127.0.0.1:$closedPort/jwks") {
            val response = getWith("/me", "Bearer ${sign("EdDSA")}")
            assertEquals(HttpStatusCode.ServiceUnavailable, response.status)
            assertNull(response.headers[HttpHeaders.WWWAuthenticate])
            assertTrue(response.bodyAsText().contains("\"error\":\"temporarily_unavailable\""))
        }
    }

    @Test
    fun `an optional route runs without credentials and refuses bad ones`() = app {
        assertEquals("principal=null", getWith("/maybe", null).bodyAsText())
        assertEquals("principal=user-1", getWith("/maybe", "Bearer ${sign("EdDSA")}").bodyAsText())
        assertEquals(HttpStatusCode.Unauthorized, getWith("/maybe", "Bearer ${sign("EdDSA").dropLast(2)}").status)
    }

    @Test
    fun `validate maps the principal or refuses the token`() = testApplication {
        application {
            install(Authentication) {
                authjwt("admins") {
                    jwksUrl = jwksUrl("EdDSA")
                    issuer = ISS
                    audience = "api"
                    validate { jwt -> if (jwt.stringClaim("role") == "admin") "admin:${jwt.subject}" else null }
                }
            }
            routing { authenticate("admins") { get("/admin") { call.respondText(call.principal<String>()!!) } } }
        }
        val admin = getWith("/admin", "Bearer ${sign("EdDSA", """{"sub":"u-1","role":"admin"}""")}")
        assertEquals("admin:u-1", admin.bodyAsText())
        val user = getWith("/admin", "Bearer ${sign("EdDSA", """{"sub":"u-2","role":"user"}""")}")
        assertEquals(HttpStatusCode.Unauthorized, user.status)
    }

    @Test
    fun `a local JWKS document works without a URL`() = testApplication {
        val jwks = runBlocking { issuer("ES384").jwks() }
        application {
            install(Authentication) { authjwt { this.jwks = jwks; issuer = ISS; audience = "api" } }
            routing { authenticate { get("/me") { call.respondText(call.principal<AuthJwtPrincipal>()!!.subject!!) } } }
        }
        assertEquals("user-1", getWith("/me", "Bearer ${sign("ES384")}").bodyAsText())
        assertEquals(
            "Bearer realm=\"ktor\"",
            getWith("/me", null).headers[HttpHeaders.WWWAuthenticate],
        )
    }
}
