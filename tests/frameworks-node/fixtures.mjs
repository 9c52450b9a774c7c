// What every framework test shares: a JWKS server on 127.0.0.1 that counts its fetches, the
// tokens, the routes each app declares, and the status/header table (RFC 6750 §3) they must answer.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { Issuer } from 'authjwt'
import { ISS, AUD, REALM, RESOURCE_METADATA, failingIssuer } from './routes.mjs'

export { ISS, AUD, REALM, RESOURCE_METADATA, routeOptions, concurrencyOptions } from './routes.mjs'

/**
 * Starts the key server: `GET /<anything>/jwks` serves the issuer's JWKS, `/broken/jwks` a
 * document that is not a key set. `fetches(path)` counts requests per path. Also returns a URL
 * on which nothing listens (an outage).
 */
export async function startKeyServer() {
  const issuer = new Issuer({ disablePrivateKeyEncryption: true, issuer: ISS, audience: AUD, keyPairConfig: { alg: 'ES256' } })
  const stranger = new Issuer({ disablePrivateKeyEncryption: true, issuer: ISS, audience: AUD, keyPairConfig: { alg: 'ES256' } })
  const jwks = JSON.stringify(await issuer.jwks())
  const counts = new Map()
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname
    counts.set(path, (counts.get(path) ?? 0) + 1)
    if (path === '/broken/jwks') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":"none"}')
    if (!path.endsWith('/jwks')) return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'application/json' }).end(jwks)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${server.address().port}`

  const dead = createServer()
  await new Promise((resolve) => dead.listen(0, '127.0.0.1', resolve))
  const deadUrl = `http://127.0.0.1:${dead.address().port}/jwks`
  await new Promise((resolve) => dead.close(resolve))

  const now = Math.floor(Date.now() / 1000)
  const tokens = {
    valid: await issuer.sign({ sub: 'user-1', scope: 'read write' }),
    scp: await issuer.sign({ sub: 'user-2', scp: ['read', 'admin'] }),
    expired: await issuer.sign({ sub: 'user-1', scope: 'read' }, { expirationTime: now - 3600 }),
    wrongAudience: await issuer.sign({ sub: 'user-1', scope: 'read' }, { audience: 'https://elsewhere.test/secret-aud' }),
    unknownKey: await stranger.sign({ sub: 'user-1', scope: 'read' }),
  }
  const [h, p, s] = tokens.valid.split('.')
  tokens.badSignature = `${h}.${p}.${s.slice(0, -4)}${s.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`
  return {
    base,
    deadUrl,
    failingIssuer: failingIssuer(Issuer),
    tokens,
    fetches: (path) => counts.get(path) ?? 0,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

const bearer = (token) => ({ authorization: `Bearer ${token}` })

/**
 * The table: request → status, `WWW-Authenticate` (exact, or null for none), body code.
 * Descriptions are the core's; the checks below make sure no token or claim value leaks.
 */
export function statusTable(tokens) {
  const invalid = (description) => `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`
  return [
    { name: 'no Authorization header', path: '/me', headers: {}, status: 401, www: `Bearer realm="${REALM}"`, code: 'ERR_MISSING_TOKEN' },
    { name: 'empty Authorization header', path: '/me', headers: { authorization: '' }, status: 401, www: `Bearer realm="${REALM}"`, code: 'ERR_MISSING_TOKEN' },
    { name: 'another scheme (Basic)', path: '/me', headers: { authorization: 'Basic dXNlcjpwYXNz' }, status: 400, www: /^Bearer realm="api", error="invalid_request", error_description="[^"]+"$/, code: 'ERR_INVALID_REQUEST' },
    { name: '"Bearer" without a token', path: '/me', headers: { authorization: 'Bearer' }, status: 400, www: /error="invalid_request"/, code: 'ERR_INVALID_REQUEST' },
    { name: 'two tokens', path: '/me', headers: { authorization: `Bearer ${tokens.valid} ${tokens.valid}` }, status: 400, www: /error="invalid_request"/, code: 'ERR_INVALID_REQUEST' },
    { name: 'garbage token', path: '/me', headers: bearer('not-a-jwt'), status: 401, www: invalid('the token is malformed'), code: 'ERR_JWS_INVALID' },
    { name: 'bad signature', path: '/me', headers: bearer(tokens.badSignature), status: 401, www: invalid("the token's signature is invalid"), code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
    { name: 'expired token', path: '/me', headers: bearer(tokens.expired), status: 401, www: invalid('the token has expired'), code: 'ERR_JWT_EXPIRED' },
    { name: 'wrong audience', path: '/me', headers: bearer(tokens.wrongAudience), status: 401, www: invalid('the token\'s \\"aud\\" claim is not accepted'), code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' },
    { name: 'key not in the JWKS', path: '/me', headers: bearer(tokens.unknownKey), status: 401, www: invalid('the token is not signed by a known key'), code: 'ERR_JWKS_NO_MATCHING_KEY' },
    { name: 'valid token', path: '/me', headers: bearer(tokens.valid), status: 200, www: null, sub: 'user-1' },
    { name: 'valid token, scope missing', path: '/admin', headers: bearer(tokens.valid), status: 403, www: /^Bearer realm="api", error="insufficient_scope", error_description="[^"]+", scope="admin"$/, code: 'ERR_INSUFFICIENT_SCOPE' },
    { name: 'valid token, scope granted by scp', path: '/admin', headers: bearer(tokens.scp), status: 200, www: null, sub: 'user-2' },
    { name: 'optional route, anonymous', path: '/optional', headers: {}, status: 200, www: null, sub: null },
    { name: 'optional route, valid token', path: '/optional', headers: bearer(tokens.valid), status: 200, www: null, sub: 'user-1' },
    { name: 'optional route, expired token', path: '/optional', headers: bearer(tokens.expired), status: 401, www: invalid('the token has expired'), code: 'ERR_JWT_EXPIRED' },
    { name: 'resource_metadata (RFC 9728)', path: '/mcp', headers: {}, status: 401, www: `Bearer realm="${REALM}", resource_metadata="${RESOURCE_METADATA}"`, code: 'ERR_MISSING_TOKEN' },
    { name: 'JWKS unreachable', path: '/down', headers: bearer(tokens.valid), status: 503, www: null, code: 'ERR_JWKS_UNAVAILABLE' },
    { name: 'JWKS not a key set', path: '/broken', headers: bearer(tokens.valid), status: 503, www: null, code: 'ERR_JWKS_INVALID' },
    { name: 'key store failing', path: '/store-down', headers: bearer(tokens.valid), status: 500, www: null, code: 'ERR_STORE' },
  ]
}

/**
 * Checks one answer `{ status, headers: Headers, body }` against its row. Bodies of refusals are
 * the integration's `{ code, error, error_description }`, checked where the framework sends them.
 */
export function assertRow(row, answer, tokens, { bodyChecked = true } = {}) {
  const label = `${row.name}: ${row.path}`
  assert.equal(answer.status, row.status, `${label}: status`)
  const www = answer.headers.get('www-authenticate')
  if (row.www === null) assert.equal(www, null, `${label}: no WWW-Authenticate`)
  else if (row.www instanceof RegExp) assert.match(www ?? '', row.www, `${label}: WWW-Authenticate`)
  else assert.equal(www, row.www, `${label}: WWW-Authenticate`)
  const text = JSON.stringify(answer.body) + (www ?? '')
  for (const token of Object.values(tokens)) assert.ok(!text.includes(token.split('.')[1]), `${label}: no token in the answer`)
  assert.ok(!text.includes('elsewhere.test'), `${label}: no claim value in the answer`)
  assert.ok(!text.includes('database is down'), `${label}: no store error text in the answer`)
  if (row.status === 200) assert.deepEqual(answer.body, { sub: row.sub }, `${label}: body`)
  else if (bodyChecked) assert.equal(answer.body?.code, row.code, `${label}: body code`)
}
