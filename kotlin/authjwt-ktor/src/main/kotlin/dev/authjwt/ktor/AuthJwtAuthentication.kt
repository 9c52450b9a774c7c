// A Ktor authentication provider over authjwt: Bearer tokens verified against a JWKS URL (cached,
// refetched for an unknown kid) or a JWKS the app has, any algorithm authjwt verifies (EdDSA
// included), and failures answered as RFC 6750 says. The answers (status, WWW-Authenticate) come
// from the core's table through authChallenge, as in every other host's integration.
package dev.authjwt.ktor

import dev.authjwt.AuthJwtException
import dev.authjwt.KeySet
import dev.authjwt.RemoteKeySet
import dev.authjwt.RemoteKeySetOptions
import dev.authjwt.VerifiedJwt
import dev.authjwt.VerifyOptions
import dev.authjwt.authChallenge
import dev.authjwt.extractBearerToken
import dev.authjwt.missingScopes
import io.ktor.http.ContentType
import io.ktor.http.HttpHeaders
import io.ktor.http.HttpStatusCode
import io.ktor.http.content.TextContent
import io.ktor.server.application.ApplicationCall
import io.ktor.server.auth.AuthenticationConfig
import io.ktor.server.auth.AuthenticationContext
import io.ktor.server.auth.AuthenticationFailedCause
import io.ktor.server.auth.AuthenticationProvider
import io.ktor.server.response.respond
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.contentOrNull
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.put

/** The verified token of a call: `call.principal<AuthJwtPrincipal>()`. */
public class AuthJwtPrincipal(
    /** The claims set, verified, as JSON text. */
    public val payloadJson: String,
    /** The protected header, as JSON text. */
    public val headerJson: String,
) {
    /** The claims set. */
    public val payload: JsonObject by lazy { Json.parseToJsonElement(payloadJson).jsonObject }

    /** The protected header (`alg`, `kid`, ...). */
    public val header: JsonObject by lazy { Json.parseToJsonElement(headerJson).jsonObject }

    public val subject: String? get() = stringClaim("sub")
    public val issuer: String? get() = stringClaim("iss")

    /** `aud` as a list (a single string audience is a list of one). */
    public val audience: List<String>
        get() = when (val aud = payload["aud"]) {
            is JsonPrimitive -> listOfNotNull(aud.contentOrNull)
            is JsonArray -> aud.mapNotNull { (it as? JsonPrimitive)?.contentOrNull }
            else -> emptyList()
        }

    /** A claim by name, or null. */
    public fun claim(name: String): JsonElement? = payload[name]

    /** A string claim by name, or null when absent or not a string. */
    public fun stringClaim(name: String): String? =
        (payload[name] as? JsonPrimitive)?.takeIf { it.isString }?.content

    override fun toString(): String = "AuthJwtPrincipal(sub=$subject, iss=$issuer)"
}

/** `authjwt("name") { ... }` inside `install(Authentication)`. */
public class AuthJwtAuthenticationProvider internal constructor(config: Config) :
    AuthenticationProvider(config) {

    public class Config internal constructor(name: String?) : AuthenticationProvider.Config(name) {
        /** The auth server's JWKS URL (https, or http on loopback). */
        public var jwksUrl: String? = null

        /** Options of the JWKS cache behind [jwksUrl]. */
        public var jwksOptions: RemoteKeySetOptions = RemoteKeySetOptions()

        /** A JWKS document the app has, instead of [jwksUrl]. */
        public var jwks: String? = null

        /** The accepted `iss`. */
        public var issuer: String? = null

        /** The accepted `aud` (the token's `aud` must contain it). */
        public var audience: String? = null

        /** The accepted algorithms; null: the algorithms of the keys. */
        public var algorithms: List<String>? = null

        /** Leeway for `exp`, `nbf` and `iat`, in seconds. */
        public var clockToleranceSeconds: Long = 0

        /** Scopes the token must grant (`scope` string or `scp` array); else 403. */
        public var requiredScopes: List<String> = emptyList()

        /** The `realm` of the challenges; defaults to the provider's name. */
        public var realm: String? = null

        /** Full verification options, when the fields above are not enough. */
        public var verifyOptions: VerifyOptions? = null

        internal var validator: (suspend ApplicationCall.(AuthJwtPrincipal) -> Any?)? = null

        /**
         * An app check after verification: return the principal to put on the call (the
         * [AuthJwtPrincipal] or an app type), or null to refuse with 401 invalid_token.
         */
        public fun validate(body: suspend ApplicationCall.(AuthJwtPrincipal) -> Any?) {
            validator = body
        }
    }

    private val realm = config.realm ?: config.name ?: "ktor"
    private val requiredScopes = config.requiredScopes
    private val validator = config.validator
    private val options = config.verifyOptions ?: VerifyOptions(
        algorithms = config.algorithms,
        // null, not an empty list, when unset: an empty list is ERR_INVALID_CONFIG in the core.
        issuer = config.issuer?.let { listOf(it) },
        audience = config.audience?.let { listOf(it) },
        clockTolerance = config.clockToleranceSeconds,
    )

    // Built once, when the provider is installed: a bad URL or JWKS fails the app's start.
    private val verifier: suspend (String) -> VerifiedJwt = run {
        val url = config.jwksUrl
        val document = config.jwks
        require((url == null) != (document == null)) { "authjwt: set exactly one of jwksUrl and jwks" }
        if (url != null) {
            val remote = RemoteKeySet(url, config.jwksOptions)
            val verify: suspend (String) -> VerifiedJwt = { token -> remote.verify(token, options) }
            verify
        } else {
            val keys = KeySet.fromJwks(document!!)
            val verify: suspend (String) -> VerifiedJwt = { token -> keys.verify(token, options) }
            verify
        }
    }

    override suspend fun onAuthenticate(context: AuthenticationContext) {
        val headers = context.call.request.headers.getAll(HttpHeaders.Authorization).orEmpty()
        if (headers.isEmpty()) return refuse(context, "missing_token")
        val token = headers.singleOrNull()?.let(::extractBearerToken)
            ?: return refuse(context, "invalid_request")
        val jwt = try {
            verifier(token)
        } catch (e: AuthJwtException) {
            return refuse(context, e.errorCode(), claim = claimOf(e))
        }
        if (requiredScopes.isNotEmpty() && missingScopes(jwt.payloadJson, requiredScopes).isNotEmpty()) {
            return refuse(context, "insufficient_scope", scope = requiredScopes.joinToString(" "))
        }
        val verified = AuthJwtPrincipal(jwt.payloadJson, jwt.headerJson)
        val principal = when (val validate = validator) {
            null -> verified
            else -> validate(context.call, verified)
                ?: return refuse(context, "ERR_JWT_CLAIM_VALIDATION_FAILED")
        }
        context.principal(name, principal)
    }

    /** Registers the core's RFC 6750 answer for `failure` as this call's challenge. */
    private fun refuse(context: AuthenticationContext, failure: String, scope: String? = null, claim: String? = null) {
        val answer = authChallenge(failure, realm = realm, scope = scope, claim = claim)
        val status = HttpStatusCode.fromValue(answer.status.toInt())
        val error = answer.error
        // NoCredentials lets `authenticate(optional = true)` routes through; an outage is an error.
        val cause = when {
            error == null -> AuthenticationFailedCause.NoCredentials
            status.value >= 500 -> AuthenticationFailedCause.Error(answer.errorDescription ?: error)
            else -> AuthenticationFailedCause.InvalidCredentials
        }
        context.challenge(CHALLENGE_KEY, cause) { challenge, call ->
            answer.wwwAuthenticate?.let { call.response.headers.append(HttpHeaders.WWWAuthenticate, it) }
            if (error == null) {
                call.respond(status)
            } else {
                val body = buildJsonObject {
                    put("error", error)
                    answer.errorDescription?.let { put("error_description", it) }
                }
                call.respond(TextContent(body.toString(), ContentType.Application.Json, status))
            }
            challenge.complete()
        }
    }

    private companion object {
        const val CHALLENGE_KEY = "authjwt"

        fun claimOf(e: AuthJwtException): String? = when (e) {
            is AuthJwtException.JwtExpired -> e.claim
            is AuthJwtException.ClaimValidationFailed -> e.claim
            else -> null
        }
    }
}

/**
 * Registers an authjwt provider:
 * `install(Authentication) { authjwt("api") { jwksUrl = ...; issuer = ...; audience = ... } }`.
 */
public fun AuthenticationConfig.authjwt(
    name: String? = null,
    configure: AuthJwtAuthenticationProvider.Config.() -> Unit,
) {
    register(AuthJwtAuthenticationProvider(AuthJwtAuthenticationProvider.Config(name).apply(configure)))
}
