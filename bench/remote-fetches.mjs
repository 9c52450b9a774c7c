// Fetches per scenario, remote key sets (a program that prints figures, never a test):
// authjwt's createRemoteJwks, jose's createRemoteJWKSet and, through bench/remote_fetches.py,
// authjwt's RemoteKeySet / AsyncRemoteKeySet and PyJWT's PyJWKClient, all against ONE JWKS
// server on 127.0.0.1 started here. The server counts the requests of each library (each has its
// own path, so they run side by side under the same conditions) and can be switched to down
// (nothing listening: connection refused) or to answering 500. Figures are counts, not timings.
//
// Scenarios (every one starts with fresh, cold key sets; the server sends Cache-Control: max-age=2):
//   cold burst   1,000 concurrent verifications on a cold set;
//   steady       a verification every 50 ms for 10 refresh windows (20 s);
//   down         the same trickle for 12 s, the server down (connection refused) from 1 s to 9 s;
//   500          the same, the server answering 500 from 1 s to 9 s;
//   rotation     one verification, 1.2 s later a new kid is published and 1,000 concurrent
//                verifications of tokens signed with it follow.
//
//   node bench/remote-fetches.mjs [--python .cache/python-bench/bin/python]
// Needs the built addon (npm/authjwt.*.node), jose from npm/bench/node_modules, and for the
// Python rows a Python with the authjwt wheel and PyJWT (bench/run.sh's bench venv).
import http from 'node:http'
import { createHash, generateKeyPairSync } from 'node:crypto'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { loadavg } from 'node:os'
import { createRemoteJwks } from '../npm/index.mjs'
import { importJose } from '../npm/bench/peer-imports.mjs'

const { SignJWT, createRemoteJWKSet, jwtVerify, exportJWK } = await importJose()

const ISS = 'https://auth.example.com'
const AUD = 'https://api.example.com'
const MAX_AGE_S = 2
const TRICKLE_MS = 50
const BURST = 1000
const arg = (name) => {
  const i = process.argv.indexOf(name)
  return i < 0 ? undefined : process.argv[i + 1]
}
const python = arg('--python') ?? process.env.BENCH_PYTHON

// The cache options given each library: its closest equivalent of "fresh for the server's 2 s,
// 1 s cooldown for unknown kids"; everything else is the library's default.
const CONFIG = {
  'authjwt (Node)': `createRemoteJwks(url, { cacheMinAge: 1000, cacheMaxAge: 2000, cooldownDuration: 1000 }): the server's max-age=2 applies (the default cacheMinAge of 60 s would lift it); staleIfError default (1 day)`,
  'jose (Node)': `createRemoteJWKSet(url, { cacheMaxAge: 2000, cooldownDuration: 1000 }): jose does not read Cache-Control`,
}

// ---- keys and tokens --------------------------------------------------------------------------
async function keyWithKid(kid) {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }
  const token = await new SignJWT({ sub: 'user_2NfTq7XJ9kLm4PzR8wYc' })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setIssuer(ISS)
    .setAudience(AUD)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey)
  return { jwk, token }
}
const first = await keyWithKid('key-2026-11')
const rotated = await keyWithKid('key-2026-12')

// ---- the one JWKS server ------------------------------------------------------------------------
const counts = new Map() // path -> { 200, 304, 500 }
let mode = 'up' // 'up' | 'down' | '500'
let keys = [first.jwk]
const sockets = new Set()
const server = http.createServer((req, res) => {
  const entry = counts.get(req.url) ?? { 200: 0, 304: 0, 500: 0 }
  counts.set(req.url, entry)
  if (mode === '500') {
    entry[500]++
    res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error')
    return
  }
  const body = JSON.stringify({ keys })
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`
  const headers = { 'cache-control': `max-age=${MAX_AGE_S}`, etag }
  if (req.headers['if-none-match'] === etag) {
    entry[304]++
    res.writeHead(304, headers).end()
    return
  }
  entry[200]++
  res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(body)
})
server.on('connection', (socket) => {
  sockets.add(socket)
  socket.on('close', () => sockets.delete(socket))
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const port = server.address().port
const base = `http://127.0.0.1:${port}`

/** Switches the server: down closes the listener and every open connection (refused, reset). */
async function setMode(next) {
  if (next === 'down' && mode !== 'down') {
    mode = 'down'
    await new Promise((resolve) => {
      server.close(() => resolve())
      for (const s of sockets) s.destroy()
    })
  } else if (next !== 'down') {
    if (mode === 'down') await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))
    mode = next
  }
}

// ---- the Node clients -------------------------------------------------------------------------
// jose's network failures are fetch()'s TypeError: its message ("fetch failed") tells them apart.
const errorName = (e) => e?.code ?? (e instanceof TypeError ? `TypeError: ${e.message}` : e?.name ?? String(e))
const NODE_CLIENTS = {
  'authjwt (Node)': (url) => {
    const jwks = createRemoteJwks(url, { cacheMinAge: 1000, cacheMaxAge: 2000, cooldownDuration: 1000 })
    return (token) => jwks.verify(token, { issuer: ISS, audience: AUD })
  },
  'jose (Node)': (url) => {
    const jwks = createRemoteJWKSet(new URL(url), { cacheMaxAge: 2000, cooldownDuration: 1000 })
    return (token) => jwtVerify(token, jwks, { issuer: ISS, audience: AUD })
  },
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs one scenario's client side for `verify`; returns { verified, failed, errors }. */
async function runNodeScenario(scenario, verify) {
  const tally = { verified: 0, failed: 0, errors: {} }
  const one = (token) =>
    verify(token).then(
      () => void tally.verified++,
      (e) => {
        tally.failed++
        tally.errors[errorName(e)] = (tally.errors[errorName(e)] ?? 0) + 1
      },
    )
  if (scenario.kind === 'burst') {
    await Promise.all(Array.from({ length: BURST }, () => one(first.token)))
  } else if (scenario.kind === 'rotation') {
    await one(first.token)
    await sleep(scenario.rotateAfterMs + 200) // the orchestrator rotates at rotateAfterMs
    await Promise.all(Array.from({ length: BURST }, () => one(rotated.token)))
  } else {
    const pending = []
    const end = Date.now() + scenario.durationMs
    while (Date.now() < end) {
      pending.push(one(first.token))
      await sleep(TRICKLE_MS)
    }
    await Promise.all(pending)
  }
  return tally
}

// ---- the Python companion ---------------------------------------------------------------------
let child
let childLines
let pythonConfig = {}
if (python) {
  child = spawn(python, [fileURLToPath(new URL('./remote_fetches.py', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  childLines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const hello = { base, iss: ISS, aud: AUD, burst: BURST, trickleMs: TRICKLE_MS, tokens: { first: first.token, rotated: rotated.token } }
  child.stdin.write(JSON.stringify(hello) + '\n')
  pythonConfig = JSON.parse((await childLines.next()).value).config
}
async function runPythonScenario(scenario) {
  if (!child) return {}
  child.stdin.write(JSON.stringify(scenario) + '\n')
  const { value } = await childLines.next()
  return JSON.parse(value).results
}

// ---- the scenarios ----------------------------------------------------------------------------
const SCENARIOS = [
  { name: 'cold burst', slug: 'cold', kind: 'burst', what: `${BURST} concurrent verifications on a cold set` },
  { name: 'steady, 10 windows', slug: 'steady', kind: 'trickle', durationMs: 10 * MAX_AGE_S * 1000, what: `a verification every ${TRICKLE_MS} ms for ${10 * MAX_AGE_S} s` },
  { name: 'outage: down', slug: 'down', kind: 'trickle', durationMs: 12_000, outage: { mode: 'down', fromMs: 1000, toMs: 9000 }, what: 'trickle for 12 s; connection refused from 1 s to 9 s (4 windows past max-age)' },
  { name: 'outage: 500', slug: 'e500', kind: 'trickle', durationMs: 12_000, outage: { mode: '500', fromMs: 1000, toMs: 9000 }, what: 'trickle for 12 s; HTTP 500 from 1 s to 9 s' },
  { name: 'rotation', slug: 'rotation', kind: 'rotation', rotateAfterMs: 1200, what: `1 verification, new kid published 1.2 s later, then ${BURST} concurrent verifications with it` },
]

const rows = []
for (const scenario of SCENARIOS) {
  keys = [first.jwk]
  await setMode('up')
  const timers = []
  if (scenario.outage) {
    timers.push(sleep(scenario.outage.fromMs).then(() => setMode(scenario.outage.mode)))
    timers.push(sleep(scenario.outage.toMs).then(() => setMode('up')))
  }
  if (scenario.kind === 'rotation') {
    timers.push(sleep(scenario.rotateAfterMs).then(() => void (keys = [first.jwk, rotated.jwk])))
  }
  const node = Object.entries(NODE_CLIENTS).map(async ([client, make]) => [
    client,
    await runNodeScenario(scenario, make(`${base}/${scenario.slug}/${slug(client)}/jwks.json`)),
  ])
  const [nodeResults, pythonResults] = await Promise.all([Promise.all(node), runPythonScenario(scenario), ...timers])
  for (const [client, tally] of [...nodeResults, ...Object.entries(pythonResults)]) {
    const c = counts.get(`/${scenario.slug}/${slug(client)}/jwks.json`) ?? { 200: 0, 304: 0, 500: 0 }
    rows.push({ scenario: scenario.name, client, ...tally, fetched: c[200], notModified: c[304], answered500: c[500] })
  }
}
await setMode('down')
if (child) child.stdin.end()

function slug(client) {
  return client.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')
}

// ---- the report -------------------------------------------------------------------------------
const out = []
out.push('## Remote key sets: fetches per scenario')
out.push('')
out.push(`One JWKS server on 127.0.0.1 (\`Cache-Control: max-age=${MAX_AGE_S}\`, an ETag, 304 on \`If-None-Match\`), each library on its own path, all running each scenario at the same time. Load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores, shared).`)
out.push('')
out.push('Scenarios (fresh key sets in each):')
for (const s of SCENARIOS) out.push(`- **${s.name}**: ${s.what}`)
out.push('')
out.push('Options given each library (its closest equivalent of the server\'s lifetime; the rest default):')
for (const [client, text] of Object.entries({ ...CONFIG, ...pythonConfig })) out.push(`- ${client}: ${text}`)
out.push('')
out.push('Fetches are requests the server answered (200 / 304 / 500); while it is down, refused connections reach no one and are not counted. Failed: verifications of valid tokens that failed.')
out.push('')
out.push('| scenario | library | requests | 200 | 304 | 500 | verified | failed | failure codes |')
out.push('|---|---|---:|---:|---:|---:|---:|---:|---|')
for (const r of rows) {
  const codes = Object.entries(r.errors).map(([code, n]) => `${code} ×${n}`).join(', ') || '—'
  out.push(`| ${r.scenario} | ${r.client} | ${r.fetched + r.notModified + r.answered500} | ${r.fetched} | ${r.notModified} | ${r.answered500} | ${r.verified} | ${r.failed} | ${codes} |`)
}
console.log(out.join('\n'))
