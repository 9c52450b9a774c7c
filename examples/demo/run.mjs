// The cross-runtime demo, driven by ../../demo.sh once the packages are built: the Node example
// auth server issues tokens and serves its JWKS; the Python example service and the Kotlin example
// verify them against that JWKS; then rotation, tampering and expiry are shown. Every step prints
// one line; the exit code is 0 only if every check held. Every process started is stopped.
//
// Environment (set by demo.sh): PYTHON (a python with the authjwt wheel installed), KOTLIN_CP (the
// Kotlin example's classpath; the authjwt JAR carries the native library), ALG (default EdDSA),
// DATABASE_URL (optional: keys in PostgreSQL instead of the file store).
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const alg = process.env.ALG ?? 'EdDSA'
const adminToken = `demo-admin-${process.pid}`
const workDir = mkdtempSync(join(tmpdir(), 'authjwt-demo-'))
const keysFile = join(workDir, 'jwks.json')
const children = []
let failures = 0

function step(ok, text) {
  console.log(`${ok ? '✔' : '✘'} ${text}`)
  if (!ok) failures += 1
  return ok
}

async function freePort() {
  const srv = createServer()
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const { port } = srv.address()
  await new Promise((resolve) => srv.close(resolve))
  return port
}

function start(name, command, args, env) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (d) => { output += d })
  child.stderr.on('data', (d) => { output += d })
  children.push({ name, child, output: () => output })
  return child
}

async function waitFor(url, what) {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url)
      if (res.ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${what} did not come up at ${url}`)
}

function run(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { out += d })
    child.on('close', (code) => resolve({ code, out: out.trim() }))
  })
}

const lastLine = (text) => text.split('\n').pop()
const kidOf = (token) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url')).kid
const tamper = (token) => {
  const [h, p, s] = token.split('.')
  const claims = JSON.parse(Buffer.from(p, 'base64url'))
  claims.sub = 'someone-else'
  return [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), s].join('.')
}

// The rows as they sit in storage: the file store's JSON, or the `jwks` table.
async function storedRows() {
  if (!process.env.DATABASE_URL) return JSON.parse(readFileSync(keysFile, 'utf8'))
  const { default: pg } = await import(join(root, 'examples/node-auth-server/node_modules/pg/lib/index.js'))
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL })
  await client.connect()
  try {
    return (await client.query('SELECT id, "privateKey" FROM jwks')).rows
  } finally {
    await client.end()
  }
}

async function main() {
  const authPort = await freePort()
  const apiPort = await freePort()
  const origin = `http://127.0.0.1:${authPort}`
  const jwksUrl = `${origin}/api/auth/jwks`

  // 1. The Node auth server.
  start('node auth server', process.execPath, [join(root, 'examples/node-auth-server/server.mjs')], {
    PORT: String(authPort), HOST: '127.0.0.1', ALG: alg, ADMIN_TOKEN: adminToken,
    AUTH_SECRET: 'demo secret: a long random value in real life', KEYS_FILE: keysFile,
  })
  await waitFor(jwksUrl, 'the Node auth server')
  const jwks = await (await fetch(jwksUrl)).json()
  const current = jwks.keys.filter((key) => key.alg === alg).pop()
  step(Boolean(current), `Node auth server up on ${origin}, ${alg} key ${current?.kid} published at /api/auth/jwks` +
    (process.env.DATABASE_URL ? ' (keys in PostgreSQL)' : ''))

  // 2. Sign in: the token rides along in `set-auth-jwt`, as with Better Auth's jwt plugin.
  const signIn = await fetch(`${origin}/api/auth/sign-in`, {
    method: 'POST', body: JSON.stringify({ email: 'ada@example.com' }), headers: { 'content-type': 'application/json' },
  })
  const cookie = signIn.headers.get('set-cookie')?.split(';')[0] ?? ''
  const token1 = signIn.headers.get('set-auth-jwt') ?? ''
  step(signIn.ok && token1.split('.').length === 3, `signed in ada@example.com: token with kid ${kidOf(token1)}`)

  // 3. The Python service verifies it against the JWKS URL.
  start('python service', process.env.PYTHON ?? 'python3', [join(root, 'examples/python-service/api_server.py'), String(apiPort)], {
    JWKS_URL: jwksUrl, ISSUER: origin, AUDIENCE: origin, JWKS_COOLDOWN: '0', QUIET: '1',
  })
  const apiUrl = `http://127.0.0.1:${apiPort}`
  await waitFor(`${apiUrl}/health`, 'the Python service')
  const pyVerify = async (token) => {
    const res = await fetch(`${apiUrl}/api/me`, { headers: { authorization: `Bearer ${token}` } })
    return { status: res.status, body: await res.json(), challenge: res.headers.get('www-authenticate') ?? '' }
  }
  let r = await pyVerify(token1)
  step(r.status === 200 && r.body.claims?.email === 'ada@example.com', `Python service verified the token: sub ${r.body.sub}`)

  // 4. The Kotlin example verifies it too.
  const ktVerify = (token) => run('java', [
    '-cp', process.env.KOTLIN_CP,
    'dev.authjwt.examples.VerifyTokenKt', jwksUrl, token, origin, origin,
  ])
  let k = await ktVerify(token1)
  step(k.code === 0, `Kotlin example verified the token (${lastLine(k.out).split(', header')[0]})`)

  // 5. The sealed row as it sits in storage.
  const row = (await storedRows()).find((r) => r.id === kidOf(token1)) ?? { id: '?', privateKey: '{}' }
  const sealed = JSON.parse(row.privateKey)
  step(sealed.v === 2 && sealed.alg === 'A256GCM' && !('d' in sealed) && !row.privateKey.includes('"d"'),
    `stored row ${row.id}: privateKey sealed (${row.privateKey.slice(0, 60)}...), no private key in clear`)

  // 6. Rotate: a new kid signs; the old key stays published for the grace period.
  const rotated = await (await fetch(`${origin}/api/admin/rotate`, { method: 'POST', headers: { 'x-admin-token': adminToken } })).json()
  const token2 = (await (await fetch(`${origin}/api/auth/token`, { headers: { cookie } })).json()).token ?? ''
  step(rotated.kid && kidOf(token2) === rotated.kid && rotated.kid !== kidOf(token1),
    `rotated: new tokens carry kid ${rotated.kid} (was ${kidOf(token1)})`)
  const published = (await (await fetch(jwksUrl)).json()).keys.map((key) => key.kid)
  step(published.includes(kidOf(token1)) && published.includes(rotated.kid), `JWKS publishes both keys during the grace period: ${published.join(', ')}`)
  r = await pyVerify(token2)
  step(r.status === 200, `Python service verified the new token (kid ${kidOf(token2)}, fetched the rotated JWKS)`)
  r = await pyVerify(token1)
  k = await ktVerify(token1)
  step(r.status === 200 && k.code === 0, 'the token of the old key still verifies in Python and Kotlin (grace period)')

  // 7. A tampered token and an expired one are refused, with their codes.
  r = await pyVerify(tamper(token2))
  k = await ktVerify(tamper(token2))
  step(r.status === 401 && r.challenge.includes('error="invalid_token"') && r.body.detail === "the token's signature is invalid" &&
    k.code === 1 && k.out.includes('ERR_JWS_SIGNATURE_VERIFICATION_FAILED'),
  `tampered token refused: Python 401 (WWW-Authenticate: ${r.challenge}), ${lastLine(k.out)}`)
  const expired = (await (await fetch(`${origin}/api/admin/token`, {
    method: 'POST', headers: { 'x-admin-token': adminToken, 'content-type': 'application/json' },
    body: JSON.stringify({ sub: 'ada', expirationTime: '-1 minute' }),
  })).json()).token
  r = await pyVerify(expired)
  k = await ktVerify(expired)
  step(r.status === 401 && r.body.detail === 'the token has expired' && k.code === 1 && k.out.includes('ERR_JWT_EXPIRED'),
    `expired token refused: Python 401 "${r.body.detail}", ${lastLine(k.out)}`)
}

try {
  await main()
} catch (err) {
  step(false, `demo stopped: ${err.message}`)
  for (const { name, output } of children) console.error(`--- ${name} output:\n${output()}`)
} finally {
  for (const { child } of children) child.kill('SIGTERM')
  rmSync(workDir, { recursive: true, force: true })
}
console.log(failures === 0 ? 'demo: every check held' : `demo: ${failures} check(s) failed`)
process.exit(failures === 0 ? 0 : 1)
