// createRemoteJwks' HTTP caching through the host API, against a real HTTP server on 127.0.0.1:
// Cache-Control max-age within cacheMinAge/cacheMaxAgeLimit, ETag revalidation (304), stale-if-error
// reported through onEvent.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { Issuer, createJwtHandler, createRemoteJwks, jwksResponse, jwtVerify } from '../index.mjs'
import { SECRET, throwsWithCode } from './helpers.mjs'

/** Waits (bounded) for `done()`: background work has no promise to await. */
async function until(what, done) {
  for (let i = 0; i < 500; i++) {
    if (done()) return
    await sleep(10)
  }
  assert.fail(`gave up waiting for ${what}`)
}

describe('createRemoteJwks caching options and onEvent', () => {
  let server
  let issuer
  let url
  let body
  let failing = false
  const requests = []

  before(async () => {
    issuer = new Issuer({ secret: SECRET })
    body = JSON.stringify(await issuer.jwks())
    server = createServer((req, res) => {
      requests.push({ ifNoneMatch: req.headers['if-none-match'] ?? null })
      if (failing) {
        res.writeHead(500).end()
      } else if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=1' }).end()
      } else {
        res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"', 'cache-control': 'max-age=1' }).end(body)
      }
    })
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${server.address().port}/jwks`
  })

  after(() => server.close())

  test('max-age sets the lifetime; a failed refresh serves the last set (jwks.stale); a 304 revalidates', async () => {
    const events = []
    const remote = createRemoteJwks(url, {
      cacheMinAge: 1_000,
      cacheMaxAgeLimit: 60_000,
      staleIfError: 60_000,
      onEvent: (e) => events.push(e),
    })
    const token = await issuer.sign({ sub: 'u1' })
    assert.equal((await jwtVerify(token, remote)).payload.sub, 'u1')
    assert.equal(requests.length, 1)
    assert.equal(requests[0].ifNoneMatch, null)
    assert.deepEqual(events.filter((e) => e.type.startsWith('jwks.')).map((e) => e.type), ['jwks.fetched'])

    // The server's max-age=1 (not cacheMaxAge's 10 minutes) decides: 1.1 s later the set is stale.
    failing = true
    await sleep(1_100)
    assert.equal((await jwtVerify(token, remote)).payload.sub, 'u1', 'the last good set still verifies')
    assert.equal(requests.length, 2)
    const stale = events.find((e) => e.type === 'jwks.stale')
    assert.deepEqual(stale, { type: 'jwks.stale', url, code: 'ERR_JWKS_UNAVAILABLE' })
    assert.ok(events.some((e) => e.type === 'jwks.fetch_failed' && e.code === 'ERR_JWKS_UNAVAILABLE'))

    // The server is back; past the first backoff (1 s) a verification retries in the background
    // with the cached ETag, and the 304 keeps the keys.
    failing = false
    await sleep(1_100)
    assert.equal((await jwtVerify(token, remote)).payload.sub, 'u1')
    await until('the revalidation', () => events.some((e) => e.type === 'jwks.not_modified'))
    assert.equal(requests.at(-1).ifNoneMatch, '"v1"')
    assert.ok(events.some((e) => e.type === 'token.verified'))
    assert.ok(!JSON.stringify(events).includes(token), 'events never carry the token')
  })

  test('headers are sent; plain http to a non-loopback name needs allowHttp', async () => {
    let seen = null
    const probe = createServer((req, res) => {
      seen = req.headers['x-api-key'] ?? null
      res.writeHead(200, { 'content-type': 'application/json' }).end(body)
    })
    await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve))
    try {
      const remote = createRemoteJwks(`http://127.0.0.1:${probe.address().port}/jwks`, { headers: { 'X-Api-Key': 'k-123' } })
      await jwtVerify(await issuer.sign({}), remote)
      assert.equal(seen, 'k-123')
    } finally {
      probe.close()
    }
    throwsWithCode(() => createRemoteJwks('http://jwks.cluster.test/jwks'), 'ERR_INVALID_CONFIG')
    createRemoteJwks('http://jwks.cluster.test/jwks', { allowHttp: true })
    const err = throwsWithCode(() => createRemoteJwks(url, { headers: { 'X-Token': 'bad\nvalue-secret' } }), 'ERR_INVALID_CONFIG')
    assert.ok(!err.message.includes('secret'), err.message)
    throwsWithCode(() => createRemoteJwks(url, { allowHttp: 'yes' }), 'ERR_INVALID_CONFIG')
  })

  test('bad caching options are ERR_INVALID_CONFIG', () => {
    throwsWithCode(() => createRemoteJwks(url, { cacheMinAge: 120_000, cacheMaxAgeLimit: 60_000 }), 'ERR_INVALID_CONFIG')
    throwsWithCode(() => createRemoteJwks(url, { staleIfError: -1 }), 'ERR_INVALID_CONFIG')
    throwsWithCode(() => createRemoteJwks(url, { onEvent: 'log' }), 'ERR_INVALID_CONFIG')
  })
})

describe('serving the JWKS: ETag and 304 (createJwtHandler, jwksResponse)', () => {
  test('jwksResponse: a strong ETag over the body, 304 for a matching If-None-Match', async () => {
    const issuer = new Issuer({ secret: SECRET })
    const jwks = await issuer.jwks()
    const full = jwksResponse(jwks)
    assert.equal(full.status, 200)
    assert.match(full.headers.etag, /^"[A-Za-z0-9_-]{43}"$/)
    assert.equal(full.headers['content-type'], 'application/json')
    assert.deepEqual(JSON.parse(full.body), jwks)
    assert.equal(jwksResponse(JSON.stringify(jwks)).headers.etag, full.headers.etag, 'the same body, the same tag')
    for (const ifNoneMatch of [full.headers.etag, `W/${full.headers.etag}`, `"other", ${full.headers.etag}`, '*']) {
      const answer = jwksResponse(jwks, { ifNoneMatch })
      assert.equal(answer.status, 304, ifNoneMatch)
      assert.equal(answer.body, null)
      assert.equal(answer.headers.etag, full.headers.etag)
    }
    assert.equal(jwksResponse(jwks, { ifNoneMatch: '"other"' }).status, 200)
    await issuer.rotate()
    assert.notEqual(jwksResponse(await issuer.jwks()).headers.etag, full.headers.etag, 'a rotation changes the tag')
  })

  test('a remote key set revalidates against createJwtHandler and gets 304', async () => {
    const issuer = new Issuer({ secret: SECRET })
    const handler = createJwtHandler({ issuer, getSession: () => null, jwksCacheControl: 'public, max-age=1' })
    const statuses = []
    const server = createServer(async (req, res) => {
      const answer = await handler(new Request(`http://127.0.0.1${req.url}`, { headers: req.headers }))
      statuses.push(answer.status)
      res.writeHead(answer.status, Object.fromEntries(answer.headers))
      res.end(Buffer.from(await answer.arrayBuffer()))
    })
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const events = []
      const remote = createRemoteJwks(`http://127.0.0.1:${server.address().port}/api/auth/jwks`, {
        cacheMinAge: 1_000,
        onEvent: (e) => events.push(e.type),
      })
      const token = await issuer.sign({ sub: 'u3' })
      await jwtVerify(token, remote)
      await sleep(1_100)
      assert.equal((await jwtVerify(token, remote)).payload.sub, 'u3')
      assert.deepEqual(statuses, [200, 304])
      assert.ok(events.includes('jwks.not_modified'), events.join())
    } finally {
      server.close()
    }
  })
})
