// Runs the example program in its own JVM, as a user would, against a JWKS served on 127.0.0.1:
// exit 0 and the claims for a good token, exit 1 and the error code for a tampered one.
package dev.authjwt.examples

import com.sun.net.httpserver.HttpServer
import dev.authjwt.Issuer
import dev.authjwt.IssuerOptions
import dev.authjwt.KeyPairConfig
import dev.authjwt.MemoryStore
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.net.InetSocketAddress
import java.util.concurrent.TimeUnit

class VerifyTokenTest {
    private val iss = "https://auth.example.com"

    /** The example's exit code and output. */
    private fun runExample(url: String, token: String): Pair<Int, String> {
        val javaBin = ProcessHandle.current().info().command().orElse("java")
        val process = ProcessBuilder(
            javaBin, "-cp", System.getProperty("java.class.path"),
            "dev.authjwt.examples.VerifyTokenKt", url, token, iss, "api",
        ).redirectErrorStream(true).start()
        val output = process.inputStream.bufferedReader().readText()
        if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly()
        return process.exitValue() to output
    }

    @Test
    fun `the example verifies a token from a served JWKS and refuses a tampered one`() = runBlocking {
        val issuer = Issuer(
            MemoryStore(),
            IssuerOptions(
                secret = "example-test-secret-that-is-long-enough",
                keyPairConfig = KeyPairConfig(alg = "ES256"),
                issuer = iss,
                audience = listOf("api"),
            ),
        )
        val jwks = issuer.jwks()
        val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        server.createContext("/api/auth/jwks") { exchange ->
            val body = jwks.toByteArray()
            exchange.sendResponseHeaders(200, body.size.toLong())
            exchange.responseBody.use { it.write(body) }
        }
        server.start()
        try {
            val url = "http://127.0.0.1:${server.address.port}/api/auth/jwks"
            val token = issuer.sign("""{"sub":"user-1"}""")
            val (ok, okOut) = runExample(url, token)
            assertEquals(0, ok, "exit code for a good token ($okOut)")
            assertTrue(okOut.contains("kotlin: verified") && okOut.contains("user-1"), okOut)
            val i = token.lastIndexOf('.') + 5
            val tampered = token.substring(0, i) + (if (token[i] == 'A') 'B' else 'A') + token.substring(i + 1)
            val (bad, badOut) = runExample(url, tampered)
            assertEquals(1, bad, "exit code for a tampered token ($badOut)")
            assertTrue(badOut.contains("ERR_JWS_SIGNATURE_VERIFICATION_FAILED"), badOut)
        } finally {
            server.stop(0)
        }
    }
}
