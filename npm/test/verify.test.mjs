import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import {
  Issuer, createLocalJwks, createRemoteJwks, jwtVerify, decodeJwt, decodeProtectedHeader,
  AuthJwtError, JWTExpired, JWTClaimValidationFailed, JWSSignatureVerificationFailed, JWKSNoMatchingKey,
  JWSInvalid, JOSEAlgNotAllowed,
} from '../index.mjs'
import { SECRET, b64, rejectsWithCode, throwsWithCode } from './helpers.mjs'

const { privateKey, publicKey } = generateKeyPairSync('ed25519')
const KID = 'test-key'
const JWKS = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'EdDSA', use: 'sig' }] }
const NOW = 1_800_000_000

/** An EdDSA token signed with node:crypto (so claims can be anything). */
function token(payload, header = {}) {
  const input = `${b64({ alg: 'EdDSA', kid: KID, ...header })}.${b64(payload)}`
  return `${input}.${nodeSign(null, Buffer.from(input), privateKey).toString('base64url')}`
}

describe('jwtVerify', () => {
  const keys = createLocalJwks(JWKS)
  const at = { currentDate: new Date(NOW * 1000) }

  test('accepts a valid token and returns payload and header', async () => {
    const t = token({ sub: 'a', iss: 'https://i', aud: ['x', 'api'], exp: NOW + 60, iat: NOW })
    const { payload, protectedHeader } = await jwtVerify(t, keys, { ...at, issuer: 'https://i', audience: 'api', subject: 'a' })
    assert.equal(payload.sub, 'a')
    assert.deepEqual(protectedHeader, { alg: 'EdDSA', kid: KID })
    assert.equal(keys.verifySync(t, { currentDate: NOW }).payload.sub, 'a', 'currentDate as seconds')
    assert.equal((await jwtVerify(t, JWKS, at)).payload.sub, 'a', 'a plain JWKS object works too')
  })

  const cases = [
    ['expired', () => token({ exp: NOW - 1 }), {}, 'ERR_JWT_EXPIRED', JWTExpired, 'exp'],
    ['exp missing', () => token({ sub: 'a' }), {}, 'ERR_JWT_CLAIM_VALIDATION_FAILED', JWTClaimValidationFailed, 'exp'],
    ['wrong issuer', () => token({ exp: NOW + 9, iss: 'https://evil' }), { issuer: 'https://i' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED', JWTClaimValidationFailed, 'iss'],
    ['wrong audience', () => token({ exp: NOW + 9, aud: 'apix' }), { audience: 'api' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED', JWTClaimValidationFailed, 'aud'],
    ['not yet valid', () => token({ exp: NOW + 99, nbf: NOW + 50 }), {}, 'ERR_JWT_CLAIM_VALIDATION_FAILED', JWTClaimValidationFailed, 'nbf'],
    ['too old (jose: JWTExpired)', () => token({ exp: NOW + 99, iat: NOW - 3600 }), { maxTokenAge: '10m' }, 'ERR_JWT_EXPIRED', JWTExpired, 'iat'],
    ['required claim missing', () => token({ exp: NOW + 9 }), { requiredClaims: ['email'] }, 'ERR_JWT_CLAIM_VALIDATION_FAILED', JWTClaimValidationFailed, 'email'],
    ['wrong typ', () => token({ exp: NOW + 9 }, { typ: 'at+jwt' }), { typ: 'JWT' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED', JWTClaimValidationFailed, 'typ'],
    ['tampered payload', () => { const [h, , s] = token({ exp: NOW + 9, a: 1 }).split('.'); return `${h}.${b64({ exp: NOW + 9, a: 2 })}.${s}` }, {}, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', JWSSignatureVerificationFailed],
    ['unknown kid', () => token({ exp: NOW + 9 }, { kid: 'other' }), {}, 'ERR_JWKS_NO_MATCHING_KEY', JWKSNoMatchingKey],
    ['alg none', () => `${b64({ alg: 'none', kid: KID })}.${b64({ exp: NOW + 9 })}.`, {}, 'ERR_JOSE_ALG_NOT_ALLOWED', JOSEAlgNotAllowed],
    ['alg outside the allowlist', () => token({ exp: NOW + 9 }), { algorithms: ['ES256'] }, 'ERR_JOSE_ALG_NOT_ALLOWED', JOSEAlgNotAllowed],
    ['two segments', () => 'a.b', {}, 'ERR_JWS_INVALID', JWSInvalid],
    ['crit header', () => token({ exp: NOW + 9 }, { crit: ['x'], x: 1 }), {}, 'ERR_JOSE_NOT_SUPPORTED', AuthJwtError],
  ]
  for (const [name, make, options, code, Class, claim] of cases) {
    test(`rejects: ${name} -> ${code}`, async () => {
      const err = await rejectsWithCode(jwtVerify(make(), keys, { ...at, ...options }), code)
      assert.ok(err instanceof Class, `${err.name} is not ${Class.name}`)
      assert.ok(err instanceof AuthJwtError)
      if (claim) assert.equal(err.claim, claim)
      if (claim) assert.ok(['missing', 'invalid', 'check_failed'].includes(err.reason), err.reason)
      throwsWithCode(() => keys.verifySync(make(), { ...at, ...options }), code)
    })
  }

  test('clockTolerance accepts an expired token within the leeway', async () => {
    const t = token({ exp: NOW - 5 })
    assert.equal((await jwtVerify(t, keys, { ...at, clockTolerance: 10 })).payload.exp, NOW - 5)
    assert.equal((await jwtVerify(t, keys, { ...at, clockTolerance: '10s' })).payload.exp, NOW - 5)
  })

  test('a non-string token is ERR_JWS_INVALID, a bad keySet a TypeError', async () => {
    await rejectsWithCode(jwtVerify(42, keys), 'ERR_JWS_INVALID')
    await assert.rejects(jwtVerify('a.b.c', 'nope'), TypeError)
  })

  test('createLocalJwks never uses a key with private members; refuses malformed sets', async () => {
    const priv = { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: KID }] }
    const t = token({ sub: 'p', exp: NOW + 60 })
    await rejectsWithCode(jwtVerify(t, createLocalJwks(priv), at), 'ERR_JWKS_NO_MATCHING_KEY')
    throwsWithCode(() => createLocalJwks('{"keys": 5}'), 'ERR_JWKS_INVALID')
  })

  test('decodeJwt and decodeProtectedHeader read without verifying; malformed input throws', () => {
    const t = token({ sub: 'z', exp: 1 })
    assert.equal(decodeJwt(t).sub, 'z')
    assert.equal(decodeProtectedHeader(t).kid, KID)
    throwsWithCode(() => decodeJwt('x.y'), 'ERR_JWS_INVALID')
    throwsWithCode(() => decodeJwt(`${b64({ alg: 'EdDSA' })}.${b64('[1]')}.`), 'ERR_JWT_INVALID')
  })
})

describe('createRemoteJwks', () => {
  let server
  let url
  let hits = 0
  let issuer
  before(async () => {
    issuer = new Issuer({ secret: SECRET, issuer: 'https://auth.test' })
    server = createServer(async (req, res) => {
      hits++
      if (req.url === '/broken') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{not json')
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await issuer.jwks()))
    })
    await new Promise((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${server.address().port}`
  })
  after(() => server.close())

  test('verifies tokens against a served JWKS and caches it', async () => {
    const remote = createRemoteJwks(new URL(`${url}/jwks`), { cacheMaxAge: 60_000, cooldownDuration: 30_000, timeoutDuration: 2_000 })
    const t = await issuer.sign({ sub: 'r' })
    const before = hits
    for (let i = 0; i < 20; i++) assert.equal((await jwtVerify(t, remote, { issuer: 'https://auth.test' })).payload.sub, 'r')
    assert.equal(hits - before, 1, 'one fetch for twenty verifications')
    await rejectsWithCode(remote.verify(t, { issuer: 'https://other' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED')
  })

  test('a malformed JWKS response is ERR_JWKS_INVALID; an unreachable one fails with a code', async () => {
    const t = await issuer.sign({})
    await rejectsWithCode(jwtVerify(t, createRemoteJwks(`${url}/broken`)), 'ERR_JWKS_INVALID')
    const err = await jwtVerify(t, createRemoteJwks('http://127.0.0.1:9/jwks', { timeoutDuration: 500 })).catch((e) => e)
    assert.ok(err instanceof AuthJwtError, String(err))
    assert.match(err.code, /^ERR_JWKS_/)
  })

  test('https is required except on loopback', () => {
    throwsWithCode(() => createRemoteJwks('http://example.com/jwks'), 'ERR_INVALID_CONFIG')
  })
})

const HOSTILE = new URL('../../core/tests/data/hostile_tokens.json', import.meta.url)
describe('hostile tokens (core/tests/data/hostile_tokens.json) through jwtVerify', () => {
  assert.ok(existsSync(HOSTILE), `the shared hostile-token table is missing: ${HOSTILE.pathname}`)
  const table = JSON.parse(readFileSync(HOSTILE, 'utf8'))
  test(`every case gives its expected code (${table.cases.length} cases)`, async () => {
    const shared = createLocalJwks(table.keys)
    const failures = []
    for (const c of table.cases) {
      let got
      let error
      try {
        // A case with its own "keys" expects the error of loading them.
        const keys = c.keys ? createLocalJwks(c.keys) : shared
        await jwtVerify(c.token, keys, c.options ?? {})
        got = 'ok'
      } catch (e) {
        error = e
        got = e.code ?? String(e)
      }
      if (got !== c.expect) failures.push(`${c.name}: expected ${c.expect}, got ${got}`)
      else if (c.claim && (error.claim !== c.claim || (c.reason && error.reason !== c.reason))) {
        failures.push(`${c.name}: expected claim ${c.claim}/${c.reason}, got ${error.claim}/${error.reason}`)
      }
    }
    assert.deepEqual(failures, [])
  })
})
