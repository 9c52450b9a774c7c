// A fleet of verifiers across scheduled rotations (a program that prints figures, never a test).
// Two issuers run side by side for the same minutes, each behind its own HTTP server on
// 127.0.0.1 that serves its JWKS (counting every request, per verifier) and fresh tokens:
//   authjwt      an Issuer rotating every 30 s with a 15 s rotationLead, its JWKS served with
//                issuer.jwksCacheControl() and an ETag (jwksResponse); 20 verifiers: authjwt's
//                createRemoteJwks (Node) and RemoteKeySet (Python, bench/rotation_fleet_worker.py)
//                in several processes, with warm caches that honour Cache-Control;
//   Better Auth  Better Auth's own jwt() plugin (better-auth from npm/bench/node_modules, memory
//                adapter, rotationInterval 30 s) through auth.handler; 20 verifiers: jose's
//                createRemoteJWKSet (its defaults) in several processes;
// and, on each, one verifier that never refetches on an unknown kid (a JWKS behind a CDN: it
// fetches when its copy is past the answer's max-age, 300 s when there is none, and verifies with
// jose's createLocalJWKSet).
//
//   node bench/rotation-fleet.mjs [--minutes 5] [--quick] [--python /path/to/python]
// --quick is --minutes 1 (a smoke run); the default, 5 minutes, is what issue 19 asks for. The
// Python verifiers need a Python with the authjwt wheel (--python or BENCH_PYTHON; without one
// the authjwt fleet runs 20 Node verifiers and says so).
//
// Every JWKS request is classed by the server: "cold" (the verifier's first), "unknown kid" (the
// body it last received lacked the kid the issuer was signing with, and its copy was younger than
// 3/4 of the lifetime it gives a copy: a refetch a new kid forced), else "scheduled".
// Rejected: valid, fresh tokens a verifier refused.
import http from 'node:http'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import { loadavg, cpus } from 'node:os'
import { Issuer, jwksResponse } from '../npm/index.mjs'
import { importJose, importBetterAuth } from '../npm/bench/peer-imports.mjs'
import { spawnReportingWorker } from '../tests/fleet/reporting-worker.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
const arg = (name) => {
  const i = process.argv.indexOf(name)
  return i < 0 ? undefined : process.argv[i + 1]
}
const INTERVAL_S = 30
const LEAD_S = 15
const AUDIENCE = 'https://api.example.com'
const TOKEN_EVERY_MS = 250 // each worker process takes a fresh token this often; all its verifiers verify it
const NO_MAX_AGE_S = 300 // the never-refetching verifier's lifetime when an answer has no max-age
const JOSE_CACHE_MAX_AGE_MS = 600_000 // jose's default cacheMaxAge (it does not read Cache-Control)
const AUTHJWT_CACHE_MIN_AGE_MS = 1000 // so the served max-age (7 s) applies; the default 60 s would lift it

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const kidOf = (token) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url')).kid
const maxAgeOf = (cacheControl) => {
  const m = /(?:^|[,\s])max-age=(\d+)/i.exec(cacheControl ?? '')
  return m ? Number(m[1]) : null
}

// ---- worker (a child process): `node rotation-fleet.mjs --worker <config JSON>` ------------------
// The protocol of tests/fleet: prints {"ready":true}, waits for a `go` line, verifies fresh tokens
// until durationMs is over, prints one {"report":true,...} line and exits 0.
async function runWorker(config) {
  const jose = await importJose()
  const verifiers = []
  for (let i = 0; i < config.instances; i++) {
    const url = `${config.jwksUrl}?v=${config.workerId}-${i}`
    const checks = { issuer: config.issuer, audience: config.audience }
    if (config.kind === 'authjwt') {
      const { createRemoteJwks } = await import('../npm/index.mjs')
      const jwks = createRemoteJwks(url, { cacheMinAge: AUTHJWT_CACHE_MIN_AGE_MS })
      verifiers.push((token) => jwks.verify(token, checks))
    } else if (config.kind === 'jose') {
      const jwks = jose.createRemoteJWKSet(new URL(url))
      verifiers.push((token) => jose.jwtVerify(token, jwks, checks))
    } else if (config.kind === 'no-refetch') {
      verifiers.push(neverRefetching(url, jose, checks))
    } else throw new Error(`unknown worker kind ${config.kind}`)
  }
  const fetchToken = async () => (await fetch(config.tokenUrl)).text()
  // Warm: every verifier has fetched once before the clock starts.
  const first = await fetchToken()
  await Promise.allSettled(verifiers.map((verify) => verify(first)))
  console.log(JSON.stringify({ ready: true }))
  const lines = createInterface({ input: process.stdin })
  await new Promise((resolve) => lines.once('line', resolve))
  lines.close()

  let verified = 0
  let rejected = 0
  const codes = {}
  const firstFailures = []
  const end = Date.now() + config.durationMs
  while (Date.now() < end) {
    const next = Date.now() + TOKEN_EVERY_MS
    const token = await fetchToken()
    const results = await Promise.allSettled(verifiers.map((verify) => verify(token)))
    for (const r of results) {
      if (r.status === 'fulfilled') verified++
      else {
        rejected++
        const code = r.reason?.code ?? r.reason?.name ?? 'error'
        codes[code] = (codes[code] ?? 0) + 1
        if (firstFailures.length < 3) firstFailures.push({ kid: kidOf(token), code, message: String(r.reason?.message ?? r.reason) })
      }
    }
    await sleep(Math.max(0, next - Date.now()))
  }
  console.log(JSON.stringify({ report: true, workerId: config.workerId, kind: config.kind, instances: config.instances, verified, rejected, codes, firstFailures }))
}

/** A verifier that refreshes its copy only when it is past its max-age; an unknown kid fails. */
function neverRefetching(url, jose, checks) {
  let keys = null
  let freshUntil = 0
  let loading = null
  const load = async () => {
    const res = await fetch(url)
    const body = await res.json()
    keys = jose.createLocalJWKSet(body)
    freshUntil = Date.now() + (maxAgeOf(res.headers.get('cache-control')) ?? NO_MAX_AGE_S) * 1000
  }
  return async (token) => {
    if (!keys || Date.now() >= freshUntil) {
      loading ??= load().finally(() => (loading = null))
      await loading
    }
    return jose.jwtVerify(token, keys, checks)
  }
}

// ---- issuers and their servers -------------------------------------------------------------------
/**
 * An HTTP server on 127.0.0.1: `GET /jwks?v=<verifier>` answered by `jwks(request)` (a Response-
 * like { status, headers, body }), `GET /token` by `token()`. Counts and classes every JWKS request.
 */
async function startServer(name, lifetimeOf) {
  const verifiers = new Map() // id -> { lastAt, kids, lifetimeMs }
  const requests = [] // { verifier, class, status }
  const issued = [] // kids in the order they started signing, with when
  let signingKid = null
  const handlers = {}
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1')
      if (url.pathname === '/token') {
        const token = await handlers.token()
        const kid = kidOf(token)
        if (kid !== signingKid) {
          signingKid = kid
          issued.push({ kid, at: Date.now() })
        }
        res.writeHead(200, { 'content-type': 'text/plain' }).end(token)
        return
      }
      if (url.pathname !== '/jwks') {
        res.writeHead(404).end()
        return
      }
      const id = url.searchParams.get('v') ?? 'anonymous'
      const answer = await handlers.jwks(req)
      const seen = verifiers.get(id)
      const now = Date.now()
      let klass = 'cold'
      if (seen) {
        const young = now - seen.lastAt < 0.75 * seen.lifetimeMs
        klass = young && signingKid !== null && !seen.kids.has(signingKid) ? 'unknown kid' : 'scheduled'
      }
      const kids = answer.status === 200 ? new Set(JSON.parse(answer.body).keys.map((k) => k.kid)) : seen?.kids ?? new Set()
      const maxAge = maxAgeOf(answer.headers['cache-control'])
      verifiers.set(id, { lastAt: now, kids, lifetimeMs: lifetimeOf(id, maxAge) })
      requests.push({ verifier: id, class: klass, status: answer.status })
      res.writeHead(answer.status, answer.headers).end(answer.body ?? undefined)
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e?.message ?? e))
    }
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${server.address().port}`
  return { name, server, base, handlers, requests, issued, verifiers }
}

/** The lifetime a verifier gives a copy: by its kind (the worker id's prefix). */
function lifetimeFor(id, maxAge) {
  if (id.startsWith('jose')) return JOSE_CACHE_MAX_AGE_MS
  if (id.startsWith('no-refetch')) return (maxAge ?? NO_MAX_AGE_S) * 1000
  // authjwt: the served max-age within [cacheMinAge, cacheMaxAgeLimit]; 10 min without one.
  return maxAge === null ? 600_000 : Math.max(AUTHJWT_CACHE_MIN_AGE_MS, maxAge * 1000)
}

async function authjwtIssuer(secret) {
  const s = await startServer('authjwt', lifetimeFor)
  const issuer = new Issuer({ secret, rotationInterval: INTERVAL_S, rotationLead: LEAD_S, issuer: s.base, audience: AUDIENCE })
  s.handlers.token = () => issuer.sign({ sub: 'user_fleet' })
  s.handlers.jwks = async (req) => jwksResponse(await issuer.jwks(), { ifNoneMatch: req.headers['if-none-match'], cacheControl: issuer.jwksCacheControl() })
  s.checks = { issuer: s.base, audience: AUDIENCE }
  s.cacheControl = issuer.jwksCacheControl()
  return s
}

async function betterAuthIssuer(secret) {
  const s = await startServer('Better Auth', lifetimeFor)
  const { betterAuth, memoryAdapter, jwt } = await importBetterAuth()
  const auth = betterAuth({
    baseURL: s.base,
    secret,
    database: memoryAdapter({ user: [], session: [], account: [], verification: [], jwks: [] }),
    emailAndPassword: { enabled: true },
    logger: { level: 'error' },
    plugins: [jwt({ jwks: { rotationInterval: INTERVAL_S }, jwt: { audience: AUDIENCE } })],
  })
  const signUp = await auth.handler(
    new Request(`${s.base}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: s.base },
      body: JSON.stringify({ email: 'fleet@example.com', password: 'correct-horse-battery', name: 'Fleet' }),
    }),
  )
  const cookie = signUp.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  s.handlers.token = async () => {
    const res = await auth.handler(new Request(`${s.base}/api/auth/token`, { headers: { cookie } }))
    if (res.status !== 200) throw new Error(`/api/auth/token answered ${res.status}`)
    return (await res.json()).token
  }
  s.handlers.jwks = async (req) => {
    const headers = {}
    if (req.headers['if-none-match']) headers['if-none-match'] = req.headers['if-none-match']
    const res = await auth.handler(new Request(`${s.base}/api/auth/jwks`, { headers }))
    const out = {}
    res.headers.forEach((value, key) => (out[key] = value))
    return { status: res.status, headers: out, body: res.status === 304 ? null : await res.text() }
  }
  s.checks = { issuer: s.base, audience: AUDIENCE }
  const probe = await s.handlers.jwks({ headers: {} })
  s.cacheControl = probe.headers['cache-control'] ?? '(none)'
  return s
}

// ---- workers -------------------------------------------------------------------------------------
function startWorker(command, args, config) {
  const worker = spawnReportingWorker(command, args, config)
  return { ...worker, done: worker.done.then((outcome) => ({ ...config, ...outcome })) }
}

async function main() {
  const workerAt = process.argv.indexOf('--worker')
  if (workerAt >= 0) return runWorker(JSON.parse(process.argv[workerAt + 1]))

  const minutes = process.argv.includes('--quick') ? 1 : Number(arg('--minutes') ?? 5)
  if (!(minutes > 0)) throw new Error('--minutes must be a positive number')
  const durationMs = Math.round(minutes * 60_000)
  const python = arg('--python') ?? process.env.BENCH_PYTHON
  const secret = randomBytes(32).toString('hex')
  const load0 = loadavg()
  const [ours, theirs] = await Promise.all([authjwtIssuer(secret), betterAuthIssuer(secret)])

  const node = [process.execPath, [fileURLToPath(import.meta.url), '--worker']]
  const py = python ? [python, [`${here}rotation_fleet_worker.py`]] : null
  // 20 verifiers per fleet, 5 per process; the authjwt fleet half Node, half Python.
  const plan = [
    ...[0, 1].map((i) => ({ fleet: ours, kind: 'authjwt', runner: node, workerId: `authjwt-node-${i}`, instances: 5 })),
    ...[0, 1].map((i) => ({ fleet: ours, kind: py ? 'authjwt-python' : 'authjwt', runner: py ?? node, workerId: py ? `authjwt-python-${i}` : `authjwt-node-${i + 2}`, instances: 5 })),
    { fleet: ours, kind: 'no-refetch', runner: node, workerId: 'no-refetch-a', instances: 1 },
    ...[0, 1, 2, 3].map((i) => ({ fleet: theirs, kind: 'jose', runner: node, workerId: `jose-${i}`, instances: 5 })),
    { fleet: theirs, kind: 'no-refetch', runner: node, workerId: 'no-refetch-b', instances: 1 },
  ]
  const workers = plan.map((p) =>
    startWorker(p.runner[0], p.runner[1], {
      kind: p.kind,
      workerId: p.workerId,
      instances: p.instances,
      jwksUrl: `${p.fleet.base}/jwks`,
      tokenUrl: `${p.fleet.base}/token`,
      issuer: p.fleet.checks.issuer,
      audience: p.fleet.checks.audience,
      durationMs,
      tokenEveryMs: TOKEN_EVERY_MS,
      cacheMinAgeS: AUTHJWT_CACHE_MIN_AGE_MS / 1000,
    }),
  )
  const killAll = () => workers.forEach((w) => w.child.kill('SIGKILL'))
  process.on('exit', killAll)
  setTimeout(() => {
    console.error('rotation-fleet: gave up (workers did not finish in time)')
    process.exit(1)
  }, durationMs + 120_000).unref()
  await Promise.all(workers.map((w) => w.ready))
  const started = Date.now()
  for (const w of workers) w.child.stdin.write('go\n')
  const results = await Promise.all(workers.map((w) => w.done))
  const elapsedS = (Date.now() - started) / 1000
  for (const s of [ours, theirs]) s.server.close()
  const broken = results.filter((r) => r.code !== 0 || !r.report)
  for (const r of broken) console.error(`rotation-fleet: worker ${r.workerId} exited ${r.code} without a report`)

  // ---- the report ----
  const row = (fleet, kinds, label) => {
    const rs = results.filter((r) => kinds.includes(r.kind) && r.jwksUrl === `${fleet.base}/jwks` && r.report)
    const ids = new Set(rs.flatMap((r) => Array.from({ length: r.instances }, (_, i) => `${r.workerId}-${i}`)))
    const reqs = fleet.requests.filter((q) => ids.has(q.verifier))
    const count = (klass) => reqs.filter((q) => q.class === klass).length
    const codes = {}
    for (const r of rs) for (const [c, n] of Object.entries(r.report.codes)) codes[c] = (codes[c] ?? 0) + n
    return {
      label,
      verifiers: ids.size,
      processes: rs.length,
      verified: rs.reduce((n, r) => n + r.report.verified, 0),
      rejected: rs.reduce((n, r) => n + r.report.rejected, 0),
      codes: Object.entries(codes).map(([c, n]) => `${c} ×${n}`).join(', ') || '—',
      cold: count('cold'),
      scheduled: count('scheduled'),
      unknownKid: count('unknown kid'),
      notModified: reqs.filter((q) => q.status === 304 && q.class !== 'cold').length,
    }
  }
  const rotationsOf = (s) => s.issued.filter((x) => x.at >= started).length
  const rows = [
    row(ours, ['authjwt'], 'authjwt issuer → authjwt createRemoteJwks (Node)'),
    row(ours, ['authjwt-python'], 'authjwt issuer → authjwt RemoteKeySet (Python)'),
    row(ours, ['no-refetch'], 'authjwt issuer → never refetches on unknown kid'),
    row(theirs, ['jose'], 'Better Auth jwt() → jose createRemoteJWKSet'),
    row(theirs, ['no-refetch'], 'Better Auth jwt() → never refetches on unknown kid'),
  ].filter((r) => r.verifiers > 0)

  const out = []
  out.push('## Fleet across scheduled rotations')
  out.push('')
  out.push(
    `${elapsedS.toFixed(0)} s (${minutes} min asked), rotation every ${INTERVAL_S} s; Node ${process.versions.node}, ${cpus().length} cores shared with other builds (load average ${load0.map((l) => l.toFixed(2)).join(' ')} at the start, ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end). Both issuers and all ${results.length} worker processes ran at the same time; each worker takes a fresh token every ${TOKEN_EVERY_MS} ms and all its verifiers verify it.`,
  )
  out.push('')
  out.push(`- authjwt Issuer: rotationInterval ${INTERVAL_S} s, rotationLead ${LEAD_S} s, JWKS \`Cache-Control: ${ours.cacheControl}\` + ETag; new signing kids seen at /token during the run: ${rotationsOf(ours)}.`)
  out.push(`- Better Auth jwt() (better-auth 1.7.25): jwks.rotationInterval ${INTERVAL_S} s, its /api/auth/jwks \`Cache-Control: ${theirs.cacheControl}\`; new signing kids seen: ${rotationsOf(theirs)}.`)
  out.push(`- authjwt verifiers: createRemoteJwks(url, { cacheMinAge: ${AUTHJWT_CACHE_MIN_AGE_MS} }) / RemoteKeySet(url, cache_min_age=${AUTHJWT_CACHE_MIN_AGE_MS / 1000}) so the served max-age applies (the default cacheMinAge, 60 s, would lift it above the lead); other options default.`)
  out.push(`- jose verifiers: createRemoteJWKSet(url) with its defaults (cacheMaxAge 10 min, cooldown 30 s; jose does not read Cache-Control).`)
  out.push(`- never refetches: fetches when its copy is past the answer's max-age (${NO_MAX_AGE_S} s without one), verifies with jose's createLocalJWKSet; a token with a kid it lacks fails.`)
  if (!py) out.push('- no Python given (--python): the authjwt fleet ran 20 Node verifiers.')
  out.push('')
  out.push('| issuer → verifiers | verifiers (processes) | verifications | valid tokens rejected | rejection codes | JWKS requests: cold | scheduled refreshes | caused by an unknown kid | of the refetches, 304 |')
  out.push('|---|---:|---:|---:|---|---:|---:|---:|---:|')
  for (const r of rows) {
    out.push(`| ${r.label} | ${r.verifiers} (${r.processes}) | ${r.verified + r.rejected} | ${r.rejected} | ${r.codes} | ${r.cold} | ${r.scheduled} | ${r.unknownKid} | ${r.notModified} |`)
  }
  out.push('')
  out.push(
    'Classes: cold = a verifier\'s first request (before the clock starts); unknown kid = the body that verifier last received lacked the kid the issuer was signing with and its copy was younger than 3/4 of the lifetime it gives one; scheduled = the rest. Goal (issue 19): 0 rejected and 0 caused by an unknown kid for the authjwt fleet.',
  )
  console.log(out.join('\n'))
  if (broken.length) process.exitCode = 1
}

await main()
