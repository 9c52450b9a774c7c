// authjwt/better-auth with Better Auth's `jwt: { sign }` (a KMS or remote signer that returns a
// whole JWT): every token is verified against the JWKS at `jwks.remoteUrl` (served here on
// 127.0.0.1) before `auth.api.signJWT` or `/token` return it. The "KMS" is a jose key in the test.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import * as jose from 'jose'
import * as authjwtJwt from 'authjwt/better-auth'
import { call, contextOf, headerOf, makeAuth, newMemoryDb, signUp } from './harness.mjs'

const pair = (alg) => jose.generateKeyPair(alg, { extractable: true })
const published = async (keys, kid, alg) => ({ ...(await jose.exportJWK(keys.publicKey)), kid, alg })

describe('jwt.sign: tokens verified before they are returned', () => {
  let server
  let remoteUrl
  let fetches = 0
  let kms
  let kmsV2
  let stranger
  let p384
  before(async () => {
    ;[kms, kmsV2, stranger, p384] = await Promise.all([pair('ES256'), pair('ES256'), pair('ES256'), pair('ES384')])
    const body = JSON.stringify({
      keys: [await published(kms, 'kms/1', 'ES256'), await published(kmsV2, 'kms/2', 'ES256'), await published(p384, 'kms-384/1', 'ES384')],
    })
    server = createServer((req, res) => {
      fetches++
      res.writeHead(200, { 'content-type': 'application/json' }).end(body)
    })
    await new Promise((r) => server.listen(0, '127.0.0.1', r))
    remoteUrl = `http://127.0.0.1:${server.address().port}/jwks.json`
  })
  after(() => server.close())

  /** A signer as Better Auth users write it: jose's SignJWT over the payload and header given. */
  const signWith = (key, alg, kid) => async (payload, header) =>
    new jose.SignJWT(payload).setProtectedHeader({ ...header, alg, kid }).sign(key.privateKey)

  const authWith = (sign, jwtExtra = {}) =>
    makeAuth(authjwtJwt, {
      jwt: { jwks: { remoteUrl, keyPairConfig: { alg: 'ES256' } }, jwt: { sign, ...jwtExtra } },
      logger: { disabled: true },
    })

  test('a good signer: signJWT and /token return tokens jose verifies through remoteUrl; one fetch', async () => {
    const calls = []
    const good = signWith(kms, 'ES256', 'kms/1')
    const { auth } = authWith((...args) => (calls.push(args.length), good(...args)))
    const jwks = jose.createRemoteJWKSet(new URL(remoteUrl))
    const before = fetches
    for (let i = 0; i < 5; i++) {
      const { token } = await auth.api.signJWT({ body: { payload: { sub: `u${i}` } } })
      const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, { issuer: 'http://localhost:3000', algorithms: ['ES256'] })
      assert.equal(payload.sub, `u${i}`)
      assert.equal(protectedHeader.kid, 'kms/1')
    }
    const { cookie, user } = await signUp(auth)
    const res = await call(auth, '/token', { headers: { cookie } })
    assert.equal(res.status, 200)
    const { token } = await res.json()
    assert.equal((await jose.jwtVerify(token, jwks)).payload.sub, user.id)
    // Better Auth's contract: the custom sign always gets three arguments.
    assert.ok(calls.length >= 6 && calls.every((n) => n === 3), `${calls}`)
    // jose's remote set fetched once; the plugin's cached set once for all these tokens.
    assert.equal(fetches - before, 2)
  })

  test('a key version named by the signer verifies; an expired payload it was asked for is still returned', async () => {
    const { auth } = authWith(signWith(kmsV2, 'ES256', 'kms/2'))
    const { token } = await auth.api.signJWT({ body: { payload: { sub: 'v2', exp: 1000 } } })
    assert.equal(headerOf(token).kid, 'kms/2')
    await assert.rejects(jose.jwtVerify(token, jose.createRemoteJWKSet(new URL(remoteUrl))), { code: 'ERR_JWT_EXPIRED' })
  })

  const good = () => signWith(kms, 'ES256', 'kms/1')
  const BAD = {
    'wrong key': () => signWith(stranger, 'ES256', 'kms/1'),
    'wrong algorithm (a published ES384 key)': () => signWith(p384, 'ES384', 'kms-384/1'),
    'wrong algorithm (HS256)': () => async (payload) =>
      new jose.SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid: 'kms/1' }).sign(new Uint8Array(32).fill(7)),
    'an unpublished kid': () => signWith(kms, 'ES256', 'kms/9'),
    truncated: () => async (...args) => (await good()(...args)).slice(0, -2),
    'no signature': () => async (...args) => (await good()(...args)).replace(/\.[^.]*$/, '.'),
    'a flipped signature bit': () => async (...args) => {
      const token = await good()(...args)
      const [h, p, s] = token.split('.')
      const sig = Buffer.from(s, 'base64url')
      sig[10] ^= 1
      return `${h}.${p}.${sig.toString('base64url')}`
    },
    empty: () => async () => '',
    undefined: () => async () => undefined,
    'not a JWT': () => async () => 'header.payload.mock-signature',
  }
  for (const [what, make] of Object.entries(BAD)) {
    test(`refused before signJWT and /token return: ${what}`, async () => {
      let called = 0
      const sign = make()
      const { auth } = authWith(async (...args) => (called++, sign(...args)))
      await assert.rejects(auth.api.signJWT({ body: { payload: { sub: 'x' } } }), (error) => {
        assert.equal(error.code, 'ERR_STORE', error.message)
        assert.match(error.message, /^jwt\.sign .*no token was returned/)
        return true
      })
      assert.equal(called, 1)
      const { cookie } = await signUp(auth)
      const res = await call(auth, '/token', { headers: { cookie } })
      assert.notEqual(res.status, 200)
      assert.ok(!(await res.text()).includes('eyJ'), 'no token in the response')
    })
  }

  test('signingKeyId pins the kid the signer must answer with', async () => {
    const { auth } = authWith(signWith(kms, 'ES256', 'kms/1'))
    const ctx = await contextOf(auth)
    const options = { jwks: { remoteUrl, keyPairConfig: { alg: 'ES256' } }, jwt: { sign: signWith(kms, 'ES256', 'kms/1') } }
    const token = await authjwtJwt.signJWT(ctx, { options, payload: { sub: 'p' }, signingKeyId: 'kms/1' })
    assert.equal(headerOf(token).kid, 'kms/1')
    await assert.rejects(authjwtJwt.signJWT(ctx, { options, payload: { sub: 'p' }, signingKeyId: 'kms/2' }), { code: 'ERR_STORE' })
  })

  test('a kid that is not at remoteUrl but in the plugin\'s rows verifies against that row', async () => {
    const local = await pair('ES256')
    const db = newMemoryDb()
    db.jwks.push({ id: 'row/1', alg: 'ES256', publicKey: JSON.stringify(await jose.exportJWK(local.publicKey)), privateKey: 'kms-held', createdAt: new Date() })
    const jwt = { jwks: { remoteUrl, keyPairConfig: { alg: 'ES256' } }, jwt: { sign: signWith(local, 'ES256', 'row/1') } }
    const { auth } = makeAuth(authjwtJwt, { jwt, db, logger: { disabled: true } })
    assert.equal(headerOf((await auth.api.signJWT({ body: { payload: { sub: 'r' } } })).token).kid, 'row/1')
    const forged = makeAuth(authjwtJwt, { jwt: { ...jwt, jwt: { sign: signWith(stranger, 'ES256', 'row/1') } }, db, logger: { disabled: true } })
    await assert.rejects(forged.auth.api.signJWT({ body: { payload: { sub: 'r' } } }), { code: 'ERR_STORE' })
  })

  test('an unreachable remoteUrl is ERR_JWKS_UNAVAILABLE, not a token', async () => {
    const { auth } = makeAuth(authjwtJwt, {
      jwt: { jwks: { remoteUrl: 'http://127.0.0.1:9/jwks.json', keyPairConfig: { alg: 'ES256' } }, jwt: { sign: good() } },
      logger: { disabled: true },
    })
    await assert.rejects(auth.api.signJWT({ body: { payload: { sub: 'x' } } }), { code: 'ERR_JWKS_UNAVAILABLE' })
  })

  test('jwt.verifyBeforeReturn: false returns the signer output as is (opt-out)', async () => {
    const { auth } = authWith(async () => 'header.payload.mock-signature', { verifyBeforeReturn: false })
    assert.equal((await auth.api.signJWT({ body: { payload: { sub: 'x' } } })).token, 'header.payload.mock-signature')
  })
})
