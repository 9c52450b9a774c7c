// authjwt/hono with Hono's own app.request().
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Hono } from 'hono'
import { jwt } from 'authjwt/hono'
import { startKeyServer, routeOptions, concurrencyOptions, statusTable, assertRow } from './fixtures.mjs'

let keys
before(async () => {
  keys = await startKeyServer()
})
after(() => keys.close())

function buildApp(routes) {
  const app = new Hono()
  for (const [path, options] of Object.entries(routes)) {
    app.use(path, jwt(options))
    app.get(path, (c) => c.json({ sub: c.get('jwtPayload')?.sub ?? null }))
  }
  return app
}

async function call(app, path, headers) {
  const res = await app.request(path, { headers })
  const json = (res.headers.get('content-type') ?? '').startsWith('application/json')
  return { status: res.status, headers: res.headers, body: json ? await res.json() : await res.text() }
}

test('the status/header table, through Hono\'s default error handler', async () => {
  const app = buildApp(routeOptions(keys))
  for (const row of statusTable(keys.tokens)) assertRow(row, await call(app, row.path, row.headers), keys.tokens)
})

test('app.onError sees the AuthJwtError first and may answer with err.getResponse()', async () => {
  const app = buildApp({ '/me': routeOptions(keys)['/me'] })
  const seen = []
  app.onError((err, c) => {
    seen.push(err.code)
    return err.getResponse ? err.getResponse() : c.text('boom', 500)
  })
  const answer = await call(app, '/me', { authorization: `Bearer ${keys.tokens.expired}` })
  assert.equal(answer.status, 401)
  assert.match(answer.headers.get('www-authenticate'), /error="invalid_token"/)
  assert.deepEqual(seen, ['ERR_JWT_EXPIRED'])
})

test('c.get("jwtHeader") holds the protected header', async () => {
  const app = new Hono()
  app.use('/h', jwt(routeOptions(keys)['/me']))
  app.get('/h', (c) => c.json({ alg: c.get('jwtHeader').alg, iss: c.get('jwtPayload').iss }))
  const answer = await call(app, '/h', { authorization: `Bearer ${keys.tokens.valid}` })
  assert.deepEqual(answer.body, { alg: 'ES256', iss: 'https://auth.test' })
})

test('200 concurrent requests over two routes: one JWKS fetch', async () => {
  const { path, routes } = concurrencyOptions(keys, 'hono-concurrency')
  const app = buildApp(routes)
  const answers = await Promise.all(
    Array.from({ length: 200 }, (_, i) => app.request(i % 2 ? '/c/read' : '/c/me', { headers: { authorization: `Bearer ${keys.tokens.valid}` } })),
  )
  assert.deepEqual(answers.map((a) => a.status), Array(200).fill(200))
  assert.equal(keys.fetches(path), 1)
})
