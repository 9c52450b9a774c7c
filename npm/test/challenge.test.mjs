import { test } from 'node:test'
import assert from 'node:assert/strict'
import { authChallenge, missingScopes, AuthJwtError, JWKSUnavailable, createRemoteJwks, jwtVerify } from '../index.mjs'
import http from 'node:http'

test('authChallenge answers as RFC 6750 section 3 says, from the core table', () => {
  assert.deepEqual(authChallenge('missing_token', { realm: 'api' }), { status: 401, wwwAuthenticate: 'Bearer realm="api"' })
  const bad = authChallenge('invalid_request', { realm: 'api' })
  assert.equal(bad.status, 400)
  assert.equal(bad.error, 'invalid_request')
  const expired = authChallenge('ERR_JWT_EXPIRED', { realm: 'api' })
  assert.equal(expired.status, 401)
  assert.equal(expired.wwwAuthenticate, 'Bearer realm="api", error="invalid_token", error_description="the token has expired"')
  const aud = authChallenge('ERR_JWT_CLAIM_VALIDATION_FAILED', { claim: 'aud' })
  assert.equal(aud.errorDescription, 'the token\'s "aud" claim is not accepted')
  const scope = authChallenge('insufficient_scope', { realm: 'api', scope: 'read write' })
  assert.equal(scope.status, 403)
  assert.match(scope.wwwAuthenticate, /error="insufficient_scope".*scope="read write"$/)
  assert.equal(authChallenge('ERR_JWKS_UNAVAILABLE').status, 503)
  assert.equal(authChallenge('ERR_JWKS_UNAVAILABLE').wwwAuthenticate, undefined)
  assert.equal(authChallenge('ERR_STORE').status, 500)
})

test('authChallenge refuses an unknown kind with ERR_INVALID_CONFIG', () => {
  assert.throws(() => authChallenge('expired'), (err) => err instanceof AuthJwtError && err.code === 'ERR_INVALID_CONFIG')
})

test('missingScopes reads scope strings and scp arrays', () => {
  assert.deepEqual(missingScopes({ scope: 'read write' }, ['read', 'admin']), ['admin'])
  assert.deepEqual(missingScopes({ scp: ['read', 'admin'] }, ['admin']), [])
  assert.deepEqual(missingScopes({}, ['read']), ['read'])
})

test('a key server answering 500 or refusing connections is ERR_JWKS_UNAVAILABLE, not ERR_JWKS_INVALID', async () => {
  const server = http.createServer((req, res) => { res.statusCode = 500; res.end('down') })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  const token = 'eyJhbGciOiJFZERTQSIsImtpZCI6ImsifQ.eyJzdWIiOiJ1In0.c2ln'
  try {
    const keys = createRemoteJwks(`http://127.0.0.1:${port}/jwks`)
    await assert.rejects(jwtVerify(token, keys), (err) => err instanceof JWKSUnavailable && err.code === 'ERR_JWKS_UNAVAILABLE' && /500/.test(err.message))
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
  const closed = createRemoteJwks(`http://127.0.0.1:${port}/jwks`)
  await assert.rejects(jwtVerify(token, closed), (err) => err.code === 'ERR_JWKS_UNAVAILABLE')
})
