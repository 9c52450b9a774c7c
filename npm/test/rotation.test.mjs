// Rotation that no verifier notices (issue 19), through the Node host: rotationLead, staged
// rotate, a JS store's updateJwk, revoke, the JWKS Cache-Control. A manual clock: nothing waits.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { Issuer, MemoryStore, ManualClock, decodeProtectedHeader, createJwtHandler } from '../index.mjs'
import { rejectsWithCode } from './helpers.mjs'

const T0 = Date.parse('2030-01-01T00:00:00Z')
const HOUR = 3600

/** A host store over an array, with or without the optional updateJwk. */
function arrayStore({ withUpdate }) {
  const rows = []
  const store = {
    rows,
    getJwks: async () => rows.map((r) => ({ ...r })),
    createJwk: async (row) => {
      rows.push({ ...row })
      return row
    },
  }
  if (withUpdate) {
    store.updateJwk = async (id, { expiresAt }) => {
      assert.ok(expiresAt instanceof Date)
      const row = rows.find((r) => r.id === id)
      if (!row) throw new Error(`no row ${id}`)
      row.expiresAt = expiresAt
    }
  }
  return store
}

const kidOf = async (issuer) => decodeProtectedHeader(await issuer.sign({ sub: 'u' })).kid
const publishedKids = async (issuer) => (await issuer.jwks()).keys.map((k) => k.kid)

describe('rotation', () => {
  test('the next key is published rotationLead before it signs and signs exactly at expiry', async () => {
    const clock = new ManualClock(T0)
    const store = arrayStore({ withUpdate: true })
    const options = { store, clock, disablePrivateKeyEncryption: true, rotationInterval: '1h', rotationLead: '10m' }
    const a = new Issuer(options)
    const b = new Issuer(options)
    const first = await kidOf(a)
    assert.equal(await kidOf(b), first)
    const expiry = T0 + HOUR * 1000
    clock.set(expiry - 600_000 - 1)
    assert.equal(await a.prepareNextKey(), null)
    clock.set(expiry - 600_000)
    const next = await a.prepareNextKey()
    assert.equal(next.createdAt.getTime(), expiry - 600_000)
    assert.equal(next.expiresAt.getTime(), expiry + HOUR * 1000)
    assert.deepEqual((await publishedKids(a)).sort(), [first, next.id].sort())
    assert.equal((await b.prepareNextKey()).id, next.id, 'b adopts the stored key')
    assert.equal(store.rows.length, 2)
    clock.set(expiry - 1)
    assert.equal(await kidOf(a), first)
    assert.equal(await kidOf(b), first)
    clock.set(expiry)
    assert.equal(await kidOf(a), next.id)
    assert.equal(await kidOf(b), next.id)
  })

  test('rotate() signs now and retires the old key through updateJwk', async () => {
    const clock = new ManualClock(T0)
    const store = arrayStore({ withUpdate: true })
    const events = []
    const issuer = new Issuer({ store, clock, disablePrivateKeyEncryption: true, onEvent: (e) => events.push(e) })
    const old = await kidOf(issuer)
    clock.advance(1000)
    const row = await issuer.rotate()
    assert.equal(await kidOf(issuer), row.id)
    assert.equal(store.rows.find((r) => r.id === old).expiresAt.getTime(), T0 + 1000)
    // Events reach onEvent through the event loop.
    for (let i = 0; i < 500 && !events.some((e) => e.type === 'key.retired'); i++) await new Promise((resolve) => setTimeout(resolve, 10))
    assert.ok(events.some((e) => e.type === 'key.retired' && e.kid === old))
  })

  test('rotate({ staged: true }) publishes now and signs after the lead', async () => {
    const clock = new ManualClock(T0)
    const issuer = new Issuer({ store: new MemoryStore(), clock, disablePrivateKeyEncryption: true, rotationLead: 60 })
    const old = await kidOf(issuer)
    clock.advance(1000)
    const staged = await issuer.rotate({ staged: true })
    assert.ok((await publishedKids(issuer)).includes(staged.id))
    clock.advance(59_999)
    assert.equal(await kidOf(issuer), old)
    clock.advance(1)
    assert.equal(await kidOf(issuer), staged.id)
  })

  test('without updateJwk, rotate says what stays published and revoke is ERR_INVALID_CONFIG', async () => {
    const clock = new ManualClock(T0)
    const events = []
    const issuer = new Issuer({ store: arrayStore({ withUpdate: false }), clock, disablePrivateKeyEncryption: true, onEvent: (e) => events.push(e) })
    const old = await kidOf(issuer)
    await issuer.rotate()
    for (let i = 0; i < 500 && !events.some((e) => e.type === 'key.retirement_unrecorded'); i++) await new Promise((resolve) => setTimeout(resolve, 10))
    const unrecorded = events.find((e) => e.type === 'key.retirement_unrecorded')
    assert.equal(unrecorded.kid, old)
    assert.equal(unrecorded.published_until_ms, null)
    const err = await rejectsWithCode(issuer.revoke(old), 'ERR_INVALID_CONFIG')
    assert.match(err.message, /update_jwk|updateJwk/)
  })

  test('revoke removes the signing key from the JWKS at once and the next key signs', async () => {
    const clock = new ManualClock(T0)
    const store = arrayStore({ withUpdate: true })
    const issuer = new Issuer({ store, clock, disablePrivateKeyEncryption: true })
    const old = await kidOf(issuer)
    const token = await issuer.sign({ sub: 'u' })
    await issuer.revoke(old)
    assert.deepEqual(await publishedKids(issuer), [], 'no grace period')
    const next = await kidOf(issuer)
    assert.notEqual(next, old)
    assert.deepEqual(await publishedKids(issuer), [next])
    await rejectsWithCode(issuer.verify(token), 'ERR_JWKS_NO_MATCHING_KEY')
    await rejectsWithCode(issuer.revoke('nope'), 'ERR_JWKS_NO_MATCHING_KEY')
  })

  test('the JWKS handler serves a max-age at most half the lead', async () => {
    const issuer = new Issuer({ disablePrivateKeyEncryption: true, rotationInterval: 60 })
    assert.equal(issuer.jwksCacheControl(), 'public, max-age=15, stale-while-revalidate=3')
    const handler = createJwtHandler({ issuer, getSession: async () => null })
    const response = await handler(new Request('http://a.test/api/auth/jwks'))
    assert.equal(response.headers.get('cache-control'), 'public, max-age=15, stale-while-revalidate=3')
    const defaults = new Issuer({ disablePrivateKeyEncryption: true })
    assert.equal(defaults.jwksCacheControl(), 'public, max-age=300, stale-while-revalidate=60')
  })

  test('a sign on the fast path (a fresh cached key) starts the next key preparation', async () => {
    const clock = new ManualClock(T0)
    const store = arrayStore({ withUpdate: true })
    const issuer = new Issuer({ store, clock, disablePrivateKeyEncryption: true, rotationInterval: '1h', rotationLead: '10m' })
    const first = await kidOf(issuer)
    // Re-read just before the lead, so the key is fresh when the lead starts a second later.
    clock.set(T0 + 50 * 60 * 1000 - 1000)
    assert.equal(await kidOf(issuer), first)
    clock.set(T0 + 50 * 60 * 1000 + 1000)
    assert.equal(await kidOf(issuer), first)
    for (let i = 0; i < 500 && store.rows.length < 2; i++) await new Promise((r) => setTimeout(r, 10))
    assert.equal(store.rows.length, 2, 'the background preparation stored the next key')
  })

  test('a fraction of a second in rotationLead, rotationInterval or gracePeriod is ERR_INVALID_CONFIG', () => {
    for (const name of ['rotationLead', 'rotationInterval', 'gracePeriod']) {
      assert.throws(() => new Issuer({ disablePrivateKeyEncryption: true, rotationInterval: 3600, [name]: 0.5 }),
        (e) => e.code === 'ERR_INVALID_CONFIG' && e.message.includes(name))
    }
  })

  test('a lead not below the interval is ERR_INVALID_CONFIG', () => {
    assert.throws(() => new Issuer({ disablePrivateKeyEncryption: true, rotationInterval: 60, rotationLead: 60 }), (e) => e.code === 'ERR_INVALID_CONFIG' && /rotationLead/.test(e.message))
  })
})
