// revokeJwk and the retirement of a rotated-away key through authjwt/better-auth's adapter store
// (`adapter.update` on the `jwks` model, the row's `expiresAt`), on SQLite and, under the suite,
// on PostgreSQL: the key leaves /jwks at once, in authjwt's plugin and in Better Auth's own.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as authjwtJwt from 'authjwt/better-auth'
import { IMPLS, call, contextOf, headerOf, makeAuth, signUp } from './harness.mjs'
import { migrate, postgres, sqlite } from './databases.mjs'

const backends = [sqlite, ...(process.env.PGHOST ? [postgres] : [])]
const jwtOptions = { jwks: { keyPairConfig: { alg: 'EdDSA', crv: 'Ed25519' } } }
const kids = async (auth) => (await (await call(auth, '/jwks')).json()).keys.map((k) => k.kid)
const tokenOf = async (auth, cookie) => (await (await call(auth, '/token', { headers: { cookie } })).json()).token
const timeOf = (value) => (value == null ? null : new Date(value).getTime())

for (const backend of backends) {
  test(`${backend.name}: revokeJwk of the signing key drops it from /jwks at once; the next token has a new key`, async () => {
    const opened = await backend.open()
    try {
      await migrate(IMPLS.authjwt, opened.database, jwtOptions)
      const { auth } = makeAuth(IMPLS.authjwt, { database: opened.database, jwt: jwtOptions })
      const { cookie } = await signUp(auth)
      const token = await tokenOf(auth, cookie)
      const { kid } = headerOf(token)
      assert.deepEqual(await kids(auth), [kid])

      await authjwtJwt.revokeJwk(await contextOf(auth), kid, jwtOptions)
      const row = (await opened.rows()).find((r) => r.id === kid)
      assert.equal(timeOf(row.expiresAt), 0, 'expiresAt is the epoch')
      assert.ok(!(await kids(auth)).includes(kid), 'authjwt /jwks drops the key at once')
      const theirs = makeAuth(IMPLS['better-auth'], { database: opened.database, jwt: jwtOptions }).auth
      assert.ok(!(await kids(theirs)).includes(kid), "Better Auth's own /jwks drops it too")
      assert.equal((await auth.api.verifyJWT({ body: { token } })).payload, null, 'a revoked key verifies nothing')

      const next = headerOf(await tokenOf(auth, cookie)).kid
      assert.notEqual(next, kid)
      assert.deepEqual(await kids(auth), [next])
    } finally {
      await opened.close()
    }
  })

  test(`${backend.name}: createJwk retires the old key for the grace period; revokeJwk then drops it`, async () => {
    const opened = await backend.open()
    try {
      await migrate(IMPLS.authjwt, opened.database, jwtOptions)
      const { auth } = makeAuth(IMPLS.authjwt, { database: opened.database, jwt: jwtOptions })
      const { cookie } = await signUp(auth)
      const old = headerOf(await tokenOf(auth, cookie)).kid
      const ctx = await contextOf(auth)
      const before = Date.now()
      const fresh = await authjwtJwt.createJwk(ctx, jwtOptions)
      const after = Date.now()
      const rows = await opened.rows()
      const retiredAt = timeOf(rows.find((r) => r.id === old).expiresAt)
      assert.ok(retiredAt >= before - 1000 && retiredAt <= after + 1000, `old key retired now (${retiredAt})`)
      assert.equal(rows.find((r) => r.id === fresh.id).expiresAt ?? null, null)
      assert.deepEqual((await kids(auth)).sort(), [old, fresh.id].sort(), 'the old key stays published for the grace period')
      assert.equal(headerOf(await tokenOf(auth, cookie)).kid, fresh.id)

      await authjwtJwt.revokeJwk(ctx, old, jwtOptions)
      assert.deepEqual(await kids(auth), [fresh.id])
      assert.equal(headerOf(await tokenOf(auth, cookie)).kid, fresh.id, 'the signing key is untouched')
    } finally {
      await opened.close()
    }
  })
}

test('a custom adapter without updateJwk: revokeJwk is ERR_INVALID_CONFIG naming the callback', async () => {
  const rows = []
  const adapter = {
    getJwks: async () => rows,
    createJwk: async (webKey) => {
      const row = { ...webKey, id: `k${rows.length + 1}` }
      rows.push(row)
      return row
    },
  }
  const options = { ...jwtOptions, adapter }
  const { auth } = makeAuth(IMPLS.authjwt, { jwt: options })
  const { cookie } = await signUp(auth)
  const { kid } = headerOf(await tokenOf(auth, cookie))
  await assert.rejects(authjwtJwt.revokeJwk(await contextOf(auth), kid, options), (error) => {
    assert.equal(error.code, 'ERR_INVALID_CONFIG')
    assert.match(error.message, /updateJwk/)
    return true
  })
  assert.deepEqual(await kids(auth), [kid])
})

test("a custom adapter's own updateJwk records the revocation", async () => {
  const rows = []
  const updates = []
  const adapter = {
    getJwks: async () => rows,
    createJwk: async (webKey) => {
      const row = { ...webKey, id: `k${rows.length + 1}` }
      rows.push(row)
      return row
    },
    updateJwk: async (id, { expiresAt }) => {
      updates.push([id, timeOf(expiresAt)])
      rows.find((r) => r.id === id).expiresAt = expiresAt
    },
  }
  const options = { ...jwtOptions, adapter }
  const { auth } = makeAuth(IMPLS.authjwt, { jwt: options })
  const { cookie } = await signUp(auth)
  const { kid } = headerOf(await tokenOf(auth, cookie))
  await authjwtJwt.revokeJwk(await contextOf(auth), kid, options)
  assert.deepEqual(updates, [[kid, 0]])
  assert.ok(!(await kids(auth)).includes(kid))
})
