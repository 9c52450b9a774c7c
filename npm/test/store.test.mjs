import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Issuer, MemoryStore, AuthJwtError, createLocalJwks, decodeProtectedHeader } from '../index.mjs'
import { SECRET, arrayStore, rejectsWithCode } from './helpers.mjs'

describe('host stores', () => {
  for (const mode of ['sync', 'async']) {
    test(`a ${mode} store receives Better Auth rows and the returned row is the truth`, async () => {
      const store = arrayStore({ mode })
      store.createJwk = function (row) {
        this.creates++
        assert.ok(row.createdAt instanceof Date)
        assert.equal(typeof row.publicKey, 'string')
        assert.equal(typeof row.privateKey, 'string')
        assert.equal(row.alg, 'EdDSA')
        assert.equal(row.crv, 'Ed25519')
        const stored = { ...row, id: 'db-assigned-id', createdAt: row.createdAt.toISOString() }
        this.rows.push(stored)
        return mode === 'async' ? Promise.resolve(stored) : stored
      }
      const issuer = new Issuer({ secret: SECRET, store })
      const token = await issuer.sign({ sub: 'x' })
      assert.equal(decodeProtectedHeader(token).kid, 'db-assigned-id')
      assert.equal((await issuer.jwks()).keys[0].kid, 'db-assigned-id')
    })
  }

  test('rows with a null alg are read as the configured algorithm (old Better Auth rows)', async () => {
    const source = new MemoryStore()
    await new Issuer({ secret: SECRET, store: source }).sign({})
    const rows = (await source.getJwks()).map((r) => ({ ...r, alg: null, crv: null, expiresAt: null }))
    const issuer = new Issuer({ secret: SECRET, store: arrayStore({ rows }) })
    const token = await issuer.sign({})
    assert.equal(decodeProtectedHeader(token).kid, rows[0].id)
  })

  test('MemoryStore can be seeded with rows and read back', async () => {
    const a = new MemoryStore()
    await new Issuer({ secret: SECRET, store: a }).sign({})
    const rows = await a.getJwks()
    const b = new MemoryStore(rows)
    assert.deepEqual(await b.getJwks(), rows)
    const issuer = new Issuer({ secret: SECRET, store: b })
    assert.equal(decodeProtectedHeader(await issuer.sign({})).kid, rows[0].id)
    await assert.rejects(b.createJwk(rows[0]), AuthJwtError, 'duplicate ids are refused')
  })

  test('1,000 concurrent sign calls on an empty store create exactly one key', async () => {
    const store = arrayStore()
    const issuer = new Issuer({ secret: SECRET, store })
    const tokens = await Promise.all(Array.from({ length: 1000 }, (_, i) => issuer.sign({ i })))
    assert.equal(store.creates, 1)
    assert.equal(store.rows.length, 1)
    assert.equal(new Set(tokens.map((t) => decodeProtectedHeader(t).kid)).size, 1)
  })

  test('concurrent RS256 signs (thread pool) and sequential ones (inline) all verify with one key', async () => {
    const store = arrayStore()
    const issuer = new Issuer({ secret: SECRET, store, keyPairConfig: { alg: 'RS256' } })
    const burst = await Promise.all(Array.from({ length: 50 }, (_, i) => issuer.sign({ i })))
    const sequential = []
    for (let i = 0; i < 5; i++) sequential.push(await issuer.sign({ i }))
    assert.equal(store.creates, 1)
    const keys = createLocalJwks(await issuer.jwks())
    for (const t of [...burst, ...sequential]) assert.equal(keys.verifySync(t).protectedHeader.alg, 'RS256')
  })

  test('1,000 signs with a warm cache make zero store calls', async () => {
    const store = arrayStore()
    const issuer = new Issuer({ secret: SECRET, store })
    await issuer.sign({})
    const before = store.gets + store.creates
    for (let i = 0; i < 500; i++) await issuer.sign({ i })
    for (let i = 0; i < 500; i++) issuer.signSync({ i })
    assert.equal(store.gets + store.creates, before)
  })

  for (const [name, make] of [
    ['throws', (e) => () => { throw e }],
    ['rejects', (e) => () => Promise.reject(e)],
  ]) {
    test(`getJwks that ${name} fails with ERR_STORE and the host error as .cause, unchanged`, async () => {
      const cause = new Error('database is down')
      cause.extra = 42
      const issuer = new Issuer({ secret: SECRET, store: { getJwks: make(cause), createJwk: (r) => r } })
      const err = await rejectsWithCode(issuer.sign({}), 'ERR_STORE')
      assert.ok(err instanceof AuthJwtError)
      assert.equal(err.cause, cause)
      assert.match(err.message, /database is down/)
      assert.doesNotMatch(err.message, /authjwt-cause/)
    })

    test(`createJwk that ${name} fails with ERR_STORE, keeps the cause, and no key is used`, async () => {
      const cause = new TypeError('unique constraint')
      const rows = []
      const store = { getJwks: () => rows, createJwk: make(cause) }
      const issuer = new Issuer({ secret: SECRET, store })
      const err = await rejectsWithCode(issuer.sign({}), 'ERR_STORE')
      assert.equal(err.cause, cause)
      assert.throws(() => issuer.signSync({}), AuthJwtError, 'nothing half-made is cached')
      store.createJwk = (row) => { rows.push(row); return row }
      const token = await issuer.sign({})
      assert.equal(decodeProtectedHeader(token).kid, rows[0].id)
    })
  }

  test('a non-Error rejection value is kept as the cause too', async () => {
    const issuer = new Issuer({ secret: SECRET, store: { getJwks: () => Promise.reject('plain string'), createJwk: (r) => r } })
    const err = await rejectsWithCode(issuer.sign({}), 'ERR_STORE')
    assert.equal(err.cause, 'plain string')
  })

  test('a store answering garbage fails with ERR_STORE', async () => {
    const issuer = new Issuer({ secret: SECRET, store: { getJwks: () => 'nope', createJwk: (r) => r } })
    await rejectsWithCode(issuer.sign({}), 'ERR_STORE')
    const bad = new Issuer({ secret: SECRET, store: { getJwks: () => [], createJwk: () => null } })
    await rejectsWithCode(bad.sign({}), 'ERR_STORE')
  })

  test('a Promise that never settles is bounded by storeTimeout', async () => {
    const issuer = new Issuer({ secret: SECRET, storeTimeout: 0.2, store: { getJwks: () => new Promise(() => {}), createJwk: (r) => r } })
    const started = Date.now()
    const err = await rejectsWithCode(issuer.sign({}), 'ERR_STORE')
    assert.equal(err.cause, undefined)
    assert.ok(Date.now() - started < 5000)
  })

  test('the process exits when work is done; a never-settling store call ends at storeTimeout', () => {
    const script = `
      const { Issuer } = require(${JSON.stringify(fileURLToPath(new URL('../index.js', import.meta.url)))})
      const rows = []
      const store = { getJwks: () => rows, createJwk: (r) => { rows.push(r); return r } }
      const issuer = new Issuer({ secret: ${JSON.stringify(SECRET)}, store })
      issuer.sign({ sub: 'x' }).then((t) => {
        console.log('signed', t.split('.').length)
        const hanging = new Issuer({ secret: ${JSON.stringify(SECRET)}, storeTimeout: 1, store: { getJwks: () => new Promise(() => {}), createJwk: (r) => r } })
        hanging.sign({}).catch((e) => console.log('bounded', e.code))
      })
    `
    const child = spawnSync(process.execPath, ['-e', script], { timeout: 8000, encoding: 'utf8' })
    assert.equal(child.signal, null, `the process hung: ${child.stderr}`)
    assert.equal(child.status, 0, child.stderr)
    assert.match(child.stdout, /signed 3/)
    assert.match(child.stdout, /bounded ERR_STORE/)
  })

  test('a throwing store never crashes the process', () => {
    const script = `
      const { Issuer } = require(${JSON.stringify(fileURLToPath(new URL('../index.js', import.meta.url)))})
      const issuer = new Issuer({ secret: ${JSON.stringify(SECRET)}, store: { getJwks() { throw new Error('x') }, createJwk() { throw new Error('y') } } })
      Promise.allSettled([issuer.sign({}), issuer.jwks(), issuer.rotate()]).then((r) => console.log(r.map((x) => x.reason.code).join()))
    `
    const child = spawnSync(process.execPath, ['-e', script], { timeout: 8000, encoding: 'utf8' })
    assert.equal(child.status, 0, child.stderr)
    assert.equal(child.stdout.trim(), 'ERR_STORE,ERR_STORE,ERR_STORE')
  })

  test('keys from a store created by another issuer verify with the shared JWKS', async () => {
    const store = new MemoryStore()
    const a = new Issuer({ secret: SECRET, store })
    const b = new Issuer({ secret: SECRET, store })
    const ta = await a.sign({ who: 'a' })
    const tb = await b.sign({ who: 'b' })
    assert.equal(decodeProtectedHeader(ta).kid, decodeProtectedHeader(tb).kid)
    const keys = createLocalJwks(await b.jwks())
    assert.equal(keys.verifySync(ta).payload.who, 'a')
  })
})
