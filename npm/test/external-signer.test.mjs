// A custom signer (a KMS) through the Node binding: each token is checked before sign() returns
// it, against the signer's key in the JWKS at remoteUrl (served here on 127.0.0.1) or its
// publicKey. The "KMS" is a node:crypto key in the test; DER and digest answers are what AWS KMS
// (SignCommand) and Google Cloud KMS (asymmetricSign) give.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { createHash, generateKeyPairSync, privateEncrypt, sign as nodeSign, constants } from 'node:crypto'
import { Issuer, createRemoteJwks, jwtVerify, decodeProtectedHeader, AuthJwtError } from '../index.mjs'
import { rejectsWithCode } from './helpers.mjs'

const es256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const es256v2 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const es384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ed = generateKeyPairSync('ed25519')

const jwk = (pair, kid, alg) => ({ ...pair.publicKey.export({ format: 'jwk' }), kid, alg })
const JWKS = {
  keys: [jwk(es256, 'es/1', 'ES256'), jwk(es256v2, 'es/2', 'ES256'), jwk(rsa, 'rsa/1', 'RS256'), jwk(ed, 'ed/1', 'EdDSA')],
}

// What a KMS answers: DER ECDSA (AWS and GCP), JOSE r || s, a raw RSA signature of a digest.
const der = (pair) => (message) => nodeSign('sha256', message, pair.privateKey)
const p1363 = (pair) => (message) => nodeSign('sha256', message, { key: pair.privateKey, dsaEncoding: 'ieee-p1363' })
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex')
const rsaDigest = (pair) => (digest) =>
  privateEncrypt({ key: pair.privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest]))

describe('custom signer (KMS)', () => {
  let server
  let url
  let hits = 0
  before(async () => {
    server = createServer((req, res) => {
      hits++
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(JWKS))
    })
    await new Promise((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${server.address().port}/jwks.json`
  })
  after(() => server.close())

  const issuer = (sign) => new Issuer({ disablePrivateKeyEncryption: true, remoteUrl: url, issuer: 'https://auth.test', sign })

  test('DER ECDSA answers become JOSE tokens that verify through remoteUrl; one fetch', async () => {
    const calls = []
    const kms = issuer({ alg: 'ES256', kid: 'es/1', sign: (m, ctx) => (calls.push(ctx), der(es256)(m)) })
    const keys = createRemoteJwks(url)
    for (let i = 0; i < 20; i++) {
      const token = await kms.sign({ sub: `u${i}` })
      assert.equal(Buffer.from(token.split('.')[2], 'base64url').length, 64)
      assert.equal((await jwtVerify(token, keys, { issuer: 'https://auth.test' })).payload.sub, `u${i}`)
    }
    assert.deepEqual(calls[0], { kid: 'es/1', alg: 'ES256', messageType: 'raw' })
    const before = hits
    await kms.sign({})
    assert.equal(hits, before, 'the steady state fetches nothing')
  })

  test('digest signing: the signer gets SHA-256 of the signing input', async () => {
    let seen
    const kms = issuer({ alg: 'RS256', kid: 'rsa/1', messageType: 'digest', sign: (digest) => ((seen = digest), rsaDigest(rsa)(digest)) })
    const token = await kms.sign({ sub: 'd' })
    const input = token.slice(0, token.lastIndexOf('.'))
    assert.deepEqual(Buffer.from(seen), createHash('sha256').update(input).digest())
    assert.equal((await jwtVerify(token, createRemoteJwks(url))).payload.sub, 'd')
  })

  test('kid as a function names the key version of each token', async () => {
    let current = 'es/1'
    const kms = issuer({ alg: 'ES256', kid: async () => current, sign: (m, { kid }) => p1363(kid === 'es/1' ? es256 : es256v2)(m) })
    assert.equal(decodeProtectedHeader(await kms.sign({})).kid, 'es/1')
    current = 'es/2'
    const token = await kms.sign({})
    assert.equal(decodeProtectedHeader(token).kid, 'es/2')
    await jwtVerify(token, createRemoteJwks(url))
    current = 'es/9'
    const err = await rejectsWithCode(kms.sign({}), 'ERR_STORE')
    assert.match(err.message, /es\/9/)
  })

  const BAD = {
    'wrong key': () => der(other),
    'wrong algorithm (ES384 key)': () => (m) => nodeSign('sha384', m, es384.privateKey),
    'wrong algorithm (Ed25519 answer)': () => (m) => nodeSign(null, m, ed.privateKey),
    truncated: () => (m) => p1363(es256)(m).subarray(0, 63),
    empty: () => () => new Uint8Array(0),
    '10 bytes': () => () => new Uint8Array(10),
    'a string': () => () => 'c2lnbmF0dXJl',
    'DER with a flipped bit': () => (m) => {
      const s = der(es256)(m)
      s[s.length - 3] ^= 1
      return s
    },
  }
  for (const [what, make] of Object.entries(BAD)) {
    test(`refused before a token leaves sign(): ${what}`, async () => {
      let called = 0
      const answer = make()
      const kms = issuer({ alg: 'ES256', kid: 'es/1', sign: (m) => (called++, answer(m)) })
      const err = await rejectsWithCode(kms.sign({ sub: 'x' }), 'ERR_STORE')
      assert.ok(err instanceof AuthJwtError)
      assert.equal(called, 1)
    })
  }

  test('verifyBeforeReturn: false skips the key check but not the shape check', async () => {
    const unchecked = new Issuer({ disablePrivateKeyEncryption: true, remoteUrl: 'http://127.0.0.1:9/none', sign: { alg: 'ES256', kid: 'es/1', verifyBeforeReturn: false, sign: der(other) } })
    await assert.rejects(jwtVerify(await unchecked.sign({}), createRemoteJwks(url)), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' })
    const empty = new Issuer({ disablePrivateKeyEncryption: true, remoteUrl: 'http://127.0.0.1:9/none', sign: { alg: 'ES256', kid: 'es/1', verifyBeforeReturn: false, sign: () => new Uint8Array(0) } })
    await rejectsWithCode(empty.sign({}), 'ERR_STORE')
  })

  test('publicKey checks tokens without fetching remoteUrl', async () => {
    const kms = new Issuer({ disablePrivateKeyEncryption: true, remoteUrl: 'http://127.0.0.1:9/none', sign: { alg: 'EdDSA', kid: 'ed/1', publicKey: ed.publicKey.export({ format: 'jwk' }), sign: (m) => nodeSign(null, m, ed.privateKey) } })
    await jwtVerify(await kms.sign({}), createRemoteJwks(url))
    assert.throws(
      () => new Issuer({ disablePrivateKeyEncryption: true, remoteUrl: url, sign: { alg: 'EdDSA', kid: 'k', publicKey: ed.privateKey.export({ format: 'jwk' }), sign: () => null } }),
      (e) => e.code === 'ERR_INVALID_CONFIG' && !e.message.includes(ed.privateKey.export({ format: 'jwk' }).d),
    )
  })

  test('jwks() serves the body at remoteUrl; rotate() points to the KMS; bad options refused', async () => {
    const kms = issuer({ alg: 'ES256', kid: 'es/1', sign: der(es256) })
    assert.deepEqual(await kms.jwks(), JWKS)
    await rejectsWithCode(kms.rotate(), 'ERR_INVALID_CONFIG').then((e) => assert.match(e.message, /KMS/))
    for (const sign of [
      { alg: 'EdDSA', kid: 'k', messageType: 'digest', sign: () => null },
      { alg: 'ES256', kid: 'k', messageType: 'hash', sign: () => null },
      { alg: 'ES256', kid: 'k', verify_before_return: false, sign: () => null },
    ]) {
      assert.throws(() => issuer(sign), { code: 'ERR_INVALID_CONFIG' }, JSON.stringify(sign))
    }
  })
})
