// Better Auth's plugin and authjwt/better-auth on PostgreSQL (the `pg` driver), tables made by
// Better Auth's migrations: the end-to-end comparison, a mixed deployment on one table through a
// rotation and a rollback, minting inside a transaction on a one-connection pool, and 1,000
// concurrent /token requests on an empty table.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { runWithTransaction } from '@better-auth/core/context'
import { IMPLS, both, call, headerOf, makeAuth, signUp } from './harness.mjs'
import { endToEnd, migrate, postgres } from './databases.mjs'

describe('postgres: end to end', () => {
  for (const [alg, disablePrivateKeyEncryption] of [['EdDSA', false], ['ES256', true], ['PS256', false]]) {
    test(`${alg}${disablePrivateKeyEncryption ? ', not encrypted' : ', sealed'}`, async () => {
      const r = await both((impl) => endToEnd(postgres, impl, { alg, disablePrivateKeyEncryption }))
      assert.equal(r.authjwt.tokenStatus, 200)
      assert.equal(r.authjwt.cross, 'cross')
      assert.equal(r.authjwt.rows, 1)
      assert.deepEqual(r.authjwt, r['better-auth'])
    })
  }
})

describe('postgres: mixed deployment on one table', () => {
  test('old plugin and authjwt side by side through rotations, then a rollback', async (t) => {
    const opened = await postgres.open()
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() })
    try {
      const jwtOptions = { jwks: { rotationInterval: 2, gracePeriod: 600 } }
      await migrate(IMPLS['better-auth'], opened.database, jwtOptions)
      const old = makeAuth(IMPLS['better-auth'], { database: opened.database, jwt: jwtOptions }).auth
      const ours = makeAuth(IMPLS.authjwt, { database: opened.database, jwt: jwtOptions }).auth
      const sign = async (auth, sub) => (await auth.api.signJWT({ body: { payload: { sub } } })).token
      const verify = async (auth, token) => (await auth.api.verifyJWT({ body: { token } })).payload?.sub
      const kids = async (auth) => (await auth.api.getJwks()).keys.map((k) => k.kid).sort()
      const crossCheck = async (label) => {
        const a = await sign(old, 'old')
        const b = await sign(ours, 'ours')
        assert.equal(headerOf(a).kid, headerOf(b).kid, `${label}: both sign with the newest live key`)
        assert.equal(await verify(ours, a), 'old', `${label}: authjwt verifies the old plugin's token`)
        assert.equal(await verify(old, b), 'ours', `${label}: the old plugin verifies authjwt's token`)
        assert.deepEqual(await kids(old), await kids(ours), `${label}: both publish the same keys`)
        return headerOf(a).kid
      }

      // The old plugin makes the first key; authjwt reads and uses it.
      await sign(old, 'first')
      const k1 = await crossCheck('k1 by the old plugin')
      assert.equal((await opened.rows()).length, 1)

      // Rotation: authjwt mints the next key; the old plugin reads authjwt's sealed row.
      t.mock.timers.tick(2100)
      await sign(ours, 'rotate')
      const k2 = await crossCheck('k2 by authjwt')
      assert.notEqual(k2, k1)
      const byOurs = (await opened.rows()).find((r) => r.id === k2)
      assert.equal(typeof JSON.parse(byOurs.privateKey), 'string', "authjwt's row is sealed in Better Auth's format")

      // Rotation again: the old plugin mints; authjwt's cached key expires and it adopts the old plugin's row.
      t.mock.timers.tick(2100)
      await sign(old, 'rotate')
      const k3 = await crossCheck('k3 by the old plugin')
      assert.equal((await kids(ours)).length, 3, 'the JWKS keeps rotated keys for the grace period')

      // Rollback: only Better Auth's plugin is left, and signs with the key authjwt made last.
      t.mock.timers.tick(2100)
      const last = headerOf(await sign(ours, 'before rollback')).kid
      assert.ok(![k1, k2, k3].includes(last))
      const rolledBack = makeAuth(IMPLS['better-auth'], { database: opened.database, jwt: jwtOptions }).auth
      const afterRollback = await sign(rolledBack, 'after rollback')
      assert.equal(headerOf(afterRollback).kid, last, "the rolled-back server signs with authjwt's key")
      assert.equal(await verify(rolledBack, afterRollback), 'after rollback')
      assert.equal((await opened.rows()).length, 4)
    } finally {
      t.mock.timers.reset()
      await opened.close()
    }
  })
})

describe('postgres: transactions and concurrency', () => {
  test('minting inside runWithTransaction on a one-connection pool does not deadlock', async () => {
    const r = await both(async (impl) => {
      const opened = await postgres.open({ max: 1 })
      try {
        await migrate(impl, opened.database)
        const { auth } = makeAuth(impl, { database: opened.database })
        const ctx = await auth.$context
        let guard
        const hang = new Promise((resolve) => {
          guard = setTimeout(() => resolve('deadlocked'), 30_000)
        })
        const work = runWithTransaction(ctx.adapter, async () => (await auth.api.signJWT({ body: { payload: { sub: 'tx' } } })).token)
        const token = await Promise.race([work, hang])
        clearTimeout(guard)
        assert.notEqual(token, 'deadlocked')
        return { rows: (await opened.rows()).length, kid: headerOf(token).kid === (await opened.rows())[0].id }
      } finally {
        await opened.close()
      }
    })
    assert.deepEqual(r.authjwt, { rows: 1, kid: true })
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('1,000 concurrent /token on an empty table: authjwt makes one key (Better Auth: printed)', async () => {
    const r = await both(async (impl, name) => {
      const opened = await postgres.open({ max: 10 })
      try {
        await migrate(impl, opened.database)
        const { auth } = makeAuth(impl, { database: opened.database })
        const { cookie } = await signUp(auth)
        const responses = await Promise.all(Array.from({ length: 1000 }, () => call(auth, '/token', { headers: { cookie } })))
        const keys = (await opened.rows()).length
        console.log(`# postgres, ${name}: 1000 concurrent /token on an empty table made ${keys} key(s)`)
        return { statuses: [...new Set(responses.map((res) => res.status))], keys }
      } finally {
        await opened.close()
      }
    })
    assert.deepEqual(r.authjwt, { statuses: [200], keys: 1 })
  })
})

describe('postgres: examples/stores next to a Better Auth server', () => {
  test('sharedWithBetterAuth refuses authjwt-v1 rows; Better Auth-format rows are served by Better Auth', async () => {
    const { Issuer } = await import('authjwt')
    const { PgKeyStore, KeyFormatError } = await import('../../examples/stores/pg-store.mjs')
    const opened = await postgres.open()
    try {
      await migrate(IMPLS['better-auth'], opened.database)
      const { auth } = makeAuth(IMPLS['better-auth'], { database: opened.database })
      const { cookie } = await signUp(auth)
      const store = new PgKeyStore(opened.database, { sharedWithBetterAuth: true })
      // The snippet as it was (default authjwt-v1 format): refused before anything is written.
      const wrong = new Issuer({ store, secret: (await auth.$context).secret })
      await assert.rejects(wrong.rotate(), (err) => err.code === 'ERR_STORE' && err.cause instanceof KeyFormatError)
      assert.equal((await opened.rows()).length, 0)
      // The snippet as it is now: Better Auth's format and secret; Better Auth signs with the row.
      const right = new Issuer({ store, secret: (await auth.$context).secret, privateKeyFormat: 'better-auth' })
      const row = await right.rotate()
      const res = await call(auth, '/token', { headers: { cookie } })
      assert.equal(res.status, 200)
      assert.equal(headerOf((await res.json()).token).kid, row.id)
    } finally {
      await opened.close()
    }
  })

  test("by default the store detects Better Auth's rows in the table and refuses authjwt's format next to them", async () => {
    const { Issuer } = await import('authjwt')
    const { PgKeyStore, KeyFormatError } = await import('../../examples/stores/pg-store.mjs')
    const opened = await postgres.open()
    try {
      await migrate(IMPLS['better-auth'], opened.database)
      const secret = (await makeAuth(IMPLS['better-auth'], { database: opened.database }).auth.$context).secret
      // An empty table: nothing says a Better Auth server writes it, so authjwt's default format goes in.
      const alone = new Issuer({ store: new PgKeyStore(opened.database), secret })
      await alone.rotate()
      assert.equal((await opened.rows()).length, 1)
      await opened.database.query('DELETE FROM jwks')
      // Better Auth's plugin makes its key (its /token), then a store with the default options.
      const { auth } = makeAuth(IMPLS['better-auth'], { database: opened.database })
      const { cookie } = await signUp(auth)
      const first = await call(auth, '/token', { headers: { cookie } })
      assert.equal(first.status, 200)
      const betterAuthKid = headerOf((await first.json()).token).kid
      for (const exactlyOne of [false, true]) {
        const wrong = new Issuer({ store: new PgKeyStore(opened.database, { exactlyOne }), secret })
        await assert.rejects(wrong.rotate(), (err) => {
          assert.equal(err.code, 'ERR_STORE')
          assert.ok(err.cause instanceof KeyFormatError, String(err.cause))
          assert.match(err.cause.message, new RegExp(`row ${betterAuthKid} is in Better Auth's format`))
          assert.match(err.cause.message, /privateKeyFormat: 'better-auth'/)
          assert.match(err.cause.message, /Better Auth's secret/)
          assert.match(err.cause.message, /allowMixedFormats: true/)
          return true
        }, `exactlyOne: ${exactlyOne}`)
        assert.equal((await opened.rows()).length, 1, 'nothing was written')
      }
      const still = await call(auth, '/token', { headers: { cookie } })
      assert.equal(still.status, 200, "Better Auth's /token still works")
      // The snippet's configuration passes the same guard, and Better Auth signs with the new key.
      const right = new Issuer({ store: new PgKeyStore(opened.database), secret, privateKeyFormat: 'better-auth' })
      const row = await right.rotate()
      const after = await call(auth, '/token', { headers: { cookie } })
      assert.equal(after.status, 200)
      assert.equal(headerOf((await after.json()).token).kid, row.id)
      // The explicit opt-out for a table no Better Auth server reads: the row is written.
      const mixed = new Issuer({ store: new PgKeyStore(opened.database, { allowMixedFormats: true }), secret })
      await mixed.rotate()
      assert.equal((await opened.rows()).length, 3)
      assert.equal(typeof (await mixed.sign({ sub: 'u' })), 'string')
      assert.throws(() => new PgKeyStore(opened.database, { sharedWithBetterAuth: true, allowMixedFormats: true }), TypeError)
    } finally {
      await opened.close()
    }
  })
})
