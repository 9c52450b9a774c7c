// @better-auth/oauth-provider registered next to authjwt/better-auth: it finds the plugin by id,
// reads its options for the discovery metadata, and signs with Better Auth's own signJWT and
// resolveSigningKey against the rows the plugin wrote; the plugin's /jwks serves those keys.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { oauthProvider } from '@better-auth/oauth-provider'
import * as betterAuthJwt from 'better-auth/plugins/jwt'
import * as authjwtJwt from 'authjwt/better-auth'
import authjwt from 'authjwt'
import { BASE, both, call, contextOf, cookiesOf, headerOf, makeAuth, newMemoryDb, payloadOf, signUp } from './harness.mjs'

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

// ---------------------------------------------------------------------------------------------
// A real authorization-code + PKCE flow over auth.handler: a signed-in user registers a client
// (/oauth2/create-client with the session cookie), authorizes it, consents, and the client
// redeems the code with its secret and the verifier. The ID token and the JWT access token
// (asked for with `resource`, RFC 8707) must verify against the plugin's /jwks, with jose and
// with authjwt's own verifier.

const API = 'https://api.example.com'
const REDIRECT = 'https://client.example.com/callback'
// oauth-provider's issuer: jwt.issuer or the baseURL with the basePath.
const ISSUER = `${BASE}/api/auth`
const oauthDb = () => ({ ...newMemoryDb(), oauthClient: [], oauthAccessToken: [], oauthRefreshToken: [], oauthConsent: [], oauthResource: [], oauthClientResource: [] })
const flowProvider = () => oauthProvider({ loginPage: '/sign-in', consentPage: '/consent', resources: [API], clientRegistrationDefaultResources: [API] })

const form = (auth, path, fields) =>
  auth.handler(new Request(`${BASE}/api/auth${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE }, body: new URLSearchParams(fields) }))

async function expectStatus(res, status, what) {
  if (res.status !== status) assert.fail(`${what}: ${res.status} ${await res.text()}`)
  return res
}

/** Sign-up, client registration, /oauth2/authorize, consent, /oauth2/token; the token response. */
async function authorizationCodeFlow(auth) {
  const { cookie, user } = await signUp(auth)
  const created = await expectStatus(
    await call(auth, '/oauth2/create-client', { method: 'POST', headers: { cookie }, body: { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_post' } }),
    201,
    'create-client',
  )
  const client = await created.json()
  const verifier = randomBytes(32).toString('base64url')
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope: 'openid profile email',
    state: 'state-1',
    nonce: 'nonce-1',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    resource: API,
  })
  const authorize = await expectStatus(await call(auth, `/oauth2/authorize?${query}`, { headers: { cookie } }), 302, 'authorize')
  const consentPage = new URL(authorize.headers.get('location'), BASE)
  assert.equal(consentPage.pathname, '/consent', 'a first authorization asks for consent')
  const consent = await (
    await expectStatus(await call(auth, '/oauth2/consent', { method: 'POST', headers: { cookie }, body: { accept: true, oauth_query: consentPage.search.slice(1) } }), 200, 'consent')
  ).json()
  const callback = new URL(consent.url)
  assert.equal(callback.searchParams.get('state'), 'state-1')
  const tokenResponse = await expectStatus(
    await form(auth, '/oauth2/token', {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code'),
      redirect_uri: REDIRECT,
      client_id: client.client_id,
      client_secret: client.client_secret,
      code_verifier: verifier,
      resource: API,
    }),
    200,
    'token',
  )
  return { tokens: await tokenResponse.json(), client, user }
}

/** OIDC at_hash: the left half of the access token's hash (SHA-512 for EdDSA, as oauth-provider). */
const atHashOf = (token, alg) => {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(token).digest()
  return digest.subarray(0, digest.length / 2).toString('base64url')
}

/** Checks one flow's tokens against the served JWKS (jose and authjwt); their shape for comparison. */
async function verifyFlowTokens(auth, { tokens, client, user }) {
  const discovery = await (await call(auth, '/.well-known/openid-configuration')).json()
  assert.equal(discovery.jwks_uri, `${ISSUER}/jwks`)
  // The JWKS at jwks_uri, fetched through the handler as a client would over HTTP.
  const jwks = await (await auth.handler(new Request(discovery.jwks_uri))).json()
  const jose = createLocalJWKSet(jwks)
  const ours = authjwt.createLocalJwks(jwks)

  const idOptions = { issuer: ISSUER, audience: client.client_id }
  const id = await jwtVerify(tokens.id_token, jose, idOptions)
  const idOurs = await authjwt.jwtVerify(tokens.id_token, ours, idOptions)
  assert.deepEqual(idOurs.payload, id.payload)
  assert.equal(id.payload.sub, user.id)
  assert.equal(id.payload.nonce, 'nonce-1')
  assert.equal(id.payload.at_hash, atHashOf(tokens.access_token, id.protectedHeader.alg))

  const atOptions = { issuer: ISSUER, audience: API, typ: 'at+jwt' }
  const at = await jwtVerify(tokens.access_token, jose, atOptions)
  const atOurs = await authjwt.jwtVerify(tokens.access_token, ours, atOptions)
  assert.deepEqual(atOurs.payload, at.payload)
  assert.equal(at.payload.client_id, client.client_id)
  assert.equal(at.payload.azp, client.client_id)
  assert.equal(at.payload.scope, 'openid profile email')
  assert.deepEqual(at.payload.aud, [API, `${ISSUER}/oauth2/userinfo`])

  // The provider itself accepts its JWT access token: introspection (keys from the plugin's
  // getJwks endpoint) and userinfo.
  const introspection = await (await form(auth, '/oauth2/introspect', { token: tokens.access_token, client_id: client.client_id, client_secret: client.client_secret })).json()
  assert.equal(introspection.active, true)
  assert.equal(introspection.sub, user.id)
  const userinfo = await expectStatus(await call(auth, '/oauth2/userinfo', { headers: { authorization: `Bearer ${tokens.access_token}` } }), 200, 'userinfo')
  assert.equal((await userinfo.json()).sub, user.id)

  return {
    idHeader: headerOf(tokens.id_token),
    atHeader: headerOf(tokens.access_token),
    idClaims: Object.keys(id.payload).sort(),
    atClaims: Object.keys(at.payload).sort(),
    jwksKeys: jwks.keys.length,
    introspectionKeys: Object.keys(introspection).sort(),
  }
}

const shape = (r) => ({ ...r, idHeader: { ...r.idHeader, kid: typeof r.idHeader.kid }, atHeader: { ...r.atHeader, kid: typeof r.atHeader.kid } })

test('authorization code + PKCE: the ID token and the JWT access token verify against /jwks, as with Better Auth', async () => {
  for (const jwtOptions of [undefined, { jwks: { keyPairConfig: { alg: 'ES256' } } }, { jwks: { keyPairConfig: { alg: 'RS256' } } }]) {
    const r = await both(async (impl) => {
      const db = oauthDb()
      const { auth } = makeAuth(impl, { db, jwt: jwtOptions, plugins: [flowProvider()] })
      const flow = await authorizationCodeFlow(auth)
      const out = await verifyFlowTokens(auth, flow)
      assert.equal(out.idHeader.kid, db.jwks[0].id)
      assert.equal(db.jwks.length, 1, 'one key signs everything')
      return shape(out)
    })
    const alg = jwtOptions?.jwks.keyPairConfig.alg ?? 'EdDSA'
    assert.equal(r.authjwt.idHeader.alg, alg)
    assert.equal(r.authjwt.atHeader.typ, 'at+jwt')
    assert.deepEqual(r.authjwt, r['better-auth'], alg)
  }
})

test('authorization code + PKCE on a key the plugin made: Better Auth signs with the row authjwt sealed', async () => {
  const db = oauthDb()
  const options = { jwks: { keyPairConfig: { alg: 'ES256' } } }
  const { auth } = makeAuth(authjwtJwt, { db, jwt: options, plugins: [flowProvider()] })
  // authjwt mints and seals the key first (its /token), before oauth-provider signs anything.
  const { cookie } = await signUp(auth)
  const sessionJwt = (await (await call(auth, '/token', { headers: { cookie } })).json()).token
  assert.equal(db.jwks.length, 1)
  const kid = headerOf(sessionJwt).kid
  const flow = await authorizationCodeFlow(auth)
  await verifyFlowTokens(auth, flow)
  assert.equal(headerOf(flow.tokens.id_token).kid, kid)
  assert.equal(headerOf(flow.tokens.access_token).kid, kid)
  assert.equal(db.jwks.length, 1, "Better Auth's signJWT read authjwt's row; it minted none")
  assert.equal(payloadOf(flow.tokens.access_token).azp, flow.client.client_id)
})

test('a /token session JWT is not an active access token, as with Better Auth', async () => {
  const r = await both(async (impl) => {
    const { auth } = makeAuth(impl, { db: oauthDb(), plugins: [flowProvider()] })
    const flow = await authorizationCodeFlow(auth)
    const { cookie } = await signUp(auth)
    const sessionJwt = (await (await call(auth, '/token', { headers: { cookie } })).json()).token
    const res = await form(auth, '/oauth2/introspect', { token: sessionJwt, client_id: flow.client.client_id, client_secret: flow.client.client_secret })
    const text = await res.text()
    return { status: res.status, active: text ? JSON.parse(text).active === true : false }
  })
  assert.equal(r.authjwt.active, false)
  assert.deepEqual(r.authjwt, r['better-auth'])
})

// RP-initiated logout: oauth-provider verifies the id_token_hint against the JWKS it fetches over
// HTTP from <baseURL>/jwks, so the server here is a real one on 127.0.0.1.
test('RP-initiated logout: the id_token_hint verifies against the plugin\'s /jwks fetched over HTTP, as with Better Auth', async () => {
  const { createServer } = await import('node:http')
  const r = await both(async (impl) => {
    let auth
    let jwksFetches = 0
    const server = createServer(async (req, res) => {
      try {
        if (req.url === '/api/auth/jwks') jwksFetches++
        const chunks = []
        for await (const c of req) chunks.push(c)
        const response = await auth.handler(
          new Request(`http://127.0.0.1:${server.address().port}${req.url}`, { method: req.method, headers: req.headers, body: chunks.length ? Buffer.concat(chunks) : undefined }),
        )
        const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== 'set-cookie'))
        headers['set-cookie'] = response.headers.getSetCookie()
        res.writeHead(response.status, headers)
        res.end(Buffer.from(await response.arrayBuffer()))
      } catch (error) {
        res.writeHead(500).end(String(error))
      }
    })
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    const origin = `http://127.0.0.1:${server.address().port}`
    try {
      const db = oauthDb()
      ;({ auth } = makeAuth(impl, { db, baseURL: origin, trustedOrigins: [origin], plugins: [flowProvider()] }))
      const http = async (path, { method = 'GET', cookie, json, formBody } = {}) => {
        const headers = { origin, ...(cookie ? { cookie } : {}) }
        let body
        if (json) (headers['content-type'] = 'application/json'), (body = JSON.stringify(json))
        if (formBody) (headers['content-type'] = 'application/x-www-form-urlencoded'), (body = new URLSearchParams(formBody))
        return fetch(`${origin}${path}`, { method, headers, body, redirect: 'manual' })
      }
      const signUpRes = await http('/api/auth/sign-up/email', { method: 'POST', json: { email: `rp${Math.random().toString(36).slice(2)}@example.com`, password: 'correct-horse-battery', name: 'RP' } })
      const cookie = cookiesOf(signUpRes)
      // enable_end_session is an administrative field: the server API with the user's session.
      const client = await auth.api.adminCreateOAuthClient({
        headers: new Headers({ cookie }),
        body: { redirect_uris: [REDIRECT], post_logout_redirect_uris: ['https://client.example.com/logged-out'], token_endpoint_auth_method: 'client_secret_post', enable_end_session: true, skip_consent: true },
      })
      const verifier = randomBytes(32).toString('base64url')
      const query = new URLSearchParams({ response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, scope: 'openid', state: 's', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' })
      const authorize = await http(`/api/auth/oauth2/authorize?${query}`, { cookie })
      // A fetch (not a navigation) gets the redirect as JSON.
      const target = authorize.headers.get('location') ?? (await authorize.json()).url
      const code = new URL(target, origin).searchParams.get('code')
      assert.ok(code, `authorize: ${authorize.status} ${target}`)
      const tokens = await (await http('/api/auth/oauth2/token', { method: 'POST', formBody: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: client.client_id, client_secret: client.client_secret, code_verifier: verifier } })).json()
      assert.equal(typeof payloadOf(tokens.id_token).sid, 'string', 'the ID token of an end-session client carries sid')
      const sessionsBefore = db.session.length
      const logout = await fetch(
        `${origin}/api/auth/oauth2/end-session?${new URLSearchParams({ id_token_hint: tokens.id_token, client_id: client.client_id, post_logout_redirect_uri: 'https://client.example.com/logged-out', state: 'bye' })}`,
        { redirect: 'manual', headers: { origin } },
      )
      // A tampered hint must not log anyone out.
      const [h, p, s] = tokens.id_token.split('.')
      const tampered = await fetch(`${origin}/api/auth/oauth2/end-session?${new URLSearchParams({ id_token_hint: `${h}.${p}.${s.slice(0, -4)}AAAA`, client_id: client.client_id })}`, { redirect: 'manual', headers: { origin } })
      return {
        location: logout.headers.get('location') ?? (await logout.json().catch(() => null))?.url ?? null,
        sessionEnded: db.session.length === sessionsBefore - 1,
        tamperedStatus: tampered.status,
        jwksServedOverHttp: jwksFetches > 0,
      }
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
  assert.equal(r.authjwt.location, 'https://client.example.com/logged-out?state=bye')
  assert.equal(r.authjwt.sessionEnded, true)
  assert.equal(r.authjwt.tamperedStatus, 401)
  assert.equal(r.authjwt.jwksServedOverHttp, true, 'oauth-provider fetched the plugin\'s /jwks over HTTP')
  assert.deepEqual(r.authjwt, r['better-auth'])
})

test("introspection reads the plugin's keys through getJwks once per cache window, as with Better Auth", async () => {
  const r = await both(async (impl) => {
    const { auth } = makeAuth(impl, { db: oauthDb(), plugins: [flowProvider()] })
    const { tokens, client } = await authorizationCodeFlow(auth)
    const ctx = await auth.$context
    const findMany = ctx.adapter.findMany
    let reads = 0
    ctx.adapter.findMany = (args, ...rest) => {
      if (args?.model === 'jwks') reads++
      return findMany.call(ctx.adapter, args, ...rest)
    }
    try {
      const active = []
      for (let i = 0; i < 3; i++) {
        const res = await form(auth, '/oauth2/introspect', { token: tokens.access_token, client_id: client.client_id, client_secret: client.client_secret })
        active.push((await res.json()).active)
      }
      return { active, reads }
    } finally {
      ctx.adapter.findMany = findMany
    }
  })
  assert.deepEqual(r.authjwt.active, [true, true, true])
  assert.ok(r.authjwt.reads <= 1, `jwks reads: ${r.authjwt.reads}`)
  assert.deepEqual(r.authjwt, r['better-auth'])
})
