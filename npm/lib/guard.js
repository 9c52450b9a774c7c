'use strict'
// What every framework integration shares: the options, the process-wide key sets (one per JWKS
// URL), and the flow "read the header, verify, check scopes". Statuses and WWW-Authenticate
// values come from the core (authChallenge); nothing here knows a JWT rule.

const authjwt = require('../index.js')

const { AuthJwtError, LocalJwks, createLocalJwks, createRemoteJwks, discoverRemoteJwks, extractBearerToken, jwtVerify } = authjwt

// Option names of the guard itself; every other name is a verify option for the core
// (issuer, audience, algorithms, clockTolerance, ...), which refuses names it does not know.
const GUARD_OPTIONS = new Set(['jwksUrl', 'issuerUrl', 'jwksOptions', 'keySet', 'requiredScopes', 'realm', 'resourceMetadata', 'optional'])

// The refusals that are not a verification error: the `kind` of authChallenge and their codes.
const MISSING_TOKEN = 'missing_token'
const INVALID_REQUEST = 'invalid_request'
const INSUFFICIENT_SCOPE = 'insufficient_scope'
const CODE_BY_KIND = {
  [MISSING_TOKEN]: 'ERR_MISSING_TOKEN',
  [INVALID_REQUEST]: 'ERR_INVALID_REQUEST',
  [INSUFFICIENT_SCOPE]: 'ERR_INSUFFICIENT_SCOPE',
}
const MESSAGE_BY_KIND = {
  [MISSING_TOKEN]: 'no Authorization header: a Bearer token is required',
  [INVALID_REQUEST]: 'the Authorization header is not a single Bearer token',
  [INSUFFICIENT_SCOPE]: 'the token does not grant the required scopes',
}

// One remote key set per URL for the whole process, shared by every route, app and framework,
// so N concurrent requests cause one JWKS fetch (the core also keeps one refresh in flight).
const remoteKeySets = new Map()

/** The process-wide key set for `url`; options may be given by the first user only (or repeated). */
function sharedRemoteJwks(url, options) {
  const href = url instanceof URL ? url.href : new URL(String(url)).href
  const optionsText = JSON.stringify(options ?? {})
  const known = remoteKeySets.get(href)
  if (known) {
    if (known.optionsText !== optionsText) {
      throw new TypeError(`authjwt: the key set of ${href} already exists with other jwksOptions; give every route the same ones`)
    }
    return known.keySet
  }
  const keySet = createRemoteJwks(href, options)
  remoteKeySets.set(href, { keySet, optionsText })
  return keySet
}

// One discovered key set per issuer URL (as given: the metadata's `issuer` must equal it exactly).
const discoveredKeySets = new Map()

/**
 * The process-wide key set of `issuerUrl`, discovered on its first verification. A failed
 * discovery is not kept, so a later request tries again.
 */
function sharedDiscoveredJwks(issuerUrl, options) {
  const issuer = issuerUrl instanceof URL ? issuerUrl.href : String(issuerUrl)
  const optionsText = JSON.stringify(options ?? {})
  const known = discoveredKeySets.get(issuer)
  if (known) {
    if (known.optionsText !== optionsText) {
      throw new TypeError(`authjwt: the key set of ${issuer} already exists with other jwksOptions; give every route the same ones`)
    }
    return known.keySet
  }
  const entry = { optionsText, pending: null }
  entry.keySet = {
    async verify(token, verifyOptions) {
      if (entry.pending === null) {
        entry.pending = discoverRemoteJwks(issuer, options)
        entry.pending.catch(() => { entry.pending = null })
      }
      return (await entry.pending).verify(token, verifyOptions)
    },
  }
  discoveredKeySets.set(issuer, entry)
  return entry.keySet
}

/**
 * Checks `options` once and returns the guard a middleware calls per request. `where` names the
 * caller in configuration errors (`requireJwt`, `jwt`, ...).
 */
function createGuard(options, where) {
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options are required ({ jwksUrl } or { keySet })`)
  const { jwksUrl, issuerUrl, jwksOptions, keySet, requiredScopes, realm, resourceMetadata, optional = false } = options
  if ([jwksUrl, issuerUrl, keySet].filter((v) => v !== undefined).length !== 1) {
    throw new TypeError(`${where}: give exactly one of jwksUrl (a JWKS URL), issuerUrl (an issuer to discover the JWKS of) or keySet (createLocalJwks, createRemoteJwks, an Issuer, or a JWKS object)`)
  }
  if (jwksOptions !== undefined && keySet !== undefined) throw new TypeError(`${where}: jwksOptions go with jwksUrl or issuerUrl`)
  const keys = jwksUrl !== undefined
    ? sharedRemoteJwks(jwksUrl, jwksOptions)
    : issuerUrl !== undefined
      ? sharedDiscoveredJwks(issuerUrl, jwksOptions)
      : ownKeySet(keySet, where)
  const scopes = scopeList(requiredScopes, where)
  if (realm !== undefined && typeof realm !== 'string') throw new TypeError(`${where}: realm must be a string`)
  if (resourceMetadata !== undefined && typeof resourceMetadata !== 'string') throw new TypeError(`${where}: resourceMetadata must be a URL string`)
  if (typeof optional !== 'boolean') throw new TypeError(`${where}: optional must be a boolean`)

  const verifyOptions = {}
  for (const [name, value] of Object.entries(options)) if (!GUARD_OPTIONS.has(name)) verifyOptions[name] = value
  // Tokens of a discovered issuer carry its name; check it unless the caller chose otherwise.
  if (issuerUrl !== undefined && verifyOptions.issuer === undefined) {
    verifyOptions.issuer = issuerUrl instanceof URL ? issuerUrl.href : String(issuerUrl)
  }
  const challengeOptions = { realm, resourceMetadata, scope: scopes.length ? scopes.join(' ') : undefined }

  return {
    optional,
    /**
     * Verifies the request's `Authorization` value: `{ payload, protectedHeader, token }`, or
     * `null` when there is none and the guard is optional. Refusals are AuthJwtErrors carrying
     * `status`, `headers`, `error` and `errorDescription` (see `withChallenge`).
     */
    async authenticate(authorization) {
      if (authorization === undefined || authorization === null || authorization === '') {
        if (optional) return null
        throw refusal(MISSING_TOKEN, challengeOptions)
      }
      const token = extractBearerToken(Array.isArray(authorization) ? authorization.join(', ') : authorization)
      if (token === null) throw refusal(INVALID_REQUEST, challengeOptions)
      let verified
      try {
        verified = await jwtVerify(token, keys, verifyOptions)
      } catch (err) {
        if (err instanceof AuthJwtError) throw withChallenge(err, err.code, challengeOptions)
        throw err
      }
      if (scopes.length && authjwt.missingScopes(verified.payload, scopes).length) {
        throw refusal(INSUFFICIENT_SCOPE, challengeOptions)
      }
      return { payload: verified.payload, protectedHeader: verified.protectedHeader, token }
    },
  }
}

/** A key set given by the user: a JWKS document is parsed once here, not per request. */
function ownKeySet(keySet, where) {
  if (keySet instanceof LocalJwks) return keySet
  if (keySet !== null && typeof keySet === 'object') {
    if (typeof keySet.verify === 'function') return keySet
    if (Array.isArray(keySet.keys)) return createLocalJwks(keySet)
  }
  throw new TypeError(`${where}: keySet must come from createLocalJwks or createRemoteJwks, be an Issuer, or be a JWKS object`)
}

function scopeList(requiredScopes, where) {
  if (requiredScopes === undefined) return []
  const list = typeof requiredScopes === 'string' ? requiredScopes.split(' ') : requiredScopes
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
    throw new TypeError(`${where}: requiredScopes must be an array of strings (or one space-separated string)`)
  }
  return list.filter(Boolean)
}

function refusal(kind, challengeOptions) {
  const err = new AuthJwtError(MESSAGE_BY_KIND[kind])
  err.code = CODE_BY_KIND[kind]
  return withChallenge(err, kind, challengeOptions)
}

/**
 * Puts the core's RFC 6750 answer on `err`: `status` (and `statusCode`, which Fastify and
 * http-errors read), `headers` (`www-authenticate` on 4xx), `error`, `errorDescription`, and
 * `getResponse()` (a Fetch Response, which Hono's default error handler sends as it is).
 */
function withChallenge(cause, kind, { realm, resourceMetadata, scope }) {
  const answer = authjwt.authChallenge(kind, {
    realm,
    resourceMetadata,
    scope: kind === INSUFFICIENT_SCOPE ? scope : undefined,
    claim: cause.claim,
  })
  // A server-side failure (key server down, store error) may describe internals: a JWKS URL, a
  // database message. Frameworks' default handlers send `message` (Fastify) or the stack (Express
  // in development), so the error they see says only what the client may read; the original is
  // its `cause`, for the app's logs.
  const err = answer.status >= 500 ? new cause.constructor(answer.errorDescription, { cause }) : cause
  if (err !== cause) err.code = cause.code
  err.status = answer.status
  err.statusCode = answer.status
  err.expose = answer.status < 500
  err.headers = answer.wwwAuthenticate === undefined ? {} : { 'www-authenticate': answer.wwwAuthenticate }
  if (answer.error !== undefined) err.error = answer.error
  if (answer.errorDescription !== undefined) err.errorDescription = answer.errorDescription
  Object.defineProperty(err, 'getResponse', { value: () => challengeResponse(err), enumerable: false })
  return err
}

/** True for an error the guard raised (a refusal with its status and headers). */
function isChallenge(err) {
  return err instanceof AuthJwtError && typeof err.status === 'number' && typeof err.headers === 'object'
}

/** The JSON body of a refusal: the error code and RFC 6750's fields, never a token or claim value. */
function challengeBody(err) {
  const body = { code: err.code }
  if (err.error !== undefined) body.error = err.error
  if (err.errorDescription !== undefined) body.error_description = err.errorDescription
  return body
}

/** A Fetch Response for a refusal. */
function challengeResponse(err) {
  return Response.json(challengeBody(err), { status: err.status, headers: err.headers })
}

module.exports = { createGuard, sharedRemoteJwks, isChallenge, challengeBody, challengeResponse }
