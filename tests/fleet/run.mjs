// A fleet over one Redis: 20 remote key sets spread over several OS processes, each with a shared
// cache in one Redis (a real redis-server started here on 127.0.0.1, stopped at the end), one
// JWKS server on loopback answering `Cache-Control: max-age=2` and counting its fetches. Every
// worker verifies fresh tokens for several refresh windows. It must show one fetch per refresh
// window for the whole fleet (plus the cold one) and no failed verification.
//
// Worker kinds: one entry in WORKER_KINDS (command + args; the config JSON is appended). Which
// processes run: FLEET_WORKERS, e.g. `node:4` (default) or `node:2,python:2`. The protocol a worker
// follows is in worker.mjs and /work/notes/fleet-api.md. REDIS_SERVER names the redis-server binary.
// Prints the figures and a closing `N passed, N failed` line; exits 1 on a failure.
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import { join } from 'node:path'
import { createClient } from 'redis'
import { Issuer } from '../../npm/index.mjs'
import { spawnReportingWorker } from './reporting-worker.mjs'

const here = new URL('.', import.meta.url).pathname
const WORKER_KINDS = {
  node: { command: process.execPath, args: [join(here, 'worker.mjs')] },
  // A Python with the authjwt wheel and redis (suite 72's venv): FLEET_PYTHON.
  python: { command: process.env.FLEET_PYTHON ?? 'python3', args: [join(here, 'worker.py')] },
}
const INSTANCES = 20
const MAX_AGE_S = 2 // the JWKS server's Cache-Control max-age: one refresh window
const LIFETIME_MS = MAX_AGE_S * 1000
const REFRESH_LEAD_MS = LIFETIME_MS / 5 // the core's refresh_lead: a fifth of the lifetime
const DURATION_MS = 5 * LIFETIME_MS + 1000 // five refresh windows and a bit
const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const children = new Set()
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})
// Nothing here may hang a test run.
setTimeout(() => {
  console.error('fleet test: gave up after 120 s')
  process.exit(1)
}, 120_000).unref()

let passed = 0
let failed = 0
function check(ok, what) {
  if (ok) passed++
  else failed++
  console.log(`${ok ? 'ok' : 'FAIL'} - ${what}`)
}

async function freePort() {
  const server = createTcpServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** A redis-server on 127.0.0.1 with no persistence, answering PING. */
async function startRedis() {
  const port = await freePort()
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  children.add(child)
  const url = `redis://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    const client = createClient({ url, socket: { reconnectStrategy: false } })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.ping()
      return { url, client, child }
    } catch {
      await sleep(100)
    }
  }
  throw new Error(`redis-server did not answer on ${url}`)
}

/** The JWKS (counting fetches, with their times) and a /token endpoint handing out fresh tokens. */
async function startJwksServer(issuer) {
  const fetches = []
  const body = JSON.stringify(await issuer.jwks())
  const server = createServer(async (req, res) => {
    if (req.url === '/token') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(await issuer.sign({ sub: 'fleet-user' }))
      return
    }
    fetches.push({ at: Date.now(), conditional: req.headers['if-none-match'] !== undefined })
    const headers = { etag: '"fleet-v1"', 'cache-control': `max-age=${MAX_AGE_S}` }
    if (req.headers['if-none-match'] === '"fleet-v1"') res.writeHead(304, headers).end()
    else res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(body)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, fetches, base: `http://127.0.0.1:${server.address().port}` }
}

/** `node:4,python:2` as [{ kind, workerId }], every kind known. */
function plannedWorkers() {
  const plan = []
  for (const part of (process.env.FLEET_WORKERS ?? 'node:4').split(',')) {
    const [kind, count = '1'] = part.trim().split(':')
    if (!(kind in WORKER_KINDS)) throw new Error(`unknown worker kind ${kind} (known: ${Object.keys(WORKER_KINDS).join(', ')})`)
    for (let i = 0; i < Number(count); i++) plan.push({ kind, workerId: `${kind}-${i}` })
  }
  return plan
}

/** Starts a worker and resolves once it printed {"ready":true}; `done` resolves with its report. */
function startWorker({ kind, workerId }, config) {
  const { command, args } = WORKER_KINDS[kind]
  const worker = spawnReportingWorker(command, args, { ...config, workerId })
  children.add(worker.child)
  const done = worker.done.then(({ code, report }) => {
    children.delete(worker.child)
    return { workerId, code, report }
  })
  return { child: worker.child, ready: worker.ready, done }
}

const redis = await startRedis()
const issuer = new Issuer({ secret: 'fleet test secret: long enough and used only here, 0123' })
const jwks = await startJwksServer(issuer)
const plan = plannedWorkers()
const config = {
  jwksUrl: `${jwks.base}/jwks`,
  tokenUrl: `${jwks.base}/token`,
  redisUrl: redis.url,
  cacheKey: 'authjwt:jwks:fleet',
  cacheMinAgeMs: 1000,
  cacheMaxAgeMs: LIFETIME_MS,
  durationMs: DURATION_MS,
  verifyEveryMs: 50,
  tokenEveryMs: 500,
}
console.log(`redis-server ${redis.url}, JWKS ${config.jwksUrl}, ${INSTANCES} key sets in ${plan.length} processes (${plan.map((p) => p.kind).join(', ')}), max-age ${MAX_AGE_S} s, ${DURATION_MS} ms`)

const workers = plan.map((p, i) => {
  const instances = Math.floor(INSTANCES / plan.length) + (i < INSTANCES % plan.length ? 1 : 0)
  return startWorker(p, { ...config, instances })
})
await Promise.all(workers.map((w) => w.ready))
const started = Date.now()
for (const w of workers) w.child.stdin.write('go\n')
const results = await Promise.all(workers.map((w) => w.done))

jwks.server.close()
await redis.client.quit()
redis.child.kill('SIGTERM')

// Figures.
const times = jwks.fetches.map((f) => f.at - started)
const gaps = times.slice(1).map((t, i) => t - times[i])
const reports = results.map((r) => r.report).filter(Boolean)
const sum = (f) => reports.reduce((n, r) => n + f(r), 0)
const eventTotal = (name) => sum((r) => r.events[name] ?? 0)
console.log(`fetches at (ms after go): ${times.join(', ')}; gaps: ${gaps.join(', ')}`)
console.log(`conditional (304-capable) refetches: ${jwks.fetches.filter((f) => f.conditional).length} of ${jwks.fetches.length}`)
for (const r of reports) console.log(`${r.workerId}: ${r.instances} key sets, ${r.verified} verified, ${r.failed} failed, events ${JSON.stringify(r.events)}`)
console.log(`without the shared cache each of the ${INSTANCES} key sets would fetch in every window (~${INSTANCES * (1 + Math.floor(DURATION_MS / (LIFETIME_MS - REFRESH_LEAD_MS)))} fetches)`)

// What must hold.
for (const r of results) check(r.code === 0 && r.report !== null, `${r.workerId} ran and reported (exit ${r.code})`)
check(sum((r) => r.instances) === INSTANCES, `${INSTANCES} key sets ran`)
check(sum((r) => r.verified) > 0, `${sum((r) => r.verified)} verifications`)
check(sum((r) => r.failed) === 0, `no failed verification (${sum((r) => r.failed)}; first: ${JSON.stringify(reports.flatMap((r) => r.failures)[0] ?? null)})`)
// The fleet's next fetch cannot start before the last fetched set entered its refresh lead
// (lifetime - lead after that fetch's answer): a shorter gap is a second fetch in one window.
const minGap = LIFETIME_MS - REFRESH_LEAD_MS
check(gaps.every((g) => g >= minGap - 20), `one fetch per refresh window: every gap between fleet fetches >= ${minGap} ms (smallest ${Math.min(...gaps)})`)
check(jwks.fetches.length >= 3, `the set was refreshed in several windows (${jwks.fetches.length - 1} refreshes after the cold fetch)`)
check(eventTotal('jwks.fetched') + eventTotal('jwks.not_modified') === jwks.fetches.length, 'every server fetch was a key set fetch that succeeded')
check(eventTotal('jwks.cache_loaded') > 0, `instances took the shared entry (${eventTotal('jwks.cache_loaded')} jwks.cache_loaded)`)
check(eventTotal('jwks.cache_failed') === 0 && eventTotal('jwks.cache_rejected') === 0, 'no cache failure or rejected entry')

console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
