// Storage faults (issue 8) through HOST stores: a JS store misbehaves in one way per case; each
// case checks the exact error code and the invariant that no token is ever signed with a key the
// store does not hold. Mirrors core/tests/store_faults.rs.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { Issuer, MemoryStore, AuthJwtError, createLocalJwks, jwtVerify, decodeProtectedHeader } from '../index.mjs'
import { SECRET, rejectsWithCode } from './helpers.mjs'

/** Fast key paths: clear private JWKs, or `better-auth` sealing (real encryption, no PBKDF2). */
const plain = { disablePrivateKeyEncryption: true }
const sealed = (secret) => ({ secret, privateKeyFormat: 'better-auth' })

/**
 * A JS store whose next calls misbehave as scripted. `rows` is the truth: what the store holds.
 * `createFaults` / `getFaults` are queues of functions; a fault may throw, return a Promise, or
 * return `undefined` to let the call behave normally.
 */
function faultyStore({ mode = 'async', rows = [] } = {}) {
  const store = {
    rows,
    gets: 0,
    creates: 0,
    createFaults: [],
    getFaults: [],
    /** Applied to every getJwks answer (e.g. duplicate rows). */
    shapeRows: (r) => r,
    getJwks() {
      store.gets++
      const fault = store.getFaults.shift()
      if (fault) {
        const out = fault()
        if (out !== undefined) return out
      }
      const out = store.shapeRows(store.rows.map((r) => ({ ...r })))
      return mode === 'async' ? new Promise((r) => setImmediate(() => r(out))) : out
    },
    createJwk(row) {
      store.creates++
      const fault = store.createFaults.shift()
      if (fault) {
        const out = fault(row)
        if (out !== undefined) return out
      }
      const stored = { ...row }
      store.rows.push(stored)
      return mode === 'async' ? new Promise((r) => setImmediate(() => r({ ...stored }))) : { ...stored }
    },
  }
  return store
}

/** Key material of a JWK without its metadata, for comparing a row's publicKey with a published key. */
function material(jwk) {
  const { kid, alg, use, key_ops, ...rest } = typeof jwk === 'string' ? JSON.parse(jwk) : jwk
  return Object.fromEntries(Object.keys(rest).sort().map((k) => [k, rest[k]]))
}

/** A local key set built only from the rows the store holds (row.alg, else the configured one). */
function jwksFromRows(rows, alg) {
  const seen = new Map()
  for (const r of rows) if (!seen.has(r.id)) seen.set(r.id, { ...JSON.parse(r.publicKey), kid: r.id, alg: r.alg ?? alg, use: 'sig' })
  return createLocalJwks({ keys: [...seen.values()] })
}

/**
 * The invariant: every issued token names (kid) a row the store holds, the issuer publishes that
 * row's publicKey under that kid, and the token verifies against a key set made from the rows alone.
 */
async function assertStoreHoldsKeysOf(store, issuer, tokens, alg = 'EdDSA') {
  assert.ok(tokens.length > 0)
  const published = (await issuer.jwks()).keys
  const local = jwksFromRows(store.rows, alg)
  for (const t of tokens) {
    const { kid } = decodeProtectedHeader(t)
    const row = store.rows.find((r) => r.id === kid)
    assert.ok(row, `kid ${kid} is not in the store`)
    const pub = published.find((k) => k.kid === kid)
    assert.ok(pub, `kid ${kid} is not published`)
    assert.deepEqual(material(pub), material(row.publicKey), `kid ${kid}: published key differs from the stored publicKey`)
    const { protectedHeader } = await jwtVerify(t, local)
    assert.equal(protectedHeader.kid, kid)
    assert.equal(protectedHeader.alg, alg)
  }
}

/** A public JWK that belongs to no row of the store under test. */
async function foreignPublicKey() {
  const other = new MemoryStore()
  await new Issuer({ ...plain, store: other }).sign({})
  return (await other.getJwks())[0].publicKey
}

const cases = [
  {
    name: '1. createJwk throws once (sync) → ERR_STORE with the thrown error as .cause; nothing stored; next sign uses a stored key',
    async run(mode) {
      const store = faultyStore({ mode })
      const cause = new Error('connection reset by database')
      store.createFaults.push(() => { throw cause })
      const issuer = new Issuer({ ...plain, store })
      const err = await rejectsWithCode(issuer.sign({}), 'ERR_STORE')
      assert.ok(err instanceof AuthJwtError)
      assert.equal(err.cause, cause)
      assert.equal(store.rows.length, 0, 'nothing stored')
      assert.throws(() => issuer.signSync({}), AuthJwtError, 'nothing half-made is cached')
      const t = await issuer.sign({})
      assert.equal(store.creates, 2)
      assert.equal(store.rows.length, 1)
      assert.equal(decodeProtectedHeader(t).kid, store.rows[0].id)
      await assertStoreHoldsKeysOf(store, issuer, [t])
    },
  },
  {
    name: '2. createJwk never settles → ERR_STORE at storeTimeout; works once the store answers again',
    async run(mode) {
      const store = faultyStore({ mode })
      store.createFaults.push(() => new Promise(() => {}))
      const issuer = new Issuer({ ...plain, store, storeTimeout: 0.2 })
      const started = Date.now()
      const err = await rejectsWithCode(issuer.sign({}), 'ERR_STORE')
      assert.ok(Date.now() - started < 5000, 'bounded by storeTimeout')
      assert.equal(err.cause, undefined, 'a timeout has no host error')
      assert.equal(store.rows.length, 0)
      assert.throws(() => issuer.signSync({}), AuthJwtError, 'nothing half-made is cached')
      const t = await issuer.sign({})
      assert.equal(store.creates, 2)
      assert.equal(store.rows.length, 1)
      await assertStoreHoldsKeysOf(store, issuer, [t])
    },
  },
  {
    name: '3. createJwk stores the row under another id (DB-assigned) → accepted; kid is the returned id',
    async run(mode) {
      const store = faultyStore({ mode })
      store.createFaults.push((row) => {
        const stored = { ...row, id: 'db-assigned-7' }
        store.rows.push(stored)
        return mode === 'async' ? Promise.resolve({ ...stored }) : { ...stored }
      })
      const issuer = new Issuer({ ...plain, store })
      const t = await issuer.sign({})
      assert.equal(decodeProtectedHeader(t).kid, 'db-assigned-7')
      assert.equal(decodeProtectedHeader(issuer.signSync({})).kid, 'db-assigned-7', 'the cached key carries the returned id')
      const row = await issuer.rotate()
      const t2 = await issuer.sign({})
      assert.equal(decodeProtectedHeader(t2).kid, row.id)
      assert.equal(store.rows.length, 2)
      await assertStoreHoldsKeysOf(store, issuer, [t, t2])
    },
  },
  {
    name: '4. createJwk returns (and stores) a row with another key\'s publicKey → ERR_STORE; never signed with',
    async run(mode) {
      const swapped = await foreignPublicKey()
      const store = faultyStore({ mode })
      store.createFaults.push((row) => {
        const stored = { ...row, publicKey: swapped }
        store.rows.push(stored)
        return mode === 'async' ? Promise.resolve({ ...stored }) : { ...stored }
      })
      const issuer = new Issuer({ ...plain, store })
      await rejectsWithCode(issuer.sign({}), 'ERR_STORE')
      assert.throws(() => issuer.signSync({}), AuthJwtError, 'the refused key is not cached')
      // The bad row is now the store's latest key; its private key does not belong to its public
      // key, so it is refused again instead of being used (core: ERR_KEY_DECRYPTION_FAILED).
      const tokens = []
      for (let i = 0; i < 3; i++) {
        try {
          tokens.push(await issuer.sign({ i }))
        } catch (e) {
          assert.equal(e.code, 'ERR_KEY_DECRYPTION_FAILED', `${e.code}: ${e.message}`)
          assert.match(e.message, /does not belong/)
        }
      }
      for (const t of tokens) {
        const row = store.rows.find((r) => r.id === decodeProtectedHeader(t).kid)
        assert.ok(row && row.publicKey !== swapped, 'never signed with the swapped key')
      }
      if (tokens.length) await assertStoreHoldsKeysOf(store, issuer, tokens)
      assert.equal(tokens.length, 0, 'core behaviour: the bad latest row keeps failing')
      assert.equal(store.creates, 1, 'no key made behind the user\'s back')
    },
  },
  {
    name: '5a. getJwks rejects on every other call → exactly those store-reading calls (cold sign, jwks) fail with ERR_STORE; tokens in between verify',
    async run(mode) {
      const store = faultyStore({ mode })
      const seed = new Issuer({ ...plain, store })
      const first = await seed.sign({})
      const cause = new Error('connection reset by database')
      // From here on, every other getJwks call rejects (the 1st, 3rd, ...). The issuer may hold the
      // store's methods from construction, so the fault lives inside getJwks (a getFaults "queue").
      let calls = 0
      store.getFaults = { shift: () => (calls++ % 2 === 0 ? () => Promise.reject(cause) : undefined) }
      const tokens = [first]
      const outcomes = []
      for (let i = 0; i < 10; i++) {
        // Even steps: a sign on a cold cache (a new issuer sharing the store) must read the store;
        // odd steps: publishing the JWKS reads it too.
        const before = calls
        try {
          if (i % 2 === 0) tokens.push(await new Issuer({ ...plain, store }).sign({ i }))
          else await new Issuer({ ...plain, store }).jwks()
          outcomes.push('ok')
        } catch (e) {
          assert.equal(e.code, 'ERR_STORE', `${e.code}: ${e.message}`)
          assert.equal(e.cause, cause)
          outcomes.push('ERR_STORE')
        }
        assert.equal(calls - before, 1, 'one store read per call')
      }
      assert.deepEqual(outcomes, ['ERR_STORE', 'ok', 'ERR_STORE', 'ok', 'ERR_STORE', 'ok', 'ERR_STORE', 'ok', 'ERR_STORE', 'ok'])
      assert.equal(store.rows.length, 1, 'a failed read never causes a new key')
      assert.equal(store.creates, 1)
      store.getFaults = []
      assert.equal(new Set(tokens.map((t) => decodeProtectedHeader(t).kid)).size, 1)
      await assertStoreHoldsKeysOf(store, seed, tokens)
    },
  },
  {
    name: '5b. getJwks rejects on every other call, warm cache + keyCacheTtl 0 → each async sign reads the store and exactly the failed reads fail with ERR_STORE; signSync keeps serving the live key and refreshes in the background',
    async run(mode) {
      const store = faultyStore({ mode })
      const issuer = new Issuer({ ...plain, store, keyCacheTtl: 0 })
      const tokens = [await issuer.sign({})]
      const cause = new Error('connection reset by database')
      let calls = 0
      store.getFaults = { shift: () => (calls++ % 2 === 0 ? () => Promise.reject(cause) : undefined) }
      const outcomes = []
      for (let i = 0; i < 6; i++) {
        const before = calls
        try {
          tokens.push(await issuer.sign({ i }))
          outcomes.push('ok')
        } catch (e) {
          assert.equal(e.code, 'ERR_STORE', `${e.code}: ${e.message}`)
          assert.equal(e.cause, cause)
          outcomes.push('ERR_STORE')
        }
        assert.equal(calls - before, 1, 'the stale cache made sign read the store, once')
      }
      assert.deepEqual(outcomes, ['ERR_STORE', 'ok', 'ERR_STORE', 'ok', 'ERR_STORE', 'ok'])
      for (let i = 0; i < 4; i++) {
        const before = calls
        // signSync cannot wait for the store: it signs with the live key, the read runs behind it.
        tokens.push(issuer.signSync({ i }))
        for (let w = 0; w < 100 && calls === before; w++) await new Promise((r) => setTimeout(r, 10))
        assert.ok(calls > before, 'the stale key was refreshed from the store in the background')
      }
      assert.equal(store.rows.length, 1, 'a failed read never causes a new key')
      assert.equal(store.creates, 1)
      store.getFaults = []
      assert.equal(new Set(tokens.map((t) => decodeProtectedHeader(t).kid)).size, 1)
      await assertStoreHoldsKeysOf(store, issuer, tokens)
    },
  },
  {
    name: '6. getJwks returns every row twice → works, one key',
    async run(mode) {
      const store = faultyStore({ mode })
      const first = new Issuer({ ...plain, store })
      const t = await first.sign({})
      store.shapeRows = (rows) => [...rows, ...rows]
      const fresh = new Issuer({ ...plain, store })
      assert.equal((await fresh.jwks()).keys.length, 1)
      const t2 = await fresh.sign({})
      assert.equal(decodeProtectedHeader(t2).kid, decodeProtectedHeader(t).kid)
      assert.equal(store.creates, 1)
      assert.equal((await fresh.verify(t)).protectedHeader.kid, decodeProtectedHeader(t).kid)
      await assertStoreHoldsKeysOf(store, fresh, [t, t2])
    },
  },
  ...['EdDSA', 'ES256'].map((alg) => ({
    name: `7. rows with alg: null (${alg}) → read as the configured algorithm`,
    async run(mode) {
      const source = new MemoryStore()
      await new Issuer({ ...plain, store: source, keyPairConfig: { alg } }).sign({})
      const rows = (await source.getJwks()).map((r) => ({ ...r, id: `legacy-${alg}`, alg: null, crv: null, expiresAt: null }))
      const store = faultyStore({ mode, rows })
      const issuer = new Issuer({ ...plain, store, keyPairConfig: { alg } })
      const t = await issuer.sign({})
      assert.equal(decodeProtectedHeader(t).kid, `legacy-${alg}`)
      assert.equal(decodeProtectedHeader(t).alg, alg)
      assert.equal(store.creates, 0)
      assert.equal((await issuer.jwks()).keys[0].alg, alg)
      await issuer.verify(t)
      await assertStoreHoldsKeysOf(store, issuer, [t], alg)
    },
  })),
  {
    name: '8. rows sealed with an old secret open only if that secret is configured; no key made behind the user\'s back',
    async run(mode) {
      const A = `old ${SECRET}`
      const B = `new ${SECRET}`
      const store = faultyStore({ mode })
      const old = new Issuer({ ...sealed(A), store })
      const tOld = await old.sign({})
      const sealedKid = decodeProtectedHeader(tOld).kid
      assert.equal(store.rows.length, 1)

      const rotated = new Issuer({ ...sealed([B, A]), store })
      const t = await rotated.sign({})
      assert.equal(decodeProtectedHeader(t).kid, sealedKid, 'the old row opens with the second secret')

      const forgot = new Issuer({ ...sealed(B), store })
      const err = await rejectsWithCode(forgot.sign({}), 'ERR_KEY_DECRYPTION_FAILED')
      assert.ok(err.message.includes(sealedKid), `names the kid: ${err.message}`)
      assert.ok(!err.message.includes(A) && !err.message.includes(B), 'never shows a secret')
      await forgot.jwks() // publishing must not make a key either
      await rejectsWithCode(forgot.sign({}), 'ERR_KEY_DECRYPTION_FAILED')
      assert.equal(store.creates, 1, 'only the first issuer made a key')
      assert.equal(store.rows.length, 1, 'store row count unchanged')
      await assertStoreHoldsKeysOf(store, rotated, [tOld, t])
    },
  },
]

describe('storage faults through host stores (issue 8)', () => {
  for (const c of cases) {
    for (const mode of ['async', 'sync']) {
      test(`${c.name} [${mode} store]`, () => c.run(mode))
    }
  }
})
