// sign() latency across scheduled rotations (a program that prints figures, never a test):
// authjwt's Issuer (rotationInterval + rotationLead: the next key is generated and stored by a
// background task `rotationLead` before the switch) next to Better Auth's own jwt() plugin
// (better-auth from npm/bench/node_modules, memory adapter; it mints the next key inline, in the
// first signJWT after the current key's expiresAt) on the same schedule, for EdDSA, RS256-2048
// and RS256-4096. Goal (issue 19): authjwt's max within 2x its steady-state p99, i.e. no sign()
// pays key generation.
//
//   node bench/rotation-latency.mjs [--quick]     # ~9 min; --quick: 10 rotations per row (3 for 4096)
//
// Each (library, algorithm) cell runs in its own process with a memory store; the two libraries
// of one algorithm run at the same time (same schedule, same machine load), the algorithms one
// after the other. A cell signs one token, waits 1 ms, signs the next, for `rotations` intervals,
// and records every sign() (await included) with the kid it used, after one unmeasured interval. "At switch" is the first sign
// with a new kid; "steady" leaves out the signs within 100 ms of a switch; "> 2x" counts the
// signs slower than twice the steady p99.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { loadavg, cpus } from 'node:os'

import { randomBytes } from 'node:crypto'

// 32 random bytes in hex, the secret form authjwt recommends; both libraries get the same one.
const SECRET = process.env.ROTATION_BENCH_SECRET ?? randomBytes(32).toString('hex')
const BASE = 'http://localhost:3000'
const quick = process.argv.includes('--quick')
// Durations are whole seconds (Node truncates 0.5 to 0), and the lead must be less than the
// interval: 2 s with a 1 s lead is the shortest schedule that publishes ahead.
const ROWS = [
  { alg: 'EdDSA', keyPairConfig: { alg: 'EdDSA', crv: 'Ed25519' }, intervalS: 2, rotations: quick ? 10 : 100 },
  { alg: 'RS256-2048', keyPairConfig: { alg: 'RS256', modulusLength: 2048 }, intervalS: 2, rotations: quick ? 10 : 100 },
  // RSA-4096 generation takes 1.5-6 s on this loaded machine: a 10 s interval (5 s lead), fewer rotations.
  { alg: 'RS256-4096', keyPairConfig: { alg: 'RS256', modulusLength: 4096 }, intervalS: 10, rotations: quick ? 3 : 10 },
]
const GRACE_S = 10
const LIBRARIES = ['authjwt', 'better-auth']

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const kidOf = (token) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url')).kid
const quantile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN)

/** Keys authjwt generated inside a sign() (created but not published ahead), after the first. */
const keyEvents = { created: 0, published: 0 }
/** When authjwt published each key ahead (performance.now() at its key.published event), by kid. */
const publishedAt = new Map()
/** Better Auth: how many rows its jwks table holds. */
let keyRows = () => NaN

/** A `sign()` for `library`: authjwt's Issuer.sign, or Better Auth's auth.api.signJWT. */
async function signerFor(library, row) {
  const intervalS = row.intervalS
  if (library === 'authjwt') {
    const { Issuer } = await import('../npm/index.mjs')
    const issuer = new Issuer({
      secret: SECRET,
      keyPairConfig: row.keyPairConfig,
      rotationInterval: intervalS,
      rotationLead: intervalS / 2,
      gracePeriod: GRACE_S,
      issuer: BASE,
      audience: BASE,
      onEvent: (e) => {
        if (e.type === 'key.created') keyEvents.created++
        if (e.type === 'key.published') {
          keyEvents.published++
          publishedAt.set(e.kid, performance.now())
        }
      },
    })
    return (payload) => issuer.sign(payload)
  }
  const { importBetterAuth } = await import('../npm/bench/peer-imports.mjs')
  const { betterAuth, memoryAdapter, jwt } = await importBetterAuth()
  const tables = { user: [], session: [], account: [], verification: [], jwks: [] }
  // Better Auth emits no event: the rows of its jwks table count the keys it generated.
  keyRows = () => tables.jwks.length
  const auth = betterAuth({
    baseURL: BASE,
    secret: SECRET,
    database: memoryAdapter(tables),
    logger: { level: 'error' },
    plugins: [jwt({ jwks: { keyPairConfig: row.keyPairConfig, rotationInterval: intervalS, gracePeriod: GRACE_S } })],
  })
  return async (payload) => (await auth.api.signJWT({ body: { payload } })).token
}

// ---- one cell (a child process) -----------------------------------------------------------------
async function runCell(library, row) {
  const sign = await signerFor(library, row)
  // Warm: the first key (created inline by both libraries) and the JIT.
  for (let i = 0; i < 200; i++) await sign({ sub: 'warm' })
  console.log(JSON.stringify({ ready: true }))
  const lines = createInterface({ input: process.stdin })
  await new Promise((resolve) => lines.once('line', resolve))
  lines.close()

  // One interval of unmeasured signing first: a key that expired while this process waited for
  // `go` (no sign(), so nothing prepared its successor) is replaced before the clock starts.
  const settle = performance.now() + row.intervalS * 1000
  while (performance.now() < settle) {
    await sign({ sub: 'settle' })
    await sleep(1)
  }
  const createdBefore = keyEvents.created - keyEvents.published
  const rowsBefore = keyRows()
  const kidsSeen = new Set()
  const durationMs = row.rotations * row.intervalS * 1000 + 500
  const latencies = []
  const switches = [] // index into latencies of the first sign with a new kid
  const aheadMs = [] // per switch: how long the new kid was published before its first token (NaN: never)
  let kid = kidOf(await sign({ sub: 'user' }))
  const end = performance.now() + durationMs
  while (performance.now() < end) {
    const t0 = performance.now()
    const token = await sign({ sub: 'user' })
    latencies.push(performance.now() - t0)
    const k = kidOf(token)
    if (k !== kid) {
      kidsSeen.add(k)
      switches.push(latencies.length - 1)
      aheadMs.push(publishedAt.has(k) ? t0 - publishedAt.get(k) : NaN)
      kid = k
    }
    await sleep(1)
  }
  // Signs within 100 ms (in sign order, by elapsed time) of a switch are not "steady".
  const near = new Uint8Array(latencies.length)
  const at = [] // cumulative start time of each sign, approximately: sum of latencies + 1 ms pauses
  let t = 0
  for (const l of latencies) {
    at.push(t)
    t += l + 1
  }
  for (const s of switches) for (let i = 0; i < latencies.length; i++) if (Math.abs(at[i] - at[s]) <= 100) near[i] = 1
  const steady = latencies.filter((_, i) => !near[i]).sort((a, b) => a - b)
  const all = [...latencies].sort((a, b) => a - b)
  const steadyP99 = quantile(steady, 0.99)
  const atSwitch = switches.map((i) => latencies[i])
  const report = {
    library,
    alg: row.alg,
    signs: latencies.length,
    rotations: kidsSeen.size,
    kidChanges: switches.length,
    p50: quantile(all, 0.5),
    p99: quantile(all, 0.99),
    steadyP99,
    max: all.at(-1),
    maxAtSwitch: atSwitch.length ? Math.max(...atSwitch) : NaN,
    medianAtSwitch: quantile([...atSwitch].sort((a, b) => a - b), 0.5),
    over2x: latencies.filter((l) => l > 2 * steadyP99).length,
    // Better Auth generates every rotated key inside a signJWT; authjwt only when none was ready.
    keysInSign: library === 'authjwt' ? keyEvents.created - keyEvents.published - createdBefore : keyRows() - rowsBefore,
    // authjwt: how long each new kid was in jwks() before its first token (min, median), and the
    // switches to a kid that was never published ahead (a key generated inside sign()).
    aheadMin: Math.min(...aheadMs.filter(Number.isFinite)),
    aheadMedian: quantile(aheadMs.filter(Number.isFinite).sort((a, b) => a - b), 0.5),
    notAhead: aheadMs.filter((ms) => !Number.isFinite(ms)).length,
  }
  console.log(JSON.stringify({ report }))
}

// ---- the orchestrator ---------------------------------------------------------------------------
function startCell(library, row) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--cell', library, row.alg, ...(quick ? ['--quick'] : [])], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ROTATION_BENCH_SECRET: SECRET },
  })
  let onReady
  const ready = new Promise((resolve) => (onReady = resolve))
  let report = null
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line)
    if (message.ready) onReady()
    if (message.report) report = message.report
  })
  const done = new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 && report ? resolve(report) : reject(new Error(`${library} ${row.alg}: exit ${code}`)))),
  )
  return { child, ready: Promise.race([ready, done]), done }
}

async function main() {
  const cellAt = process.argv.indexOf('--cell')
  if (cellAt >= 0) {
    const [library, alg] = process.argv.slice(cellAt + 1, cellAt + 3)
    return runCell(library, ROWS.find((r) => r.alg === alg))
  }
  const started = Date.now()
  const load0 = loadavg()
  const reports = []
  for (const row of ROWS) {
    const cells = LIBRARIES.map((library) => startCell(library, row))
    await Promise.all(cells.map((c) => c.ready))
    for (const c of cells) c.child.stdin.write('go\n')
    reports.push(...(await Promise.all(cells.map((c) => c.done))))
  }
  const f = (ms) => (Number.isFinite(ms) ? ms.toFixed(3) : '—')
  const out = []
  out.push('## sign() latency across scheduled rotations')
  out.push('')
  out.push(
    `Node ${process.versions.node}, ${cpus().length} cores shared with other builds (load average ${load0.map((l) => l.toFixed(2)).join(' ')} at the start, ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end), ${((Date.now() - started) / 1000).toFixed(0)} s. ` +
      `Memory stores; gracePeriod ${GRACE_S} s; authjwt rotationLead = interval / 2. Each library in its own process, both at the same time; one sign every ~1 ms (await, then a 1 ms timer). Milliseconds.`,
  )
  out.push('')
  out.push('| algorithm | schedule | library | signs | new kids / kid changes | p50 | p99 | steady p99 | max | max / steady p99 | first sign after switch: median / max | signs > 2x steady p99 | keys generated inside sign() | new kid published before its first token: min / median (switches to a kid not published ahead) |')
  out.push('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const r of reports) {
    const row = ROWS.find((x) => x.alg === r.alg)
    const schedule = `${row.intervalS} s interval, ${row.rotations} rotations${r.library === 'authjwt' ? `, ${row.intervalS / 2} s lead` : ''}`
    out.push(
      `| ${r.alg} | ${schedule} | ${r.library === 'authjwt' ? 'authjwt Issuer.sign' : 'Better Auth jwt() signJWT'} | ${r.signs} | ${r.rotations} / ${r.kidChanges} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.steadyP99)} | ${f(r.max)} | ${(r.max / r.steadyP99).toFixed(1)}x | ${f(r.medianAtSwitch)} / ${f(r.maxAtSwitch)} | ${r.over2x} | ${r.keysInSign} | ${r.library === 'authjwt' ? `${f(r.aheadMin)} / ${f(r.aheadMedian)} (${r.notAhead})` : `0 (${r.kidChanges})`} |`,
    )
  }
  out.push('')
  out.push(
    'New kids / kid changes: distinct new kids the signing loop saw, and how often the kid changed (more changes than kids: signing went back to an older key). Better Auth mints the next key inside the first signJWT after expiry (that call pays the generation, and its interval restarts from then, so it may see fewer rotations); authjwt signs with a key stored one lead earlier by a background task.',
  )
  out.push('')
  out.push(
    'Steady p99 leaves out the signs within 100 ms of a switch. Keys generated inside sign(): authjwt counts, while measuring, key.created events without a key.published (a next key not ready in time); for Better Auth, the rows its jwks table gained while measuring (it generates every key inside a signJWT). Published before its first token: from the key.published event to the first sign() with that kid; the preparation starts at the first store read after the current key enters its lead (within keyCacheTtl = lead/4), so it is the lead less that delay and the generation. Better Auth publishes a key when it signs with it.',
  )
  if (quick) out.push('', '(--quick: fewer rotations than the issue asks; not the figures to publish)')
  console.log(out.join('\n'))
}

await main()
