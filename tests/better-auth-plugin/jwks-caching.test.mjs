// The plugin's JWKS endpoint as an HTTP cache sees it, through the real Better Auth handler: an
// ETag over the body (the core's, the one createJwtHandler sends for the same keys) and its
// Cache-Control; If-None-Match answered with 304 and no body; a stale tag after a rotation gets
// the new keys and the new tag. The body itself stays Better Auth's (compare.test.mjs).
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import authjwt from 'authjwt'
import { createJwk } from 'authjwt/better-auth'
import { IMPLS, call, contextOf, makeAuth } from './harness.mjs'

/** `"` + base64url(SHA-256(text)) + `"`, computed here rather than by authjwt. */
const expectedTag = (text) => `"${createHash('sha256').update(text).digest('base64url')}"`

/** What createJwtHandler answers for the same JWKS body: the headers the plugin must match. */
async function handlerAnswer(jwks, headers = {}) {
  const handler = authjwt.createJwtHandler({ issuer: { jwks: async () => jwks }, getSession: async () => null })
  return handler(new Request('http://localhost:3000/api/auth/jwks', { headers }))
}

describe('JWKS endpoint: ETag, Cache-Control, If-None-Match', () => {
  test('200 carries the ETag over the body and the Cache-Control createJwtHandler sends', async () => {
    const { auth } = makeAuth(IMPLS.authjwt)
    const res = await call(auth, '/jwks')
    assert.equal(res.status, 200)
    const text = await res.text()
    assert.equal(res.headers.get('etag'), expectedTag(text))
    assert.equal(res.headers.get('content-type'), 'application/json')
    const viaHandler = await handlerAnswer(JSON.parse(text))
    assert.equal(await viaHandler.text(), text, 'the same JSON text for the same keys')
    assert.equal(res.headers.get('etag'), viaHandler.headers.get('etag'))
    assert.equal(res.headers.get('cache-control'), viaHandler.headers.get('cache-control'))
    assert.match(res.headers.get('cache-control'), /max-age=\d+/)
    // The body is what auth.api.getJwks() returns, as Better Auth serves it.
    assert.equal(text, JSON.stringify(await auth.api.getJwks()))
  })

  test('the max-age follows the rotation lead: a 60 s rotation interval serves at most 15 s', async () => {
    // The lead defaults to at most half the rotation interval (30 s here), the max-age to at most
    // half the lead, so every cache refreshes before a key published ahead starts signing.
    const { auth } = makeAuth(IMPLS.authjwt, { jwt: { jwks: { rotationInterval: 60 } } })
    const res = await call(auth, '/jwks')
    await res.text()
    const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get('cache-control'))?.[1])
    assert.ok(maxAge > 0 && maxAge <= 15, res.headers.get('cache-control'))
  })

  test('If-None-Match naming the current tag (strong, weak, in a list, or *) is 304 with no body', async () => {
    const { auth } = makeAuth(IMPLS.authjwt)
    const first = await call(auth, '/jwks')
    const tag = first.headers.get('etag')
    await first.text()
    for (const ifNoneMatch of [tag, `W/${tag}`, `"older", ${tag}`, '*']) {
      const res = await call(auth, '/jwks', { headers: { 'if-none-match': ifNoneMatch } })
      assert.equal(res.status, 304, ifNoneMatch)
      assert.equal(await res.text(), '', ifNoneMatch)
      assert.equal(res.headers.get('etag'), tag, ifNoneMatch)
      assert.equal(res.headers.get('cache-control'), first.headers.get('cache-control'), ifNoneMatch)
    }
    const other = await call(auth, '/jwks', { headers: { 'if-none-match': '"not-this-one"' } })
    assert.equal(other.status, 200)
    assert.equal(other.headers.get('etag'), tag)
    assert.equal(expectedTag(await other.text()), tag)
  })

  test('after a rotation the stale tag gets 200, the new keys and the new ETag; the new tag is 304', async () => {
    const { auth } = makeAuth(IMPLS.authjwt)
    const before = await call(auth, '/jwks')
    const oldTag = before.headers.get('etag')
    const oldKids = JSON.parse(await before.text()).keys.map((k) => k.kid)
    const row = await createJwk(await contextOf(auth))
    const after = await call(auth, '/jwks', { headers: { 'if-none-match': oldTag } })
    assert.equal(after.status, 200)
    const text = await after.text()
    const newTag = after.headers.get('etag')
    assert.notEqual(newTag, oldTag)
    assert.equal(newTag, expectedTag(text))
    const kids = JSON.parse(text).keys.map((k) => k.kid)
    assert.ok(kids.includes(row.id), 'the new key is published')
    assert.ok(oldKids.every((kid) => kids.includes(kid)), 'the old key stays within its grace period')
    const again = await call(auth, '/jwks', { headers: { 'if-none-match': newTag } })
    assert.equal(again.status, 304)
    assert.equal(await again.text(), '')
  })

  test('callers that want the keys get them whatever If-None-Match says: auth.api.getJwks and oauth-provider', async () => {
    const { auth } = makeAuth(IMPLS.authjwt)
    const res = await call(auth, '/jwks')
    const tag = res.headers.get('etag')
    const keys = JSON.parse(await res.text()).keys
    const api = await auth.api.getJwks({ headers: { 'if-none-match': tag } })
    assert.deepEqual(api.keys, keys)
    // oauth-provider calls the endpoint with the context of its own request (introspection).
    const ctx = await auth.$context
    const introspection = new Request('http://localhost:3000/api/auth/oauth2/introspect', {
      method: 'POST',
      headers: { 'if-none-match': '*' },
    })
    const direct = await ctx
      .getPlugin('jwt')
      .endpoints.getJwks({ context: ctx, path: '/oauth2/introspect', headers: introspection.headers, request: introspection })
    assert.deepEqual(direct.keys, keys)
  })

  test('with a custom jwksPath the tag and 304 are served there', async () => {
    const { auth } = makeAuth(IMPLS.authjwt, { jwt: { jwks: { jwksPath: '/.well-known/jwks.json' } } })
    const res = await call(auth, '/.well-known/jwks.json')
    assert.equal(res.status, 200)
    const tag = res.headers.get('etag')
    assert.equal(tag, expectedTag(await res.text()))
    const cached = await call(auth, '/.well-known/jwks.json', { headers: { 'if-none-match': tag } })
    assert.equal(cached.status, 304)
    assert.equal(await cached.text(), '')
  })
})
