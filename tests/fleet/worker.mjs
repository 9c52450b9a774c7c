// One fleet worker process (kind `node`): `instances` remote key sets, each with its own Redis
// shared cache (authjwt/redis) on one key, verifying fresh tokens until `durationMs` is over.
// Protocol (see run.mjs): config JSON as the last argument; prints {"ready":true}, waits for a
// `go` line on stdin, runs, prints one {"report":true,...} line and exits 0.
import { createInterface } from 'node:readline'
import { createClient } from 'redis'
import { createRemoteJwks, jwtVerify } from '../../npm/index.mjs'
import { createRedisJwksCache } from '../../npm/redis.mjs'

const config = JSON.parse(process.argv.at(-1))
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const client = createClient({ url: config.redisUrl })
client.on('error', (err) => console.error(`${config.workerId}: redis: ${err.message}`))
await client.connect()

const events = {}
const sets = Array.from({ length: config.instances }, () =>
  createRemoteJwks(config.jwksUrl, {
    cacheMinAge: config.cacheMinAgeMs,
    cache: createRedisJwksCache(client, { key: config.cacheKey }),
    onEvent: (e) => {
      events[e.type] = (events[e.type] ?? 0) + 1
    },
  }),
)

const fetchToken = async () => (await fetch(config.tokenUrl)).text()

console.log(JSON.stringify({ ready: true }))
const lines = createInterface({ input: process.stdin })
await new Promise((resolve) => lines.once('line', resolve))

let verified = 0
let failed = 0
const failures = []
let token = await fetchToken()
const end = Date.now() + config.durationMs
let nextToken = Date.now() + config.tokenEveryMs
while (Date.now() < end) {
  if (Date.now() >= nextToken) {
    token = await fetchToken()
    nextToken = Date.now() + config.tokenEveryMs
  }
  const results = await Promise.allSettled(sets.map((set) => jwtVerify(token, set)))
  for (const r of results) {
    if (r.status === 'fulfilled') verified++
    else {
      failed++
      if (failures.length < 5) failures.push({ code: r.reason?.code ?? null, message: String(r.reason?.message ?? r.reason) })
    }
  }
  await sleep(config.verifyEveryMs)
}

console.log(JSON.stringify({ report: true, workerId: config.workerId, kind: 'node', instances: config.instances, verified, failed, failures, events }))
lines.close()
await client.quit()
