// Many processes, one real database: Node and Python issuers sign concurrently on PostgreSQL's
// `jwks` table while keys rotate every few seconds; one issuer per group is SIGKILLed midway;
// verifiers then check every token against the published JWKS. Two groups run at once, each on
// its own database: `plain` (examples/stores, plain insert) and `locked` (the advisory-lock
// variant), so both bounds on key creation are measured.
//
// Needs a running PostgreSQL (PGHOST, PGPORT; user postgres, trust auth), PYTHON (a Python with
// authjwt and psycopg) and WORKDIR (a scratch folder). scripts/suites/70-postgres-multiprocess.sh
// sets all of them up. Prints the figures and a closing `N passed, N failed` line.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import pg from 'pg'
import { completeTokens, invalidRows, keysPerWindow, lostOrRewritten, snapshot } from './checks.mjs'

const here = new URL('.', import.meta.url).pathname
const { PGHOST = '127.0.0.1', PGPORT, PYTHON = 'python3', WORKDIR } = process.env
const ROTATION_S = 3 // rotationInterval: a new key every 3 s
const KEY_CACHE_TTL_S = 1 // each issuer reads the table at least every second
const DURATION_MS = 16_000 // signing time of each issuer
const PAUSE_MS = 20 // between two tokens of one issuer
const MAX_TOKENS = 1_000 // per issuer
const KILL_AFTER_MS = 8_000 // SIGKILL one issuer per group this long after the start
const GROUPS = ['plain', 'locked']
const WORKERS = ['node-1', 'node-2', 'py-1', 'py-2'] // node-1 also serves the group's JWKS
const VICTIMS = { plain: 'py-2', locked: 'node-2' }
const common = {
  secret: 'multiprocess test secret: long, random and shared by every issuer',
  issuer: 'https://auth.test',
  audience: 'api',
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const url = (db) => `postgresql://postgres@${PGHOST}:${PGPORT}/${db}`
const children = new Set()
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})
setTimeout(() => {
  console.error('multiprocess test: still running after 150 s, giving up')
  process.exit(1)
}, 150_000).unref()

/** Starts a process; collects its JSON stdout lines in `messages`; `exited` resolves to its status. */
function start(name, cmd, args) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  children.add(child)
  const proc = { name, child, messages: [], waiters: [] }
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      proc.messages.push(JSON.parse(line))
    } catch {
      console.log(`[${name}] ${line}`)
    }
    for (const w of proc.waiters) w()
  })
  proc.exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child)
      for (const w of proc.waiters) w()
      resolve({ code, signal })
    }),
  )
  /** The first message with field `key`, or undefined once the process has exited without it. */
  proc.wait = (key) =>
    new Promise((resolve) => {
      const check = () => {
        const found = proc.messages.find((m) => key in m)
        if (found || child.exitCode !== null || child.signalCode !== null) resolve(found)
        else proc.waiters.push(check)
      }
      check()
    })
  return proc
}

// --- databases: one per group, each with Better Auth's jwks table
const schema = readFileSync(join(here, '../../examples/stores/schema.sql'), 'utf8')
const admin = new pg.Client({ connectionString: url('postgres') })
await admin.connect()
const pools = {}
for (const group of GROUPS) {
  await admin.query(`CREATE DATABASE ${group}`)
  pools[group] = new pg.Pool({ connectionString: url(group), max: 2 })
  await pools[group].query(schema)
}
await admin.end()

// --- issuers: every one starts signing at the same moment
const startAt = Date.now() + 3_000
const procs = []
for (const group of GROUPS) {
  for (const worker of WORKERS) {
    const name = `${group}/${worker}`
    const cfg = {
      ...common,
      name,
      db: url(group),
      store: group,
      out: join(WORKDIR, `${group}-${worker}.tokens`),
      startAt,
      durationMs: DURATION_MS,
      pauseMs: PAUSE_MS,
      maxTokens: MAX_TOKENS,
      rotationInterval: ROTATION_S,
      keyCacheTtl: KEY_CACHE_TTL_S,
      serve: worker === 'node-1',
    }
    const [cmd, script] = worker.startsWith('node') ? [process.execPath, 'issuer.mjs'] : [PYTHON, 'issuer.py']
    procs.push({ ...start(name, cmd, [join(here, script), JSON.stringify(cfg)]), group, worker, out: cfg.out })
  }
}
const jwksUrl = {}
for (const p of procs.filter((p) => p.worker === 'node-1')) {
  const listening = await p.wait('listening')
  if (!listening) throw new Error(`${p.name} did not start its JWKS server`)
  jwksUrl[p.group] = `http://127.0.0.1:${listening.listening}/api/auth/jwks`
}

// --- during the run: snapshots every 2 s, and one SIGKILL per group midway
const snapshots = Object.fromEntries(GROUPS.map((g) => [g, []]))
const takeSnapshots = async () => {
  for (const g of GROUPS) snapshots[g].push(await snapshot(pools[g]))
}
let issuing = true
const snapshotting = (async () => {
  await sleep(startAt - Date.now())
  while (issuing) {
    await takeSnapshots()
    await sleep(2_000)
  }
})()
const killed = []
const killing = (async () => {
  await sleep(startAt + KILL_AFTER_MS - Date.now())
  for (const g of GROUPS) {
    const victim = procs.find((p) => p.group === g && p.worker === VICTIMS[g])
    victim.child.kill('SIGKILL')
    killed.push(victim.name)
  }
})()
for (const p of procs) await (p.worker === 'node-1' ? p.wait('done') : p.exited)
issuing = false
await Promise.all([snapshotting, killing])
await takeSnapshots()

// --- after the run: verifiers on the published JWKS (each server re-reads the table after the TTL)
await sleep(KEY_CACHE_TTL_S * 1000 + 300)
const files = procs.map((p) => ({ file: p.out, jwksUrl: jwksUrl[p.group] }))
const verifyCfg = JSON.stringify({ files, issuer: common.issuer, audience: common.audience })
const verifiers = [
  start('verify-node', process.execPath, [join(here, 'verify.mjs'), verifyCfg]),
  start('verify-python', PYTHON, [join(here, 'verify.py'), verifyCfg]),
]
const verdicts = await Promise.all(verifiers.map((v) => v.wait('checked')))
const published = {}
for (const g of GROUPS) published[g] = await (await fetch(jwksUrl[g])).json()

// --- figures
const results = []
const check = (name, ok, detail = '') => {
  results.push(ok)
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`)
}
let total = 0
let failures = 0
const refusals = Object.fromEntries(GROUPS.map((g) => [g, 0]))
console.log('\ntokens issued per process (complete lines of its file):')
for (const p of procs) {
  const issued = completeTokens(p.out).length
  const failed = p.messages.filter((m) => 'failure' in m)
  total += issued
  failures += failed.length
  const how = killed.includes(p.name) ? 'SIGKILLed midway' : 'ran to the end'
  const codes = failed.length ? ` (${[...new Set(failed.map((m) => m.failure))].join(', ')})` : ''
  const refused = p.messages.filter((m) => 'refused' in m).length
  refusals[p.group] += refused
  const lock = p.group === 'locked' ? `, ${refused} creations refused by the lock` : ''
  console.log(`  ${p.name.padEnd(14)} ${String(issued).padStart(5)} tokens, ${failed.length} failures${codes}${lock}, ${how}`)
  for (const m of failed.slice(0, 3)) console.log(`    ${m.failure}: ${m.message}`)
}
console.log(`  total          ${String(total).padStart(5)} tokens`)
const keyCounts = {}
const rows = {}
for (const g of GROUPS) {
  rows[g] = (await pools[g].query('SELECT * FROM jwks')).rows
  keyCounts[g] = keysPerWindow(rows[g], ROTATION_S * 1000)
  console.log(
    `keys created (${g} store): ${rows[g].length} in ${keyCounts[g].length} windows of ${ROTATION_S} s,` +
      ` per window [${keyCounts[g].join(' ')}], max ${Math.max(...keyCounts[g])}` +
      (g === 'locked' ? `; ${refusals[g]} concurrent creations refused by the lock and adopted` : ''),
  )
}
for (const [i, v] of verdicts.entries()) {
  console.log(`${verifiers[i].name}: ${v ? `${v.verified} of ${v.checked} verified, errors ${JSON.stringify(v.errors)}` : 'no result'}`)
}
console.log(`failures = ${failures}\n`)

// --- pass criteria
check('no issuer failed a sign (failures = 0)', failures === 0, `${failures}`)
for (const [i, v] of verdicts.entries()) {
  check(`${verifiers[i].name} verified every issued token at iat and at exp-1`, v?.failed === 0 && v?.verified === total, v ? `${v.verified}/${total}` : 'no result')
}
for (const g of GROUPS) {
  const bad = lostOrRewritten(snapshots[g])
  check(`${g}: no row lost or rewritten over ${snapshots[g].length} snapshots`, bad.length === 0, bad.slice(0, 3).join('; '))
}
for (const g of GROUPS) {
  const bad = await invalidRows(rows[g], { ...common, publishedJwks: published[g] })
  check(`${g}: after the SIGKILL every row opens with the secret, matches its public key and is published`, bad.length === 0 && rows[g].length > 0, bad.slice(0, 3).join('; '))
}
const workers = WORKERS.length
check(`plain: keys per window <= processes (${workers})`, Math.max(...keyCounts.plain) <= workers, `max ${Math.max(...keyCounts.plain)}`)
check('locked: exactly 1 key per window', keyCounts.locked.every((n) => n === 1), `[${keyCounts.locked.join(' ')}]`)
const minWindows = Math.floor(DURATION_MS / 1000 / ROTATION_S) - 1
check(`keys rotated (>= ${minWindows} windows in each group)`, GROUPS.every((g) => keyCounts[g].length >= minWindows))
const servers = procs.filter((p) => p.worker === 'node-1')
for (const s of servers) s.child.kill('SIGTERM')
const exits = await Promise.all(procs.map((p) => p.exited.then((e) => [p, e])))
const wrongExit = exits
  .map(([p, e]) => [p, killed.includes(p.name) ? e.signal === 'SIGKILL' : e.code === 0])
  .filter(([, ok]) => !ok)
  .map(([p]) => p.name)
check('victims died of SIGKILL, every other issuer exited 0', wrongExit.length === 0 && killed.length === GROUPS.length, wrongExit.join(', '))

for (const g of GROUPS) await pools[g].end()
const passed = results.filter(Boolean).length
console.log(`multiprocess: ${passed} passed, ${results.length - passed} failed`)
process.exit(passed === results.length ? 0 : 1)
