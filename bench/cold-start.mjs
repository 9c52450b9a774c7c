// Cold start, Node (a program that prints figures, never a test): import, first token and first
// verify in fresh processes, median of RUNS (default 20) per cell, EdDSA and ES256:
//   authjwt, store holding one row sealed as authjwt-v2 with a random secret (HKDF), authjwt-v2
//     with a typed secret (PBKDF2), authjwt-v1 (PBKDF2) and better-auth (SHA-256 key);
//   Better Auth's own jwt plugin: first `auth.api.signJWT` over a memory adapter holding one row
//     it seals itself (the row is made by better-auth in the parent);
//   jose: `importJWK` + `SignJWT.sign` of a plain private JWK (no store, no sealing: the floor).
// Every first verify checks the token it just made against the row's public JWKS.
//
//   (cd npm/bench && npm ci) && node bench/cold-start.mjs      # RUNS=20, needs the built addon
//
// Processes of all cells are interleaved (one round = one process per cell), so load changes on
// the machine hit every cell alike; `uptime`'s load is printed beside the table.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const npmDir = join(here, '..', 'npm')
// The peers (jose, better-auth) as installed in npm/bench.
const peers = () => import(pathToFileURL(join(npmDir, 'bench', 'peer-imports.mjs')).href)
const RUNS = Number(process.env.RUNS ?? 20)
const ISS = 'https://auth.example.com'
const AUD = 'https://api.example.com'
// 32 random bytes in hex (as `openssl rand -hex 32`) and a typed secret of Better Auth's minimum.
const RANDOM_SECRET = 'c4e1a97f3b2d0856e9f1a3c7b5d2e8f04a6c9b1d3e7f5a2c8b0d4e6f1a3c5b7d'
const TYPED_SECRET = 'our production signing secret, do not share'
const PAYLOAD = { sub: 'user_2NfTq7XJ9kLm4PzR8wYc', email: 'ada.lovelace@example.com', name: 'Ada Lovelace' }
const ALGS = ['EdDSA', 'ES256']
const CELLS = [
  ['authjwt-v2, random secret (HKDF)', 'authjwt', { format: 'authjwt-v2', secret: RANDOM_SECRET }],
  ['authjwt-v2, typed secret (PBKDF2)', 'authjwt', { format: 'authjwt-v2', secret: TYPED_SECRET }],
  ['authjwt-v1 (PBKDF2)', 'authjwt', { format: 'authjwt-v1', secret: RANDOM_SECRET }],
  ['authjwt, better-auth format', 'authjwt', { format: 'better-auth', secret: RANDOM_SECRET }],
  ['Better Auth jwt plugin, signJWT', 'better-auth', { secret: RANDOM_SECRET }],
  ['jose importJWK + sign', 'jose', {}],
]

const ms = (t0) => performance.now() - t0

// --- one fresh process ------------------------------------------------------------------------

async function child(kind, fixturePath) {
  const fixture = JSON.parse(readFileSync(fixturePath, 'utf8'))
  const { alg, row, privateJwk, jwks, secret, format } = fixture
  let t0 = performance.now()
  const out = {}
  if (kind === 'authjwt') {
    const { Issuer, MemoryStore, createLocalJwks } = await import(pathToFileURL(join(npmDir, 'index.mjs')).href)
    out.import = ms(t0)
    t0 = performance.now()
    const issuer = new Issuer({ store: new MemoryStore([row]), secret, privateKeyFormat: format, keyPairConfig: { alg }, issuer: ISS, audience: AUD })
    const token = await issuer.sign(PAYLOAD)
    out.token = ms(t0)
    t0 = performance.now()
    createLocalJwks(jwks).verifySync(token, { issuer: ISS, audience: AUD })
    out.verify = ms(t0)
    out.kid = JSON.parse(Buffer.from(token.split('.')[0], 'base64url')).kid
  } else if (kind === 'better-auth') {
    const { importBetterAuth, importJose } = await peers()
    const { betterAuth, memoryAdapter, jwt } = await importBetterAuth()
    const jose = await importJose()
    out.import = ms(t0)
    t0 = performance.now()
    const db = { user: [], session: [], account: [], verification: [], jwks: [fixture.baRow] }
    const auth = betterAuth({ baseURL: ISS, secret, database: memoryAdapter(db), logger: { level: 'error' }, plugins: [jwt({ jwks: { keyPairConfig: { alg } }, jwt: { issuer: ISS, audience: AUD } })] })
    const { token } = await auth.api.signJWT({ body: { payload: PAYLOAD } })
    out.token = ms(t0)
    t0 = performance.now()
    // The plugin's own verification path is jose over its JWKS.
    await jose.jwtVerify(token, jose.createLocalJWKSet(fixture.baJwks), { issuer: ISS, audience: AUD })
    out.verify = ms(t0)
    out.kid = JSON.parse(Buffer.from(token.split('.')[0], 'base64url')).kid
  } else {
    const jose = await (await peers()).importJose()
    out.import = ms(t0)
    t0 = performance.now()
    const key = await jose.importJWK(privateJwk, alg)
    const token = await new jose.SignJWT(PAYLOAD).setProtectedHeader({ alg, kid: row.id }).setIssuedAt()
      .setIssuer(ISS).setAudience(AUD).setExpirationTime('15m').sign(key)
    out.token = ms(t0)
    t0 = performance.now()
    await jose.jwtVerify(token, jose.createLocalJWKSet(jwks), { issuer: ISS, audience: AUD })
    out.verify = ms(t0)
    out.kid = row.id
  }
  process.stdout.write(JSON.stringify(out))
}

// --- the parent: fixtures, fresh processes, table ---------------------------------------------

async function fixtures(dir) {
  const { Issuer, MemoryStore } = await import(pathToFileURL(join(npmDir, 'index.mjs')).href)
  const { betterAuth, memoryAdapter, jwt } = await (await peers()).importBetterAuth()
  const files = {}
  for (const alg of ALGS) {
    // A plain key per algorithm for jose.
    const plainStore = new MemoryStore()
    const plain = new Issuer({ store: plainStore, disablePrivateKeyEncryption: true, keyPairConfig: { alg } })
    await plain.sign({})
    const [plainRow] = await plainStore.getJwks()
    const privateJwk = JSON.parse(plainRow.privateKey)
    const jwks = await plain.jwks()
    // Better Auth seals its own row.
    const db = { user: [], session: [], account: [], verification: [], jwks: [] }
    const auth = betterAuth({ baseURL: ISS, secret: RANDOM_SECRET, database: memoryAdapter(db), logger: { level: 'error' }, plugins: [jwt({ jwks: { keyPairConfig: { alg } } })] })
    await auth.api.signJWT({ body: { payload: {} } })
    const baRow = db.jwks[0]
    const baJwks = await auth.api.getJwks()
    for (const [name, kind, cell] of CELLS) {
      let row = plainRow
      if (kind === 'authjwt') {
        // A key of this alg sealed by an Issuer of the cell's format and secret.
        const store = new MemoryStore()
        const sealing = new Issuer({ store, secret: cell.secret, privateKeyFormat: cell.format, keyPairConfig: { alg } })
        await sealing.sign({})
        const [sealedRow] = await store.getJwks()
        row = sealedRow
        const sealed = { ...sealedRow, createdAt: Number(sealedRow.createdAt) }
        const keys = await sealing.jwks()
        const path = join(dir, `${alg}-${name.replace(/\W+/g, '_')}.json`)
        writeFileSync(path, JSON.stringify({ alg, row: sealed, jwks: keys, secret: cell.secret, format: cell.format }))
        files[`${name}|${alg}`] = { kind, path, kid: sealedRow.id, kdf: describe(sealedRow.privateKey) }
        continue
      }
      const path = join(dir, `${alg}-${name.replace(/\W+/g, '_')}.json`)
      writeFileSync(path, JSON.stringify({ alg, row: { ...row, createdAt: Number(row.createdAt) }, privateJwk, jwks, secret: cell.secret, baRow, baJwks }))
      files[`${name}|${alg}`] = { kind, path, kid: kind === 'better-auth' ? baRow.id : row.id }
    }
  }
  return files
}

function describe(privateKey) {
  const v = JSON.parse(privateKey)
  return typeof v === 'string' ? 'better-auth' : `v${v.v} ${v.kdf}`
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

async function parent() {
  const dir = mkdtempSync(join(tmpdir(), 'authjwt-cold-'))
  const files = await fixtures(dir)
  const load0 = loadavg()
  const samples = {}
  for (let round = 0; round < RUNS; round++) {
    for (const alg of ALGS) {
      for (const [name] of CELLS) {
        const f = files[`${name}|${alg}`]
        const out = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'child', f.kind, f.path], { encoding: 'utf8' }))
        // The token must come from the fixture's row: no fresh key was made on the way.
        if (out.kid !== f.kid) throw new Error(`${name} ${alg}: signed with ${out.kid}, not the stored ${f.kid}`)
        ;(samples[`${name}|${alg}`] ??= []).push(out)
      }
    }
  }
  const load1 = loadavg()
  const fmt = (x) => x.toFixed(1)
  const lines = []
  lines.push(`Node ${process.version}, cold start: median of ${RUNS} fresh processes per cell (ms); ` +
    `load average ${load0.map((l) => l.toFixed(2)).join(' ')} before, ${load1.map((l) => l.toFixed(2)).join(' ')} after`)
  lines.push('')
  lines.push('| alg | implementation | row | import | first token | first verify | import + token | vs Better Auth plugin | vs jose |')
  lines.push('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |')
  const result = {}
  for (const alg of ALGS) {
    const med = (name) => {
      const xs = samples[`${name}|${alg}`]
      return { import: median(xs.map((x) => x.import)), token: median(xs.map((x) => x.token)), verify: median(xs.map((x) => x.verify)) }
    }
    const ba = med(CELLS[4][0])
    const jose = med(CELLS[5][0])
    for (const [name, kind] of CELLS) {
      const m = med(name)
      const f = files[`${name}|${alg}`]
      const row = kind === 'authjwt' ? f.kdf : kind === 'better-auth' ? 'its own (better-auth)' : 'plain JWK in hand'
      // Ratios of first-token time: > 1.00x means this cell is that many times faster.
      lines.push(`| ${alg} | ${name} | ${row} | ${fmt(m.import)} | ${fmt(m.token)} | ${fmt(m.verify)} | ${fmt(m.import + m.token)} | ` +
        `${(ba.token / m.token).toFixed(2)}x | ${(jose.token / m.token).toFixed(2)}x |`)
      result[`${alg} ${name}`] = m
    }
  }
  lines.push('')
  lines.push('Ratios compare the first token (peer time / this time: above 1.00x is faster than the peer).')
  console.log(lines.join('\n'))
  if (process.env.COLD_START_JSON) writeFileSync(process.env.COLD_START_JSON, JSON.stringify({ load: [load0, load1], runs: RUNS, result }))
}

if (process.argv[2] === 'child') await child(process.argv[3], process.argv[4])
else await parent()
