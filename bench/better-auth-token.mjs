// /token requests per second through auth.handler: Better Auth's own jwt() plugin vs
// authjwt/better-auth, on the same database (Better Auth's memory adapter, and PostgreSQL when
// PGHOST/PGPORT are set). A program that prints figures, not a test.
//
//   (cd tests/better-auth-plugin && npm ci)
//   node --preserve-symlinks bench/better-auth-token.mjs          # BENCH_SECONDS=2 ROUNDS=3 CONCURRENCY=32
//
// Each round runs both plugins back to back (interleaved), the figure is the median round.
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const deps = join(here, '..', 'tests', 'better-auth-plugin')
const requireFromTests = createRequire(join(deps, 'package.json'))
const load = (name) => import(pathToFileURL(requireFromTests.resolve(name)).href)

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2)
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32)
const SECRET = 'benchmark-secret-0123456789-abcdefghijklmnopqrstuvwxyz'
const BASE = 'http://localhost:3000'

const { betterAuth } = await load('better-auth')
const { memoryAdapter } = await load('better-auth/adapters/memory')
const { getMigrations } = await load('better-auth/db/migration')
const impls = {
  'better-auth': await load('better-auth/plugins/jwt'),
  // The ES module entry, through the test workspace's link (so it resolves better-auth there).
  authjwt: await import(pathToFileURL(join(deps, 'node_modules', 'authjwt', 'lib', 'better-auth', 'index.mjs')).href),
}
const pg = (await load('pg')).default

function options(impl, database) {
  return { baseURL: BASE, secret: SECRET, database, emailAndPassword: { enabled: true }, logger: { level: 'error' }, plugins: [impl.jwt()] }
}

async function server(impl, database) {
  const auth = betterAuth(options(impl, database))
  const res = await auth.handler(
    new Request(`${BASE}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: BASE },
      body: JSON.stringify({ email: `bench-${Math.random().toString(36).slice(2)}@example.com`, password: 'correct-horse-battery', name: 'Bench' }),
    }),
  )
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  const token = () => auth.handler(new Request(`${BASE}/api/auth/token`, { headers: { cookie } }))
  const warm = await token()
  if (warm.status !== 200) throw new Error(`/token answered ${warm.status}`)
  return token
}

/** Requests per second of `token()` with CONCURRENCY in flight for SECONDS. */
async function measure(token) {
  let done = 0
  const end = performance.now() + SECONDS * 1000
  const worker = async () => {
    while (performance.now() < end) {
      const res = await token()
      if (res.status !== 200) throw new Error(`/token answered ${res.status}`)
      await res.arrayBuffer()
      done++
    }
  }
  const start = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  return done / ((performance.now() - start) / 1000)
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function compare(label, databaseFor) {
  const tokens = {}
  for (const [name, impl] of Object.entries(impls)) tokens[name] = await server(impl, await databaseFor(impl))
  const rates = { 'better-auth': [], authjwt: [] }
  for (let r = 0; r < ROUNDS; r++) for (const name of Object.keys(impls)) rates[name].push(await measure(tokens[name]))
  const ba = median(rates['better-auth'])
  const ours = median(rates.authjwt)
  console.log(
    `| ${label} | ${ba.toFixed(0)} | ${ours.toFixed(0)} | ${(ours / ba).toFixed(2)}x |`,
  )
}

console.log(`/token through auth.handler, EdDSA, ${CONCURRENCY} in flight, median of ${ROUNDS} interleaved rounds of ${SECONDS} s (Node ${process.versions.node})`)
console.log('| database | Better Auth jwt() req/s | authjwt/better-auth req/s | ratio |')
console.log('| --- | --- | --- | --- |')
const fresh = () => ({ user: [], session: [], account: [], verification: [], jwks: [] })
await compare('memory adapter', async () => memoryAdapter(fresh()))

if (process.env.PGHOST && process.env.PGPORT) {
  const pools = []
  let n = 0
  await compare('PostgreSQL (pg)', async (impl) => {
    const name = `bench_${process.pid}_${n++}`
    const admin = new pg.Client({ user: 'postgres', database: 'postgres' })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const pool = new pg.Pool({ user: 'postgres', database: name, max: 10 })
    pools.push([pool, name])
    await (await getMigrations(options(impl, pool))).runMigrations()
    return pool
  })
  for (const [pool, name] of pools) {
    await pool.end()
    const admin = new pg.Client({ user: 'postgres', database: 'postgres' })
    await admin.connect()
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
  }
} else {
  console.log('| PostgreSQL (pg) | not run: set PGHOST and PGPORT | | |')
}
