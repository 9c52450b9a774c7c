import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseTimespan, AuthJwtError, Issuer, MemoryStore, decodeJwt } from '../index.mjs'

test("parseTimespan: the core's expiration grammar, signed seconds", () => {
  const cases = {
    '15m': 900,
    '1h': 3600,
    '7d': 604800,
    '2 weeks': 1209600,
    '1 hour': 3600,
    '30 minutes': 1800,
    '1.5h': 5400,
    '2 mo': 5184000,
    '1y': 31557600,
    '1 HOUR': 3600,
    '+2h': 7200,
    '-1h': -3600,
    '1h ago': -3600,
    '1h from now': 3600,
    '0.4s': 0,
    '0.5s': 1,
    ' 1h': 3600,
  }
  for (const [span, seconds] of Object.entries(cases)) assert.equal(parseTimespan(span), seconds, span)
})

test('parseTimespan: a malformed span is ERR_INVALID_CONFIG, never a crash', () => {
  for (const bad of ['invalid', '', 'abc123', '1', 'h', '-1h ago', '+1h from now', '1 h  ', '1hour ago ', '1.h', '1 parsec']) {
    assert.throws(() => parseTimespan(bad), (e) => e instanceof AuthJwtError && e.code === 'ERR_INVALID_CONFIG', JSON.stringify(bad))
  }
  for (const notString of [undefined, null, 5, {}]) {
    assert.throws(() => parseTimespan(notString), (e) => e instanceof AuthJwtError && e.code === 'ERR_INVALID_CONFIG')
  }
})

test("parseTimespan reads spans as the Issuer's expirationTime does", async () => {
  const issuer = new Issuer({ store: new MemoryStore(), secret: 'a-secret-of-enough-length-0123456789abcdef', expirationTime: '90 minutes' })
  const claims = decodeJwt(await issuer.sign({ sub: 'u' }))
  assert.equal(claims.exp - claims.iat, parseTimespan('90 minutes'))
})
