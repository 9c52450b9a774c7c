// One Node issuer process: signs tokens in a loop with keys in PostgreSQL (examples/stores), one
// token a line in its own file. With `serve`, it also publishes the JWKS over HTTP (Better Auth's
// `/api/auth/jwks` through createJwtHandler) and keeps serving after the loop until SIGTERM.
//
//   node issuer.mjs '<json config>'   (see run.mjs for the fields)
// stdout: JSON lines: {"listening":port}, {"failure":code} per failed sign, {"refused":kid} per
// creation the advisory lock refused, {"done":...} at the end.
import { openSync, writeSync } from 'node:fs'
import { createServer } from 'node:http'
import pg from 'pg'
import { Issuer, createJwtHandler } from '../../npm/index.mjs'
import { KeyExistsError, PgKeyStore } from '../../examples/stores/pg-store.mjs'

const cfg = JSON.parse(process.argv[2])
const say = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const pool = new pg.Pool({ connectionString: cfg.db, max: 2 })
// The Python processes seal in Better Auth's format, these in authjwt's: no Better Auth server reads
// this table, so the store is told that mixing formats is intended.
const pgStore = new PgKeyStore(pool, { exactlyOne: cfg.store === 'locked', allowMixedFormats: true })
// Reports each creation the advisory lock refused (the issuer then adopts the other key).
const store = {
  getJwks: () => pgStore.getJwks(),
  createJwk: (row) =>
    pgStore.createJwk(row).catch((err) => {
      if (err instanceof KeyExistsError) say({ refused: err.kid })
      throw err
    }),
}
const issuer = new Issuer({
  store,
  secret: cfg.secret,
  rotationInterval: cfg.rotationInterval,
  keyCacheTtl: cfg.keyCacheTtl,
  issuer: cfg.issuer,
  audience: cfg.audience,
})

let server
if (cfg.serve) {
  const handler = createJwtHandler({ issuer, getSession: () => null })
  server = createServer(async (req, res) => {
    try {
      const response = await handler(new Request(`http://127.0.0.1${req.url}`, { method: req.method }))
      if (!response) {
        res.writeHead(404).end()
        return
      }
      res.writeHead(response.status, Object.fromEntries(response.headers))
      res.end(Buffer.from(await response.arrayBuffer()))
    } catch (err) {
      res.writeHead(500).end(String(err?.code ?? 'error'))
    }
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  say({ listening: server.address().port })
}

// Every process starts signing at the same moment, so the first key is a real race.
await sleep(Math.max(0, cfg.startAt - Date.now()))
const out = openSync(cfg.out, 'a')
const end = cfg.startAt + cfg.durationMs
let issued = 0
let failures = 0
while (issued < cfg.maxTokens && Date.now() < end) {
  try {
    const token = await issuer.sign({ by: cfg.name, n: issued + failures })
    // One write per token: a SIGKILL leaves at most a partial last line, which readers skip.
    writeSync(out, token + '\n')
    issued += 1
  } catch (err) {
    failures += 1
    say({ failure: err?.code ?? String(err), message: String(err?.message ?? err) })
  }
  await sleep(cfg.pauseMs)
}
say({ done: true, issued, failures })

if (server) {
  process.on('SIGTERM', () => {
    server.close()
    pool.end().finally(() => process.exit(0))
  })
} else {
  await pool.end()
}
