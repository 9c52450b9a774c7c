// Many cores, Node (a program that prints figures, never a test):
//   1. the addon loaded in 1 and 2 worker_threads, each verifying (verifySync, EdDSA and ES256)
//      for BENCH_SECONDS (default 2), ops/s summed over the workers;
//   2. Promise.all of 10,000 async verifies (`issuer.verify`, run on the addon's tokio pool).
// Each figure is the median of ROUNDS (default 3) interleaved rounds; the load average and the
// CPU time the process got (cores = CPU time / wall time) are printed beside it, as the machine
// may be shared.
//
//   node bench/scaling.mjs            # needs the built addon (npm/authjwt.*.node)
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Issuer, MemoryStore, createLocalJwks } from '../npm/index.mjs'

const ISS = 'https://auth.example.com'
const AUD = 'https://api.example.com'
const PAYLOAD = { sub: 'user_2NfTq7XJ9kLm4PzR8wYc', email: 'ada.lovelace@example.com', name: 'Ada Lovelace' }
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2)
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const PROMISES = 10_000

if (!isMainThread) {
  // A worker: its own instance of the addon, verifying until the deadline (or, as the control,
  // a pure-JS loop that no lock of ours can serialize).
  const { jwks, token, ms, control } = workerData
  const keys = createLocalJwks(jwks)
  const opts = { issuer: ISS, audience: AUD }
  let sink = 0
  const once = control
    ? () => { for (let i = 0; i < 2000; i++) sink = (sink * 31 + i) % 1000003 }
    : () => keys.verifySync(token, opts)
  for (let i = 0; i < 200; i++) once()
  parentPort.postMessage('ready')
  parentPort.once('message', () => {
    let n = 0
    const t0 = performance.now()
    while (performance.now() - t0 < ms) {
      for (let i = 0; i < 50; i++) once()
      n += 50
    }
    if (sink < 0) console.log(sink)
    parentPort.postMessage({ n, ms: performance.now() - t0 })
  })
}

async function workersRound(count, jwks, token, control = false) {
  const workers = Array.from({ length: count }, () =>
    new Worker(fileURLToPath(import.meta.url), { workerData: { jwks, token, ms: SECONDS * 1000, control } }))
  // All load the addon and warm up first, then start together.
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => {
    w.once('error', reject)
    w.once('message', resolve)
  })))
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const results = await Promise.all(workers.map((w) => new Promise((resolve) => {
    w.once('message', resolve)
    w.postMessage('go')
  })))
  const wall = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  await Promise.all(workers.map((w) => w.terminate()))
  const ops = results.reduce((sum, r) => sum + r.n / (r.ms / 1000), 0)
  return { ops, cores: (cpu.user + cpu.system) / 1000 / wall }
}

async function promisesRound(issuer, token) {
  const opts = { issuer: ISS, audience: AUD }
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const results = await Promise.all(Array.from({ length: PROMISES }, () => issuer.verify(token, opts)))
  const wall = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  if (results.length !== PROMISES || results[0].payload.sub !== PAYLOAD.sub) throw new Error('a verify went wrong')
  return { ops: PROMISES / (wall / 1000), ms: wall, cores: (cpu.user + cpu.system) / 1000 / wall }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')

async function main() {
  const lines = [`Node ${process.version}, scaling (median of ${ROUNDS} rounds, ${SECONDS} s per worker figure)`, '']
  lines.push('| alg | what | ops/s | vs 1 | cores used | load average |')
  lines.push('| --- | --- | ---: | ---: | ---: | --- |')
  const out = {}
  for (const alg of ['EdDSA', 'ES256']) {
    const issuer = new Issuer({ store: new MemoryStore(), disablePrivateKeyEncryption: true, keyPairConfig: { alg }, issuer: ISS, audience: AUD })
    const token = await issuer.sign(PAYLOAD)
    const jwks = await issuer.jwks()
    const samples = { 1: [], 2: [], promises: [], c1: [], c2: [] }
    const loads = { 1: [], 2: [], promises: [], c1: [], c2: [] }
    await promisesRound(issuer, token) // warm the tokio pool
    for (let r = 0; r < ROUNDS; r++) {
      for (const count of [1, 2]) {
        loads[count].push(load())
        samples[count].push(await workersRound(count, jwks, token))
      }
      loads.promises.push(load())
      samples.promises.push(await promisesRound(issuer, token))
      if (alg === 'EdDSA') {
        for (const count of [1, 2]) {
          loads[`c${count}`].push(load())
          samples[`c${count}`].push(await workersRound(count, jwks, token, true))
        }
      }
    }
    const pick = (key) => {
      const ops = median(samples[key].map((s) => s.ops))
      return { ...samples[key].find((s) => s.ops === ops), load: loads[key][samples[key].findIndex((s) => s.ops === ops)] }
    }
    const one = pick(1)
    const two = pick(2)
    const promises = pick('promises')
    lines.push(`| ${alg} | verifySync, 1 worker_thread | ${one.ops.toFixed(0)} | 1.00x | ${one.cores.toFixed(2)} | ${one.load} |`)
    lines.push(`| ${alg} | verifySync, 2 worker_threads | ${two.ops.toFixed(0)} | ${(two.ops / one.ops).toFixed(2)}x | ${two.cores.toFixed(2)} | ${two.load} |`)
    lines.push(`| ${alg} | Promise.all of ${PROMISES} issuer.verify (${promises.ms.toFixed(0)} ms) | ${promises.ops.toFixed(0)} | ${(promises.ops / one.ops).toFixed(2)}x | ${promises.cores.toFixed(2)} | ${promises.load} |`)
    out[alg] = { one, two, promises }
    if (alg === 'EdDSA') {
      const c1 = pick('c1')
      const c2 = pick('c2')
      lines.push(`| - | control: pure-JS loop, 1 worker_thread | ${c1.ops.toFixed(0)} | 1.00x | ${c1.cores.toFixed(2)} | ${c1.load} |`)
      lines.push(`| - | control: pure-JS loop, 2 worker_threads | ${c2.ops.toFixed(0)} | ${(c2.ops / c1.ops).toFixed(2)}x | ${c2.cores.toFixed(2)} | ${c2.load} |`)
      out.control = { c1, c2 }
    }
  }
  lines.push('', '"vs 1": ops/s over the 1-worker figure; "cores used": process CPU time / wall time. The control ' +
    'rows show what 2 threads can gain on this machine at this moment (other processes share the cores).')
  console.log(lines.join('\n'))
  if (process.env.SCALING_JSON) (await import('node:fs')).writeFileSync(process.env.SCALING_JSON, JSON.stringify(out))
}

if (isMainThread) await main()
