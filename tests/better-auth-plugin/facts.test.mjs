// Facts of Better Auth's jwt() plugin (../../../shared/better-auth-jwt-plugin.md) that the
// scenario comparison does not reach: toExpJWT's texts, the session cookie cache's edge cases,
// legacy rows without alg/crv, the one table read of a direct getJwks call, the plugin version.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { SignJWT } from 'jose'
import { getCookieCache } from 'better-auth/cookies'
import { BASE, SECRET, both, call, contextOf, cookiesOf, headerOf, makeAuth, newMemoryDb, signUp } from './harness.mjs'

describe('toExpJWT', () => {
  test("spans, signs and units read the same; a bad span is Better Auth's TypeError with its text", async () => {
    const inputs = ['2 mo', '1y', '1 HOUR', '+2h', ' 1h', '1h from now', '3 days ago', '0.5s', '-1h ago', '1 parsec', '1', undefined, null, '15 m']
    const r = await both((impl) =>
      inputs.map((v) => {
        try {
          return impl.toExpJWT(v, 1_000_000)
        } catch (e) {
          return `${e.constructor.name}: ${e.message}`
        }
      }),
    )
    assert.equal(r.authjwt[0], 1_000_000 + 60 * 86400)
    assert.equal(r.authjwt[8], 'TypeError: Invalid time string format: "-1h ago". Use formats like "7d", "30m", "1 hour", etc.')
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('documented difference: a negative span of exactly half a second rounds away from zero (jose, the core)', async () => {
    const r = await both((impl) => ['-1.5s', '1.5s ago', '1.5s'].map((v) => impl.toExpJWT(v, 100)))
    assert.deepEqual(r['better-auth'], [99, 99, 102])
    assert.deepEqual(r.authjwt, [98, 98, 102])
  })
})

describe('session cookie cache: the rest of the contract', () => {
  const cookieOptions = { jwt: { sessionCookieCache: true }, session: { cookieCache: { enabled: true, strategy: 'jwt', maxAge: 300 } } }
  const dataCookies = (cookie) => cookie.split('; ').filter((c) => c.startsWith('better-auth.session_data'))
  const sessionOf = async (res) => (await res.json())?.user?.id ?? null
  const request = (cookie) => new Request(`${BASE}/api/auth/get-session`, { headers: { cookie } })

  test("core getCookieCache verifies it with the JWKS; another session's token, an HS256 cookie and an empty JWKS are not trusted", async () => {
    const r = await both(async (impl) => {
      const db = newMemoryDb()
      const { auth } = makeAuth(impl, { db, ...cookieOptions })
      const a = await signUp(auth)
      const b = await signUp(auth)
      const jwks = await auth.api.getJwks()
      const core = await getCookieCache(request(a.cookie), { strategy: 'jwt', jwt: { jwks } })
      // A's cached session with B's session token: the cache is for another session, B is read.
      const aData = dataCookies(a.cookie)
      const mixed = b.cookie.split('; ').filter((c) => !c.startsWith('better-auth.session_data')).concat(aData).join('; ')
      const crossed = await sessionOf(await call(auth, '/get-session', { headers: { cookie: mixed } }))
      // An HS256 cookie under the secret, with the right typ and claims: refused, replaced.
      const claims = (await getCookieCache(request(a.cookie), { strategy: 'jwt', jwt: { jwks } })) ?? {}
      const forged = await new SignJWT({ ...claims, sid: claims.session?.token, sub: a.user.id })
        .setProtectedHeader({ alg: 'HS256', typ: 'better-auth.session-cache+jwt' })
        .setIssuedAt()
        .setExpirationTime('5m')
        .setAudience('better-auth:session-cache')
        .setIssuer(BASE)
        .sign(new TextEncoder().encode(SECRET))
      const forgedCookie = a.cookie.replace(aData[0].split(/=(.*)/s)[1], forged)
      const forgedRes = await call(auth, '/get-session', { headers: { cookie: forgedCookie } })
      const replaced = dataCookies(cookiesOf(forgedRes)).map((c) => headerOf(c.split(/=(.*)/s)[1]).alg)
      // No rows at all: a fresh server on the emptied table verifies nothing from the cookie.
      db.jwks.length = 0
      const fresh = makeAuth(impl, { db, ...cookieOptions }).auth
      const coreEmpty = await getCookieCache(request(a.cookie), { strategy: 'jwt', jwt: { jwks: { keys: [] } } })
      const emptyRes = await call(fresh, '/get-session', { headers: { cookie: a.cookie } })
      const reissuedKid = dataCookies(cookiesOf(emptyRes)).map((c) => headerOf(c.split(/=(.*)/s)[1]).kid)[0]
      return {
        core: core?.user?.id === a.user.id,
        crossed: crossed === b.user.id,
        forgedUser: (await sessionOf(forgedRes)) === a.user.id,
        replaced,
        coreEmpty,
        emptyUser: (await sessionOf(emptyRes)) === a.user.id,
        reissuedWithNewKey: reissuedKid !== undefined && reissuedKid !== headerOf(aData[0].split(/=(.*)/s)[1]).kid && db.jwks.some((k) => k.id === reissuedKid),
      }
    })
    assert.deepEqual(r.authjwt, { core: true, crossed: true, forgedUser: true, replaced: ['EdDSA'], coreEmpty: null, emptyUser: true, reissuedWithNewKey: true })
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('a cookie signed before a rotation still verifies during the grace period (fake timers)', async (t) => {
    const r = await both(async (impl) => {
      t.mock.timers.enable({ apis: ['Date'], now: Date.now() })
      try {
        const { auth, db } = makeAuth(impl, { ...cookieOptions, jwt: { ...cookieOptions.jwt, jwks: { rotationInterval: 60, gracePeriod: 600 } } })
        const { cookie, user } = await signUp(auth)
        const oldKid = headerOf(dataCookies(cookie)[0].split(/=(.*)/s)[1]).kid
        t.mock.timers.tick(61_000)
        const rotated = (await auth.api.signJWT({ body: { payload: { sub: 'after-rotation' } } })).token
        const res = await call(auth, '/get-session', { headers: { cookie } })
        const reissued = dataCookies(cookiesOf(res))
        return {
          rotated: headerOf(rotated).kid !== oldKid,
          rows: db.jwks.length,
          user: (await sessionOf(res)) === user.id,
          acceptedAsIs: reissued.length === 0,
          oldKeyPublished: (await auth.api.getJwks()).keys.some((k) => k.kid === oldKid),
        }
      } finally {
        t.mock.timers.reset()
      }
    })
    assert.deepEqual(r.authjwt, { rotated: true, rows: 2, user: true, acceptedAsIs: true, oldKeyPublished: true })
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('a cookie over 4 KB is chunked and still verifies', async () => {
    const r = await both(async (impl) => {
      const { auth } = makeAuth(impl, cookieOptions)
      const res = await call(auth, '/sign-up/email', { method: 'POST', body: { email: `big${Math.random().toString(36).slice(2)}@example.com`, password: 'correct-horse-battery', name: 'N'.repeat(5000) } })
      const cookie = cookiesOf(res)
      const chunks = dataCookies(cookie)
      const core = await getCookieCache(request(cookie), { strategy: 'jwt', jwt: { jwks: await auth.api.getJwks() } })
      const hit = await call(auth, '/get-session', { headers: { cookie } })
      return { chunked: chunks.length > 1 && chunks.every((c) => /^better-auth\.session_data\.\d+=/.test(c)), core: core?.user?.name?.length, hit: (await hit.json())?.user?.name?.length, reissued: dataCookies(cookiesOf(hit)).length }
    })
    assert.deepEqual(r.authjwt, { chunked: true, core: 5000, hit: 5000, reissued: 0 })
    assert.deepEqual(r.authjwt, r['better-auth'])
  })
})

describe('rows and reads', () => {
  test('legacy rows with alg and crv null: served under keyPairConfig, verify, sign', async () => {
    for (const keyPairConfig of [undefined, { alg: 'ES256' }]) {
      const r = await both(async (impl) => {
        const db = newMemoryDb()
        const jwt = keyPairConfig ? { jwks: { keyPairConfig } } : undefined
        const first = makeAuth(impl, { db, jwt }).auth
        const before = (await first.api.signJWT({ body: { payload: { sub: 'before' } } })).token
        db.jwks[0].alg = null
        db.jwks[0].crv = null
        // A server that reads the table afresh (authjwt caches the opened key).
        const { auth } = makeAuth(impl, { db, jwt })
        const key = (await auth.api.getJwks()).keys[0]
        const verified = (await auth.api.verifyJWT({ body: { token: before } })).payload?.sub
        const after = (await auth.api.signJWT({ body: { payload: { sub: 'after' } } })).token
        return { alg: key.alg, crv: key.crv ?? null, kid: key.kid === db.jwks[0].id, verified, sameKey: headerOf(after).kid === db.jwks[0].id, rows: db.jwks.length }
      })
      assert.equal(r.authjwt.verified, 'before')
      assert.equal(r.authjwt.sameKey, true)
      assert.deepEqual(r.authjwt, r['better-auth'], JSON.stringify(keyPairConfig))
    }
  })

  test("getJwks called directly (as oauth-provider's introspection does) reads the table once when keys exist", async () => {
    const r = await both(async (impl) => {
      const { auth } = makeAuth(impl)
      await auth.api.signJWT({ body: { payload: { sub: 'x' } } })
      const ctx = await auth.$context
      const findMany = ctx.adapter.findMany
      let reads = 0
      ctx.adapter.findMany = (args, ...rest) => {
        if (args?.model === 'jwks') reads++
        return findMany.call(ctx.adapter, args, ...rest)
      }
      try {
        const keys = (await ctx.getPlugin('jwt').endpoints.getJwks({ context: ctx, headers: new Headers(), request: undefined })).keys?.length
        return { reads, keys }
      } finally {
        ctx.adapter.findMany = findMany
      }
    })
    assert.deepEqual(r.authjwt, { reads: 1, keys: 1 })
    assert.deepEqual(r.authjwt, r['better-auth'])
  })
})

describe('jwtClient', () => {
  test('composes with inferAdditionalFields; client.jwks is a function', async () => {
    const { createAuthClient } = await import('better-auth/client')
    const { inferAdditionalFields, jwtClient: betterAuthClient } = await import('better-auth/client/plugins')
    const r = await both(async (impl) => {
      const { auth } = makeAuth(impl)
      const jwtClient = impl.jwtClient ?? betterAuthClient
      const client = createAuthClient({
        baseURL: `${BASE}/api/auth`,
        plugins: [inferAdditionalFields({ user: { nickname: { type: 'string', required: false } } }), jwtClient()],
        fetchOptions: { customFetchImpl: (url, init) => auth.handler(new Request(url, init)) },
      })
      return { jwks: typeof client.jwks, keys: (await client.jwks()).data?.keys?.length, token: typeof client.token }
    })
    assert.deepEqual(r.authjwt, { jwks: 'function', keys: 1, token: 'function' })
    assert.deepEqual(r.authjwt, r['better-auth'])
  })
})

describe('plugin version and pinned algorithms on legacy rows', () => {
  test("the plugin's version is the installed Better Auth's, as Better Auth's plugin reports it", async () => {
    const r = await both((impl) => impl.jwt().version)
    assert.equal(typeof r.authjwt, 'string')
    assert.equal(r.authjwt, r['better-auth'])
  })

  test('signingAlgorithm alone: a null-alg row matches only the primary alg', async () => {
    const r = await both(async (impl) => {
      const options = { jwks: { keyPairConfig: { alg: 'EdDSA', crv: 'Ed25519' }, keyPairConfigs: [{ alg: 'ES256' }] } }
      const { auth, db } = makeAuth(impl, { jwt: options })
      const ctx = await contextOf(auth)
      const sign = (extra) => impl.signJWT(ctx, { options, payload: { sub: 's' }, ...extra })
      const legacyKid = headerOf(await sign()).kid
      db.jwks[0].alg = null
      db.jwks[0].crv = null
      // A server that reads the table afresh (authjwt caches the opened key).
      const fresh = makeAuth(impl, { db, jwt: options }).auth
      const freshCtx = await contextOf(fresh)
      const signFresh = (extra) => impl.signJWT(freshCtx, { options, payload: { sub: 's' }, ...extra })
      const primary = headerOf(await signFresh({ signingAlgorithm: 'EdDSA' }))
      const rowsAfterPrimary = db.jwks.length
      const other = headerOf(await signFresh({ signingAlgorithm: 'ES256' }))
      return {
        primaryUsesLegacy: primary.kid === legacyKid,
        primaryAlg: primary.alg,
        rowsAfterPrimary,
        otherMinted: other.kid !== legacyKid,
        otherAlg: other.alg,
        rows: db.jwks.length,
      }
    })
    assert.deepEqual(r.authjwt, { primaryUsesLegacy: true, primaryAlg: 'EdDSA', rowsAfterPrimary: 1, otherMinted: true, otherAlg: 'ES256', rows: 2 })
    assert.deepEqual(r.authjwt, r['better-auth'])
  })
})
