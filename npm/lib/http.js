'use strict'
// Fetch-API endpoints the way Better Auth's jwt() plugin serves them, and header helpers.

const native = require('../native.js')
const { native: call } = require('./errors.js')

const JWKS_CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=60'

/**
 * A Fetch-API handler for `GET {basePath}{jwksPath}` and `GET {basePath}/token`; answers `null`
 * for any other request so the host can route it elsewhere.
 */
function createJwtHandler({ issuer, getSession, basePath = '/api/auth', jwksPath = '/jwks', tokenPath = '/token', jwksCacheControl } = {}) {
  if (!issuer || typeof issuer.jwks !== 'function') throw new TypeError('createJwtHandler: issuer is required')
  // The issuer's own value keeps max-age under half its rotation lead.
  if (jwksCacheControl === undefined) {
    jwksCacheControl = typeof issuer.jwksCacheControl === 'function' ? issuer.jwksCacheControl() : JWKS_CACHE_CONTROL
  }
  if (typeof getSession !== 'function') throw new TypeError('createJwtHandler: getSession(request) is required')
  const base = basePath.replace(/\/+$/, '')
  const jwksUrl = base + jwksPath
  const tokenUrl = base + tokenPath
  return async function jwtHandler(request) {
    if (request.method !== 'GET' && request.method !== 'HEAD') return null
    const { pathname } = new URL(request.url)
    if (pathname === jwksUrl) {
      const answer = jwksResponse(await issuer.jwks(), {
        ifNoneMatch: request.headers.get('if-none-match'),
        cacheControl: jwksCacheControl,
      })
      return new Response(answer.body, { status: answer.status, headers: answer.headers })
    }
    if (pathname === tokenUrl) {
      const found = await getSession(request)
      if (!found || !found.user || !found.session) {
        return Response.json({ code: 'UNAUTHORIZED', message: 'no session' }, { status: 401 })
      }
      const token = await issuer.signSession({ user: found.user, session: found.session })
      return Response.json({ token }, { headers: { 'cache-control': 'no-store' } })
    }
    return null
  }
}

/**
 * How to serve a JWKS (`await issuer.jwks()`, an object or JSON text) from any framework: `status`
 * 200 with the JSON `body`, or 304 with no body when `ifNoneMatch` (the request's `If-None-Match`)
 * names the current tag; `headers` carry `etag` (the core's strong tag over the body, the same on
 * every instance) and `cache-control`.
 */
function jwksResponse(jwks, { ifNoneMatch = null, cacheControl = JWKS_CACHE_CONTROL } = {}) {
  const body = typeof jwks === 'string' ? jwks : JSON.stringify(jwks)
  const etag = native.jwksEtag(body)
  const headers = { 'cache-control': cacheControl, etag }
  if (typeof ifNoneMatch === 'string' && native.ifNoneMatch(ifNoneMatch, etag)) {
    return { status: 304, headers, body: null }
  }
  return { status: 200, headers: { ...headers, 'content-type': 'application/json' }, body }
}

/** Sets `set-auth-jwt: token` and exposes it to browsers (CORS `Access-Control-Expose-Headers`). */
function setAuthJwtHeader(headers, token) {
  headers.set('set-auth-jwt', token)
  const current = headers.get('access-control-expose-headers')
  const names = current ? current.split(',').map((s) => s.trim()).filter(Boolean) : []
  if (!names.some((n) => n.toLowerCase() === 'set-auth-jwt' || n === '*')) names.push('set-auth-jwt')
  headers.set('access-control-expose-headers', names.join(', '))
  return headers
}

/**
 * The token of an `Authorization: Bearer <token>` header, or `null`. Accepts the header value,
 * a `Headers`, a `Request`, or a `node:http` request (`{ headers: { authorization } }`). The
 * parsing (RFC 6750 section 2.1) is the core's, the same in every host.
 */
function extractBearerToken(input) {
  let value = input
  if (input && typeof input === 'object') {
    const headers = input.headers ?? input
    value = typeof headers.get === 'function' ? headers.get('authorization') : headers.authorization
  }
  if (typeof value !== 'string') return null
  return native.extractBearerToken(value) ?? null
}

/**
 * The RFC 6750 answer to a failed authentication, from the core's one table: `kind` is an error
 * code (`err.code`) or `'missing_token'`, `'invalid_request'`, `'insufficient_scope'`.
 */
function authChallenge(kind, options) {
  return call(() => native.authChallenge(kind, options ?? undefined))
}

/** The scopes of `requiredScopes` that `payload` (a `scope` string or an `scp` array) lacks. */
function missingScopes(payload, requiredScopes) {
  return call(() => native.missingScopes(JSON.stringify(payload ?? {}), [...requiredScopes]))
}

module.exports = { createJwtHandler, jwksResponse, setAuthJwtHeader, extractBearerToken, authChallenge, missingScopes }
