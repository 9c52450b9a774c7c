'use strict'
// authjwt/redis: a shared JWKS cache (`createRemoteJwks(url, { cache })`) over a node-redis client
// (the `redis` package, 5 or later), so a fleet of processes makes one fetch per refresh window.
// Only storage lives here; when to load, claim, fetch and save, and the validation of what comes
// back, are the core's.

const { randomBytes } = require('node:crypto')
const { makeError } = require('./errors.js')

// Deletes the claim only if it is still ours (it may have expired and been taken by another).
const RELEASE_IF_OURS = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"

/**
 * A cache for ONE remote key set (make one per `createRemoteJwks`): the entry as JSON text at
 * `key` (default `authjwt:jwks`; give each JWKS URL its own), the fetch claim at `<key>:claim`
 * taken with `SET NX PX` and released only by its holder.
 */
function createRedisJwksCache(client, options = {}) {
  const { key = 'authjwt:jwks', ...rest } = options
  const unknown = Object.keys(rest)
  if (unknown.length > 0) throw makeError('ERR_INVALID_CONFIG', `unknown option ${unknown[0]} of createRedisJwksCache`)
  if (typeof key !== 'string' || key === '') throw makeError('ERR_INVALID_CONFIG', 'key must be a non-empty string')
  if (client === null || typeof client !== 'object' || ['get', 'set', 'eval'].some((m) => typeof client[m] !== 'function')) {
    throw makeError('ERR_INVALID_CONFIG', 'createRedisJwksCache needs a node-redis client (get, set, eval)')
  }
  const claimKey = `${key}:claim`
  let held = null
  return {
    load: () => client.get(key),
    save: async (entry) => {
      await client.set(key, JSON.stringify(entry))
    },
    claim: async (ttlMs) => {
      const token = randomBytes(16).toString('hex')
      const ttl = Math.max(1, Math.ceil(ttlMs))
      const answer = await client.set(claimKey, token, { condition: 'NX', expiration: { type: 'PX', value: ttl } })
      if (answer !== 'OK') return false
      held = token
      return true
    },
    release: async () => {
      if (held === null) return
      const token = held
      held = null
      await client.eval(RELEASE_IF_OURS, { keys: [claimKey], arguments: [token] })
    },
  }
}

module.exports = { createRedisJwksCache }
