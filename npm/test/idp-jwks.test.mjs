// Identity-provider-shaped JWKS documents (tests/conformance/idp-jwks, shared with every host):
// the tokens signed by each set's usable keys verify through createLocalJwks and through
// createRemoteJwks served by a real HTTP server on 127.0.0.1; the unusable keys are skipped and
// reported once each through onEvent; a token naming a skipped key is ERR_JWKS_NO_MATCHING_KEY.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { readFileSync } from 'node:fs'
import { createLocalJwks, createRemoteJwks, jwtVerify } from '../index.mjs'
import { rejectsWithCode, throwsWithCode } from './helpers.mjs'

const DIR = new URL('../../tests/conformance/idp-jwks/', import.meta.url)
const NAMES = JSON.parse(readFileSync(new URL('index.json', DIR), 'utf8'))
const FIXTURES = NAMES.map((name) => ({ name, ...JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) }))

const optionsOf = (f) => ({ issuer: f.iss, audience: f.aud })
/** The skip events as the fixtures write them. */
const reports = (events) =>
  events.filter((e) => e.type === 'jwks.key_skipped').map(({ index, kid, reason }) => ({ index, kid, reason }))
/**
 * Events reach JS through the event loop (a threadsafe function): turn it until `count` skip
 * events arrived (bounded), then once more so an extra one would show too.
 */
async function drain(events, count) {
  const turn = () => new Promise((resolve) => setTimeout(resolve, 1))
  for (let i = 0; i < 200 && reports(events).length < count; i++) await turn()
  await turn()
}

test('the fixture index lists every IdP shape', () => {
  for (const name of ['keycloak', 'entra', 'auth0', 'okta', 'google', 'cognito', 'apple', 'supabase', 'mixed']) {
    assert.ok(NAMES.includes(name), name)
  }
})

describe('createLocalJwks', () => {
  for (const f of FIXTURES) {
    test(`${f.idp}: ${f.shape}`, async () => {
      const events = []
      const keys = createLocalJwks(f.jwks, { onEvent: (e) => events.push(e) })
      assert.ok(f.tokens.length > 0)
      for (const t of f.tokens) {
        const { payload, protectedHeader } = await jwtVerify(t.token, keys, optionsOf(f))
        assert.equal(protectedHeader.kid, t.kid)
        assert.equal(payload.sub, `user-of-${t.kid}`)
      }
      for (const t of f.rejected) await rejectsWithCode(jwtVerify(t.token, keys, optionsOf(f)), t.code)
      await drain(events, f.skipped.length)
      assert.deepEqual(reports(events), f.skipped)
      const shown = JSON.stringify(events)
      for (const key of f.jwks.keys) {
        for (const member of ['d', 'n', 'x', 'y']) {
          if (typeof key[member] === 'string') assert.ok(!shown.includes(key[member]), `${f.name}: event shows "${member}"`)
        }
      }
    })
  }

  test('a published private key is reported as such, loudly', async () => {
    const f = FIXTURES.find((x) => x.name === 'leaked-private')
    const events = []
    createLocalJwks(JSON.stringify(f.jwks), { onEvent: (e) => events.push(e) })
    await drain(events, 1)
    assert.equal(events.length, 1)
    assert.equal(events[0].reason, 'private_key_published')
    assert.match(events[0].message, /^SECURITY: .*compromised/)
  })

  test('a set of only unusable keys verifies nothing; a document of another shape is ERR_JWKS_INVALID', async () => {
    const mixed = FIXTURES.find((x) => x.name === 'mixed')
    const unusable = { keys: mixed.jwks.keys.filter((k) => k.use === 'enc') }
    const keys = createLocalJwks(unusable)
    await rejectsWithCode(jwtVerify(mixed.tokens[0].token, keys, optionsOf(mixed)), 'ERR_JWKS_NO_MATCHING_KEY')
    for (const doc of ['{"keys": 5}', '{"keys": [5]}', '[]', '{']) throwsWithCode(() => createLocalJwks(doc), 'ERR_JWKS_INVALID')
    throwsWithCode(() => createLocalJwks(unusable, { onEvent: 5 }), 'ERR_INVALID_CONFIG')
    throwsWithCode(() => createLocalJwks(unusable, { cacheMaxAge: 5 }), 'ERR_INVALID_CONFIG')
  })
})

describe('createRemoteJwks against a server on 127.0.0.1', () => {
  let server
  let base
  const requests = new Map()
  before(async () => {
    server = createServer((req, res) => {
      const f = FIXTURES.find((x) => req.url === `/${x.name}/jwks`)
      requests.set(req.url, (requests.get(req.url) ?? 0) + 1)
      if (!f) return res.writeHead(404).end()
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(f.jwks))
    })
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${server.address().port}`
  })
  after(() => new Promise((resolve) => server.close(resolve)))

  for (const f of FIXTURES) {
    test(`${f.idp}: ${f.shape}`, async () => {
      const keys = createRemoteJwks(`${base}/${f.name}/jwks`)
      for (const t of f.tokens) {
        const { protectedHeader } = await jwtVerify(t.token, keys, optionsOf(f))
        assert.equal(protectedHeader.kid, t.kid)
      }
      for (const t of f.rejected) await rejectsWithCode(keys.verify(t.token, optionsOf(f)), t.code)
      assert.ok(requests.get(`/${f.name}/jwks`) >= 1)
    })
  }
})
