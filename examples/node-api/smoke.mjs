// Smoke test of the example: the auth server of ../node-auth-server on an ephemeral port, a token
// from its sign-in, then the same API in Express, Fastify and Hono (compiled from src/ by `tsc`)
// verifying it against the auth server's JWKS. Prints one line a step.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { startServer } from '../node-auth-server/server.mjs'
import * as expressApi from './dist/src/express.js'
import * as fastifyApi from './dist/src/fastify.js'
import * as honoApi from './dist/src/hono.js'

const dir = mkdtempSync(join(tmpdir(), 'authjwt-node-api-'))
const auth = await startServer({ port: 0, keysFile: join(dir, 'jwks.json') })
const config = { jwksUrl: `${auth.url}/api/auth/jwks`, issuer: auth.url, audience: auth.url }
let passed = 0
let failed = 0
async function step(name, fn) {
  try {
    await fn()
    passed++
    console.log(`ok   ${name}`)
  } catch (err) {
    failed++
    console.log(`FAIL ${name}: ${err.message}`)
  }
}

const signIn = await fetch(`${auth.url}/api/auth/sign-in`, { method: 'POST', body: JSON.stringify({ email: 'ada@example.com' }) })
const token = signIn.headers.get('set-auth-jwt')
const [h, p, s] = token.split('.')
const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url')), email: 'eve@example.com' })).toString('base64url')
const tampered = `${h}.${forged}.${s}`

// Each framework's API listening on 127.0.0.1: its URL and how to stop it.
const servers = {
  async express() {
    const server = await new Promise((resolve) => {
      const srv = expressApi.createApp(config).listen(0, '127.0.0.1', () => resolve(srv))
    })
    return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) }
  },
  async fastify() {
    const app = await fastifyApi.createApp(config)
    return { url: await app.listen({ port: 0, host: '127.0.0.1' }), close: () => app.close() }
  },
  async hono() {
    const server = await new Promise((resolve) => {
      const srv = serve({ fetch: honoApi.createApp(config).fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(srv))
    })
    return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) }
  },
}

for (const [name, start] of Object.entries(servers)) {
  const api = await start()
  const get = (headers) => fetch(`${api.url}/api/me`, { headers })
  await step(`${name}: GET /api/me with the auth server's token answers its claims`, async () => {
    const res = await get({ authorization: `Bearer ${token}` })
    assert.equal(res.status, 200)
    assert.equal((await res.json()).email, 'ada@example.com')
  })
  await step(`${name}: no token is 401 with WWW-Authenticate: Bearer realm="notes"`, async () => {
    const res = await get({})
    assert.equal(res.status, 401)
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="notes"')
  })
  await step(`${name}: a tampered token is 401 invalid_token`, async () => {
    const res = await get({ authorization: `Bearer ${tampered}` })
    assert.equal(res.status, 401)
    assert.match(res.headers.get('www-authenticate'), /error="invalid_token", error_description="the token's signature is invalid"/)
    assert.equal((await res.json()).code, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED')
  })
  await step(`${name}: POST /api/notes without the notes:write scope is 403 insufficient_scope`, async () => {
    const res = await fetch(`${api.url}/api/notes`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
    assert.equal(res.status, 403)
    assert.match(res.headers.get('www-authenticate'), /error="insufficient_scope".*scope="notes:write"/)
  })
  if (name === 'hono') {
    await step('hono: an optional route answers anonymous requests and refuses bad tokens', async () => {
      assert.deepEqual(await (await fetch(`${api.url}/api/hello`)).json(), { hello: 'anonymous' })
      assert.equal((await fetch(`${api.url}/api/hello`, { headers: { authorization: `Bearer ${tampered}` } })).status, 401)
    })
  }
  await api.close()
}

await auth.close()
rmSync(dir, { recursive: true, force: true })
console.log(`smoke: ${passed} passed, ${failed} failed`)
process.exitCode = failed ? 1 : 0
