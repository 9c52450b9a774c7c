// Benchmark program (never a test) for what npm/bench/bench.mjs does not measure:
//
//   node node-extra.mjs concurrency     ops/s of async `issuer.sign` with 64 calls in flight
//                                       (EdDSA, RS256); run it under TOKIO_WORKER_THREADS=1 and =2,
//                                       the size of napi-rs's tokio pool that async calls run on
//   node --expose-gc node-extra.mjs memory [N]
//                                       N (default 1,000,000) EdDSA signSync+verifySync calls in
//                                       one process, printing RSS at start and end
//
// Prints one JSON object on its last line (bench/run.sh collects it).
import { Issuer, MemoryStore, createLocalJwks } from '../npm/index.mjs'

const ISS = 'https://auth.example.com'
const AUD = 'https://api.example.com'
const now = Math.floor(Date.now() / 1000)
const PAYLOAD = { sub: 'user_2NfTq7XJ9kLm4PzR8wYc', email: 'ada.lovelace@example.com', name: 'Ada Lovelace', iat: now, iss: ISS, aud: AUD, exp: now + 3600 }
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1)

async function issuerFor(alg) {
  const issuer = new Issuer({ store: new MemoryStore(), disablePrivateKeyEncryption: true, keyPairConfig: { alg }, issuer: ISS, audience: AUD })
  await issuer.sign({})
  return issuer
}

async function concurrency() {
  const out = { workers: process.env.TOKIO_WORKER_THREADS ?? 'default' }
  for (const alg of ['EdDSA', 'RS256']) {
    const issuer = await issuerFor(alg)
    const burst = () => Promise.all(Array.from({ length: 64 }, () => issuer.sign(PAYLOAD)))
    const run = async (ms) => {
      const t0 = performance.now()
      let n = 0
      while (performance.now() - t0 < ms) {
        await burst()
        n += 64
      }
      return n / ((performance.now() - t0) / 1000)
    }
    await run(200)
    // CPU time over wall time: how many cores the process really got (other load on the machine
    // shows here, not only in the ops/s).
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    out[alg] = await run(SECONDS * 1000)
    const cpu = process.cpuUsage(cpu0)
    out[`${alg}_cores`] = (cpu.user + cpu.system) / 1000 / (performance.now() - t0)
  }
  return out
}

function memory(n) {
  return issuerFor('EdDSA').then(async (issuer) => {
    const keys = createLocalJwks(await issuer.jwks())
    const opts = { issuer: ISS, audience: AUD }
    const once = () => keys.verifySync(issuer.signSync(PAYLOAD), opts)
    // With --expose-gc, a full GC before each reading, so RSS shows what is live rather than how far
    // V8 let its heap grow between collections.
    const rss = () => {
      globalThis.gc?.()
      return process.memoryUsage().rss / 1048576
    }
    // The same loop warms up first (allocator, JIT, V8's heap sizing), and stdout is used once
    // before the start figure (its lazy set-up alone adds ~10 MB of RSS).
    console.log(`memory check: ${n.toLocaleString('en-US')} EdDSA signSync+verifySync calls`)
    const loop = (count, report) => {
      for (let i = 1; i <= count; i++) {
        once()
        if (report && i % (count / 4) === 0) console.log(`after ${i.toLocaleString('en-US')} sign+verify: RSS ${rss().toFixed(1)} MiB`)
      }
    }
    loop(100_000, false)
    const start = rss()
    console.log(`RSS after warm-up: ${start.toFixed(1)} MiB`)
    const t0 = performance.now()
    loop(n, true)
    const end = rss()
    return { calls: n, rss_start_mib: start, rss_end_mib: end, seconds: (performance.now() - t0) / 1000 }
  })
}

const [mode, arg] = process.argv.slice(2)
let result
if (mode === 'concurrency') result = await concurrency()
else if (mode === 'memory') result = await memory(Number(arg ?? 1_000_000))
else {
  console.error('usage: node node-extra.mjs concurrency | memory [N]')
  process.exit(2)
}
console.log(JSON.stringify(result))
