// authjwt/better-auth from CommonJS: require() gives the same functions as the ES module.
const { test } = require('node:test')
const assert = require('node:assert/strict')

test('require("authjwt/better-auth") exports the plugin API', async () => {
  const cjs = require('authjwt/better-auth')
  const esm = await import('authjwt/better-auth')
  const names = ['jwt', 'jwtClient', 'signJWT', 'verifyJWT', 'getJwtToken', 'createJwk', 'generateExportedKeyPair', 'toExpJWT', 'resolveSigningKey', 'getJwksAdapter']
  for (const name of names) {
    assert.equal(typeof cjs[name], 'function', name)
    assert.equal(cjs[name], esm[name], `${name} is the same function`)
  }
  assert.equal(cjs.jwt().id, 'jwt')
  assert.equal(cjs.toExpJWT('1h', 0), 3600)
})
