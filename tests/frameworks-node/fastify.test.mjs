// authjwt/fastify with Fastify's own inject().
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import Fastify from 'fastify'
import authjwt from 'authjwt/fastify'
import { startKeyServer, routeOptions, concurrencyOptions, statusTable, assertRow } from './fixtures.mjs'

let keys
before(async () => {
  keys = await startKeyServer()
})
after(() => keys.close())

/** One app per route options, each registering the plugin with `onRequest: true` under a prefix. */
async function buildApp(routes, { errorHandler } = {}) {
  const app = Fastify()
  if (errorHandler) app.setErrorHandler(errorHandler)
  for (const [path, options] of Object.entries(routes)) {
    await app.register(async (scope) => {
      await scope.register(authjwt, { ...options, onRequest: true })
      scope.get(path, async (request) => ({ sub: request.user?.sub ?? null }))
    })
  }
  await app.ready()
  return app
}

const answerOf = (res) => ({
  status: res.statusCode,
  headers: new Headers(Object.entries(res.headers).map(([k, v]) => [k, String(v)])),
  body: res.headers['content-type']?.startsWith('application/json') ? res.json() : res.body,
})

test('the status/header table, onRequest hook and Fastify\'s own error handling', async () => {
  const app = await buildApp(routeOptions(keys))
  for (const row of statusTable(keys.tokens)) {
    const answer = answerOf(await app.inject({ method: 'GET', url: row.path, headers: row.headers }))
    // Fastify's default error body is { statusCode, code, error, message }: `code` is the error's code.
    assertRow(row, answer, keys.tokens)
  }
  await app.close()
})

test('request.jwtVerify(), app.authenticate and app.requireJwt(overrides) in one app', async () => {
  const app = Fastify()
  const { '/me': options } = routeOptions(keys)
  await app.register(authjwt, options)
  app.get('/manual', async (request) => ({ claims: (await request.jwtVerify())?.sub, user: request.user?.sub }))
  app.get('/hook', { onRequest: [app.authenticate] }, async (request) => ({ sub: request.user?.sub, alg: request.jwtHeader?.alg }))
  app.get('/admin', { onRequest: [app.requireJwt({ requiredScopes: ['admin'] })] }, async (request) => ({ sub: request.user?.sub }))
  app.get('/open', async (request) => ({ user: request.user }))
  const bearer = (t) => ({ authorization: `Bearer ${t}` })
  assert.deepEqual((await app.inject({ url: '/manual', headers: bearer(keys.tokens.valid) })).json(), { claims: 'user-1', user: 'user-1' })
  assert.deepEqual((await app.inject({ url: '/hook', headers: bearer(keys.tokens.valid) })).json(), { sub: 'user-1', alg: 'ES256' })
  const refused = await app.inject({ url: '/admin', headers: bearer(keys.tokens.valid) })
  assert.equal(refused.statusCode, 403)
  assert.match(refused.headers['www-authenticate'], /error="insufficient_scope", error_description="[^"]+", scope="admin"/)
  assert.equal((await app.inject({ url: '/admin', headers: bearer(keys.tokens.scp) })).statusCode, 200)
  const missing = await app.inject({ url: '/manual' })
  assert.equal(missing.statusCode, 401)
  assert.equal(missing.headers['www-authenticate'], 'Bearer realm="api"')
  assert.deepEqual((await app.inject({ url: '/open' })).json(), { user: null }, 'routes without the hook stay open')
  await app.close()
})

test('an app error handler receives the AuthJwtError with statusCode and headers', async () => {
  const seen = []
  const app = await buildApp({ '/me': routeOptions(keys)['/me'] }, {
    errorHandler(err, request, reply) {
      seen.push({ code: err.code, statusCode: err.statusCode })
      return reply.code(err.statusCode).headers(err.headers).send({ mine: true })
    },
  })
  const res = await app.inject({ url: '/me', headers: { authorization: `Bearer ${keys.tokens.badSignature}` } })
  assert.equal(res.statusCode, 401)
  assert.deepEqual(res.json(), { mine: true })
  assert.match(res.headers['www-authenticate'], /error="invalid_token"/)
  assert.deepEqual(seen, [{ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', statusCode: 401 }])
  await app.close()
})

test('200 concurrent requests over two routes: one JWKS fetch', async () => {
  const { path, routes } = concurrencyOptions(keys, 'fastify-concurrency')
  const app = await buildApp(routes)
  const answers = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      app.inject({ url: i % 2 ? '/c/read' : '/c/me', headers: { authorization: `Bearer ${keys.tokens.valid}` } })),
  )
  assert.deepEqual(answers.map((a) => a.statusCode), Array(200).fill(200))
  assert.equal(keys.fetches(path), 1)
  await app.close()
})

test('bad options fail at register time', async () => {
  const app = Fastify()
  app.register(authjwt, { jwksUrl: `${keys.base}/x/jwks`, onRequest: 'yes' })
  await assert.rejects(app.ready(), /onRequest must be a boolean/)
})
