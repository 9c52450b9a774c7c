// authjwt/better-auth: Better Auth's `jwt()` plugin (id "jwt", same options, endpoints, rows and
// error texts), with key generation, sealing, signing and verification done by authjwt's core.
// This module only translates Better Auth's idiom (endpoint contexts, adapters, secretConfig,
// logger, BetterAuthError) to the authjwt API; the JWT rules are the core's.

import { createHash } from 'node:crypto'
import authjwt from '../../index.js'
import native from '../../native.js'
import { BetterAuthError, getCurrentAdapter } from 'better-auth'
import { APIError, createAuthEndpoint, createAuthMiddleware, sessionMiddleware } from 'better-auth/api'
import { mergeSchema } from 'better-auth/db'
import { getBetterAuthVersion, getCurrentAuthEndpointContext, getCurrentDBAdapterAsyncLocalStorage } from '@better-auth/core/context'
import { sessionSchema, userSchema } from '@better-auth/core/db'
import { safeJSONParse } from '@better-auth/core/utils/json'

const { Issuer, MemoryStore, ManualClock, createLocalJwks, createRemoteJwks, decodeProtectedHeader, jwksResponse, jwtVerify, parseTimespan } =
  authjwt

const DEFAULT_ALG = 'EdDSA'
const DEFAULT_GRACE_PERIOD = 30 * 24 * 3600
const COOKIE_JWT_TYPE = 'better-auth.session-cache+jwt'
const COOKIE_JWT_AUDIENCE = 'better-auth:session-cache'
// Better Auth warns, and does not refuse, below this secret length; the plugin follows it.
const SHORT_SECRET = 32

const DECRYPT_FAILED =
  'Failed to decrypt private key. Make sure the secret currently in use is the same as the one used to encrypt the private key. If you are using a different secret, either clean up your JWKS or disable private key encryption.'
const COOKIE_NEEDS_JWT_STRATEGY = '`jwt({ sessionCookieCache: true })` requires `session.cookieCache.strategy = "jwt"`.'
const COOKIE_NEEDS_LOCAL_KEYS =
  '`jwt({ sessionCookieCache: true })` requires locally managed JWT plugin keys and does not support `jwt.sign`.'

// ---------------------------------------------------------------------------------------------
// Option helpers (Better Auth's defaults)

const primaryAlg = (options) => options?.jwks?.keyPairConfig?.alg ?? DEFAULT_ALG
const rowAlg = (row, options) => row.alg ?? primaryAlg(options)
const isLive = (row, nowMs) => !row.expiresAt || new Date(row.expiresAt).getTime() > nowMs
// A revoked row (the core's rule; only revoke writes one) verifies nothing, even inside the grace
// period.
const isRevoked = (row) =>
  row.expiresAt != null && native.isRevokedRow(new Date(row.createdAt).getTime(), new Date(row.expiresAt).getTime())

function baseURLOf(ctx) {
  const url = ctx.context.options?.baseURL
  return typeof url === 'string' ? url : ''
}

/** Better Auth's `ctx.context.secretConfig` as authjwt secrets: the current one first. */
function secretsOf(secretConfig) {
  if (typeof secretConfig === 'string') return [secretConfig]
  if (!secretConfig || !(secretConfig.keys instanceof Map)) return []
  const out = []
  const current = secretConfig.keys.get(secretConfig.currentVersion)
  if (current !== undefined) out.push({ version: secretConfig.currentVersion, value: current })
  for (const [version, value] of secretConfig.keys) {
    if (version !== secretConfig.currentVersion) out.push({ version, value })
  }
  if (secretConfig.legacySecret) out.push(secretConfig.legacySecret)
  return out
}

/** The authjwt Issuer options for Better Auth plugin options (no store, no clock). */
function issuerOptionsOf(options, secrets) {
  const jwks = options?.jwks ?? {}
  const out = {
    keyPairConfig: jwks.keyPairConfig ?? { alg: DEFAULT_ALG, crv: 'Ed25519' },
    disablePrivateKeyEncryption: Boolean(jwks.disablePrivateKeyEncryption),
    gracePeriod: jwks.gracePeriod ?? DEFAULT_GRACE_PERIOD,
  }
  if (jwks.keyPairConfigs?.length) out.keyPairConfigs = jwks.keyPairConfigs
  if (jwks.rotationInterval) out.rotationInterval = jwks.rotationInterval
  if (!out.disablePrivateKeyEncryption) {
    out.secret = secrets
    // Better Auth writes and reads this format: every row stays readable by Better Auth's own code.
    out.privateKeyFormat = 'better-auth'
    // Better Auth itself warns about a secret under 32 characters and goes on: so does its plugin.
    out.allowWeakSecret = true
  }
  return out
}

/** A core configuration error as Better Auth's error type, keeping the code. */
function asBetterAuthError(error) {
  if (error instanceof BetterAuthError || !error?.code) return error
  const wrapped = new BetterAuthError(error.message, { cause: error })
  wrapped.code = error.code
  return wrapped
}

// ---------------------------------------------------------------------------------------------
// Storage: Better Auth's adapter (the transaction-scoped one where JS runs), or `options.adapter`

/** A row for Better Auth's adapter: the `jwks` columns, no id (the adapter makes it). */
function rowData(row) {
  const data = { alg: row.alg, publicKey: row.publicKey, privateKey: row.privateKey, createdAt: row.createdAt }
  if (row.crv) data.crv = row.crv
  if (row.expiresAt) data.expiresAt = row.expiresAt
  return data
}

/** Better Auth's `getJwksAdapter`: key lookups over the `jwks` model or the custom adapter. */
export function getJwksAdapter(baseAdapter, options) {
  const custom = options?.adapter
  const all = async (ctx) =>
    custom?.getJwks ? await custom.getJwks(ctx) : await (await getCurrentAdapter(baseAdapter)).findMany({ model: 'jwks' })
  const newest = (rows) => rows.sort((a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime())[0]
  return {
    getAllKeys: all,
    async getLatestKey(ctx) {
      const now = Date.now()
      return newest(((await all(ctx)) ?? []).filter((k) => isLive(k, now)))
    },
    async getKeyById(ctx, id) {
      if (custom?.getJwks) return ((await custom.getJwks(ctx)) ?? []).find((k) => k.id === id)
      const adapter = await getCurrentAdapter(baseAdapter)
      return (await adapter.findOne({ model: 'jwks', where: [{ field: 'id', value: id }] })) ?? undefined
    },
    async getLatestKeyByAlg(ctx, alg) {
      const rows = await all(ctx)
      if (!rows) return undefined
      const now = Date.now()
      return newest(rows.filter((k) => rowAlg(k, options) === alg && isLive(k, now)))
    },
    async createJwk(ctx, webKey) {
      if (custom?.createJwk) return await custom.createJwk(webKey, ctx)
      const adapter = await getCurrentAdapter(baseAdapter)
      return await adapter.create({ model: 'jwks', data: { ...webKey, createdAt: webKey.createdAt ?? new Date() } })
    },
  }
}

/**
 * The store an Issuer calls from the core. The core calls it outside the caller's async context,
 * so it is bound to one adapter: the base adapter for the shared Issuer, a transaction's adapter
 * for a transaction-scoped one. A custom adapter gets the latest endpoint context.
 */
function storeFor(adapter, options, holder) {
  const custom = options?.adapter
  const store = {
    getJwks: async () => (custom?.getJwks ? await custom.getJwks(holder.ctx) : await adapter.findMany({ model: 'jwks' })) ?? [],
    createJwk: async (row) =>
      custom?.createJwk ? await custom.createJwk(rowData(row), holder.ctx) : await adapter.create({ model: 'jwks', data: rowData(row) }),
  }
  // The optional third callback (revoke, retiring a rotated-away key): the row's `expiresAt`
  // through the adapter, or the custom adapter's own `updateJwk` when it has one. A custom
  // adapter without it has none, so revoke says what is missing instead of touching the table.
  if (!custom?.getJwks || custom.updateJwk) {
    store.updateJwk = async (id, { expiresAt }) => {
      if (custom?.updateJwk) return void (await custom.updateJwk(id, { expiresAt }, holder.ctx))
      const updated = await adapter.update({ model: 'jwks', where: [{ field: 'id', value: id }], update: { expiresAt } })
      if (!updated) throw new Error(`updateJwk: no jwks row with id ${id}`)
    }
  }
  return store
}

// ---------------------------------------------------------------------------------------------
// One Issuer per auth instance, store and key configuration

/** Issuers, by store (adapter object) and then by configuration fingerprint. */
const services = new WeakMap()
/** The same, by options object and store: the per-token lookup without hashing the options. */
const byOptionsObject = new WeakMap()
const NO_OPTIONS = {}

/** The Issuer serving `options` on `ctx`'s auth instance; made on first use, then cached. */
function serviceFor(ctx, options) {
  const auth = ctx.context
  const storeKey = options?.adapter ?? auth.adapter
  let byStore = byOptionsObject.get(options ?? NO_OPTIONS)
  let service = byStore?.get(storeKey)
  if (!service || service.secretConfig !== auth.secretConfig) {
    service = lookupService(auth, options, storeKey)
    if (!byStore) byOptionsObject.set(options ?? NO_OPTIONS, (byStore = new WeakMap()))
    byStore.set(storeKey, service)
  }
  service.holder.ctx = ctx
  // The core reads time from this clock: Date.now() (and so fake timers) is what counts.
  service.clock.set(Date.now())
  return service
}

function lookupService(auth, options, storeKey) {
  const secrets = options?.jwks?.disablePrivateKeyEncryption ? [] : secretsOf(auth.secretConfig)
  const issuerOptions = issuerOptionsOf(options, secrets)
  const fingerprint = createHash('sha256').update(JSON.stringify(issuerOptions)).digest('base64url')
  let byConfig = services.get(storeKey)
  if (!byConfig) services.set(storeKey, (byConfig = new Map()))
  let service = byConfig.get(fingerprint)
  if (!service) {
    const holder = { ctx: { context: auth } }
    const clock = new ManualClock(Date.now())
    let issuer
    try {
      issuer = new Issuer({ ...issuerOptions, store: storeFor(auth.adapter, options, holder), clock })
    } catch (error) {
      throw asBetterAuthError(error)
    }
    if (secrets.some((s) => (typeof s === 'string' ? s : s.value).length < SHORT_SECRET)) {
      auth.logger?.warn?.(
        `[better-auth] jwt plugin: the secret sealing private keys is shorter than ${SHORT_SECRET} characters; use a long random secret.`,
      )
    }
    service = { issuer, clock, holder, issuerOptions, secretConfig: auth.secretConfig }
    byConfig.set(fingerprint, service)
  }
  return service
}

/** The adapter of the current transaction (Better Auth's runWithTransaction), or null. */
async function transactionAdapter(options) {
  if (options?.adapter) return null
  let store
  try {
    store = (await getCurrentDBAdapterAsyncLocalStorage())?.getStore()
  } catch {
    return null
  }
  return store?.isTransactionActive && store.adapter ? store.adapter : null
}

/**
 * Runs `work(issuer)` with the shared Issuer, or inside a transaction with one bound to the
 * transaction's adapter (the shared one's store calls would wait for a connection the
 * transaction holds). The shared cached key is used when it is loaded; a key made inside the
 * transaction is not cached beyond it, so a rollback never leaves a key the table lacks.
 */
async function withIssuer(ctx, options, work, { cachedSync } = {}) {
  const service = serviceFor(ctx, options)
  const tx = await transactionAdapter(options)
  if (!tx) return work(service.issuer)
  if (cachedSync) {
    try {
      return cachedSync(service.issuer)
    } catch (error) {
      if (error?.code !== 'ERR_INVALID_CONFIG') throw error
    }
  }
  const scoped = new Issuer({ ...service.issuerOptions, store: storeFor(tx, options, service.holder), clock: service.clock })
  return work(scoped)
}

// ---------------------------------------------------------------------------------------------
// Signing

/** The opaque key `resolveSigningKey` returns: the private key never leaves the core. */
class AuthJwtSigningKey {
  #kid
  constructor(kid) {
    this.#kid = kid
    Object.freeze(this)
  }
  get type() {
    return 'private'
  }
  static kidOf(key) {
    return key instanceof AuthJwtSigningKey ? key.#kid : undefined
  }
}

/** Better Auth's texts for a pinned key that cannot sign, from the rows; null if none applies. */
async function pinningError(ctx, options, overrides) {
  const adapter = getJwksAdapter(ctx.context.adapter, options)
  const { signingKeyId: kid, signingAlgorithm: wanted } = overrides
  if (kid === undefined) return null
  const row = await adapter.getKeyById(ctx, kid)
  if (!row) {
    return new BetterAuthError(
      `signJWT: signingKeyId "${kid}" not found in JWKS. The key must be provisioned before it can be referenced.`,
    )
  }
  if (wanted !== undefined && rowAlg(row, options) !== wanted) {
    const shown = row.alg ?? `unset (inherits keyPairConfig.alg "${primaryAlg(options)}")`
    return new BetterAuthError(`signJWT: signingKeyId "${kid}" has alg "${shown}" but signingAlgorithm was set to "${wanted}".`)
  }
  if (!isLive(row, Date.now())) {
    return new BetterAuthError(
      'signJWT: requested signing key is expired and an explicit kid/alg was provided; not auto-minting a replacement. Rotate the key explicitly.',
    )
  }
  return null
}

/**
 * The options to sign `signingAlgorithm` with: the configured ones when the alg is there; with the
 * alg added when a live key of it is already stored (minted with createJwk); otherwise
 * Better Auth's error.
 */
async function optionsForAlgorithm(ctx, options, alg) {
  const configured = [primaryAlg(options), ...(options?.jwks?.keyPairConfigs ?? []).map((c) => c.alg)]
  if (configured.includes(alg)) return options
  const stored = await getJwksAdapter(ctx.context.adapter, options).getLatestKeyByAlg(ctx, alg)
  if (!stored) {
    const extra = options?.jwks?.keyPairConfigs?.map((c) => c.alg).join(', ') || 'none'
    throw new BetterAuthError(
      `signJWT: no key with alg "${alg}" found in JWKS. The plugin auto-mints only one key matching keyPairConfig.alg="${primaryAlg(options)}"; additional algs configured via keyPairConfigs: ${extra}. Add "${alg}" to jwks.keyPairConfigs so the plugin provisions it on first use, or mint the key explicitly via createJwk().`,
    )
  }
  const jwks = options?.jwks ?? {}
  return { ...options, jwks: { ...jwks, keyPairConfigs: [...(jwks.keyPairConfigs ?? []), { alg }] } }
}

/** Signs `payload` with `signOptions` through the core, with Better Auth's errors. */
async function coreSign(ctx, options, payload, signOptions) {
  const overrides = { signingKeyId: signOptions.signingKeyId, signingAlgorithm: signOptions.signingAlgorithm }
  let effective = options
  if (overrides.signingKeyId !== undefined) {
    // A pinned key is checked against its row now (one lookup, as Better Auth does): a row that
    // is gone or expired is refused even while the core still holds the opened key.
    const pinned = await pinningError(ctx, options, overrides)
    if (pinned) throw pinned
  }
  if (overrides.signingAlgorithm !== undefined && overrides.signingKeyId === undefined) {
    effective = await optionsForAlgorithm(ctx, options, overrides.signingAlgorithm)
  }
  try {
    return await withIssuer(ctx, effective, (issuer) => issuer.sign(payload, signOptions), {
      cachedSync: (issuer) => issuer.signSync(payload, signOptions),
    })
  } catch (error) {
    if (error?.code === 'ERR_KEY_DECRYPTION_FAILED') throw new BetterAuthError(DECRYPT_FAILED, { cause: error })
    if (overrides.signingKeyId !== undefined && (error?.code === 'ERR_JWKS_NO_MATCHING_KEY' || error?.code === 'ERR_INVALID_CONFIG')) {
      const pinned = await pinningError(ctx, effective, overrides)
      if (pinned) throw pinned
    }
    throw asBetterAuthError(error)
  }
}

/** `options` without its undefined members. */
const defined = (options) => {
  const out = {}
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v
  return out
}

// Remote key sets of `jwks.remoteUrl`, one per URL and process: the steady state of checking a
// custom signer's tokens is one signature verification and no fetch.
const remoteKeySets = new Map()
const remoteKeySet = (url) => {
  let keys = remoteKeySets.get(url)
  if (!keys) remoteKeySets.set(url, (keys = createRemoteJwks(url)))
  return keys
}
// The key set could not be read: the cause's code is kept (not the signer's fault).
const KEY_SET_UNREADABLE = new Set(['ERR_JWKS_UNAVAILABLE', 'ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID'])
// Failures found only after the signature verified: the claims are the caller's (Better Auth signs
// an expired or not-yet-valid payload when asked to), so they do not make the signer wrong.
const CLAIM_FAILURES = new Set(['ERR_JWT_EXPIRED', 'ERR_JWT_CLAIM_VALIDATION_FAILED'])

/** A custom signer's token refused before it is returned: `ERR_STORE`, as authjwt's `Issuer` does. */
function customSignerError(message, cause, code = 'ERR_STORE') {
  const error = new BetterAuthError(
    `jwt.sign ${message}; no token was returned (jwt.verifyBeforeReturn: false skips this check)`,
    cause ? { cause } : undefined,
  )
  error.code = code
  return error
}

/**
 * Checks the token `jwt.sign` returned before it leaves the plugin: a JWS whose `alg` is a
 * configured one (the pinned one when given), whose `kid` is the pinned one when given, and whose
 * signature verifies with the key of its `kid` in the JWKS at `jwks.remoteUrl` (authjwt's cached
 * remote key set) or, failing that, in the plugin's own rows.
 */
async function checkCustomSigned(ctx, options, token, overrides) {
  if (typeof token !== 'string' || token.length === 0) {
    throw customSignerError(`returned ${token === '' ? 'an empty string' : typeof token}, not a JWT`)
  }
  let header
  try {
    header = decodeProtectedHeader(token)
  } catch (error) {
    throw customSignerError(`returned something that is not a JWT (${error.code ?? error.message})`, error)
  }
  const algorithms = overrides.signingAlgorithm
    ? [overrides.signingAlgorithm]
    : [...new Set([primaryAlg(options), ...(options.jwks?.keyPairConfigs ?? []).map((c) => c.alg)])]
  if (overrides.signingKeyId !== undefined && header.kid !== overrides.signingKeyId) {
    throw customSignerError(`was asked for signingKeyId "${overrides.signingKeyId}" and returned a token with kid "${header.kid}"`)
  }
  const url = options.jwks?.remoteUrl
  const verifyOptions = { algorithms, requireExp: false }
  const attempt = async (keys) => {
    try {
      await jwtVerify(token, keys, verifyOptions)
      return null
    } catch (error) {
      return CLAIM_FAILURES.has(error?.code) ? null : error
    }
  }
  let failure = await attempt(remoteKeySet(url))
  if (failure?.code === 'ERR_JWKS_NO_MATCHING_KEY') {
    const rows = ((await getJwksAdapter(ctx.context.adapter, options).getAllKeys(ctx)) ?? []).filter((r) => !isRevoked(r))
    if (rows.some((r) => r.id === header.kid)) failure = await attempt(keySetOf(rows, (r) => rowAlg(r, options)))
  }
  if (!failure) return
  if (KEY_SET_UNREADABLE.has(failure.code)) {
    throw customSignerError(`returned a token that cannot be checked: the JWKS at jwks.remoteUrl could not be read (${failure.message})`, failure, failure.code)
  }
  throw customSignerError(
    `returned a token (alg "${header.alg}", kid "${header.kid}") that does not verify against the JWKS at jwks.remoteUrl ` +
      `with the algorithms ${algorithms.join(', ')} (${failure.code}: wrong key or key version, wrong algorithm, or a corrupted token)`,
    failure,
  )
}

/**
 * Better Auth's `signJWT(ctx, { options, payload, header?, resolvedKey?, signingKeyId?,
 * signingAlgorithm? })`: the payload's claims win, then `jwt.*` options, then the baseURL.
 */
export async function signJWT(ctx, config) {
  const { options, payload } = config
  const baseURL = baseURLOf(ctx)
  const issuer = options?.jwt?.issuer ?? baseURL
  const audience = options?.jwt?.audience ?? baseURL
  const expirationTime = options?.jwt?.expirationTime ?? '15m'
  if (options?.jwt?.sign) {
    const iat = payload.iat
    const exp = payload.exp ?? toExpJWT(expirationTime, iat ?? Math.floor(Date.now() / 1000))
    const claims = { ...payload, iat, exp, nbf: payload.nbf, iss: payload.iss ?? issuer, aud: payload.aud ?? audience }
    const overrides = { signingKeyId: config.signingKeyId, signingAlgorithm: config.signingAlgorithm }
    const token = await options.jwt.sign(claims, config.header, overrides)
    if (options.jwt.verifyBeforeReturn !== false) await checkCustomSigned(ctx, options, token, overrides)
    return token
  }
  const pinnedKid = config.resolvedKey ? (AuthJwtSigningKey.kidOf(config.resolvedKey.privateKey) ?? config.resolvedKey.kid) : undefined
  const signOptions = defined({
    expirationTime: expirationTime instanceof Date ? Math.floor(expirationTime.getTime() / 1000) : expirationTime,
    // An empty baseURL (none configured) sets no claim, as jose's setIssuer('') would not help.
    issuer: issuer || undefined,
    audience: audience === '' ? undefined : audience,
    typ: config.header?.typ,
    signingKeyId: pinnedKid ?? config.signingKeyId,
    signingAlgorithm: pinnedKid ? undefined : config.signingAlgorithm,
  })
  return coreSign(ctx, options, payload, signOptions)
}

/**
 * Better Auth's `resolveSigningKey`: `{ alg, kid, privateKey }` of the key that would sign, or
 * null with `jwt.sign`. `privateKey` is an opaque handle that this module's `signJWT` accepts as
 * `resolvedKey`; the private key itself stays in the core.
 */
export async function resolveSigningKey(ctx, options, overrides) {
  if (options?.jwt?.sign) return null
  const token = await coreSign(ctx, options, {}, defined({ signingKeyId: overrides?.signingKeyId, signingAlgorithm: overrides?.signingAlgorithm }))
  const { alg, kid } = decodeProtectedHeader(token)
  return { alg, kid, privateKey: new AuthJwtSigningKey(kid) }
}

/** Better Auth's `/token` JWT for `ctx.context.session`. */
export async function getJwtToken(ctx, options) {
  const session = ctx.context.session
  const defined = options?.jwt?.definePayload ? await options.jwt.definePayload(session) : session.user
  const subject = (await options?.jwt?.getSubject?.(session)) ?? session.user.id
  return signJWT(ctx, { options, payload: { iat: Math.floor(Date.now() / 1000), ...defined, sub: subject } })
}

/** Better Auth's `createJwk(ctx, options)`: a new key of `jwks.keyPairConfig`, stored; its row. */
export async function createJwk(ctx, options) {
  try {
    return await withIssuer(ctx, options, (issuer) => issuer.rotate())
  } catch (error) {
    throw asBetterAuthError(error)
  }
}

/**
 * `revokeJwk(ctx, kid, options)`: the stored key `kid` leaves `/jwks` at once (no grace period),
 * verifies nothing and never signs again; if it was signing, the next key takes over. Recorded in
 * the `jwks` table (`expiresAt` = the epoch), so every server of the deployment sees it.
 */
export async function revokeJwk(ctx, kid, options) {
  try {
    return await withIssuer(ctx, options, (issuer) => issuer.revoke(kid))
  } catch (error) {
    throw asBetterAuthError(error)
  }
}

/** Better Auth's `generateExportedKeyPair(options)`: a key pair made by the core, as JWKs. */
export async function generateExportedKeyPair(options) {
  const { alg, ...cfg } = options?.jwks?.keyPairConfig ?? { alg: DEFAULT_ALG, crv: 'Ed25519' }
  let row
  try {
    const issuer = new Issuer({ keyPairConfig: { alg, ...cfg }, disablePrivateKeyEncryption: true, store: new MemoryStore() })
    row = await issuer.rotate()
  } catch (error) {
    throw asBetterAuthError(error)
  }
  return { publicWebKey: JSON.parse(row.publicKey), privateWebKey: JSON.parse(row.privateKey), alg, cfg }
}

/**
 * Better Auth's `toExpJWT`: a number as is, a Date in seconds, a span added to `iat`. The span
 * grammar is the core's (`parseTimespan`); a span it refuses is Better Auth's `TypeError`.
 */
export function toExpJWT(expirationTime, iat) {
  if (typeof expirationTime === 'number') return expirationTime
  if (expirationTime instanceof Date) return Math.floor(expirationTime.getTime() / 1000)
  // Better Auth matches `String(value)`, so `undefined` or an object is a bad span, not a crash.
  const span = String(expirationTime)
  let seconds
  try {
    seconds = parseTimespan(span)
  } catch (error) {
    if (error?.code !== 'ERR_INVALID_CONFIG') throw error
    throw new TypeError(`Invalid time string format: "${span}". Use formats like "7d", "30m", "1 hour", etc.`)
  }
  return iat + seconds
}

// ---------------------------------------------------------------------------------------------
// Publishing and verification (every read sees rows other servers made)

/** Verification key set of the rows, each under its effective alg (Better Auth's fallback). */
function keySetOf(rows, algOf) {
  const keys = []
  for (const row of rows) {
    try {
      keys.push({ ...JSON.parse(row.publicKey), kid: row.id, alg: algOf(row) })
    } catch {
      // An unreadable row verifies nothing; the others still do.
    }
  }
  return createLocalJwks({ keys })
}

/** Better Auth's `/jwks` body: the rows, read now, within their grace period; the first key minted. */
async function publishJwks(ctx, options) {
  const adapter = getJwksAdapter(ctx.context.adapter, options)
  let rows = await adapter.getAllKeys(ctx)
  if (!rows?.length) {
    try {
      await withIssuer(ctx, options, (issuer) => issuer.jwks())
    } catch (error) {
      throw asBetterAuthError(error)
    }
    rows = await adapter.getAllKeys(ctx)
  }
  if (!rows?.length) throw new BetterAuthError('No key sets found. Make sure you have a key in your database.')
  // The body is the core's (Better Auth's shape and grace rule), built from the rows just read.
  const { issuerOptions } = serviceFor(ctx, options)
  const publisher = new Issuer({
    keyPairConfig: issuerOptions.keyPairConfig,
    gracePeriod: issuerOptions.gracePeriod,
    disablePrivateKeyEncryption: true,
    store: new MemoryStore(rows),
    clock: new ManualClock(Date.now()),
  })
  // Better Auth's keys carry no `use` member; the body stays byte-for-byte its shape.
  const body = await publisher.jwks()
  return { keys: body.keys.map(({ use, ...key }) => key) }
}

/** Better Auth's `verifyJWT(token, options)`: the payload, or null on any failure. */
export async function verifyJWT(token, options) {
  const ctx = getCurrentAuthEndpointContext()
  try {
    if (typeof token !== 'string' || token.split('.').length !== 3) return null
    const kid = decodeProtectedHeader(token).kid
    if (!kid) {
      ctx.context.logger.debug('JWT missing kid in header')
      return null
    }
    const rows = (await getJwksAdapter(ctx.context.adapter, options).getAllKeys(ctx)) ?? []
    const row = rows.find((k) => k.id === kid && !isRevoked(k))
    if (!row) {
      ctx.context.logger.debug(`No JWKS key found for kid: ${kid}`)
      return null
    }
    const baseURL = typeof ctx.context.options.baseURL === 'string' ? ctx.context.options.baseURL : undefined
    const issuer = options?.jwt?.issuer ?? baseURL
    const audience = options?.jwt?.audience ?? baseURL
    const { payload } = keySetOf([row], (r) => rowAlg(r, options)).verifySync(
      token,
      defined({ issuer: issuer || undefined, audience: audience === '' ? undefined : audience, requireExp: false }),
    )
    if (!payload.sub || !payload.aud) return null
    return payload
  } catch (error) {
    ctx.context.logger.debug('JWT verification failed', error)
    return null
  }
}

// ---------------------------------------------------------------------------------------------
// Session cookie cache (`session.cookieCache.strategy: "jwt"`)

function cookieIssuer(ctx) {
  const baseURL = ctx.context.options.baseURL
  return (typeof baseURL === 'string' ? baseURL : ctx.context.baseURL) || 'better-auth:session-cache'
}

/** Better Auth's cookie-cache payload checks: session and user shapes, sub and sid bound. */
function parseCookiePayload(claims) {
  // Dates travel as ISO strings; Better Auth's schemas want Date objects back.
  const payload = safeJSONParse(claims)
  if (!payload || typeof payload.iss !== 'string' || !payload.iss || typeof payload.updatedAt !== 'number') return null
  if (payload.version !== undefined && typeof payload.version !== 'string') return null
  const session = sessionSchema.loose().safeParse(payload.session)
  const user = userSchema.loose().safeParse(payload.user)
  if (!session.success || !user.success) return null
  if (payload.sub !== user.data.id || payload.sid !== session.data.token) return null
  return { ...payload, session: session.data, user: user.data }
}

function cookieCacheSigner(options) {
  return {
    async sign(ctx, payload, expiresIn) {
      const now = Math.floor(Date.now() / 1000)
      const claims = {
        ...payload,
        sid: payload.session.token,
        iat: now,
        exp: now + expiresIn,
        iss: cookieIssuer(ctx),
        aud: COOKIE_JWT_AUDIENCE,
        sub: payload.user.id,
      }
      return coreSign(ctx, options, claims, { typ: COOKIE_JWT_TYPE })
    },
    async verify(ctx, token) {
      try {
        const header = decodeProtectedHeader(token)
        if (header.typ !== COOKIE_JWT_TYPE || !header.kid) return null
        const rows = (await getJwksAdapter(ctx.context.adapter, options).getAllKeys(ctx)) ?? []
        const row = rows.find((k) => k.id === header.kid && !isRevoked(k))
        const alg = row && (row.alg ?? options?.jwks?.keyPairConfig?.alg ?? header.alg)
        if (!alg) return null
        const { payload } = keySetOf([row], () => alg).verifySync(token, {
          algorithms: [alg],
          typ: COOKIE_JWT_TYPE,
          audience: COOKIE_JWT_AUDIENCE,
          issuer: cookieIssuer(ctx),
          clockTolerance: 15,
        })
        const parsed = parseCookiePayload(payload)
        if (!parsed) return null
        return { payload: parsed, expiresAt: parsed.exp ? parsed.exp * 1000 : Date.now() }
      } catch (error) {
        ctx.context.logger?.debug?.('Cookie-cache JWT verification failed', error)
        return null
      }
    },
  }
}

// ---------------------------------------------------------------------------------------------
// The plugin

/** A Standard Schema validator for the server-only endpoints' bodies. */
function bodySchema(check) {
  return {
    '~standard': {
      version: 1,
      vendor: 'authjwt',
      validate(value) {
        const issue = check(value)
        return issue ? { issues: [{ message: issue }] } : { value }
      },
    },
  }
}
const isRecord = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)
const signBody = bodySchema((b) =>
  !isRecord(b) || !isRecord(b.payload)
    ? 'payload must be an object'
    : b.overrideOptions !== undefined && !isRecord(b.overrideOptions)
      ? 'overrideOptions must be an object'
      : null,
)
const verifyBody = bodySchema((b) =>
  !isRecord(b) || typeof b.token !== 'string'
    ? 'token must be a string'
    : b.issuer !== undefined && typeof b.issuer !== 'string'
      ? 'issuer must be a string'
      : null,
)

const JWKS_SCHEMA = {
  type: 'object',
  properties: {
    keys: {
      type: 'array',
      description: 'Array of public JSON Web Keys',
      items: {
        type: 'object',
        properties: {
          kid: { type: 'string', description: "Key ID; the 'id' of the stored row" },
          kty: { type: 'string', description: "Key type ('RSA', 'EC', 'OKP')" },
          alg: { type: 'string', description: "Algorithm of the key ('EdDSA', 'RS256', ...)" },
          use: { type: 'string', enum: ['sig'], nullable: true },
          n: { type: 'string', nullable: true },
          e: { type: 'string', nullable: true },
          crv: { type: 'string', nullable: true },
          x: { type: 'string', nullable: true },
          y: { type: 'string', nullable: true },
        },
        required: ['kid', 'kty', 'alg'],
      },
    },
  },
  required: ['keys'],
}

/** The `jwks` model; a fresh object per plugin, since mergeSchema renames in place. */
const jwksSchemaModel = () => ({
  jwks: {
    fields: {
      publicKey: { type: 'string', required: true },
      privateKey: { type: 'string', required: true },
      createdAt: { type: 'date', required: true },
      expiresAt: { type: 'date', required: false },
      alg: { type: 'string', required: false },
      crv: { type: 'string', required: false },
    },
  },
})

/**
 * The `If-None-Match` of an HTTP request for the JWKS endpoint itself, or null. Other callers
 * (`auth.api.getJwks()`, oauth-provider calling `endpoints.getJwks(ctx)` with its own request's
 * context) always get the keys, never a 304.
 */
function conditionalRequestTag(ctx, jwksPath) {
  const request = ctx.path === jwksPath ? ctx.request : undefined
  if (typeof request?.headers?.get !== 'function' || typeof request.url !== 'string') return null
  if (!new URL(request.url).pathname.endsWith(jwksPath)) return null
  return request.headers.get('if-none-match')
}

/** Option problems the core finds without a secret or a store, as Better Auth's error type. */
function checkKeyOptions(options) {
  try {
    new Issuer({ ...issuerOptionsOf(options, []), disablePrivateKeyEncryption: true, secret: undefined, privateKeyFormat: undefined })
  } catch (error) {
    throw asBetterAuthError(error)
  }
  const expirationTime = options?.jwt?.expirationTime
  if (typeof expirationTime === 'string') toExpJWT(expirationTime, 0)
}

/** Better Auth's `jwt(options)` plugin, served by authjwt's core. */
export function jwt(options) {
  if (options?.jwt?.sign && !options.jwks?.remoteUrl) {
    throw new BetterAuthError('options.jwks.remoteUrl must be set when using options.jwt.sign')
  }
  if (options?.jwks?.remoteUrl && !options.jwks?.keyPairConfig?.alg) {
    throw new BetterAuthError('options.jwks.keyPairConfig.alg must be specified when options.jwks.remoteUrl is used for OpenID metadata')
  }
  const jwksPath = options?.jwks?.jwksPath ?? '/jwks'
  if (typeof jwksPath !== 'string' || jwksPath.length === 0 || !jwksPath.startsWith('/') || jwksPath.includes('..')) {
    throw new BetterAuthError("options.jwks.jwksPath must be a non-empty string starting with '/' and not contain '..'")
  }
  // Better Auth fails here only at the first token; the core tells now.
  if (!options?.jwt?.sign) checkKeyOptions(options)

  return {
    id: 'jwt',
    version: getBetterAuthVersion?.() ?? '1.7',
    options,
    init(ctx) {
      if (options?.sessionCookieCache) {
        if (ctx.options.session?.cookieCache?.strategy !== 'jwt') throw new BetterAuthError(COOKIE_NEEDS_JWT_STRATEGY)
        if (options.jwt?.sign) throw new BetterAuthError(COOKIE_NEEDS_LOCAL_KEYS)
      }
      // The Issuer (and its secret checks) now, not at the first token.
      if (!options?.jwt?.sign) serviceFor({ context: ctx }, options)
      if (!options?.sessionCookieCache) return
      const gracePeriod = options.jwks?.gracePeriod
      const cookieMaxAge = ctx.options.session.cookieCache.maxAge || 300
      if (gracePeriod !== undefined && cookieMaxAge > gracePeriod) {
        ctx.logger.warn(
          `[better-auth] \`session.cookieCache.maxAge\` (${cookieMaxAge}s) exceeds the JWT plugin JWKS grace period (${gracePeriod}s). Rotated keys may stop verifying cookie-cache JWTs before the cookie expires.`,
        )
      }
      return { context: { sessionConfig: { ...ctx.sessionConfig, cookieCacheSigner: cookieCacheSigner(options) } } }
    },
    endpoints: {
      getJwks: createAuthEndpoint(
        jwksPath,
        {
          method: 'GET',
          metadata: {
            openapi: {
              operationId: 'getJSONWebKeySet',
              description: 'Get the JSON Web Key Set',
              responses: {
                200: { description: 'JSON Web Key Set retrieved successfully', content: { 'application/json': { schema: JWKS_SCHEMA } } },
              },
            },
          },
        },
        async (ctx) => {
          if (options?.jwks?.remoteUrl) throw new APIError('NOT_FOUND')
          const body = await publishJwks(ctx, options)
          // The ETag and Cache-Control createJwtHandler sends: the core's tag over the JSON text,
          // and a max-age the issuer derives from its rotation lead.
          const answer = jwksResponse(body, {
            ifNoneMatch: conditionalRequestTag(ctx, jwksPath),
            cacheControl: serviceFor(ctx, options).issuer.jwksCacheControl(),
          })
          ctx.setHeader?.('Cache-Control', answer.headers['cache-control'])
          ctx.setHeader?.('ETag', answer.headers.etag)
          if (answer.status === 304) return new Response(null, { status: 304, headers: answer.headers })
          return ctx.json(body)
        },
      ),
      getToken: createAuthEndpoint(
        '/token',
        {
          method: 'GET',
          requireHeaders: true,
          use: [sessionMiddleware],
          metadata: {
            openapi: {
              operationId: 'getJSONWebToken',
              description: 'Get a JWT token',
              responses: {
                200: {
                  description: 'Success',
                  content: { 'application/json': { schema: { type: 'object', properties: { token: { type: 'string' } } } } },
                },
              },
            },
          },
        },
        async (ctx) => ctx.json({ token: await getJwtToken(ctx, options) }),
      ),
      signJWT: createAuthEndpoint.serverOnly({ method: 'POST', metadata: { $Infer: { body: {} } }, body: signBody }, async (ctx) => {
        const token = await signJWT(ctx, { options: { ...options, ...ctx.body.overrideOptions }, payload: ctx.body.payload })
        return ctx.json({ token })
      }),
      verifyJWT: createAuthEndpoint.serverOnly(
        { method: 'POST', metadata: { $Infer: { body: {}, response: {} } }, body: verifyBody },
        async (ctx) => {
          const effective = ctx.body.issuer ? { ...options, jwt: { ...options?.jwt, issuer: ctx.body.issuer } } : options
          return ctx.json({ payload: await verifyJWT(ctx.body.token, effective) })
        },
      ),
    },
    hooks: {
      after: [
        {
          matcher: (context) => context.path === '/get-session',
          handler: createAuthMiddleware(async (ctx) => {
            if (options?.disableSettingJwtHeader) return
            const session = ctx.context.session || ctx.context.newSession
            if (!session?.session) return
            const token = await getJwtToken(ctx, options)
            const exposed = ctx.context.responseHeaders?.get('access-control-expose-headers') || ''
            const names = new Set(exposed.split(',').map((h) => h.trim()).filter(Boolean))
            names.add('set-auth-jwt')
            ctx.setHeader('set-auth-jwt', token)
            ctx.setHeader('Access-Control-Expose-Headers', Array.from(names).join(', '))
          }),
        },
      ],
    },
    schema: mergeSchema(jwksSchemaModel(), options?.schema),
  }
}

/** Better Auth's `jwtClient()`: `client.jwks()` and the server plugin's inferred endpoints. */
export function jwtClient(options) {
  const jwksPath = options?.jwks?.jwksPath ?? '/jwks'
  return {
    id: 'better-auth-client',
    version: getBetterAuthVersion?.() ?? '1.7',
    $InferServerPlugin: {},
    pathMethods: { [jwksPath]: 'GET' },
    getActions: ($fetch) => ({
      jwks: async (fetchOptions) => $fetch(jwksPath, { method: 'GET', ...fetchOptions }),
    }),
  }
}
