// Type definitions for authjwt (kept by hand, checked by `tsc --noEmit --strict` in the tests).

/** A JWS algorithm authjwt signs and verifies with. `Ed25519` is RFC 9864's name for EdDSA/Ed25519. */
export type JwsAlgorithm =
  | 'EdDSA' | 'Ed25519'
  | 'ES256' | 'ES384' | 'ES512'
  | 'RS256' | 'RS384' | 'RS512'
  | 'PS256' | 'PS384' | 'PS512'

/** One row of Better Auth's `jwks` table. */
export interface JwkRow {
  /** Row id, published as the JWK `kid`. */
  id: string
  /** Public JWK JSON, exactly as Better Auth writes it. */
  publicKey: string
  /** Sealed private key (`authjwt-v2`, `authjwt-v1`, `better-auth`), or the private JWK JSON when encryption is off. */
  privateKey: string
  createdAt: Date
  /** When the key stops signing; it stays published for `gracePeriod` after. */
  expiresAt?: Date
  alg?: string
  crv?: string
}

/** A row as a store may hand it back: dates may be Date, epoch ms or an ISO string; absent columns may be null. */
export interface JwkRowInput {
  id: string
  publicKey: string
  privateKey: string
  createdAt: Date | number | string
  expiresAt?: Date | number | string | null
  alg?: string | null
  crv?: string | null
}

/** The host's key storage: Better Auth's `jwt({ adapter: { getJwks, createJwk } })` contract. Sync or async. */
export interface KeyStore {
  getJwks(): JwkRowInput[] | Promise<JwkRowInput[]>
  /** Stores `row`; may replace its `id`; returns the row as stored. */
  createJwk(row: JwkRow): JwkRowInput | Promise<JwkRowInput>
  /**
   * Optional: sets the `expiresAt` of row `id` (the other columns stay). Retires a rotated-away key
   * (it then leaves the JWKS after `gracePeriod` in every process) and makes `revoke` possible.
   */
  updateJwk?(id: string, update: { expiresAt: Date }): void | Promise<void>
}

/** Better Auth's `keyPairConfig`. */
export interface KeyPairConfig {
  alg?: JwsAlgorithm
  crv?: 'Ed25519' | 'P-256' | 'P-384' | 'P-521'
  /** RSA modulus length in bits (default 2048, minimum 2048). */
  modulusLength?: number
}

/** A JWT payload. */
export interface JWTPayload {
  iss?: string
  sub?: string
  aud?: string | string[]
  jti?: string
  nbf?: number
  exp?: number
  iat?: number
  [claim: string]: unknown
}

/** A JWS protected header. */
export interface ProtectedHeader {
  alg: string
  kid?: string
  typ?: string
  [parameter: string]: unknown
}

/** A verified token. */
export interface JWTVerifyResult<P = JWTPayload> {
  payload: P & JWTPayload
  protectedHeader: ProtectedHeader
}

/** A span (`"15m"`, `"2 hours"`, `"1 day ago"`), a NumericDate (seconds), or a Date. */
export type ExpirationTime = string | number | Date

/** A secret, several (newest first), or versioned secrets `{ 2: "new", 1: "old" }` (highest version writes). */
export type SecretInput = string | string[] | Record<string | number, string> | Array<{ version: string | number; value: string }>

/** A monitoring event; never carries tokens, claims or key material. */
export type AuthJwtEvent =
  | { type: 'key.created' | 'key.rotated' | 'token.issued'; kid: string; alg: string }
  | { type: 'token.verified'; kid: string | null; alg: string }
  | { type: 'token.rejected'; code: string }
  | { type: 'jwks.fetched'; url: string; keys: number }
  | { type: 'jwks.fetch_failed'; url: string; code: string }
  /** A refetch answered 304 Not Modified: the cached set stays, freshly confirmed. */
  | { type: 'jwks.not_modified'; url: string }
  /** A refresh failed; the last good set keeps verifying within `staleIfError` (retried with backoff). */
  | { type: 'jwks.stale'; url: string; code: string }
  /** A stored key opened with a secret shorter than 32 characters (an old one kept for its rows). */
  | { type: 'secret.weak'; kid: string }
  /** A key stored ahead of rotation: published now, signs from `signs_at_ms` (epoch ms). */
  | { type: 'key.published'; kid: string; alg: string; signs_at_ms: number }
  /** A rotated-away key's `expiresAt` was recorded through `updateJwk`. */
  | { type: 'key.retired'; kid: string; expires_at_ms: number }
  /** A rotated-away key's retirement was not recorded: it stays published until `published_until_ms` (`null`: for ever). */
  | { type: 'key.retirement_unrecorded'; kid: string; published_until_ms: number | null; reason: string }
  | { type: 'key.revoked'; kid: string }
  /** Storing the next key ahead failed; the current key keeps signing, retried after `retry_in_ms`. */
  | { type: 'key.preparation_failed'; alg: string; code: string; retry_in_ms: number }
  /**
   * A key of a JWKS was left out of the set (the others still verify); `index` is its position in
   * `keys`. `reason` `private_key_published` means the document leaks that key: rotate it.
   */
  | { type: 'jwks.key_skipped'; index: number; kid: string | null; reason: JwksSkipReason; message: string }
  /** The key set took the fleet's shared cache entry instead of fetching. */
  | { type: 'jwks.cache_loaded'; url: string; keys: number }
  /**
   * A shared cache call failed (threw, rejected, answered something unusable, or took longer than
   * `timeoutDuration`); the key set fetched for itself. `error` is what the callback threw, if it threw.
   */
  | { type: 'jwks.cache_failed'; url: string; operation: 'load' | 'save' | 'claim' | 'release'; error?: unknown }
  /** A shared cache entry was ignored: not an entry, not a valid JWKS, or another URL's. */
  | { type: 'jwks.cache_rejected'; url: string; reason: 'invalid_entry' | 'invalid_body' | 'other_url' }

/** A session as Better Auth's `/token` sees it. */
export interface SessionContext<U = Record<string, unknown>, S = Record<string, unknown>> {
  user: U
  session: S
}

/** What a custom signer is asked to sign, besides the message. */
export interface SignRequestContext {
  /** The kid in the token's header: the key (version) to sign with. */
  kid: string
  alg: JwsAlgorithm
  /** `raw`: the message is the JWS signing input; `digest`: its SHA-256/384/512. */
  messageType: 'raw' | 'digest'
}

/**
 * A custom signer (a KMS): Better Auth's `jwt.sign`, at the signature level. Every token is
 * verified against the signer's public key before `sign()` returns it (`ERR_STORE` otherwise).
 */
export interface CustomSigner {
  alg: JwsAlgorithm
  /** The `kid` put in the header, or a function returning the current key version's kid (asked before each token). */
  kid: string | (() => string | Promise<string>)
  /** The signature of `message`: JOSE form, or DER for ECDSA (what AWS and Google Cloud KMS return). */
  sign(message: Uint8Array, context: SignRequestContext): Uint8Array | Promise<Uint8Array>
  /** `"digest"`: `sign` gets the digest of the signing input (KMS `MessageType: DIGEST`); not for EdDSA. Default `"raw"`. */
  messageType?: 'raw' | 'digest'
  /** Verify each token against the signer's public key before returning it (default true). */
  verifyBeforeReturn?: boolean
  /** The signer's public JWK; without it, the key of the token's kid in the JWKS at `remoteUrl`. */
  publicKey?: Record<string, unknown>
}

/** Issuer options, with Better Auth's names. Durations are seconds unless a span string is given. */
export interface IssuerOptions {
  /** Default: `new MemoryStore()`. */
  store?: KeyStore | MemoryStore
  /**
   * Required unless `disablePrivateKeyEncryption`. The secret new keys are sealed with (the first)
   * must have at least 32 characters (`ERR_INVALID_CONFIG` otherwise, unless `allowWeakSecret`);
   * older ones after it may be shorter: they only open existing rows (event `secret.weak`).
   */
  secret?: SecretInput
  /** Seal new keys with a secret under 32 characters. Not recommended: a leaked table is then only as safe as that secret. */
  allowWeakSecret?: boolean
  keyPairConfig?: KeyPairConfig
  /** Further algorithms `sign(..., { signingAlgorithm })` may use. */
  keyPairConfigs?: KeyPairConfig[]
  disablePrivateKeyEncryption?: boolean
  /**
   * Format of new sealed keys: `authjwt-v2` (default: HKDF when the secret is 32+ random bytes in hex or
   * base64, else PBKDF2 at 600,000 iterations), `authjwt-v1` (PBKDF2 always), or `better-auth` (when a
   * Better Auth server shares the table). Rows of every format are read whatever is set.
   */
  privateKeyFormat?: 'authjwt-v2' | 'authjwt-v1' | 'better-auth'
  /** Key lifetime before a new one signs (seconds or span); none by default. */
  rotationInterval?: number | string
  /**
   * How long a new key is published before any process signs with it (seconds or span; default 600 s,
   * at most half of `rotationInterval`; must be less than it). The JWKS max-age is at most half of it.
   */
  rotationLead?: number | string
  /** How long a key stays published after it expires (default 30 days). */
  gracePeriod?: number | string
  issuer?: string
  audience?: string | string[]
  /** Default `exp` (default "15m"). */
  expirationTime?: ExpirationTime
  /** How long the opened signing key is used before the store is read again (default 300 s). */
  keyCacheTtl?: number | string
  /** Bound on each store call, seconds (default 10). */
  storeTimeout?: number
  /** Sign with a host callback instead of stored keys. */
  sign?: CustomSigner
  /** JWKS URL published instead of the local set (with `sign`). */
  remoteUrl?: string
  /** Better Auth's `definePayload`: the payload of `signSession`. */
  definePayload?: (ctx: SessionContext) => Record<string, unknown> | null | undefined | Promise<Record<string, unknown> | null | undefined>
  /** Better Auth's `getSubject`: the `sub` of `signSession` (default `user.id`). */
  getSubject?: (ctx: SessionContext) => string | null | undefined | Promise<string | null | undefined>
  /** Monitoring events (synchronous, fire-and-forget; exceptions are ignored). */
  onEvent?: (event: AuthJwtEvent) => void
  /** Injected time, for tests. */
  clock?: ManualClock
}

/** Per-token options of `sign`. */
export interface SignOptions {
  expirationTime?: ExpirationTime
  issuer?: string
  audience?: string | string[]
  subject?: string
  typ?: string
  /** Sign with this stored key. */
  signingKeyId?: string
  /** Sign with this configured algorithm. */
  signingAlgorithm?: JwsAlgorithm
}

/**
 * Verification options, jose's names. Times in seconds (or span strings). Leave an option out to
 * skip its check: an empty list (`issuer: []`, `audience: []`, `algorithms: []`,
 * `requiredClaims: []`), an empty string (`typ: ''`, `subject: ''`) or a negative
 * `clockTolerance`/`maxTokenAge` is `ERR_INVALID_CONFIG`, never "not checked".
 */
export interface JWTVerifyOptions {
  algorithms?: JwsAlgorithm[]
  issuer?: string | string[]
  audience?: string | string[]
  subject?: string
  /** Expected `typ`, compared as a media type. */
  typ?: string
  clockTolerance?: number | string
  maxTokenAge?: number | string
  requiredClaims?: string[]
  /** "Now": a Date, or a NumericDate in seconds. */
  currentDate?: Date | number
  /** Require `exp` (default true). */
  requireExp?: boolean
  /** Largest accepted token in bytes (default 16 KiB). */
  maxTokenSize?: number
}

/**
 * One fetched JWKS as a shared cache keeps it. Store it whole (e.g. `JSON.stringify(entry)`) and
 * hand it back from `load()` unchanged; the key set validates whatever comes back.
 */
export interface SharedJwksEntry {
  /** The key set's URL, display form (credentials and query values as `***`). */
  url: string
  /** The JWKS document text as the server sent it. */
  body: string
  /** The answer's `ETag`, for conditional refetches. */
  etag: string | null
  /** The answer's `Last-Modified`. */
  lastModified: string | null
  /** When the answer (200 or 304) that confirmed `body` came, epoch milliseconds. */
  fetchedAt: number
  /** How long after `fetchedAt` the set is fresh, milliseconds. */
  lifetime: number
}

/**
 * Storage shared by the instances of a fleet for ONE JWKS URL, so they make one fetch per refresh
 * window. Each method may be sync or async; a throw or rejection never fails a verification (it
 * is reported as `jwks.cache_failed` and the key set fetches itself). Whoever can write this
 * storage chooses the keys: keep it private. `createRedisJwksCache` (`authjwt/redis`) is one.
 */
export interface SharedJwksCache {
  /** The stored entry (or its JSON text), or null/undefined when there is none. */
  load(): SharedJwksEntry | string | null | undefined | Promise<SharedJwksEntry | string | null | undefined>
  /** Stores `entry`, replacing any other. */
  save(entry: SharedJwksEntry): void | Promise<void>
  /**
   * Atomically takes the right to fetch for `ttlMs` unless another instance holds it (true when
   * taken), e.g. Redis `SET key:claim token NX PX ttlMs`. Without it, instances that need a
   * refresh at the same moment may each fetch.
   */
  claim?(ttlMs: number): boolean | Promise<boolean>
  /** Gives the claim back early (after the entry is saved, or the fetch failed). */
  release?(): void | Promise<void>
}

/** Remote JWKS options, jose's names and units (milliseconds). */
export interface RemoteJwksOptions {
  /** A cache shared with the other instances of a fleet (see `SharedJwksCache`). */
  cache?: SharedJwksCache
  /** How long a fetched set is fresh when the server sends no `Cache-Control: max-age` (default 600000). */
  cacheMaxAge?: number
  /** The least lifetime the server's `max-age` (or `no-cache`) can give the set (default 60000). */
  cacheMinAge?: number
  /** The longest lifetime the server's `max-age` can give the set (default 3600000). */
  cacheMaxAgeLimit?: number
  /** How long past its lifetime the last good set keeps verifying while refreshes fail (default 86400000, one day; 0 = off). */
  staleIfError?: number
  /** Least time between refetches for unknown kids (default 30000). */
  cooldownDuration?: number
  /** Bound on one fetch (default 5000). */
  timeoutDuration?: number
  /** Largest accepted response body, bytes. */
  maxResponseSize?: number
  /** Headers sent with every request (an API key); values never appear in errors or events. */
  headers?: Record<string, string>
  /**
   * Accept plain `http` to any host, not only loopback (default false). For in-cluster names only:
   * without TLS anyone on the path can swap the keys. Proxies come from `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`.
   */
  allowHttp?: boolean
  /**
   * Receives `jwks.fetched`, `jwks.not_modified`, `jwks.fetch_failed`, `jwks.stale`, `token.verified`,
   * `token.rejected`, and with a `cache`, `jwks.cache_loaded`, `jwks.cache_failed`, `jwks.cache_rejected`.
   */
  onEvent?: (event: AuthJwtEvent) => void
}

/** Rows kept in process memory; the default store. */
export declare class MemoryStore {
  constructor(rows?: JwkRowInput[])
  getJwks(): Promise<JwkRow[]>
  createJwk(row: JwkRowInput): Promise<JwkRow>
  updateJwk(id: string, update: { expiresAt: Date | number }): Promise<void>
}

/** A clock that moves only when told to (tests). */
export declare class ManualClock {
  constructor(now?: Date | number)
  now(): Date
  set(now: Date | number): void
  advance(ms: number): void
}

/** Issues tokens with keys from the host's store. */
export declare class Issuer {
  constructor(options?: IssuerOptions)
  /**
   * Signs; reads the store first when no key is loaded or the cached one is older than `keyCacheTtl`.
   * A payload that is not an object (undefined, null, an array, a function, ...) or that
   * `JSON.stringify` cannot write rejects with a `TypeError`, as jose's `SignJWT`.
   */
  sign(payload: Record<string, unknown>, options?: SignOptions): Promise<string>
  /**
   * Cached-key fast path; throws if no key is loaded yet (call `sign` or `jwks` once first). Past
   * `keyCacheTtl` it keeps signing with the live cached key while the store is re-read in the background.
   */
  signSync(payload: Record<string, unknown>, options?: SignOptions): string
  signSession(ctx: SessionContext<object, object | null>, options?: SignOptions): Promise<string>
  /** Better Auth's `/jwks` body; creates the first key when the store is empty. */
  jwks(): Promise<{ keys: Array<Record<string, unknown>> }>
  /**
   * A new key: signs now in every process (default), or with `{ staged: true }` is published now and
   * signs after `rotationLead`. The keys it replaces are retired at the switch through `updateJwk`.
   */
  rotate(options?: { staged?: boolean }): Promise<JwkRow>
  /** Out of the JWKS at once, never signs again; needs the store's `updateJwk` (else `ERR_INVALID_CONFIG`). */
  revoke(kid: string): Promise<void>
  /** Stores the next key of scheduled rotation now if due (sign() also does it in the background). */
  prepareNextKey(): Promise<JwkRow | null>
  /** The `Cache-Control` to serve `jwks()` under: max-age at most half of `rotationLead`. */
  jwksCacheControl(): string
  verify<P = JWTPayload>(token: string, options?: JWTVerifyOptions): Promise<JWTVerifyResult<P>>
}

/** Why a key of a JWKS was left out of the set. */
export type JwksSkipReason =
  | 'private_key_published'
  | 'use_not_sig'
  | 'key_ops_without_verify'
  | 'encryption_alg'
  | 'unsupported_alg'
  | 'unsupported_key_type'
  | 'alg_mismatch'
  | 'weak_key'
  | 'malformed_key'

export interface LocalJwksOptions {
  /** Receives one `jwks.key_skipped` event per key left out of the set, after parsing. */
  onEvent?: (event: AuthJwtEvent) => void
}

/**
 * A local key set (parsed and validated once). Keys it cannot use (encryption keys, unknown key
 * types, RSA under 2048 bits, private members...) are skipped and reported, as jose does.
 */
export declare class LocalJwks {
  private constructor()
  verifySync<P = JWTPayload>(token: string, options?: JWTVerifyOptions): JWTVerifyResult<P>
}

/** A remote key set, cached with cooldown. */
export declare class RemoteJwks {
  private constructor()
  verify<P = JWTPayload>(token: string, options?: JWTVerifyOptions): Promise<JWTVerifyResult<P>>
}

export declare function createLocalJwks(jwks: { keys: object[] } | string, options?: LocalJwksOptions): LocalJwks
export declare function createRemoteJwks(url: string | URL, options?: RemoteJwksOptions): RemoteJwks
/**
 * The remote key set named by the issuer's OIDC / RFC 8414 metadata (`jwks_uri`); the document's
 * `issuer` must equal `issuerUrl` exactly. Rejects with `ERR_JWKS_INVALID` for a wrong document,
 * `ERR_JWKS_UNAVAILABLE` / `ERR_JWKS_TIMEOUT` when it cannot be fetched.
 */
export declare function discoverRemoteJwks(issuerUrl: string | URL, options?: RemoteJwksOptions): Promise<RemoteJwks>
export declare function jwtVerify<P = JWTPayload>(
  token: string,
  keySet: LocalJwks | RemoteJwks | Issuer | { keys: object[] },
  options?: JWTVerifyOptions,
): Promise<JWTVerifyResult<P>>
/**
 * Signed seconds of a time-span string in the expiration grammar `expirationTime` and the
 * duration options take (`"15m"`, `"2 hours"`, `"-1d"`, `"3 days ago"`; units s, m, h, d, w, mo,
 * y). Anything else throws `AuthJwtError` with code `ERR_INVALID_CONFIG`.
 */
export declare function parseTimespan(span: string): number
/** The payload, WITHOUT verifying the signature or any claim. Never trust it for authorization. */
export declare function decodeJwt<P = JWTPayload>(token: string): P & JWTPayload
/** The protected header, WITHOUT verifying anything. Never trust it for authorization. */
export declare function decodeProtectedHeader(token: string): ProtectedHeader
/** The token of `Authorization: Bearer <token>`, or null. */
export declare function extractBearerToken(
  input: string | null | undefined | Headers | Request | { headers: Record<string, string | string[] | undefined> },
): string | null

/** The HTTP answer to a failed authentication (RFC 6750 section 3), from the core's one table. */
export interface AuthChallenge {
  /** 400, 401, 403, 500 or 503. */
  status: number
  /** `invalid_request`, `invalid_token`, `insufficient_scope`, `temporarily_unavailable` or `server_error`; absent when no credentials were sent. */
  error?: string
  /** What failed, never the token or a claim's value. */
  errorDescription?: string
  /** The `WWW-Authenticate` value, on 4xx answers. */
  wwwAuthenticate?: string
}
export interface AuthChallengeOptions {
  realm?: string
  /** The required scopes, space-separated, sent with `insufficient_scope`. */
  scope?: string
  /** RFC 9728 `resource_metadata` URL. */
  resourceMetadata?: string
  /** The claim a claim failure names (`err.claim`). */
  claim?: string
}
export type AuthFailureKind = 'missing_token' | 'invalid_request' | 'insufficient_scope' | ErrorCode
/**
 * The answer to a failed authentication: missing token 401 with a bare challenge; malformed header
 * 400 `invalid_request`; a bad, expired or mismatched token 401 `invalid_token`; missing scope 403
 * `insufficient_scope`; an unreachable key server 503; a store or configuration failure 500.
 */
export declare function authChallenge(kind: AuthFailureKind, options?: AuthChallengeOptions): AuthChallenge
/** The scopes of `requiredScopes` that the payload (`scope` string or `scp` array) does not grant. */
export declare function missingScopes(payload: object, requiredScopes: readonly string[]): string[]

export interface JwtHandlerOptions {
  issuer: Issuer
  /** The host's session lookup: `{ user, session }` or null. */
  getSession(request: Request): SessionContext<object, object> | null | undefined | Promise<SessionContext<object, object> | null | undefined>
  /** Default "/api/auth". */
  basePath?: string
  /** Default "/jwks". */
  jwksPath?: string
  /** Default "/token". */
  tokenPath?: string
  /** Cache-Control of the JWKS response. */
  jwksCacheControl?: string
}
/** Fetch-API handler for `GET {basePath}{jwksPath}` and `GET {basePath}/token`; `null` for other requests. */
export declare function createJwtHandler(options: JwtHandlerOptions): (request: Request) => Promise<Response | null>
/**
 * How to serve a JWKS (`await issuer.jwks()`, object or JSON text): 200 with the JSON body, or 304
 * with none when `ifNoneMatch` (the request's `If-None-Match`) names the current tag. `headers` carry
 * `etag` (a strong tag over the body, the same on every instance) and `cache-control`.
 */
export declare function jwksResponse(
  jwks: { keys: Array<Record<string, unknown>> } | string,
  options?: { ifNoneMatch?: string | null; cacheControl?: string },
): { status: 200 | 304; headers: Record<string, string>; body: string | null }
/** Sets `set-auth-jwt` and adds it to `Access-Control-Expose-Headers`. */
export declare function setAuthJwtHeader(headers: Headers, token: string): Headers

/** Every error code, the same string in every host. */
export type ErrorCode =
  | 'ERR_JWS_INVALID'
  | 'ERR_JWT_INVALID'
  | 'ERR_JOSE_ALG_NOT_ALLOWED'
  | 'ERR_JOSE_NOT_SUPPORTED'
  | 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
  | 'ERR_JWKS_NO_MATCHING_KEY'
  | 'ERR_JWKS_MULTIPLE_MATCHING_KEYS'
  | 'ERR_JWKS_INVALID'
  | 'ERR_JWKS_TIMEOUT'
  | 'ERR_JWKS_UNAVAILABLE'
  | 'ERR_JWT_EXPIRED'
  | 'ERR_JWT_CLAIM_VALIDATION_FAILED'
  | 'ERR_KEY_DECRYPTION_FAILED'
  | 'ERR_WEAK_KEY'
  | 'ERR_STORE'
  | 'ERR_INVALID_CONFIG'
/** Every authjwt failure; `code` is the same string in every host (jose's names). */
export declare class AuthJwtError extends Error {
  code: string
  /** The claim a claim failure is about. */
  claim?: string
  /** `missing`, `invalid` or `check_failed`. */
  reason?: 'missing' | 'invalid' | 'check_failed'
}
export declare class JWTExpired extends AuthJwtError {}
export declare class JWTClaimValidationFailed extends AuthJwtError {}
export declare class JWSSignatureVerificationFailed extends AuthJwtError {}
export declare class JWKSNoMatchingKey extends AuthJwtError {}
export declare class JWKSMultipleMatchingKeys extends AuthJwtError {}
export declare class JWKSInvalid extends AuthJwtError {}
export declare class JWKSTimeout extends AuthJwtError {}
/** The key server could not be reached or answered with an error status (an outage: answer 503). */
export declare class JWKSUnavailable extends AuthJwtError {}
export declare class JWSInvalid extends AuthJwtError {}
export declare class JWTInvalid extends AuthJwtError {}
export declare class JOSEAlgNotAllowed extends AuthJwtError {}
export declare class JOSENotSupported extends AuthJwtError {}

declare const authjwt: {
  Issuer: typeof Issuer
  MemoryStore: typeof MemoryStore
  ManualClock: typeof ManualClock
  LocalJwks: typeof LocalJwks
  RemoteJwks: typeof RemoteJwks
  createLocalJwks: typeof createLocalJwks
  createRemoteJwks: typeof createRemoteJwks
  discoverRemoteJwks: typeof discoverRemoteJwks
  jwtVerify: typeof jwtVerify
  parseTimespan: typeof parseTimespan
  decodeJwt: typeof decodeJwt
  decodeProtectedHeader: typeof decodeProtectedHeader
  extractBearerToken: typeof extractBearerToken
  authChallenge: typeof authChallenge
  missingScopes: typeof missingScopes
  createJwtHandler: typeof createJwtHandler
  jwksResponse: typeof jwksResponse
  setAuthJwtHeader: typeof setAuthJwtHeader
  AuthJwtError: typeof AuthJwtError
  JWTExpired: typeof JWTExpired
  JWTClaimValidationFailed: typeof JWTClaimValidationFailed
  JWSSignatureVerificationFailed: typeof JWSSignatureVerificationFailed
  JWKSNoMatchingKey: typeof JWKSNoMatchingKey
  JWKSMultipleMatchingKeys: typeof JWKSMultipleMatchingKeys
  JWKSInvalid: typeof JWKSInvalid
  JWKSTimeout: typeof JWKSTimeout
  JWKSUnavailable: typeof JWKSUnavailable
  JWSInvalid: typeof JWSInvalid
  JWTInvalid: typeof JWTInvalid
  JOSEAlgNotAllowed: typeof JOSEAlgNotAllowed
  JOSENotSupported: typeof JOSENotSupported
}
export default authjwt
