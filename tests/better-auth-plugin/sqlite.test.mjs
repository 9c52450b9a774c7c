// Better Auth's plugin and authjwt/better-auth on SQLite (better-sqlite3 12 + Better Auth's Kysely
// adapter), tables made by Better Auth's migrations; results compared.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { both } from './harness.mjs'
import { endToEnd, sqlite } from './databases.mjs'

for (const [alg, disablePrivateKeyEncryption] of [['EdDSA', false], ['ES256', false], ['RS256', true]]) {
  test(`sqlite: end to end, ${alg}${disablePrivateKeyEncryption ? ', not encrypted' : ''}`, async () => {
    const r = await both((impl) => endToEnd(sqlite, impl, { alg, disablePrivateKeyEncryption }))
    assert.equal(r.authjwt.tokenStatus, 200)
    assert.equal(r.authjwt.cross, 'cross')
    assert.equal(r.authjwt.rows, 1)
    assert.deepEqual(r.authjwt, r['better-auth'])
  })
}
