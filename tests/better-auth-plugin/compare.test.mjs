// The same scenarios against Better Auth's own jwt() plugin and authjwt/better-auth on Better
// Auth's memory adapter, with the observable results compared. Tokens are checked with jose (an
// independent verifier) against the server's own /jwks.
import { test, describe, mock } from 'node:test'
import assert from 'node:assert/strict'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { createAuthClient } from 'better-auth/client'
import * as authjwtJwt from 'authjwt/better-auth'
import { BASE, IMPLS, both, call, contextOf, cookiesOf, errorOf, headerOf, makeAuth, payloadOf, signIn, signUp } from './harness.mjs'

const ALGS = [
  ['EdDSA', { alg: 'EdDSA', crv: 'Ed25519' }, { kty: 'OKP', x: 43 }],
  ['ES256', { alg: 'ES256' }, { kty: 'EC', x: 43 }],
  ['ES512', { alg: 'ES512' }, { kty: 'EC', x: 88 }],
  ['PS256', { alg: 'PS256' }, { kty: 'RSA', n: 342 }],
  ['RS256', { alg: 'RS256' }, { kty: 'RSA', n: 342 }],
]

async function jwksOf(auth, path = '/jwks') {
  const res = await call(auth, path)
  return { status: res.status, body: res.status === 200 ? await res.json() : null, cacheControl: res.headers.get('cache-control') }
}

async function verifyWithJwks(token, jwks, options = { issuer: BASE, audience: BASE }) {
  return (await jwtVerify(token, createLocalJWKSet(jwks), options)).payload
}

/** The shape of a JWKS key: member names and the lengths of its key material. */
const keyShape = (k) => ({ names: Object.keys(k).sort(), alg: k.alg, crv: k.crv, kty: k.kty, x: k.x?.length, y: k.y?.length, n: k.n?.length })

describe('plugin object and construction', () => {
  test('id, options, endpoints, hooks and schema are the same', async () => {
    const r = await both((impl) => {
      const options = { jwks: { keyPairConfig: { alg: 'ES256' } } }
      const p = impl.jwt(options)
      return {
        id: p.id,
        sameOptions: p.options === options,
        endpoints: Object.keys(p.endpoints).sort(),
        init: typeof p.init,
        after: p.hooks.after.length,
        matcher: [p.hooks.after[0].matcher({ path: '/get-session' }), p.hooks.after[0].matcher({ path: '/token' })],
        schema: p.schema,
        signJWTPath: p.endpoints.signJWT.path,
        verifyJWTPath: p.endpoints.verifyJWT.path,
        jwksPath: p.endpoints.getJwks.path,
      }
    })
    assert.equal(r.authjwt.id, 'jwt')
    assert.equal(r.authjwt.sameOptions, true)
    assert.ok(!r.authjwt.signJWTPath)
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('schema renames through mergeSchema (authjwt only: Better Auth\'s plugin renames its shared schema in place)', () => {
    const renamed = authjwtJwt.jwt({ schema: { jwks: { modelName: 'keys', fields: { publicKey: 'pub' } } } }).schema
    assert.equal(renamed.jwks.modelName, 'keys')
    assert.equal(renamed.jwks.fields.publicKey.fieldName, 'pub')
    assert.equal(authjwtJwt.jwt().schema.jwks.modelName, undefined, 'a rename does not leak into the next plugin')
  })

  test('construction errors: same type and text; remoteUrl is not checked to be a URL', async () => {
    const cases = [
      { jwt: { sign: () => 'x' } },
      { jwks: { remoteUrl: 'https://example.com/jwks' } },
      { jwks: { jwksPath: '' } },
      { jwks: { jwksPath: 'jwks' } },
      { jwks: { jwksPath: '/a/../b' } },
      { jwks: { remoteUrl: 'not-a-url', keyPairConfig: { alg: 'ES256' } } },
      { jwks: { remoteUrl: 'http://', keyPairConfig: { alg: 'ES256' } } },
      { jwks: { remoteUrl: '//example.com', keyPairConfig: { alg: 'ES256' } } },
      { jwks: { remoteUrl: 'example.com/jwks?x=1', keyPairConfig: { alg: 'ES256' } } },
    ]
    for (const options of cases) {
      const r = await both((impl) => errorOf(() => impl.jwt(options)))
      assert.deepEqual(r.authjwt, r['better-auth'], JSON.stringify(options))
    }
    assert.match((await errorOf(() => authjwtJwt.jwt(cases[0]))) ?? '', /^BetterAuthError: options.jwks.remoteUrl must be set/)
  })

  test('sessionCookieCache init errors and the grace-period warning are the same', async () => {
    const r = await both(async (impl) => {
      const warnings = []
      const logger = { level: 'warn', log: (level, message) => level === 'warn' && warnings.push(message) }
      const noStrategy = await errorOf(async () => (await makeAuth(impl, { jwt: { sessionCookieCache: true } }).auth.$context))
      const signer = await errorOf(async () => (await makeAuth(impl, {
        jwt: { sessionCookieCache: true, jwt: { sign: () => 'x' }, jwks: { remoteUrl: 'https://x.test/jwks', keyPairConfig: { alg: 'EdDSA' } } },
        session: { cookieCache: { enabled: true, strategy: 'jwt' } },
      }).auth.$context))
      await makeAuth(impl, { jwt: { sessionCookieCache: true, jwks: { gracePeriod: 60 } }, session: { cookieCache: { enabled: true, strategy: 'jwt', maxAge: 600 } }, logger }).auth.$context
      return { noStrategy, signer, warnings: warnings.filter((w) => w.includes('cookieCache.maxAge')) }
    })
    assert.match(r.authjwt.noStrategy ?? '', /requires `session.cookieCache.strategy = "jwt"`/)
    assert.equal(r.authjwt.warnings.length, 1)
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('authjwt: a configuration the core refuses fails at jwt(), not at the first token', async () => {
    const bad = { jwks: { keyPairConfig: { alg: 'RS256', modulusLength: 1024 } } }
    assert.match((await errorOf(() => authjwtJwt.jwt(bad))) ?? '', /^BetterAuthError: /)
    // Better Auth accepts it and fails when the first key is made.
    const { auth } = makeAuth(IMPLS['better-auth'], { jwt: bad })
    assert.notEqual(await errorOf(() => auth.api.signJWT({ body: { payload: { sub: 'x' } } })), null)
  })
})

describe('endpoints over auth.handler', () => {
  test('sign-up, /token, /jwks, /get-session with set-auth-jwt', async () => {
    const r = await both(async (impl) => {
      const { auth } = makeAuth(impl)
      const { cookie, user } = await signUp(auth)
      const tokenRes = await call(auth, '/token', { headers: { cookie } })
      const { token } = await tokenRes.json()
      const jwks = await jwksOf(auth)
      const payload = await verifyWithJwks(token, jwks.body)
      const sessionRes = await call(auth, '/get-session', { headers: { cookie, 'access-control-expose-headers': 'x-one' } })
      const headerToken = sessionRes.headers.get('set-auth-jwt')
      const headerPayload = await verifyWithJwks(headerToken, jwks.body)
      const anonymous = await call(auth, '/token')
      return {
        tokenStatus: tokenRes.status,
        tokenCacheControl: tokenRes.headers.get('cache-control'),
        header: Object.keys(headerOf(token)).sort(),
        alg: headerOf(token).alg,
        kidInJwks: jwks.body.keys.some((k) => k.kid === headerOf(token).kid),
        claims: Object.keys(payload).sort(),
        subIsId: payload.sub === user.id && payload.id === user.id,
        email: payload.email === user.email,
        datesAreIso: typeof payload.createdAt === 'string' && !Number.isNaN(Date.parse(payload.createdAt)),
        lifetime: payload.exp - payload.iat,
        iss: payload.iss,
        aud: payload.aud,
        jwksStatus: jwks.status,
        keys: jwks.body.keys.map(keyShape),
        sessionStatus: sessionRes.status,
        setAuthJwtVerifies: headerPayload.sub === user.id,
        exposed: sessionRes.headers.get('access-control-expose-headers'),
        anonymousStatus: anonymous.status,
      }
    })
    assert.equal(r.authjwt.tokenStatus, 200)
    assert.equal(r.authjwt.lifetime, 900)
    assert.equal(r.authjwt.anonymousStatus, 401)
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('/jwks: authjwt adds Cache-Control, the body is the same', async () => {
    const { auth } = makeAuth(IMPLS.authjwt)
    const res = await jwksOf(auth)
    assert.match(res.cacheControl ?? '', /max-age=300/)
    const { auth: ba } = makeAuth(IMPLS['better-auth'])
    assert.equal((await jwksOf(ba)).cacheControl, null)
  })

  test('custom jwksPath serves the keys there, /jwks is 404; remoteUrl makes /jwks 404 and local keys still sign', async () => {
    const r = await both(async (impl) => {
      const custom = makeAuth(impl, { jwt: { jwks: { jwksPath: '/.well-known/keys' } } }).auth
      const remote = makeAuth(impl, { jwt: { jwks: { remoteUrl: 'https://keys.example.com/jwks', keyPairConfig: { alg: 'ES256' } } } }).auth
      const { cookie } = await signUp(remote)
      const tokenRes = await call(remote, '/token', { headers: { cookie } })
      const { token } = await tokenRes.json()
      const sessionRes = await call(remote, '/get-session', { headers: { cookie } })
      return {
        custom: (await jwksOf(custom, '/.well-known/keys')).status,
        defaultOnCustom: (await jwksOf(custom)).status,
        remote: (await jwksOf(remote)).status,
        remoteToken: tokenRes.status,
        remoteAlg: headerOf(token).alg,
        remoteHeader: sessionRes.headers.get('set-auth-jwt') !== null,
      }
    })
    assert.deepEqual(r.authjwt, { custom: 200, defaultOnCustom: 404, remote: 404, remoteToken: 200, remoteAlg: 'ES256', remoteHeader: true })
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('disableSettingJwtHeader leaves /get-session without set-auth-jwt', async () => {
    const r = await both(async (impl) => {
      const { auth } = makeAuth(impl, { jwt: { disableSettingJwtHeader: true } })
      const { cookie } = await signUp(auth)
      return (await call(auth, '/get-session', { headers: { cookie } })).headers.get('set-auth-jwt')
    })
    assert.equal(r.authjwt, null)
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('definePayload, getSubject, issuer, audience and expirationTime', async () => {
    const r = await both(async (impl) => {
      const { auth } = makeAuth(impl, {
        jwt: {
          jwt: {
            issuer: 'https://issuer.example',
            audience: ['a1', 'a2'],
            expirationTime: '1h',
            definePayload: (s) => ({ role: 'admin', uid: s.user.id }),
            getSubject: (s) => `user:${s.user.id}`,
          },
        },
      })
      const { cookie, user } = await signUp(auth)
      const { token } = await (await call(auth, '/token', { headers: { cookie } })).json()
      const p = await verifyWithJwks(token, (await jwksOf(auth)).body, { issuer: 'https://issuer.example', audience: 'a2' })
      return { ...p, iat: undefined, exp: p.exp - p.iat, okUid: p.uid === user.id, uid: undefined, subOk: p.sub === `user:${user.id}`, sub: undefined }
    })
    assert.equal(r.authjwt.exp, 3600)
    assert.deepEqual(r.authjwt, r['better-auth'])
  })
})

describe('auth.api.signJWT and verifyJWT (server only)', () => {
  test('claims kept, header { alg, kid }, HTTP POST /sign-jwt is 404', async () => {
    const r = await both(async (impl) => {
      const { auth } = makeAuth(impl)
      const payload = { sub: 'svc', iss: 'https://other', aud: 'api', exp: 4102444800, nbf: 1700000000, jti: 'j1', scope: 'read' }
      const { token } = await auth.api.signJWT({ body: { payload } })
      const http = await call(auth, '/sign-jwt', { method: 'POST', body: { payload } })
      const bare = (await auth.api.signJWT({ body: { payload: { sub: 's' } } })).token
      return {
        header: headerOf(token),
        claims: payloadOf(token),
        kidIsRow: (await jwksOf(auth)).body.keys[0].kid === headerOf(token).kid,
        http: http.status,
        bareHasIat: 'iat' in payloadOf(bare),
        bareClaims: Object.keys(payloadOf(bare)).filter((k) => k !== 'iat').sort(),
        bareLifetime: payloadOf(bare).exp - Math.floor(Date.now() / 1000),
      }
    })
    for (const name of Object.keys(r)) r[name].header.kid = r[name].kidIsRow
    // Deliberate difference (README): authjwt always sets iat; Better Auth only when given.
    assert.equal(r['better-auth'].bareHasIat, false)
    assert.equal(r.authjwt.bareHasIat, true)
    assert.ok(Math.abs(r.authjwt.claims.iat - Math.floor(Date.now() / 1000)) <= 5)
    assert.equal('iat' in r['better-auth'].claims, false)
    delete r.authjwt.claims.iat
    r.authjwt.bareHasIat = false
    assert.ok(Math.abs(r.authjwt.bareLifetime - r['better-auth'].bareLifetime) <= 2)
    r.authjwt.bareLifetime = r['better-auth'].bareLifetime
    assert.equal(r.authjwt.http, 404)
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('overrideOptions (shallow) and verifyJWT: valid, tampered, wrong issuer, body.issuer, no kid', async () => {
    const r = await both(async (impl) => {
      const { auth } = makeAuth(impl)
      const { token } = await auth.api.signJWT({ body: { payload: { sub: 'u1', n: 1 } } })
      const { token: other } = await auth.api.signJWT({ body: { payload: { sub: 'u2' }, overrideOptions: { jwt: { issuer: 'https://other.example' } } } })
      const tampered = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA')
      const noSub = (await auth.api.signJWT({ body: { payload: { n: 2 } } })).token
      const v = async (t, issuer) => (await auth.api.verifyJWT({ body: { token: t, ...(issuer ? { issuer } : {}) } })).payload
      return {
        valid: (await v(token))?.sub,
        otherIss: payloadOf(other).iss,
        otherDefault: await v(other),
        otherWithIssuer: (await v(other, 'https://other.example'))?.sub,
        tampered: await v(tampered),
        garbage: await v('a.b'),
        noSub: await v(noSub),
        unknownKid: await v(`${Buffer.from('{"alg":"EdDSA","kid":"nope"}').toString('base64url')}.${token.split('.')[1]}.${token.split('.')[2]}`),
      }
    })
    assert.equal(r.authjwt.valid, 'u1')
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('each side verifies the other side\'s tokens on one table', async () => {
    const db = (await import('./harness.mjs')).newMemoryDb()
    const ba = makeAuth(IMPLS['better-auth'], { db }).auth
    const ours = makeAuth(IMPLS.authjwt, { db }).auth
    const { token: t1 } = await ours.api.signJWT({ body: { payload: { sub: 'from-authjwt' } } })
    assert.equal(db.jwks.length, 1)
    const { token: t2 } = await ba.api.signJWT({ body: { payload: { sub: 'from-better-auth' } } })
    assert.equal(db.jwks.length, 1, 'Better Auth signs with the key authjwt made')
    assert.equal(headerOf(t2).kid, headerOf(t1).kid)
    assert.equal((await ba.api.verifyJWT({ body: { token: t1 } })).payload?.sub, 'from-authjwt')
    assert.equal((await ours.api.verifyJWT({ body: { token: t2 } })).payload?.sub, 'from-better-auth')
  })
})

describe('every algorithm, with and without private key encryption', () => {
  for (const [name, keyPairConfig, expected] of ALGS) {
    for (const disablePrivateKeyEncryption of [false, true]) {
      test(`${name}${disablePrivateKeyEncryption ? ', not encrypted' : ', sealed'}`, async () => {
        const r = await both(async (impl) => {
          const jwtOptions = { jwks: { keyPairConfig, disablePrivateKeyEncryption } }
          const { auth, db } = makeAuth(impl, { jwt: jwtOptions })
          const { cookie } = await signUp(auth)
          const { token } = await (await call(auth, '/token', { headers: { cookie } })).json()
          const jwks = (await jwksOf(auth)).body
          await verifyWithJwks(token, jwks)
          const row = db.jwks[0]
          const stored = JSON.parse(row.privateKey)
          // The other implementation signs with this row: each reads what the other writes.
          const otherImpl = impl === IMPLS.authjwt ? IMPLS['better-auth'] : IMPLS.authjwt
          const other = makeAuth(otherImpl, { db, jwt: jwtOptions }).auth
          const { token: crossToken } = await other.api.signJWT({ body: { payload: { sub: 'x' } } })
          await verifyWithJwks(crossToken, jwks)
          return {
            alg: headerOf(token).alg,
            keys: jwks.keys.map(keyShape),
            rowAlg: row.alg,
            rowCrv: row.crv ?? null,
            publicKeyNames: Object.keys(JSON.parse(row.publicKey)).sort(),
            privateKeyForm: disablePrivateKeyEncryption ? Object.keys(stored).sort() : /^[0-9a-f]+$/.test(stored),
            rowsAfterCross: db.jwks.length,
            crossKid: headerOf(crossToken).kid === row.id,
          }
        })
        assert.equal(r.authjwt.alg, name)
        assert.equal(r.authjwt.keys[0].kty, expected.kty)
        if (expected.x) assert.equal(r.authjwt.keys[0].x, expected.x)
        if (expected.n) assert.equal(r.authjwt.keys[0].n, expected.n)
        assert.equal(r.authjwt.rowsAfterCross, 1)
        assert.deepEqual(r.authjwt, r['better-auth'])
      })
    }
  }

  test('versioned secrets: rows are sealed as $ba$<version>$ and read back by the other side', async () => {
    const secrets = [{ version: 2, value: 'versioned-secret-two-0123456789abcdef' }, { version: 1, value: 'versioned-secret-one-0123456789abcdef' }]
    const r = await both(async (impl) => {
      const { auth, db } = makeAuth(impl, { secrets })
      await auth.api.signJWT({ body: { payload: { sub: 'a' } } })
      const otherImpl = impl === IMPLS.authjwt ? IMPLS['better-auth'] : IMPLS.authjwt
      const other = makeAuth(otherImpl, { db, secrets }).auth
      const { token } = await other.api.signJWT({ body: { payload: { sub: 'b' } } })
      return { envelope: /^\$ba\$2\$[0-9a-f]+$/.test(JSON.parse(db.jwks[0].privateKey)), rows: db.jwks.length, kid: headerOf(token).kid === db.jwks[0].id }
    })
    assert.deepEqual(r.authjwt, { envelope: true, rows: 1, kid: true })
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('a wrong secret: Better Auth\'s decrypt error text', async () => {
    const r = await both(async (impl) => {
      const { db } = makeAuth(impl)
      await makeAuth(impl, { db }).auth.api.signJWT({ body: { payload: { sub: 'a' } } })
      const wrong = makeAuth(impl, { db, secret: 'a-different-secret-0123456789-abcdefghijklmnop' }).auth
      return errorOf(() => wrong.api.signJWT({ body: { payload: { sub: 'a' } } }))
    })
    assert.match(r.authjwt ?? '', /^BetterAuthError: Failed to decrypt private key/)
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('plaintext rows inserted through the adapter are used as they are', async () => {
    const r = await both(async (impl) => {
      const { auth, db } = makeAuth(impl, { jwt: { jwks: { disablePrivateKeyEncryption: true } } })
      const { privateWebKey, publicWebKey } = await impl.generateExportedKeyPair()
      const ctx = await auth.$context
      const row = await ctx.adapter.create({ model: 'jwks', data: { publicKey: JSON.stringify(publicWebKey), privateKey: JSON.stringify(privateWebKey), createdAt: new Date() } })
      const { token } = await auth.api.signJWT({ body: { payload: { sub: 'p' } } })
      return { kid: headerOf(token).kid === row.id, alg: headerOf(token).alg, rows: db.jwks.length, verified: (await auth.api.verifyJWT({ body: { token } })).payload?.sub }
    })
    assert.deepEqual(r.authjwt, { kid: true, alg: 'EdDSA', rows: 1, verified: 'p' })
    assert.deepEqual(r.authjwt, r['better-auth'])
  })
})

describe('signing-key resolution', () => {
  test('keyPairConfigs: minted once on first use, unpinned stays on the primary alg', async () => {
    const r = await both(async (impl) => {
      const options = { jwks: { keyPairConfig: { alg: 'EdDSA', crv: 'Ed25519' }, keyPairConfigs: [{ alg: 'ES256' }, { alg: 'RS256' }] } }
      const { auth, db } = makeAuth(impl, { jwt: options })
      const ctx = await contextOf(auth)
      const sign = (extra) => impl.signJWT(ctx, { options, payload: { sub: 's' }, ...extra })
      const primary = await sign()
      const first = await sign({ signingAlgorithm: 'ES256' })
      const second = await sign({ signingAlgorithm: 'ES256' })
      const unpinned = await sign()
      const byKid = await sign({ signingKeyId: headerOf(first).kid })
      const both_ = await sign({ signingKeyId: headerOf(first).kid, signingAlgorithm: 'ES256' })
      return {
        first: headerOf(first).alg,
        reused: headerOf(first).kid === headerOf(second).kid,
        unpinned: headerOf(unpinned).alg,
        unpinnedKid: headerOf(unpinned).kid === headerOf(primary).kid,
        byKid: headerOf(byKid).kid === headerOf(first).kid,
        both: headerOf(both_).alg,
        rows: db.jwks.map((r) => r.alg).sort(),
        header: Object.keys(headerOf(await sign({ header: { typ: 'logout+jwt' } }))).sort(),
        typ: headerOf(await sign({ header: { typ: 'logout+jwt', alg: 'none', kid: 'x' } })),
      }
    })
    assert.deepEqual(r.authjwt.rows, ['ES256', 'EdDSA'])
    assert.equal(r.authjwt.typ.alg, 'EdDSA')
    for (const name of Object.keys(r)) r[name].typ = { ...r[name].typ, kid: r[name].typ.kid === 'x' }
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('pinning errors: unknown kid, alg mismatch (also with a null-alg row), unconfigured alg, expired pin', async () => {
    const r = await both(async (impl) => {
      const options = { jwks: { keyPairConfig: { alg: 'EdDSA', crv: 'Ed25519' }, keyPairConfigs: [{ alg: 'ES256' }] } }
      const { auth, db } = makeAuth(impl, { jwt: options })
      const ctx = await contextOf(auth)
      const sign = (extra) => impl.signJWT(ctx, { options, payload: { sub: 's' }, ...extra })
      const kid = headerOf(await sign()).kid
      const unknown = await errorOf(() => sign({ signingKeyId: 'missing-kid' }))
      const mismatch = await errorOf(() => sign({ signingKeyId: kid, signingAlgorithm: 'ES256' }))
      db.jwks[0].alg = null
      const nullAlg = await errorOf(() => sign({ signingKeyId: kid, signingAlgorithm: 'ES256' }))
      db.jwks[0].alg = 'EdDSA'
      const unconfigured = await errorOf(() => sign({ signingAlgorithm: 'PS256' }))
      db.jwks[0].expiresAt = new Date(Date.now() - 1000)
      const expired = await errorOf(() => sign({ signingKeyId: kid }))
      const anonymous = (text) => text?.replaceAll(kid, '<kid>')
      return { unknown, mismatch: anonymous(mismatch), nullAlg: anonymous(nullAlg), unconfigured, expired, rows: db.jwks.length }
    })
    assert.match(r.authjwt.unknown ?? '', /^BetterAuthError: signJWT: signingKeyId "missing-kid" not found in JWKS/)
    assert.match(r.authjwt.nullAlg ?? '', /unset \(inherits keyPairConfig.alg "EdDSA"\)/)
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('an expired key never shadows an older live one', async () => {
    const r = await both(async (impl) => {
      const { auth } = makeAuth(impl, { jwt: { jwks: { disablePrivateKeyEncryption: true } } })
      const ctx = await auth.$context
      const insert = async (createdAt, expiresAt) => {
        const { privateWebKey, publicWebKey } = await impl.generateExportedKeyPair()
        const data = { alg: 'EdDSA', crv: 'Ed25519', publicKey: JSON.stringify(publicWebKey), privateKey: JSON.stringify(privateWebKey), createdAt }
        return ctx.adapter.create({ model: 'jwks', data: expiresAt ? { ...data, expiresAt } : data })
      }
      const older = await insert(new Date(Date.now() - 60_000))
      await insert(new Date(Date.now() - 1_000), new Date(Date.now() - 500))
      const { token } = await auth.api.signJWT({ body: { payload: { sub: 'x' } } })
      return { usesOlder: headerOf(token).kid === older.id, rows: (await ctx.adapter.findMany({ model: 'jwks' })).length }
    })
    assert.deepEqual(r.authjwt, { usesOlder: true, rows: 2 })
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('resolveSigningKey: alg and kid of the signing key; null with jwt.sign', async () => {
    const r = await both(async (impl) => {
      const options = { jwks: { keyPairConfig: { alg: 'ES256' } } }
      const { auth } = makeAuth(impl, { jwt: options })
      const ctx = await contextOf(auth)
      const key = await impl.resolveSigningKey(ctx, options)
      const token = await impl.signJWT(ctx, { options, payload: { sub: 'r' }, resolvedKey: key })
      const withSigner = await impl.resolveSigningKey(ctx, { jwt: { sign: () => 'x' }, jwks: { remoteUrl: 'https://x', keyPairConfig: { alg: 'ES256' } } })
      return { alg: key.alg, kid: key.kid === headerOf(token).kid, withSigner }
    })
    assert.deepEqual(r.authjwt, { alg: 'ES256', kid: true, withSigner: null })
    assert.deepEqual(r.authjwt, r['better-auth'])
  })
})

describe('rotation and grace, with fake timers', () => {
  test('rotationInterval 1 s mints a new key after 1.1 s; gracePeriod 1 s drops the old one at 2.1 s', async (t) => {
    const r = await both(async (impl) => {
      t.mock.timers.enable({ apis: ['Date'], now: Date.now() })
      try {
        const { auth, db } = makeAuth(impl, { jwt: { jwks: { rotationInterval: 1, gracePeriod: 1 } } })
        const first = (await auth.api.signJWT({ body: { payload: { sub: 'a' } } })).token
        t.mock.timers.tick(1100)
        const second = (await auth.api.signJWT({ body: { payload: { sub: 'b' } } })).token
        const at1 = (await auth.api.getJwks()).keys.map((k) => k.kid)
        t.mock.timers.tick(1000)
        const at2 = (await auth.api.getJwks()).keys.map((k) => k.kid)
        const rowLifetime = new Date(db.jwks[0].expiresAt).getTime() - new Date(db.jwks[0].createdAt).getTime()
        return {
          newKid: headerOf(first).kid !== headerOf(second).kid,
          at1: at1.length,
          at2: at2.length,
          at2IsNew: at2[0] === headerOf(second).kid,
          rows: db.jwks.length,
          rowLifetime: Math.round(rowLifetime / 100) * 100,
        }
      } finally {
        t.mock.timers.reset()
      }
    })
    assert.deepEqual(r.authjwt, { newKid: true, at1: 2, at2: 1, at2IsNew: true, rows: 2, rowLifetime: 1000 })
    assert.deepEqual(r.authjwt, r['better-auth'])
  })
})

describe('custom signer and custom adapter', () => {
  test('jwt.sign gets three arguments and its output is returned as is; no key is made', async () => {
    const r = await both(async (impl) => {
      const calls = []
      const options = {
        jwks: { remoteUrl: 'https://kms.example/jwks', keyPairConfig: { alg: 'ES256' } },
        // A mock signature verifies against nothing: authjwt's check before return is turned off
        // (Better Auth ignores the option); custom-signer.test.mjs covers it on.
        jwt: { sign: (...args) => (calls.push(args), 'header.payload.mock-signature'), verifyBeforeReturn: false },
      }
      const { auth, db } = makeAuth(impl, { jwt: options })
      const { cookie } = await signUp(auth)
      const { token } = await (await call(auth, '/token', { headers: { cookie } })).json()
      const ctx = await contextOf(auth)
      await impl.signJWT(ctx, { options, payload: { sub: 'p' }, header: { typ: 'x' }, signingKeyId: 'k1' })
      const [claims, header, third] = calls[0]
      return {
        token,
        arity: calls.map((c) => c.length),
        claims: Object.keys(claims).sort(),
        header: header ?? null,
        third,
        pinned: calls.at(-1).slice(1),
        rows: db.jwks.length,
      }
    })
    assert.equal(r.authjwt.token, 'header.payload.mock-signature')
    assert.deepEqual(r.authjwt.third, { signingKeyId: undefined, signingAlgorithm: undefined })
    assert.equal(r.authjwt.rows, 0)
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('options.adapter: getJwks and createJwk replace the table; one key is stored', async () => {
    const r = await both(async (impl) => {
      const keys = []
      const seen = []
      const adapter = {
        getJwks: async (ctx) => (seen.push(typeof ctx?.context), keys),
        createJwk: async (data, ctx) => {
          seen.push(typeof ctx?.context)
          const row = { ...data, id: `custom-${keys.length}` }
          keys.push(row)
          return row
        },
      }
      const { auth, db } = makeAuth(impl, { jwt: { adapter } })
      const { token } = await auth.api.signJWT({ body: { payload: { sub: 'c' } } })
      await auth.api.signJWT({ body: { payload: { sub: 'c' } } })
      const jwks = await auth.api.getJwks()
      return { kid: headerOf(token).kid, stored: keys.length, table: db.jwks.length, jwks: jwks.keys.map((k) => k.kid), ctx: [...new Set(seen)] }
    })
    assert.deepEqual(r.authjwt, { kid: 'custom-0', stored: 1, table: 0, jwks: ['custom-0'], ctx: ['object'] })
    assert.deepEqual(r.authjwt, r['better-auth'])
  })
})

describe('session cookie cache (strategy "jwt")', () => {
  const cookieOptions = { jwt: { sessionCookieCache: true }, session: { cookieCache: { enabled: true, strategy: 'jwt', maxAge: 300 } } }
  const dataCookie = (cookie) => cookie.split('; ').find((c) => c.startsWith('better-auth.session_data='))?.split(/=(.*)/s)[1]

  test('the cookie is signed with the JWKS keys, verified, tampering and HS256 rejected', async () => {
    const r = await both(async (impl) => {
      const { auth } = makeAuth(impl, cookieOptions)
      const { cookie, user } = await signUp(auth)
      const cached = dataCookie(cookie)
      const header = headerOf(cached)
      const jwks = await auth.api.getJwks()
      const verified = await jwtVerify(cached, createLocalJWKSet(jwks), { audience: 'better-auth:session-cache', issuer: BASE, typ: 'better-auth.session-cache+jwt' })
      const ctx = await auth.$context
      let finds = 0
      const findOne = ctx.adapter.findOne
      ctx.adapter.findOne = (...args) => (finds++, findOne.apply(ctx.adapter, args))
      const hit = await call(auth, '/get-session', { headers: { cookie } })
      const hitFinds = finds
      const tamperedCookie = cookie.replace(cached, cached.slice(0, -3) + (cached.endsWith('AAA') ? 'BBB' : 'AAA'))
      const tampered = await call(auth, '/get-session', { headers: { cookie: tamperedCookie } })
      const reissued = dataCookie(cookiesOf(tampered))
      ctx.adapter.findOne = findOne
      const signJwt = (await auth.api.signJWT({ body: { payload: { sub: user.id } } })).token
      const plain = await call(auth, '/get-session', { headers: { cookie: cookie.replace(cached, signJwt) } })
      return {
        header: { ...header, kid: jwks.keys.some((k) => k.kid === header.kid) },
        claims: Object.keys(verified.payload).sort(),
        sid: verified.payload.sid === verified.payload.session.token,
        sub: verified.payload.sub === user.id,
        iss: verified.payload.iss,
        hit: (await hit.json())?.user?.id === user.id,
        hitFinds,
        tamperedOk: (await tampered.json())?.user?.id === user.id,
        reissued: reissued ? headerOf(reissued).typ : null,
        plainOk: (await plain.json())?.user?.id === user.id,
        plainReissued: dataCookie(cookiesOf(plain)) ? headerOf(dataCookie(cookiesOf(plain))).typ : null,
      }
    })
    assert.equal(r.authjwt.header.typ, 'better-auth.session-cache+jwt')
    assert.equal(r.authjwt.header.alg, 'EdDSA')
    assert.equal(r.authjwt.reissued, 'better-auth.session-cache+jwt')
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('a cookie cache signed by one implementation is accepted by the other on the same table', async () => {
    const db = (await import('./harness.mjs')).newMemoryDb()
    const ours = makeAuth(IMPLS.authjwt, { db, ...cookieOptions }).auth
    const ba = makeAuth(IMPLS['better-auth'], { db, ...cookieOptions }).auth
    const { cookie, user } = await signUp(ours)
    const res = await call(ba, '/get-session', { headers: { cookie } })
    assert.equal((await res.json())?.user?.id, user.id)
    assert.equal(dataCookie(cookiesOf(res)) ?? null, null, 'Better Auth accepted the cached cookie as is')
    const baCookie = await signIn(ba, user.email)
    const back = await call(ours, '/get-session', { headers: { cookie: baCookie } })
    assert.equal((await back.json())?.user?.id, user.id)
    assert.equal(dataCookie(cookiesOf(back)) ?? null, null, 'authjwt accepted Better Auth\'s cookie as is')
  })
})

describe('jwtClient through createAuthClient', () => {
  test('client.jwks() and client.token() with a custom fetch', async () => {
    const r = await both(async (impl) => {
      const { auth } = makeAuth(impl, { jwt: { jwks: { jwksPath: '/keys' } } })
      const { cookie } = await signUp(auth)
      const client = createAuthClient({
        baseURL: `${BASE}/api/auth`,
        plugins: [impl === IMPLS.authjwt ? authjwtJwt.jwtClient({ jwks: { jwksPath: '/keys' } }) : (await import('better-auth/client/plugins')).jwtClient({ jwks: { jwksPath: '/keys' } })],
        fetchOptions: { customFetchImpl: (url, init) => auth.handler(new Request(url, init)) },
      })
      const plugin = impl === IMPLS.authjwt ? authjwtJwt.jwtClient() : (await import('better-auth/client/plugins')).jwtClient()
      const jwks = await client.jwks()
      const token = await client.token({ fetchOptions: { headers: { cookie } } })
      return {
        id: plugin.id,
        pathMethods: plugin.pathMethods,
        jwksType: typeof client.jwks,
        keys: jwks.data?.keys?.length,
        token: typeof token.data?.token === 'string' && token.data.token.split('.').length,
      }
    })
    assert.deepEqual(r.authjwt, { id: 'better-auth-client', pathMethods: { '/jwks': 'GET' }, jwksType: 'function', keys: 1, token: 3 })
    assert.deepEqual(r.authjwt, r['better-auth'])
  })
})

describe('exported helpers', () => {
  test('toExpJWT: numbers, dates, spans, and TypeError for bad spans', async () => {
    const inputs = [0, 1234, new Date(5_000_999), '1h', '7d', '30m', '1s', '1 hour', '7 days', '30 minutes', '-1h', '1h ago', '2 weeks', '1.5h', 'invalid', '', 'abc123']
    const r = await both((impl) => inputs.map((v) => { try { return impl.toExpJWT(v, 1000) } catch (e) { return e.constructor.name } }))
    assert.deepEqual(r.authjwt.slice(0, 3), [0, 1234, 5000])
    assert.deepEqual(r.authjwt, r['better-auth'])
  })

  test('generateExportedKeyPair: the same JWK shapes for every algorithm', async () => {
    for (const [, keyPairConfig] of ALGS) {
      const r = await both(async (impl) => {
        const k = await impl.generateExportedKeyPair({ jwks: { keyPairConfig } })
        return { pub: keyShape(k.publicWebKey), priv: Object.keys(k.privateWebKey).sort(), alg: k.alg, cfg: k.cfg }
      })
      assert.deepEqual(r.authjwt, r['better-auth'], keyPairConfig.alg)
    }
    const def = await both(async (impl) => (await impl.generateExportedKeyPair()).alg)
    assert.deepEqual(def.authjwt, def['better-auth'])
  })
})

describe('concurrency', () => {
  test('1,000 concurrent /token on an empty table: authjwt makes one key (Better Auth: printed)', async () => {
    const r = await both(async (impl, name) => {
      const { auth, db } = makeAuth(impl)
      const { cookie } = await signUp(auth)
      const responses = await Promise.all(Array.from({ length: 1000 }, () => call(auth, '/token', { headers: { cookie } })))
      const statuses = new Set(responses.map((res) => res.status))
      console.log(`# ${name}: 1000 concurrent /token on an empty table made ${db.jwks.length} key(s)`)
      return { statuses: [...statuses], keys: db.jwks.length }
    })
    assert.deepEqual(r.authjwt, { statuses: [200], keys: 1 })
    assert.deepEqual(r['better-auth'].statuses, [200])
  })
})

describe('short secrets', () => {
  test('a secret under 32 characters: Better Auth warns and signs, and so does authjwt', async () => {
    const r = await both(async (impl) => {
      const warnings = []
      const logger = { level: 'warn', log: (level, message) => level === 'warn' && warnings.push(message) }
      const { auth } = makeAuth(impl, { secret: 'short-secret-123', logger })
      const { token } = await auth.api.signJWT({ body: { payload: { sub: 'w' } } })
      return { signed: token.split('.').length, verified: (await auth.api.verifyJWT({ body: { token } })).payload?.sub, warned: warnings.length > 0 }
    })
    assert.deepEqual(r.authjwt, { signed: 3, verified: 'w', warned: true })
    assert.deepEqual(r.authjwt, r['better-auth'])
  })
})
