// Smoke test of the example: start on an ephemeral port, sign in, get a token from
// /api/auth/token, verify it against the JWKS, stop. Prints one line a step (../node-api's smoke
// test runs the APIs that verify these tokens, with their refusals).
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLocalJwks } from 'authjwt'
import { startServer } from './server.mjs'

const dir = mkdtempSync(join(tmpdir(), 'authjwt-example-'))
const keysFile = join(dir, 'jwks.json')
const { url, close } = await startServer({ port: 0, keysFile })
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

let cookie
let headerToken
await step('sign in creates a session and returns set-auth-jwt', async () => {
  const res = await fetch(`${url}/api/auth/sign-in`, { method: 'POST', body: JSON.stringify({ email: 'ada@example.com' }) })
  assert.equal(res.status, 200)
  cookie = res.headers.get('set-cookie').split(';')[0]
  headerToken = res.headers.get('set-auth-jwt')
  assert.ok(headerToken)
  assert.match(res.headers.get('access-control-expose-headers'), /set-auth-jwt/)
})
let token
await step('GET /api/auth/token answers { token } with the session, 401 without', async () => {
  assert.equal((await fetch(`${url}/api/auth/token`)).status, 401)
  const res = await fetch(`${url}/api/auth/token`, { headers: { cookie } })
  assert.equal(res.status, 200)
  ;({ token } = await res.json())
  assert.equal(token.split('.').length, 3)
})
await step('GET /api/auth/jwks serves one key with Cache-Control', async () => {
  const res = await fetch(`${url}/api/auth/jwks`)
  assert.ok(res.headers.get('cache-control'))
  assert.equal((await res.json()).keys.length, 1)
})
await step('the token and the set-auth-jwt token verify against the published JWKS', async () => {
  const keys = createLocalJwks(await (await fetch(`${url}/api/auth/jwks`)).json())
  for (const t of [token, headerToken]) {
    const { payload } = keys.verifySync(t, { issuer: url, audience: url })
    assert.equal(payload.email, 'ada@example.com')
  }
})
await step('the key sits sealed in the file store (no private key in clear)', async () => {
  const rows = JSON.parse(readFileSync(keysFile, 'utf8'))
  assert.equal(rows.length, 1)
  assert.equal(JSON.parse(rows[0].privateKey).alg, 'A256GCM')
  assert.ok(!rows[0].privateKey.includes('"d"'))
})

await close()
rmSync(dir, { recursive: true, force: true })
console.log(`smoke: ${passed} passed, ${failed} failed`)
process.exitCode = failed ? 1 : 0
