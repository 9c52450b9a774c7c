// CommonJS consumers: `require` gives the same API, and ESM `import` gives the same objects.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const authjwt = require('..')

test('require() exposes the API and signs a token', async () => {
  for (const name of ['Issuer', 'MemoryStore', 'createLocalJwks', 'createRemoteJwks', 'jwtVerify', 'decodeJwt',
    'decodeProtectedHeader', 'extractBearerToken', 'createJwtHandler', 'setAuthJwtHeader', 'AuthJwtError', 'JWTExpired',
    'JWTClaimValidationFailed', 'JWSSignatureVerificationFailed', 'JWKSNoMatchingKey']) {
    assert.ok(authjwt[name], name)
  }
  const issuer = new authjwt.Issuer({ secret: 'cjs-secret-0123456789abcdef-0123456789' })
  const token = await issuer.sign({ sub: 'cjs' })
  assert.equal(authjwt.decodeJwt(token).sub, 'cjs')
})

test('import() of the package gives the same classes as require()', async () => {
  const esm = await import('authjwt')
  assert.equal(esm.Issuer, authjwt.Issuer)
  assert.equal(esm.AuthJwtError, authjwt.AuthJwtError)
  assert.equal(esm.default.jwtVerify, authjwt.jwtVerify)
})
