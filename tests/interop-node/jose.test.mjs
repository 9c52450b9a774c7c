// authjwt <-> jose: jose verifies authjwt tokens through its remote JWKS client, and authjwt
// verifies tokens jose signed.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import * as jose from 'jose'
import { Issuer, createLocalJwks, jwtVerify, createRemoteJwks } from '../../npm/index.mjs'

const ALGS = ['EdDSA', 'Ed25519', 'ES256', 'ES384', 'ES512', 'RS256', 'PS256']
const SECRET = 'interop-secret-0123456789abcdef-0123456789'
const ISS = 'https://auth.interop.test'

describe('jose verifies authjwt tokens through createRemoteJWKSet', () => {
  const issuers = Object.fromEntries(ALGS.map((alg) => [alg, new Issuer({ secret: SECRET, keyPairConfig: { alg }, issuer: ISS, audience: 'api' })]))
  let server
  let base
  before(async () => {
    server = createServer(async (req, res) => {
      const alg = req.url.split('/')[1]
      const issuer = issuers[alg]
      if (!issuer) return res.writeHead(404).end()
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await issuer.jwks()))
    })
    await new Promise((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${server.address().port}`
  })
  after(() => server.close())

  for (const alg of ALGS) {
    test(alg, async () => {
      const token = await issuers[alg].sign({ sub: 'u1', email: 'u@x.test' })
      const keys = jose.createRemoteJWKSet(new URL(`${base}/${alg}/jwks`))
      const { payload, protectedHeader } = await jose.jwtVerify(token, keys, { issuer: ISS, audience: 'api', algorithms: [alg] })
      assert.equal(payload.sub, 'u1')
      assert.equal(protectedHeader.alg, alg)
      // and authjwt's own remote client against the same server
      const remote = createRemoteJwks(`${base}/${alg}/jwks`)
      assert.equal((await jwtVerify(token, remote, { issuer: ISS, audience: 'api' })).payload.email, 'u@x.test')
    })
  }
})

describe('authjwt verifies tokens jose signed', () => {
  for (const alg of ALGS) {
    test(alg, async () => {
      const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true })
      const jwk = { ...(await jose.exportJWK(publicKey)), kid: `jose-${alg}`, alg, use: 'sig' }
      const token = await new jose.SignJWT({ email: 'j@x.test' })
        .setProtectedHeader({ alg, kid: jwk.kid, typ: 'JWT' })
        .setSubject('jose-user').setIssuer(ISS).setAudience(['api', 'web']).setIssuedAt().setExpirationTime('5m')
        .sign(privateKey)
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJwks({ keys: [jwk] }), { issuer: ISS, audience: 'web', typ: 'JWT' })
      assert.equal(payload.sub, 'jose-user')
      assert.equal(protectedHeader.kid, jwk.kid)
      const tampered = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA')
      await assert.rejects(jwtVerify(tampered, createLocalJwks({ keys: [jwk] })), (e) => /^ERR_JWS_/.test(e.code))
    })
  }
})
