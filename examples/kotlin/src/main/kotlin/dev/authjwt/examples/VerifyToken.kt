// Verifies a Bearer token against an auth server's JWKS with authjwt's Kotlin binding.
//
//   VerifyToken <jwks-url> <token> [issuer] [audience]
//   (or the environment: JWKS_URL, TOKEN, ISSUER, AUDIENCE)
//
// The demo points it at the Node example's http://127.0.0.1:3000/api/auth/jwks. Exit code 0 when
// the token verifies, 1 when it is refused (the error code is printed), 2 on a usage error.
package dev.authjwt.examples

import dev.authjwt.AuthJwtException
import dev.authjwt.RemoteKeySet
import dev.authjwt.VerifyOptions
import kotlinx.coroutines.runBlocking
import kotlin.system.exitProcess

fun main(args: Array<String>) {
    val url = args.getOrNull(0) ?: System.getenv("JWKS_URL") ?: "http://127.0.0.1:3000/api/auth/jwks"
    val token = args.getOrNull(1) ?: System.getenv("TOKEN")
    if (token == null) {
        System.err.println("usage: VerifyToken <jwks-url> <token> [issuer] [audience]")
        exitProcess(2)
    }
    val expected = VerifyOptions(
        // null when not given (not an empty list: that is ERR_INVALID_CONFIG).
        issuer = (args.getOrNull(2) ?: System.getenv("ISSUER"))?.let { listOf(it) },
        audience = (args.getOrNull(3) ?: System.getenv("AUDIENCE"))?.let { listOf(it) },
    )

    // One RemoteKeySet per JWKS URL for the app's lifetime: it caches the keys and refetches
    // only for an unknown kid (at most once per cooldown).
    val keys = RemoteKeySet(url)
    val code = runBlocking {
        try {
            val jwt = keys.verify(token, expected)
            println("kotlin: verified, header ${jwt.headerJson}, claims ${jwt.payloadJson}")
            0
        } catch (e: AuthJwtException) {
            println("kotlin: refused with ${e.errorCode()}")
            1
        }
    }
    exitProcess(code)
}
