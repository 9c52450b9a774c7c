// Hostile and careless input found in review (issue 14): option lists that would switch a check
// off, negative leeway, non-object payloads, short secrets, a store that reuses an id, a row that
// leaks private members, credentials in a JWKS URL. Each rule lives in the core; this checks that
// Node gets it.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { Issuer, MemoryStore, createLocalJwks, createRemoteJwks, jwtVerify, decodeJwt } from '../index.mjs'
import { SECRET, arrayStore, rejectsWithCode, throwsWithCode } from './helpers.mjs'

const ISS = 'https://auth.example.com'

async function issuerAndKeys() {
  const issuer = new Issuer({ secret: SECRET, issuer: ISS, audience: 'api' })
  const token = await issuer.sign({ sub: 'u1' })
  return { issuer, token, keys: createLocalJwks(await issuer.jwks()) }
}

describe('verify options that would switch a check off are ERR_INVALID_CONFIG', () => {
  test('empty lists and empty strings, on a local set, a JWKS object and the issuer', async () => {
    const { issuer, token, keys } = await issuerAndKeys()
    const jwks = await issuer.jwks()
    for (const [options, name] of [
      [{ issuer: [] }, 'issuer'],
      [{ audience: [] }, 'audience'],
      [{ algorithms: [] }, 'algorithms'],
      [{ requiredClaims: [] }, 'requiredClaims'],
      [{ audience: [''] }, 'audience'],
      [{ typ: '' }, 'typ'],
      [{ subject: '' }, 'subject'],
    ]) {
      for (const keySet of [keys, jwks, issuer]) {
        const err = await rejectsWithCode(jwtVerify(token, keySet, options), 'ERR_INVALID_CONFIG')
        assert.match(err.message, new RegExp(name), JSON.stringify(options))
      }
      throwsWithCode(() => keys.verifySync(token, options), 'ERR_INVALID_CONFIG')
    }
    // The token itself is fine: leaving the options out verifies it.
    assert.equal((await jwtVerify(token, keys)).payload.sub, 'u1')
  })

  test('negative clockTolerance and maxTokenAge, down to -2^63, are refused', async () => {
    const { token, keys } = await issuerAndKeys()
    for (const clockTolerance of [-1, -0.5, '-5s', -(2 ** 63), Number.MIN_SAFE_INTEGER]) {
      const err = await rejectsWithCode(jwtVerify(token, keys, { clockTolerance }), 'ERR_INVALID_CONFIG')
      assert.match(err.message, /clockTolerance/)
    }
    await rejectsWithCode(jwtVerify(token, keys, { maxTokenAge: -1 }), 'ERR_INVALID_CONFIG')
    assert.equal((await jwtVerify(token, keys, { clockTolerance: 0 })).payload.sub, 'u1')
  })

  test('an expired token for another audience reports exp, not aud', async () => {
    const { issuer, keys } = await issuerAndKeys()
    const token = await issuer.sign({ sub: 'u1' }, { audience: 'elsewhere', expirationTime: '-1m' })
    const err = await rejectsWithCode(jwtVerify(token, keys, { audience: 'api' }), 'ERR_JWT_EXPIRED')
    assert.equal(err.claim, 'exp')
  })
})

describe('sign takes an object payload', () => {
  test('undefined, null, a function, an array, a number or a string is a TypeError in every sign method', async () => {
    const issuer = new Issuer({ secret: SECRET })
    await issuer.sign({})
    for (const payload of [undefined, null, () => 1, [], 5, 'claims', Symbol('s')]) {
      await assert.rejects(issuer.sign(payload), TypeError, String(typeof payload))
      assert.throws(() => issuer.signSync(payload), TypeError)
      await assert.rejects(issuer.signSession({ user: payload, session: null }), TypeError)
    }
    await assert.rejects(issuer.signSession({ user: { id: 'u' }, session: () => 1 }), TypeError)
    // What JSON.stringify cannot write is its own TypeError, not a native error.
    const cycle = {}
    cycle.self = cycle
    await assert.rejects(issuer.sign(cycle), TypeError)
    await assert.rejects(issuer.sign({ n: 1n }), TypeError)
    assert.equal(decodeJwt(await issuer.sign({ ok: true })).ok, true)
  })
})

describe('secrets', () => {
  test('a secret under 32 characters is refused unless allowWeakSecret is set', async () => {
    for (const weak of ['x', '12345678', 'a'.repeat(31)]) {
      const err = throwsWithCode(() => new Issuer({ secret: weak }), 'ERR_INVALID_CONFIG')
      assert.match(err.message, /allowWeakSecret/)
      if (weak.length > 1) assert.ok(!err.message.includes(weak), 'never echoes the secret')
    }
    new Issuer({ secret: 'a'.repeat(32) })
    new Issuer({ secret: 'x', disablePrivateKeyEncryption: true })
    const store = new MemoryStore()
    const legacy = new Issuer({ store, secret: 'short', allowWeakSecret: true, privateKeyFormat: 'better-auth' })
    const t = await legacy.sign({})
    // Moving to a strong secret keeps the old rows: they open, and each open is reported.
    const events = []
    const moved = new Issuer({ store, secret: [SECRET, 'short'], onEvent: (e) => events.push(e) })
    const again = await moved.sign({})
    const kid = JSON.parse(Buffer.from(t.split('.')[0], 'base64url')).kid
    assert.equal(JSON.parse(Buffer.from(again.split('.')[0], 'base64url')).kid, kid)
    assert.deepEqual(events.filter((e) => e.type === 'secret.weak'), [{ type: 'secret.weak', kid }])
  })
})

describe('rows the issuer must not sign with', () => {
  test('createJwk returning the id of a row just read is ERR_STORE naming the kid; nothing is signed', async () => {
    const oldStore = arrayStore()
    await new Issuer({ store: oldStore, secret: SECRET }).sign({})
    const existing = { ...oldStore.rows[0], expiresAt: new Date(Date.now() - 1000) }
    const store = arrayStore({ rows: [existing] })
    store.createJwk = async (row) => ({ ...row, id: existing.id }) // stores nothing, reuses an id
    const issuer = new Issuer({ store, secret: SECRET })
    const err = await rejectsWithCode(issuer.sign({}), 'ERR_STORE')
    assert.match(err.message, new RegExp(existing.id))
    assert.throws(() => issuer.signSync({}), { code: 'ERR_INVALID_CONFIG' }, 'no key was cached')
  })

  test('a row whose publicKey holds private members fails sign and jwks with the same error', async () => {
    const source = arrayStore()
    await new Issuer({ store: source, disablePrivateKeyEncryption: true }).sign({})
    const row = { ...source.rows[0], publicKey: source.rows[0].privateKey }
    const store = arrayStore({ rows: [row] })
    const issuer = new Issuer({ store, disablePrivateKeyEncryption: true })
    const signErr = await rejectsWithCode(issuer.sign({}), 'ERR_JWKS_INVALID')
    const jwksErr = await rejectsWithCode(issuer.jwks(), 'ERR_JWKS_INVALID')
    assert.equal(signErr.message, jwksErr.message)
    assert.match(signErr.message, /"d"/)
    assert.equal(store.creates, 0)
  })
})

describe('credentials in a JWKS URL never show', () => {
  test('error messages of a failing fetch, first and during the backoff, redact userinfo and query values', async () => {
    const server = createServer((req, res) => res.writeHead(500).end())
    await new Promise((r) => server.listen(0, '127.0.0.1', r))
    try {
      const { token } = await issuerAndKeys()
      const url = `http://jwks-user:hunter2-pw@127.0.0.1:${server.address().port}/jwks?api_key=k3y-s3cret`
      const remote = createRemoteJwks(url, { timeoutDuration: 2000 })
      const first = await jwtVerify(token, remote).catch((e) => e)
      const second = await jwtVerify(token, remote).catch((e) => e)
      for (const err of [first, second]) {
        assert.match(err.code, /^ERR_JWKS_/)
        for (const secret of ['hunter2-pw', 'jwks-user', 'k3y-s3cret']) assert.ok(!err.message.includes(secret), err.message)
        assert.match(err.message, /\*\*\*@127\.0\.0\.1/)
      }
      // The backoff answers with the same error, its prefix once.
      assert.equal(second.message, first.message)
    } finally {
      server.close()
    }
  })
})
