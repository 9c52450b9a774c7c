// authjwt <-> the real better-auth package (jwt() plugin, memory adapter): shared rows in both
// directions, both private key encodings, and tokens verified across.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { betterAuth } from 'better-auth'
import { memoryAdapter } from 'better-auth/adapters/memory'
import { jwt } from 'better-auth/plugins'
import { Issuer, createLocalJwks, jwtVerify, decodeProtectedHeader } from '../../npm/index.mjs'

const SECRET = 'better-auth-interop-secret-0123456789'
const BASE = 'http://localhost:3000'

function makeAuth({ db, alg = 'EdDSA', disablePrivateKeyEncryption = false, secrets } = {}) {
  const keyPairConfig = alg === 'EdDSA' ? { alg, crv: 'Ed25519' } : { alg }
  return betterAuth({
    baseURL: BASE,
    ...(secrets ? { secrets, secret: SECRET } : { secret: SECRET }),
    database: memoryAdapter(db),
    logger: { level: 'error' },
    plugins: [jwt({ jwks: { keyPairConfig, disablePrivateKeyEncryption } })],
  })
}

const newDb = () => ({ user: [], session: [], account: [], verification: [], jwks: [] })

/** A store over the memory adapter's jwks table, as a host would write it. */
const tableStore = (db) => ({
  getJwks: () => db.jwks,
  createJwk: (row) => {
    db.jwks.push({ ...row })
    return row
  },
})

describe('better-auth writes, authjwt reads', () => {
  for (const [name, opts, secret] of [
    ['encrypted (bare hex)', {}, SECRET],
    ['not encrypted', { disablePrivateKeyEncryption: true }, undefined],
    ['versioned secrets ($ba$ envelope)', { secrets: [{ version: 2, value: 'versioned-secret-two-0123456789ab' }, { version: 1, value: 'versioned-secret-one-0123456789ab' }] }, [{ version: 2, value: 'versioned-secret-two-0123456789ab' }, { version: 1, value: 'versioned-secret-one-0123456789ab' }]],
    ['ES256 rows', { alg: 'ES256' }, SECRET],
    ['RS256 rows', { alg: 'RS256' }, SECRET],
  ]) {
    test(name, async () => {
      const db = newDb()
      const auth = makeAuth({ db, ...opts })
      const { token: baToken } = await auth.api.signJWT({ body: { payload: { sub: 'ba-user' } } })
      assert.equal(db.jwks.length, 1)
      if (opts.secrets) assert.match(JSON.parse(db.jwks[0].privateKey), /^\$ba\$2\$/)
      const issuer = new Issuer({
        store: tableStore(db),
        ...(secret ? { secret } : { disablePrivateKeyEncryption: true }),
        keyPairConfig: { alg: opts.alg ?? 'EdDSA' },
        issuer: BASE,
        audience: BASE,
      })
      // authjwt signs with better-auth's row; better-auth's verifyJWT accepts the token
      const token = await issuer.sign({ sub: 'authjwt-user', email: 'a@x.test' })
      assert.equal(decodeProtectedHeader(token).kid, db.jwks[0].id)
      assert.equal(db.jwks.length, 1, 'no new key was made')
      const { payload } = await auth.api.verifyJWT({ body: { token } })
      assert.equal(payload?.sub, 'authjwt-user')
      // better-auth's token passes authjwt's jwtVerify with better-auth's /jwks body
      const baJwks = await auth.api.getJwks()
      const verified = await jwtVerify(baToken, createLocalJwks(baJwks), { issuer: BASE, audience: BASE })
      assert.equal(verified.payload.sub, 'ba-user')
      // and authjwt publishes the same key
      assert.equal((await issuer.jwks()).keys[0].kid, baJwks.keys[0].kid)
    })
  }
})

describe('authjwt writes (better-auth format), better-auth signs', () => {
  for (const [name, options, baOpts] of [
    ['hex format with one secret', { secret: SECRET, privateKeyFormat: 'better-auth' }, {}],
    ['plain private JWK', { disablePrivateKeyEncryption: true }, { disablePrivateKeyEncryption: true }],
    ['versioned envelope', { secret: [{ version: 3, value: 'versioned-secret-three-0123456789' }], privateKeyFormat: 'better-auth' }, { secrets: [{ version: 3, value: 'versioned-secret-three-0123456789' }] }],
    ['ES256', { secret: SECRET, privateKeyFormat: 'better-auth', keyPairConfig: { alg: 'ES256' } }, { alg: 'ES256' }],
  ]) {
    test(name, async () => {
      const db = newDb()
      const issuer = new Issuer({ store: tableStore(db), issuer: BASE, audience: BASE, ...options })
      const mine = await issuer.sign({ sub: 'mine' })
      assert.equal(db.jwks.length, 1)
      db.jwks[0].createdAt = new Date(db.jwks[0].createdAt)
      const auth = makeAuth({ db, ...baOpts })
      const { token } = await auth.api.signJWT({ body: { payload: { sub: 'ba-signed' } } })
      assert.equal(db.jwks.length, 1, 'better-auth used the row authjwt created')
      assert.equal(decodeProtectedHeader(token).kid, db.jwks[0].id)
      assert.equal((await issuer.verify(token)).payload.sub, 'ba-signed')
      assert.equal((await auth.api.verifyJWT({ body: { token: mine } })).payload?.sub, 'mine')
    })
  }

  test('authjwt-v1 rows are refused by better-auth (it cannot open them), by design', async () => {
    const db = newDb()
    await new Issuer({ store: tableStore(db), secret: SECRET }).sign({})
    const auth = makeAuth({ db })
    await assert.rejects(auth.api.signJWT({ body: { payload: { sub: 'x' } } }))
  })
})
