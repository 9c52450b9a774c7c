// jose verifies tokens that authjwt assembled around a custom signer (a KMS answering DER ECDSA,
// digest-signed RSA, Ed25519) through the JWKS at remoteUrl, served on 127.0.0.1.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { generateKeyPairSync, privateEncrypt, sign as nodeSign, constants } from 'node:crypto'
import * as jose from 'jose'
import { Issuer } from '../../npm/index.mjs'

const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' })
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ed = generateKeyPairSync('ed25519')
const jwk = (pair, kid, alg) => ({ ...pair.publicKey.export({ format: 'jwk' }), kid, alg })
const JWKS = { keys: [jwk(ec, 'kms-ec', 'ES384'), jwk(rsa, 'kms-rsa', 'RS256'), jwk(ed, 'kms-ed', 'EdDSA')] }
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex')

const SIGNERS = {
  // DER, as AWS KMS SignCommand and Google Cloud KMS asymmetricSign answer.
  ES384: { alg: 'ES384', kid: 'kms-ec', sign: (m) => nodeSign('sha384', m, ec.privateKey) },
  // MessageType DIGEST: the signer gets SHA-256 of the signing input.
  RS256: {
    alg: 'RS256',
    kid: 'kms-rsa',
    messageType: 'digest',
    sign: (d) => privateEncrypt({ key: rsa.privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, d])),
  },
  EdDSA: { alg: 'EdDSA', kid: 'kms-ed', sign: (m) => nodeSign(null, m, ed.privateKey) },
}

describe('jose verifies custom-signer tokens through remoteUrl', () => {
  let server
  let url
  before(async () => {
    server = createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(JWKS)))
    await new Promise((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${server.address().port}/jwks.json`
  })
  after(() => server.close())

  for (const [alg, sign] of Object.entries(SIGNERS)) {
    test(alg, async () => {
      const issuer = new Issuer({ disablePrivateKeyEncryption: true, remoteUrl: url, issuer: 'https://auth.kms.test', audience: 'api', sign })
      const keys = jose.createRemoteJWKSet(new URL(url))
      for (let i = 0; i < 10; i++) {
        const token = await issuer.sign({ sub: `u${i}` })
        const { payload, protectedHeader } = await jose.jwtVerify(token, keys, { issuer: 'https://auth.kms.test', audience: 'api' })
        assert.equal(payload.sub, `u${i}`)
        assert.deepEqual(protectedHeader, { alg, kid: sign.kid })
      }
    })
  }
})
