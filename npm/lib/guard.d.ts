// Options shared by authjwt/express, /fastify, /hono and /next.
import type { AuthJwtError, Issuer, JWTPayload, JWTVerifyOptions, LocalJwks, ProtectedHeader, RemoteJwks, RemoteJwksOptions } from '../index.js'

interface GuardCommonOptions extends JWTVerifyOptions {
  /**
   * Scopes the token must grant, all of them (`scope` space-separated string or `scp` array);
   * missing ones answer 403 `insufficient_scope`.
   */
  requiredScopes?: string[] | string
  /** The `realm` of `WWW-Authenticate`. */
  realm?: string
  /** RFC 9728 `resource_metadata` URL put in every challenge (MCP-style resource servers). */
  resourceMetadata?: string
  /** Let requests without an `Authorization` header through, with no claims; a bad token is still refused. */
  optional?: boolean
}

/** Verify against the JWKS at a URL: one key set per URL in the process, shared by every route. */
export interface JwksUrlGuardOptions extends GuardCommonOptions {
  jwksUrl: string | URL
  /** Cache and fetch bounds of the shared key set (the first route to name the URL sets them). */
  jwksOptions?: RemoteJwksOptions
  issuerUrl?: never
  keySet?: never
}

/**
 * Verify against the JWKS an issuer publishes (OIDC Discovery / RFC 8414 `jwks_uri`), discovered
 * once per issuer in the process on the first request. `issuer` defaults to `issuerUrl`.
 */
export interface IssuerUrlGuardOptions extends GuardCommonOptions {
  issuerUrl: string | URL
  /** Cache and fetch bounds of the discovered key set (the first route to name the issuer sets them). */
  jwksOptions?: RemoteJwksOptions
  jwksUrl?: never
  keySet?: never
}

/** Verify against a key set the app built: local, remote, an Issuer, or a JWKS document (parsed once). */
export interface KeySetGuardOptions extends GuardCommonOptions {
  keySet: LocalJwks | RemoteJwks | Issuer | { keys: object[] }
  jwksUrl?: never
  issuerUrl?: never
  jwksOptions?: never
}

export type JwtGuardOptions = JwksUrlGuardOptions | IssuerUrlGuardOptions | KeySetGuardOptions

/** A refusal: an AuthJwtError with the RFC 6750 answer on it. */
export interface JwtChallengeError extends AuthJwtError {
  /** 400, 401, 403, 500 or 503. */
  status: number
  statusCode: number
  /** `www-authenticate` on 4xx answers. */
  headers: Record<string, string>
  error?: string
  errorDescription?: string
  getResponse(): Response
}

export type { JWTPayload, ProtectedHeader }
