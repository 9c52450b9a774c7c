import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { Issuer, createJwtHandler, setAuthJwtHeader, extractBearerToken, createLocalJwks } from '../index.mjs'
import { SECRET } from './helpers.mjs'

describe('createJwtHandler', () => {
  const issuer = new Issuer({ secret: SECRET, issuer: 'http://localhost' })
  const session = { user: { id: 'u1', email: 'u@x.test' }, session: { id: 's1', userId: 'u1' } }
  const handler = createJwtHandler({
    issuer,
    getSession: async (req) => (req.headers.get('cookie') === 'sid=s1' ? session : null),
  })

  test('GET /api/auth/jwks serves the JWKS with Cache-Control', async () => {
    const res = await handler(new Request('http://localhost/api/auth/jwks'))
    assert.equal(res.status, 200)
    assert.match(res.headers.get('cache-control'), /max-age=\d+/)
    assert.match(res.headers.get('content-type'), /application\/json/)
    const body = await res.json()
    assert.deepEqual(body, await issuer.jwks())
  })

  test('GET /api/auth/token is 401 without a session and { token } with one', async () => {
    const anon = await handler(new Request('http://localhost/api/auth/token'))
    assert.equal(anon.status, 401)
    const res = await handler(new Request('http://localhost/api/auth/token', { headers: { cookie: 'sid=s1' } }))
    assert.equal(res.status, 200)
    const { token } = await res.json()
    const { payload } = createLocalJwks(await issuer.jwks()).verifySync(token)
    assert.equal(payload.sub, 'u1')
    assert.equal(payload.email, 'u@x.test')
  })

  test('other paths and methods answer null; basePath and jwksPath are configurable', async () => {
    assert.equal(await handler(new Request('http://localhost/api/other')), null)
    assert.equal(await handler(new Request('http://localhost/api/auth/jwks', { method: 'POST' })), null)
    const custom = createJwtHandler({ issuer, getSession: () => null, basePath: '/auth/', jwksPath: '/.well-known/jwks.json' })
    assert.equal((await custom(new Request('http://localhost/auth/.well-known/jwks.json'))).status, 200)
  })

  test('requires an issuer and getSession', () => {
    assert.throws(() => createJwtHandler({ issuer }), TypeError)
    assert.throws(() => createJwtHandler({ getSession: () => null }), TypeError)
  })
})

describe('header helpers', () => {
  test('setAuthJwtHeader sets set-auth-jwt and exposes it once', () => {
    const h = new Headers({ 'access-control-expose-headers': 'x-request-id' })
    setAuthJwtHeader(h, 'a.b.c')
    setAuthJwtHeader(h, 'a.b.c')
    assert.equal(h.get('set-auth-jwt'), 'a.b.c')
    assert.equal(h.get('access-control-expose-headers'), 'x-request-id, set-auth-jwt')
    const empty = setAuthJwtHeader(new Headers(), 't')
    assert.equal(empty.get('access-control-expose-headers'), 'set-auth-jwt')
  })

  test('extractBearerToken reads strings, Headers, Requests and node:http requests', () => {
    assert.equal(extractBearerToken('Bearer abc.def.ghi'), 'abc.def.ghi')
    assert.equal(extractBearerToken('bearer  abc'), 'abc')
    assert.equal(extractBearerToken(new Headers({ authorization: 'Bearer t1' })), 't1')
    assert.equal(extractBearerToken(new Request('http://x', { headers: { authorization: 'Bearer t2' } })), 't2')
    assert.equal(extractBearerToken({ headers: { authorization: 'Bearer t3' } }), 't3')
    assert.equal(extractBearerToken('Bearer a-_.~+/b=='), 'a-_.~+/b==')
    for (const bad of [undefined, null, '', 'Basic abc', 'Bearer', 'Bearer a b', 'Bearer a,b', 'Bearerabc', 'Bearer =a', 'Bearer a=b', 'Bearer\tabc']) {
      assert.equal(extractBearerToken(bad), null, String(bad))
    }
  })
})
