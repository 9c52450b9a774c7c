// @better-auth/oauth-provider registered next to authjwt/better-auth: it finds the plugin by id,
// reads its options for the discovery metadata, and signs with Better Auth's own signJWT and
// resolveSigningKey against the rows the plugin wrote; the plugin's /jwks serves those keys.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { oauthProvider } from '@better-auth/oauth-provider'
import * as betterAuthJwt from 'better-auth/plugins/jwt'
import * as authjwtJwt from 'authjwt/better-auth'
import { BASE, both, call, contextOf, headerOf, makeAuth } from './harness.mjs'

const provider = () => oauthProvider({ loginPage: '/sign-in', consentPage: '/consent' })

test('discovery metadata is the same with either plugin', async () => {
  const r = await both(async (impl) => {
    const { auth } = makeAuth(impl, { jwt: { jwks: { keyPairConfig: { alg: 'RS256' }, keyPairConfigs: [{ alg: 'ES256' }] } }, plugins: [provider()] })
    const res = await call(auth, '/.well-known/openid-configuration')
    const body = await res.json()
    return { status: res.status, jwks_uri: body.jwks_uri, algs: body.id_token_signing_alg_values_supported, issuer: body.issuer }
  })
  assert.equal(r.authjwt.status, 200)
  assert.equal(r.authjwt.jwks_uri, `${BASE}/api/auth/jwks`)
  assert.deepEqual(r.authjwt, r['better-auth'])
})

test("Better Auth's own signJWT (as oauth-provider calls it) signs with authjwt's rows; the plugin's /jwks verifies", async () => {
  const options = { jwks: { keyPairConfig: { alg: 'ES256' } } }
  const { auth, db, plugin } = makeAuth(authjwtJwt, { jwt: options, plugins: [provider()] })
  const ctx = await contextOf(auth)
  // authjwt makes the key.
  const ours = await authjwtJwt.signJWT(ctx, { options, payload: { sub: 'user-1' } })
  assert.equal(db.jwks.length, 1)
  // oauth-provider's path: Better Auth's resolveSigningKey and signJWT with plugin.options.
  const resolved = await betterAuthJwt.resolveSigningKey(ctx, plugin.options)
  assert.equal(resolved.kid, headerOf(ours).kid)
  const idToken = await betterAuthJwt.signJWT(ctx, {
    options: plugin.options,
    payload: { sub: 'user-1', aud: 'client-1', nonce: 'n', iat: Math.floor(Date.now() / 1000) },
    resolvedKey: resolved,
  })
  const logout = await betterAuthJwt.signJWT(ctx, { options: plugin.options, payload: { sub: 'user-1', aud: 'client-1' }, header: { typ: 'logout+jwt' } })
  assert.equal(db.jwks.length, 1, 'Better Auth read the row authjwt sealed; it made no key')
  const jwks = await (await call(auth, '/jwks')).json()
  const verified = await jwtVerify(idToken, createLocalJWKSet(jwks), { issuer: BASE, audience: 'client-1' })
  assert.equal(verified.payload.nonce, 'n')
  assert.equal(headerOf(logout).typ, 'logout+jwt')
  await jwtVerify(logout, createLocalJWKSet(jwks), { issuer: BASE, audience: 'client-1' })
  // And the other way: a key Better Auth mints (a second alg) is served by the plugin's /jwks.
  const extra = { jwks: { keyPairConfig: { alg: 'ES256' }, keyPairConfigs: [{ alg: 'EdDSA', crv: 'Ed25519' }] } }
  const minted = await betterAuthJwt.signJWT(ctx, { options: extra, payload: { sub: 'x', aud: 'client-1' }, signingAlgorithm: 'EdDSA' })
  const after = await (await call(auth, '/jwks')).json()
  assert.ok(after.keys.some((k) => k.kid === headerOf(minted).kid))
  await jwtVerify(minted, createLocalJWKSet(after), { issuer: BASE, audience: 'client-1' })
  // The plugin object oauth-provider finds by id, with the options as given.
  const found = (await auth.$context).getPlugin('jwt')
  assert.equal(found.options, options)
  assert.equal(typeof found.endpoints.getJwks, 'function')
})
