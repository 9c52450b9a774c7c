import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import {
  Issuer, MemoryStore, ManualClock, createLocalJwks, jwtVerify, decodeJwt, decodeProtectedHeader,
  AuthJwtError, JWTClaimValidationFailed,
} from '../index.mjs'
import { SECRET, rejectsWithCode, throwsWithCode } from './helpers.mjs'

const ALGS = ['EdDSA', 'Ed25519', 'ES256', 'ES384', 'ES512', 'RS256', 'PS256']

describe('Issuer', () => {
  for (const alg of ALGS) {
    test(`signs, publishes and verifies ${alg}`, async () => {
      const issuer = new Issuer({ secret: SECRET, keyPairConfig: { alg }, issuer: 'https://auth.test', audience: 'api' })
      const token = await issuer.sign({ sub: 'u1', email: 'a@b.c' })
      const header = decodeProtectedHeader(token)
      assert.equal(header.alg, alg)
      const jwks = await issuer.jwks()
      assert.equal(jwks.keys.length, 1)
      assert.equal(jwks.keys[0].kid, header.kid)
      assert.equal(jwks.keys[0].alg, alg)
      assert.equal(jwks.keys[0].use, 'sig')
      assert.equal(jwks.keys[0].d, undefined, 'no private member is published')
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJwks(jwks), { issuer: 'https://auth.test', audience: 'api' })
      assert.equal(payload.sub, 'u1')
      assert.equal(payload.email, 'a@b.c')
      assert.equal(payload.exp - payload.iat, 15 * 60, 'default expiration is 15 minutes')
      assert.equal(protectedHeader.kid, header.kid)
      const own = await issuer.verify(token)
      assert.equal(own.payload.sub, 'u1')
    })
  }

  test('signSync throws before a key is loaded and works after the first sign', async () => {
    const issuer = new Issuer({ secret: SECRET })
    assert.throws(() => issuer.signSync({ sub: 'x' }), AuthJwtError)
    await issuer.sign({ sub: 'warm' })
    const token = issuer.signSync({ sub: 'x' }, { expirationTime: '5m', audience: ['a', 'b'], typ: 'JWT' })
    const payload = decodeJwt(token)
    assert.equal(payload.exp - payload.iat, 300)
    assert.deepEqual(payload.aud, ['a', 'b'])
    assert.equal(decodeProtectedHeader(token).typ, 'JWT')
  })

  test('sign options: expirationTime as Date and NumericDate, issuer and subject overrides', async () => {
    const issuer = new Issuer({ secret: SECRET, issuer: 'https://default' })
    const at = new Date(Date.now() + 3_600_000)
    const t1 = decodeJwt(await issuer.sign({}, { expirationTime: at, issuer: 'https://other', subject: 's' }))
    assert.equal(t1.exp, Math.floor(at.getTime() / 1000))
    assert.equal(t1.iss, 'https://other')
    assert.equal(t1.sub, 's')
    const t2 = decodeJwt(await issuer.sign({}, { expirationTime: 2_000_000_000 }))
    assert.equal(t2.exp, 2_000_000_000)
  })

  test('signSession: user object as payload and sub = user.id, as Better Auth /token', async () => {
    const issuer = new Issuer({ secret: SECRET })
    const user = { id: 'user-1', email: 'u@example.com', name: 'U', createdAt: new Date(0) }
    const payload = decodeJwt(await issuer.signSession({ user, session: { id: 's1', userId: 'user-1' } }))
    assert.equal(payload.sub, 'user-1')
    assert.equal(payload.email, 'u@example.com')
    assert.equal(payload.createdAt, '1970-01-01T00:00:00.000Z')
  })

  test('signSession: definePayload and getSubject hooks (sync and async)', async () => {
    const issuer = new Issuer({
      secret: SECRET,
      definePayload: ({ user, session }) => ({ uid: user.id, sid: session.id }),
      getSubject: async ({ user }) => `user:${user.id}`,
    })
    const payload = decodeJwt(await issuer.signSession({ user: { id: 'u9', secret: 'no' }, session: { id: 's9' } }))
    assert.equal(payload.uid, 'u9')
    assert.equal(payload.sid, 's9')
    assert.equal(payload.sub, 'user:u9')
    assert.equal(payload.secret, undefined)
  })

  test('a throwing definePayload hook fails with its error as the cause', async () => {
    const boom = new Error('hook failed')
    const issuer = new Issuer({ secret: SECRET, definePayload: () => { throw boom } })
    let error
    try {
      await issuer.signSession({ user: { id: 'u' }, session: {} })
    } catch (e) {
      error = e
    }
    assert.ok(error instanceof AuthJwtError, String(error))
    assert.equal(error.cause, boom)
  })

  test('rotate: new kid signs, the old key stays published and its tokens verify', async () => {
    const store = new MemoryStore()
    const issuer = new Issuer({ secret: SECRET, store })
    const old = await issuer.sign({ sub: 'a' })
    const row = await issuer.rotate()
    assert.ok(row.createdAt instanceof Date)
    assert.equal(typeof row.publicKey, 'string')
    const fresh = await issuer.sign({ sub: 'b' })
    assert.equal(decodeProtectedHeader(fresh).kid, row.id)
    assert.notEqual(decodeProtectedHeader(old).kid, row.id)
    const keys = createLocalJwks(await issuer.jwks())
    assert.equal(keys.verifySync(old).payload.sub, 'a')
    assert.equal(keys.verifySync(fresh).payload.sub, 'b')
    assert.equal((await store.getJwks()).length, 2)
  })

  test('rotationInterval with an injected clock: a new key after the interval, old one dropped after grace', async () => {
    const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'))
    const store = new MemoryStore()
    const issuer = new Issuer({ secret: SECRET, store, clock, rotationInterval: 3600, gracePeriod: 600 })
    const first = decodeProtectedHeader(await issuer.sign({})).kid
    clock.advance(1800 * 1000)
    assert.equal(decodeProtectedHeader(await issuer.sign({})).kid, first, 'same key within the interval')
    clock.advance(1801 * 1000)
    const second = decodeProtectedHeader(await issuer.sign({})).kid
    assert.notEqual(second, first, 'a new key after the interval')
    let kids = (await issuer.jwks()).keys.map((k) => k.kid)
    assert.deepEqual(new Set(kids), new Set([first, second]), 'the old key is published during the grace period')
    clock.advance(700 * 1000)
    kids = (await issuer.jwks()).keys.map((k) => k.kid)
    assert.ok(!kids.includes(first), 'the old key leaves the JWKS after expiresAt + gracePeriod')
    const rows = await store.getJwks()
    assert.ok(rows.some((r) => r.id === first && r.expiresAt instanceof Date))
  })

  test('after keyCacheTtl the store is read again: a key another instance rotated in gets used', async () => {
    const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'))
    const store = new MemoryStore()
    const a = new Issuer({ secret: SECRET, store, clock, keyCacheTtl: 60 })
    const b = new Issuer({ secret: SECRET, store, clock })
    const first = decodeProtectedHeader(await a.sign({})).kid
    clock.advance(1000)
    const rotated = (await b.rotate()).id
    assert.equal(decodeProtectedHeader(a.signSync({})).kid, first, 'within keyCacheTtl the cached key signs')
    clock.advance(61_000)
    assert.equal(decodeProtectedHeader(await a.sign({})).kid, rotated, 'the first sign past keyCacheTtl reads the store')
  })

  test('past keyCacheTtl signSync keeps the live cached key and picks up the store in the background', async () => {
    const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'))
    const store = new MemoryStore()
    const a = new Issuer({ secret: SECRET, store, clock, keyCacheTtl: 60 })
    const b = new Issuer({ secret: SECRET, store, clock })
    const first = decodeProtectedHeader(await a.sign({})).kid
    clock.advance(1000)
    const rotated = (await b.rotate()).id
    clock.advance(61_000)
    assert.equal(decodeProtectedHeader(a.signSync({})).kid, first, 'signSync cannot wait for the store')
    let kid = first
    for (let i = 0; i < 100 && kid !== rotated; i++) {
      await new Promise((r) => setTimeout(r, 10))
      kid = decodeProtectedHeader(a.signSync({})).kid
    }
    assert.equal(kid, rotated)
  })

  test('private keys are sealed at rest (authjwt-v2 by default, v1 and better-auth on request, plain when disabled)', async () => {
    const randomSecret = 'b2f7c1e94a3d8065f1c2e7a9b4d3f8061e5a2c7b9d4f0e3a6c8b1d5f7e9a2c4b'
    for (const [opts, check] of [
      // A typed secret: PBKDF2; 32 random bytes in hex: HKDF. The row names its KDF.
      [{ secret: SECRET }, (pk) => assert.deepEqual([JSON.parse(pk).v, JSON.parse(pk).kdf], [2, 'PBKDF2-SHA256'])],
      [{ secret: randomSecret }, (pk) => assert.deepEqual([JSON.parse(pk).v, JSON.parse(pk).kdf], [2, 'HKDF-SHA256'])],
      [{ secret: randomSecret, privateKeyFormat: 'authjwt-v1' }, (pk) => assert.deepEqual([JSON.parse(pk).v, JSON.parse(pk).kdf], [1, 'PBKDF2-SHA256'])],
      [{ secret: SECRET, privateKeyFormat: 'better-auth' }, (pk) => assert.match(JSON.parse(pk), /^[0-9a-f]+$/)],
      [{ disablePrivateKeyEncryption: true }, (pk) => assert.ok(JSON.parse(pk).d)],
    ]) {
      const store = new MemoryStore()
      await new Issuer({ ...opts, store }).sign({})
      const [row] = await store.getJwks()
      check(row.privateKey)
    }
  })

  test('a versioned secret map writes Better Auth envelopes with the highest version', async () => {
    const store = new MemoryStore()
    await new Issuer({ secret: { 1: 'old-secret-0123456789abcdef-0123456789', 2: 'new-secret-0123456789abcdef-0123456789' }, privateKeyFormat: 'better-auth', store }).sign({})
    const [row] = await store.getJwks()
    assert.match(JSON.parse(row.privateKey), /^\$ba\$2\$/)
    // The old secret alone cannot open it; the pair can.
    await rejectsWithCode(new Issuer({ secret: 'old-secret-0123456789abcdef-0123456789', store }).sign({}), 'ERR_KEY_DECRYPTION_FAILED')
  })

  test('a versioned secret map makes the highest numeric version current, whatever the key order', async () => {
    const store = new MemoryStore()
    // JSON text order would put "10" before "9" and "2"; the version number decides.
    await new Issuer({ secret: { 2: 'two-secret-0123456789abcdef', 10: 'ten-secret-0123456789abcdef-0123456789', 9: 'nine-secret-0123456789abcde' }, privateKeyFormat: 'better-auth', store }).sign({})
    const [row] = await store.getJwks()
    assert.match(JSON.parse(row.privateKey), /^\$ba\$10\$/)
  })

  test('a secret map with a non-numeric version is ERR_INVALID_CONFIG', () => {
    const err = throwsWithCode(() => new Issuer({ secret: { v1: 'a-secret-0123456789abcdef' }, store: new MemoryStore() }), 'ERR_INVALID_CONFIG')
    assert.match(err.message, /secret/)
    assert.ok(!err.message.includes('a-secret'))
  })

  test('a wrong secret is ERR_KEY_DECRYPTION_FAILED and no new key is made', async () => {
    const store = new MemoryStore()
    await new Issuer({ secret: SECRET, store }).sign({})
    const err = await rejectsWithCode(new Issuer({ secret: 'another-secret-0123456789-0123456789', store }).sign({}), 'ERR_KEY_DECRYPTION_FAILED')
    assert.ok(!err.message.includes('another-secret'))
    assert.equal((await store.getJwks()).length, 1)
  })

  test('invalid configurations fail when the Issuer is built', () => {
    for (const options of [
      { secret: SECRET, keyPairConfig: { alg: 'ECDH-ES' } },
      { secret: SECRET, keyPairConfig: { alg: 'HS256' } },
      { secret: SECRET, keyPairConfig: { alg: 'RS256', modulusLength: 1024 } },
      { secret: SECRET, privateKeyFormat: 'pem' },
      { secret: SECRET, expirationTime: 'soon' },
      {},
      { store: { getJwks() {} } },
    ]) {
      const err = throwsWithCode(() => new Issuer(options), 'ERR_INVALID_CONFIG')
      assert.ok(err instanceof AuthJwtError)
    }
  })

  test('keyPairConfigs + signingAlgorithm sign with another configured algorithm', async () => {
    const issuer = new Issuer({ secret: SECRET, keyPairConfig: { alg: 'EdDSA' }, keyPairConfigs: [{ alg: 'ES256' }] })
    const token = await issuer.sign({}, { signingAlgorithm: 'ES256' })
    assert.equal(decodeProtectedHeader(token).alg, 'ES256')
    await assert.rejects(issuer.sign({}, { signingAlgorithm: 'PS512' }), AuthJwtError)
  })

  test('signingKeyId pins a stored key; an unknown one fails', async () => {
    const issuer = new Issuer({ secret: SECRET })
    const first = (await issuer.sign({}), (await issuer.jwks()).keys[0].kid)
    assert.equal(decodeProtectedHeader(await issuer.sign({}, { signingKeyId: first })).kid, first)
    await assert.rejects(issuer.sign({}, { signingKeyId: 'nope' }), AuthJwtError)
    // rotate() retires the previous key (the MemoryStore records its expiresAt): pinned, it no longer signs.
    await issuer.rotate()
    await rejectsWithCode(issuer.sign({}, { signingKeyId: first }), 'ERR_JWKS_NO_MATCHING_KEY')
  })

  test('issuer.verify applies the issuer and audience defaults', async () => {
    const issuer = new Issuer({ secret: SECRET, issuer: 'https://a', audience: 'api' })
    const foreign = await issuer.sign({ aud: 'other' })
    const err = await rejectsWithCode(issuer.verify(foreign), 'ERR_JWT_CLAIM_VALIDATION_FAILED')
    assert.ok(err instanceof JWTClaimValidationFailed)
    assert.equal(err.claim, 'aud')
  })

  test('onEvent receives key.created and token.issued without claims or keys', async () => {
    const events = []
    const issuer = new Issuer({ secret: SECRET, onEvent: (e) => events.push(e) })
    await issuer.sign({ email: 'private@example.com' })
    await new Promise((r) => setTimeout(r, 50))
    const types = events.map((e) => e.type)
    assert.ok(types.includes('key.created'), types.join())
    assert.ok(types.includes('token.issued'), types.join())
    assert.ok(!JSON.stringify(events).includes('private@example.com'))
  })

  test('a custom signer (KMS) signs, and its errors surface as the cause', async () => {
    const { generateKeyPairSync, sign: nodeSign } = await import('node:crypto')
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const issuer = new Issuer({
      remoteUrl: 'https://kms.example/jwks',
      disablePrivateKeyEncryption: true,
      // The signer's public key checks each token; the JWKS URL is never fetched here.
      sign: { alg: 'EdDSA', kid: 'kms-1', publicKey: publicKey.export({ format: 'jwk' }), sign: async (input) => nodeSign(null, input, privateKey) },
    })
    const token = await issuer.sign({ sub: 'k' })
    assert.equal(decodeProtectedHeader(token).kid, 'kms-1')
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'kms-1', alg: 'EdDSA' }
    assert.equal(createLocalJwks({ keys: [jwk] }).verifySync(token).payload.sub, 'k')
    const boom = new Error('kms down')
    const failing = new Issuer({ disablePrivateKeyEncryption: true, remoteUrl: 'https://kms.example/jwks', sign: { alg: 'EdDSA', kid: 'k', sign: () => Promise.reject(boom) } })
    let error
    try {
      await failing.sign({})
    } catch (e) {
      error = e
    }
    assert.ok(error instanceof AuthJwtError, String(error))
    assert.equal(error.cause, boom)
  })
})
