// authjwt/express on a real Express server on 127.0.0.1, called with fetch.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import express from 'express'
import { createServer } from 'node:http'
import { Issuer } from 'authjwt'
import { requireJwt, jwtErrorHandler } from 'authjwt/express'
import { AUD, startKeyServer, routeOptions, concurrencyOptions, statusTable, assertRow } from './fixtures.mjs'

let keys
let server
let url
const customHandled = []

function buildApp(routes) {
  const app = express()
  for (const [path, options] of Object.entries(routes)) {
    app.get(path, requireJwt(options), (req, res) => res.json({ sub: req.auth?.sub ?? null }))
  }
  return app
}

async function listen(app) {
  const s = await new Promise((resolve) => {
    const srv = app.listen(0, '127.0.0.1', () => resolve(srv))
  })
  return { s, url: `http://127.0.0.1:${s.address().port}` }
}

async function call(base, path, headers) {
  const res = await fetch(base + path, { headers })
  const text = await res.text()
  const json = (res.headers.get('content-type') ?? '').startsWith('application/json')
  return { status: res.status, headers: res.headers, body: json ? JSON.parse(text) : text }
}

before(async () => {
  keys = await startKeyServer()
  const app = buildApp(routeOptions(keys))
  app.use(jwtErrorHandler)
  ;({ s: server, url } = await listen(app))
})
after(async () => {
  await new Promise((resolve) => server.close(resolve))
  await keys.close()
})

test('the status/header table, through requireJwt and jwtErrorHandler', async () => {
  for (const row of statusTable(keys.tokens)) assertRow(row, await call(url, row.path, row.headers), keys.tokens)
})

test('without jwtErrorHandler, next(err) carries status and headers: Express\'s own handler and an app handler see them', async () => {
  const plain = buildApp(routeOptions(keys))
  const own = buildApp(routeOptions(keys))
  own.use((err, req, res, next) => {
    customHandled.push({ code: err.code, status: err.status, name: err.name })
    res.status(err.status).set(err.headers).json({ mine: true })
  })
  const a = await listen(plain)
  const b = await listen(own)
  try {
    for (const row of statusTable(keys.tokens)) {
      // Express's default handler (finalhandler) uses err.status and err.headers; its body is HTML.
      assertRow(row, await call(a.url, row.path, row.headers), keys.tokens, { bodyChecked: false })
    }
    const answer = await call(b.url, '/me', { authorization: `Bearer ${keys.tokens.expired}` })
    assert.equal(answer.status, 401)
    assert.deepEqual(answer.body, { mine: true })
    assert.match(answer.headers.get('www-authenticate'), /error="invalid_token"/)
    assert.deepEqual(customHandled, [{ code: 'ERR_JWT_EXPIRED', status: 401, name: 'JWTExpired' }])
  } finally {
    await new Promise((resolve) => a.s.close(resolve))
    await new Promise((resolve) => b.s.close(resolve))
  }
})

test('200 concurrent requests over two routes: one JWKS fetch', async () => {
  const { path, routes } = concurrencyOptions(keys, 'express-concurrency')
  const app = buildApp(routes)
  app.use(jwtErrorHandler)
  const c = await listen(app)
  try {
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => call(c.url, i % 2 ? '/c/read' : '/c/me', { authorization: `Bearer ${keys.tokens.valid}` })),
    )
    assert.deepEqual(answers.map((a) => a.status), Array(200).fill(200))
    assert.equal(keys.fetches(path), 1)
  } finally {
    await new Promise((resolve) => c.s.close(resolve))
  }
})

test('configuration errors are thrown when the middleware is built, not per request', () => {
  assert.throws(() => requireJwt({}), /exactly one of jwksUrl/)
  assert.throws(() => requireJwt({ jwksUrl: `${keys.base}/x/jwks`, requiredScopes: 'read', optional: 'yes' }), /optional must be a boolean/)
  assert.throws(() => requireJwt({ keySet: { nope: true } }), /keySet must/)
  // One key set per URL: a second route may not ask for other cache settings of the same URL.
  const jwksUrl = `${keys.base}/shared/jwks`
  requireJwt({ jwksUrl, jwksOptions: { cooldownDuration: 1000 } })
  requireJwt({ jwksUrl, jwksOptions: { cooldownDuration: 1000 } })
  assert.throws(() => requireJwt({ jwksUrl, jwksOptions: { cooldownDuration: 5 } }), /already exists with other jwksOptions/)
})

test('issuerUrl: the JWKS is discovered once, the issuer is checked, a wrong document is 503', async () => {
  // An identity provider on 127.0.0.1: metadata at `/.well-known/openid-configuration`, keys at
  // `/jwks`; `/wrong` publishes metadata naming another issuer.
  const counts = new Map()
  const idp = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname
    counts.set(path, (counts.get(path) ?? 0) + 1)
    const json = (value) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value))
    if (path === '/.well-known/openid-configuration') return json({ issuer: base, jwks_uri: `${base}/jwks` })
    if (path === '/wrong/.well-known/openid-configuration') return json({ issuer: 'https://other.test', jwks_uri: `${base}/jwks` })
    if (path === '/jwks') return issuer.jwks().then(json)
    res.writeHead(404).end()
  })
  await new Promise((resolve) => idp.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${idp.address().port}`
  const issuer = new Issuer({ disablePrivateKeyEncryption: true, issuer: base, audience: AUD, keyPairConfig: { alg: 'ES256' } })
  const otherIss = new Issuer({ disablePrivateKeyEncryption: true, issuer: 'https://other.test', audience: AUD, keyPairConfig: { alg: 'ES256' } })
  const app = buildApp({
    '/d/me': { issuerUrl: base, audience: AUD },
    '/d/read': { issuerUrl: base, audience: AUD, requiredScopes: ['read'] },
    '/d/wrong': { issuerUrl: `${base}/wrong`, audience: AUD },
  })
  app.use(jwtErrorHandler)
  const c = await listen(app)
  try {
    const token = await issuer.sign({ sub: 'user-9', scope: 'read' })
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call(c.url, i % 2 ? '/d/read' : '/d/me', { authorization: `Bearer ${token}` })),
    )
    assert.deepEqual(answers.map((a) => a.status), Array(50).fill(200))
    assert.equal(answers[0].body.sub, 'user-9')
    assert.equal(counts.get('/.well-known/openid-configuration'), 1, 'one discovery per issuer per process')
    assert.equal(counts.get('/jwks'), 1)

    // The issuer verify option defaults to issuerUrl: a token of another issuer is refused even
    // when its key were known (here it is not; either way it must not pass).
    const foreign = await call(c.url, '/d/me', { authorization: `Bearer ${await otherIss.sign({ sub: 'x' })}` })
    assert.equal(foreign.status, 401)

    const wrong = await call(c.url, '/d/wrong', { authorization: `Bearer ${token}` })
    assert.equal(wrong.status, 503)
    assert.match(JSON.stringify(wrong.body), /ERR_JWKS_INVALID/)
    // A failed discovery is not kept: the next request asks again.
    await call(c.url, '/d/wrong', { authorization: `Bearer ${token}` })
    assert.equal(counts.get('/wrong/.well-known/openid-configuration'), 2)
  } finally {
    await new Promise((resolve) => c.s.close(resolve))
    await new Promise((resolve) => idp.close(resolve))
  }
})

test('issuerUrl: the issuer of a discovered key set is enforced by default', async () => {
  const counts = new Map()
  const idp = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname
    counts.set(path, (counts.get(path) ?? 0) + 1)
    const json = (value) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value))
    if (path === '/.well-known/openid-configuration') return json({ issuer: base, jwks_uri: `${base}/jwks` })
    if (path === '/jwks') return signer.jwks().then(json)
    res.writeHead(404).end()
  })
  await new Promise((resolve) => idp.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${idp.address().port}`
  // Same keys, but tokens name another issuer: only the issuer check can refuse them.
  const signer = new Issuer({ disablePrivateKeyEncryption: true, issuer: 'https://not-the-idp.test', audience: AUD, keyPairConfig: { alg: 'ES256' } })
  const app = buildApp({ '/e/me': { issuerUrl: base, audience: AUD } })
  app.use(jwtErrorHandler)
  const c = await listen(app)
  try {
    const answer = await call(c.url, '/e/me', { authorization: `Bearer ${await signer.sign({ sub: 'x' })}` })
    assert.equal(answer.status, 401)
    assert.match(answer.headers.get('www-authenticate'), /error="invalid_token"/)
    assert.match(answer.headers.get('www-authenticate'), /iss/)
  } finally {
    await new Promise((resolve) => c.s.close(resolve))
    await new Promise((resolve) => idp.close(resolve))
  }
})
