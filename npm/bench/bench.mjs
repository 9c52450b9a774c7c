// Benchmark program (never a test): ops/s and ratios for sign and verify (EdDSA, ES256, RS256) of
// authjwt against jose, fast-jwt and jsonwebtoken on the same keys and ~200-byte payload, plus
// issuing through a JS store callback against better-auth's own auth.api.signJWT.
//
//   (cd .. && npm run build:release) && npm install && node bench.mjs
//
// BENCH_SECONDS (default 1): measuring time per cell, split over BENCH_ROUNDS (default 5)
// interleaved rounds; each figure is the median of its rounds.
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { cpus } from 'node:os'
import * as jose from 'jose'
import { createSigner, createVerifier } from 'fast-jwt'
import jsonwebtoken from 'jsonwebtoken'
import { betterAuth } from 'better-auth'
import { memoryAdapter } from 'better-auth/adapters/memory'
import { jwt as jwtPlugin } from 'better-auth/plugins'
import { Issuer, MemoryStore, createLocalJwks, jwtVerify } from '../index.mjs'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1)
const ISS = 'https://auth.example.com'
const AUD = 'https://api.example.com'
const now = Math.floor(Date.now() / 1000)
// ~200 bytes of claims once encoded.
const PAYLOAD = { sub: 'user_2NfTq7XJ9kLm4PzR8wYc', email: 'ada.lovelace@example.com', name: 'Ada Lovelace', iat: now, iss: ISS, aud: AUD, exp: now + 3600 }

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5))

/** Ops/s of `fn` (sync or async), run sequentially for `ms`. */
async function opsPerSecond(fn, ms) {
  const end = performance.now() + ms
  let n = 0
  let r = fn()
  const isAsync = r instanceof Promise
  if (isAsync) await r
  n++
  const t0 = performance.now()
  while (performance.now() < end) {
    for (let i = 0; i < 64; i++) {
      r = fn()
      if (isAsync) await r
    }
    n += 64
  }
  return (n - 1) / ((performance.now() - t0) / 1000)
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/**
 * Ops/s of each contender (`undefined` entries are skipped): ROUNDS interleaved rounds of
 * SECONDS/ROUNDS each after a short warm-up, the median per contender. Interleaving makes every
 * contender see the same machine state (frequency, neighbours) instead of one slot each.
 */
async function measureAll(contenders) {
  const entries = Object.entries(contenders).filter(([, fn]) => fn)
  for (const [, fn] of entries) await opsPerSecond(fn, 150)
  const samples = Object.fromEntries(entries.map(([name]) => [name, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of entries) samples[name].push(await opsPerSecond(fn, (SECONDS * 1000) / ROUNDS))
  }
  return Object.fromEntries(Object.keys(contenders).map((name) => [name, samples[name] && median(samples[name])]))
}

const fmt = (n) => (n === undefined ? 'n/a' : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1))
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}x` : 'n/a')

async function algorithmRows(alg) {
  const store = new MemoryStore()
  const issuer = new Issuer({ store, disablePrivateKeyEncryption: true, keyPairConfig: { alg } })
  await issuer.sign({})
  const [row] = await store.getJwks()
  const kid = row.id
  const privateJwk = JSON.parse(row.privateKey)
  const privateKey = createPrivateKey({ key: privateJwk, format: 'jwk' })
  const publicKey = createPublicKey(privateKey)
  const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' })
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' })
  const keys = createLocalJwks(await issuer.jwks())
  const token = issuer.signSync(PAYLOAD)
  const vopts = { issuer: ISS, audience: AUD }

  const joseKey = await jose.importJWK(privateJwk, alg)
  const josePub = await jose.importJWK((await issuer.jwks()).keys[0], alg)
  const fastSign = createSigner({ key: privatePem, algorithm: alg, kid, noTimestamp: true })
  const fastVerify = createVerifier({ key: publicPem, algorithms: [alg], allowedIss: ISS, allowedAud: AUD })
  const jwtOk = alg !== 'EdDSA' // jsonwebtoken 9 has no EdDSA

  const sign = await measureAll({
    signSync: () => issuer.signSync(PAYLOAD),
    sign: () => issuer.sign(PAYLOAD),
    jose: () => new jose.SignJWT(PAYLOAD).setProtectedHeader({ alg, kid }).sign(joseKey),
    fast: () => fastSign(PAYLOAD),
    jwt: jwtOk ? () => jsonwebtoken.sign(PAYLOAD, privateKey, { algorithm: alg, keyid: kid }) : undefined,
  })
  // Every contender accepts the same token.
  await jose.jwtVerify(token, josePub, vopts)
  fastVerify(token)
  if (jwtOk) jsonwebtoken.verify(token, publicKey, { algorithms: [alg], issuer: ISS, audience: AUD })
  const verify = await measureAll({
    verifySync: () => keys.verifySync(token, vopts),
    jwtVerify: () => jwtVerify(token, keys, vopts),
    jose: () => jose.jwtVerify(token, josePub, vopts),
    fast: () => fastVerify(token),
    jwt: jwtOk ? () => jsonwebtoken.verify(token, publicKey, { algorithms: [alg], issuer: ISS, audience: AUD }) : undefined,
  })
  return { alg, sign, verify }
}

async function storeRows() {
  // authjwt issuing through a JS store callback (async), EdDSA, keys sealed at rest.
  const rows = []
  const store = { getJwks: async () => rows, createJwk: async (row) => (rows.push(row), row) }
  const issuer = new Issuer({ store, secret: 'bench-secret-0123456789abcdefghij', issuer: ISS, audience: AUD })
  await issuer.sign({})
  const payload = { sub: PAYLOAD.sub, email: PAYLOAD.email, name: PAYLOAD.name }
  // better-auth's own signJWT with its memory adapter (reads the table and decrypts per token).
  const db = { user: [], session: [], account: [], verification: [], jwks: [] }
  const auth = betterAuth({ baseURL: ISS, secret: 'bench-secret-0123456789abcdefghij', database: memoryAdapter(db), logger: { level: 'error' }, plugins: [jwtPlugin()] })
  await auth.api.signJWT({ body: { payload } })
  return measureAll({
    viaStore: () => issuer.sign(payload),
    viaStoreSync: () => issuer.signSync(payload),
    ba: () => auth.api.signJWT({ body: { payload } }),
  })
}

const rssMb = () => (process.memoryUsage().rss / 1048576).toFixed(0)
const rssStart = rssMb()
const results = []
for (const alg of ['EdDSA', 'ES256', 'RS256']) results.push(await algorithmRows(alg))
const store = await storeRows()

const lines = []
lines.push(`authjwt Node benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), Node ${process.version}, ${SECONDS}s per cell in ${ROUNDS} interleaved rounds (median), single thread, ops/s`)
lines.push('')
lines.push('| op | alg | authjwt sync | authjwt async | jose | fast-jwt | jsonwebtoken | sync vs fast-jwt | async vs jose |')
lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
for (const r of results) {
  lines.push(`| sign | ${r.alg} | ${fmt(r.sign.signSync)} | ${fmt(r.sign.sign)} | ${fmt(r.sign.jose)} | ${fmt(r.sign.fast)} | ${fmt(r.sign.jwt)} | ${ratio(r.sign.signSync, r.sign.fast)} | ${ratio(r.sign.sign, r.sign.jose)} |`)
}
for (const r of results) {
  lines.push(`| verify | ${r.alg} | ${fmt(r.verify.verifySync)} | ${fmt(r.verify.jwtVerify)} | ${fmt(r.verify.jose)} | ${fmt(r.verify.fast)} | ${fmt(r.verify.jwt)} | ${ratio(r.verify.verifySync, r.verify.fast)} | ${ratio(r.verify.jwtVerify, r.verify.jose)} |`)
}
lines.push('')
lines.push('sync = `signSync` / `verifySync`; async = `await sign` / `await jwtVerify` (sequential awaits).')
lines.push('')
lines.push('| issuing with a store (EdDSA, sealed keys) | tokens/s | vs better-auth |')
lines.push('| --- | ---: | ---: |')
lines.push(`| better-auth \`auth.api.signJWT\` (memory adapter) | ${fmt(store.ba)} | 1.00x |`)
lines.push(`| authjwt \`await issuer.sign\` (JS store callback) | ${fmt(store.viaStore)} | ${ratio(store.viaStore, store.ba)} |`)
lines.push(`| authjwt \`issuer.signSync\` (JS store callback) | ${fmt(store.viaStoreSync)} | ${ratio(store.viaStoreSync, store.ba)} |`)
lines.push('')
lines.push(`RSS: ${rssStart} MB at start, ${rssMb()} MB at end.`)
console.log(lines.join('\n'))
