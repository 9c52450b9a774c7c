// createRemoteJwks' shared `cache` ({ load, save, claim?, release? }, sync or async) against a
// real HTTP server on 127.0.0.1 counting fetches: instances share one fetch, what the cache
// returns is validated, and a failing cache is reported through onEvent, never a failed
// verification or an unhandled rejection.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { Issuer, createRemoteJwks, jwtVerify } from '../index.mjs'
import { SECRET, throwsWithCode } from './helpers.mjs'

/** Waits (bounded) for `done()`: events arrive from the native side without a promise. */
async function until(what, done) {
  for (let i = 0; i < 500; i++) {
    if (done()) return
    await sleep(10)
  }
  assert.fail(`gave up waiting for ${what}`)
}

/** Storage in this process shared by several caches: sync (`mode: 'sync'`) or async methods. */
function memoryCache(storage, { mode = 'async', claim = true } = {}) {
  const wrap = (fn) => (mode === 'sync' ? fn : async (...args) => fn(...args))
  const cache = {
    load: wrap(() => storage.entry),
    save: wrap((entry) => {
      storage.saves.push(entry)
      storage.entry = JSON.stringify(entry)
    }),
  }
  if (claim) {
    cache.claim = wrap((ttlMs) => {
      storage.ttls.push(ttlMs)
      if (storage.claimed) return false
      storage.claimed = true
      return true
    })
    cache.release = wrap(() => {
      storage.claimed = false
    })
  }
  return cache
}

const newStorage = () => ({ entry: null, saves: [], ttls: [], claimed: false })

describe('createRemoteJwks({ cache })', () => {
  let server
  let issuer
  let url
  let fetches = 0

  before(async () => {
    issuer = new Issuer({ secret: SECRET })
    const body = JSON.stringify(await issuer.jwks())
    server = createServer((req, res) => {
      fetches++
      res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"', 'cache-control': 'max-age=600' }).end(body)
    })
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${server.address().port}/jwks`
  })

  after(() => server.close())

  for (const mode of ['sync', 'async']) {
    test(`eight instances over one ${mode} cache make one fetch; the entry is documented JSON`, async () => {
      const storage = newStorage()
      const start = fetches
      const events = []
      const sets = Array.from({ length: 8 }, () => createRemoteJwks(url, { cache: memoryCache(storage, { mode }), onEvent: (e) => events.push(e) }))
      const token = await issuer.sign({ sub: 'u1' })
      const results = await Promise.all(sets.map((s) => jwtVerify(token, s)))
      assert.ok(results.every((r) => r.payload.sub === 'u1'))
      assert.equal(fetches - start, 1)
      assert.equal(storage.saves.length, 1)
      const entry = storage.saves[0]
      assert.deepEqual(Object.keys(entry).sort(), ['body', 'etag', 'fetchedAt', 'lastModified', 'lifetime', 'url'])
      assert.equal(entry.url, url)
      assert.equal(entry.etag, '"v1"')
      assert.equal(entry.lifetime, 600_000)
      assert.equal(typeof entry.fetchedAt, 'number')
      assert.deepEqual(JSON.parse(entry.body), await issuer.jwks())
      assert.ok(storage.ttls.every((t) => t === 6000), 'claims live timeoutDuration + 1 s')
      await until('7 cache_loaded events', () => events.filter((e) => e.type === 'jwks.cache_loaded').length === 7)
    })
  }

  test('an entry that is not JSON, not a JWKS, or for another URL is reported and ignored', async () => {
    const other = new Issuer({ secret: SECRET })
    const otherBody = JSON.stringify(await other.jwks())
    const now = Date.now()
    const cases = [
      ['{not json', 'invalid_entry'],
      [{ url, body: 'garbage', etag: null, lastModified: null, fetchedAt: now, lifetime: 600_000 }, 'invalid_body'],
      [{ url: 'https://elsewhere.example/jwks', body: otherBody, etag: null, lastModified: null, fetchedAt: now, lifetime: 600_000 }, 'other_url'],
    ]
    const token = await issuer.sign({ sub: 'u2' })
    for (const [stored, reason] of cases) {
      const start = fetches
      const events = []
      const storage = newStorage()
      storage.entry = stored
      const remote = createRemoteJwks(url, { cache: memoryCache(storage), onEvent: (e) => events.push(e) })
      assert.equal((await jwtVerify(token, remote)).payload.sub, 'u2')
      assert.equal(fetches - start, 1, reason)
      await until(`a cache_rejected ${reason}`, () => events.some((e) => e.type === 'jwks.cache_rejected' && e.reason === reason))
    }
  })

  test('a cache that throws, rejects or answers nonsense still verifies; its error reaches onEvent', async () => {
    const rejections = []
    const onRejection = (err) => rejections.push(err)
    process.on('unhandledRejection', onRejection)
    try {
      const token = await issuer.sign({ sub: 'u3' })
      const boom = new Error('redis://user:pw@cache: connection refused')
      const caches = [
        { load: () => { throw boom }, save: () => { throw boom }, claim: () => { throw boom } },
        { load: async () => { throw boom }, save: async () => { throw boom }, claim: async () => 'yes' },
      ]
      for (const cache of caches) {
        const events = []
        const start = fetches
        const remote = createRemoteJwks(url, { cache, onEvent: (e) => events.push(e) })
        assert.equal((await jwtVerify(token, remote)).payload.sub, 'u3')
        assert.equal(fetches - start, 1)
        await until('load, claim and save failures', () => events.filter((e) => e.type === 'jwks.cache_failed').length === 3)
        const failed = events.filter((e) => e.type === 'jwks.cache_failed')
        assert.deepEqual(failed.map((e) => e.operation), ['load', 'claim', 'save'])
        assert.equal(failed[0].error, boom, 'the host error is handed back as event.error')
        for (const e of failed) assert.ok(!JSON.stringify(e).includes('pw'), 'no cache credentials in the event text')
      }
      await sleep(50)
      assert.deepEqual(rejections, [])
    } finally {
      process.off('unhandledRejection', onRejection)
    }
  })

  test('a cache without load or save is refused when the key set is built', () => {
    throwsWithCode(() => createRemoteJwks(url, { cache: { load() {} } }), 'ERR_INVALID_CONFIG')
    throwsWithCode(() => createRemoteJwks(url, { cache: { load() {}, save() {}, claim: 1 } }), 'ERR_INVALID_CONFIG')
  })
})
