'use strict'
// Key sets and verification; the policy itself is in core.

const native = require('../native.js')
const { native: call, rethrow, makeError, settle } = require('./errors.js')
const { verifyOptionsJson } = require('./convert.js')

/** A local JWKS, parsed and validated once. */
class LocalJwks {
  #native
  /** `options.onEvent` receives a `jwks.key_skipped` event per key left out of the set. */
  constructor(jwks, options) {
    const text = typeof jwks === 'string' ? jwks : JSON.stringify(jwks)
    const { onEvent, ...rest } = options ?? {}
    if (Object.keys(rest).length > 0) {
      throw makeError('ERR_INVALID_CONFIG', `unknown option ${Object.keys(rest)[0]} of createLocalJwks`)
    }
    const events = eventCallback(onEvent)
    this.#native = call(() => native.createLocalJwks(text, events))
  }
  /** Verifies on the calling thread: `{ payload, protectedHeader }`. */
  verifySync(token, options) {
    checkToken(token)
    const o = verifyOptionsJson(options)
    return JSON.parse(call(() => this.#native.verifySync(token, o)))
  }
}

/** A remote JWKS, fetched and cached with cooldown. */
class RemoteJwks {
  #native
  constructor(url, options, discovered) {
    if (discovered !== undefined && discovered.token === DISCOVERED) {
      this.#native = discovered.native
      return
    }
    const href = url instanceof URL ? url.href : String(url)
    const { json, events, cache, claim } = remoteOptions(options)
    this.#native = call(() => native.createRemoteJwks(href, json, events, cache, claim))
  }
  /** Verifies, fetching the key set when needed. */
  async verify(token, options) {
    checkToken(token)
    return JSON.parse(await this.#native.verify(token, verifyOptionsJson(options)).catch(rethrow))
  }
}

/**
 * The options as JSON for the core, `onEvent` wrapped to take the core's JSON text, and the
 * shared `cache` wrapped into one native callback (`claim`: the host gave a `claim`).
 */
function remoteOptions(options) {
  if (options === undefined || options === null) return { json: undefined, events: null, cache: null, claim: false }
  const { onEvent, cache, ...plain } = options
  // The host's own error of a failed cache call, handed to `onEvent` with its `jwks.cache_failed`.
  const cacheErrors = new Map()
  const events = eventCallback(onEvent, (event) => {
    if (event.type === 'jwks.cache_failed' && cacheErrors.has(event.operation)) {
      event.error = cacheErrors.get(event.operation)
      cacheErrors.delete(event.operation)
    }
  })
  return { json: JSON.stringify(plain), events, ...cacheCallback(cache, cacheErrors) }
}

/**
 * The host's `{ load, save, claim?, release? }` (each sync or async) as one native callback
 * taking `{"op": ...}` and answering `{ value }` or `{ error }`: it never throws or rejects, so a
 * failing cache cannot become an unhandled rejection (the core reports it and fetches itself).
 */
function cacheCallback(cache, cacheErrors) {
  if (cache === undefined || cache === null) return { cache: null, claim: false }
  const optional = (name) => cache[name] === undefined || typeof cache[name] === 'function'
  if (typeof cache !== 'object' || typeof cache.load !== 'function' || typeof cache.save !== 'function' || !optional('claim') || !optional('release')) {
    throw makeError('ERR_INVALID_CONFIG', 'cache must have load() and save(entry) methods, and optionally claim(ttlMs) and release()')
  }
  const run = async (req) => {
    switch (req.op) {
      case 'load': {
        const value = await cache.load()
        if (typeof value !== 'string') return value ?? null
        // Entries are usually stored as JSON text; text that is not JSON reaches the core as is
        // and is reported as an invalid entry.
        try {
          return JSON.parse(value)
        } catch {
          return value
        }
      }
      case 'save':
        await cache.save(req.entry)
        return null
      case 'claim':
        return await cache.claim(req.ttl)
      case 'release':
        if (cache.release !== undefined) await cache.release()
        return null
      default:
        throw new TypeError(`unknown cache operation ${req.op}`)
    }
  }
  const callback = (json) =>
    settle(async () => {
      const req = JSON.parse(json)
      try {
        return { value: (await run(req)) ?? null }
      } catch (err) {
        cacheErrors.set(req.op, err)
        if (cacheErrors.size > 8) cacheErrors.delete(cacheErrors.keys().next().value)
        throw err
      }
    })
  return { cache: callback, claim: typeof cache.claim === 'function' }
}

/** `onEvent` wrapped to take the core's JSON text (null without one); `amend` may add to the event. */
function eventCallback(onEvent, amend) {
  if (onEvent !== undefined && typeof onEvent !== 'function') {
    throw makeError('ERR_INVALID_CONFIG', 'onEvent must be a function')
  }
  return onEvent
    ? (text) => {
        try {
          const event = JSON.parse(text)
          if (amend !== undefined) amend(event)
          onEvent(event)
        } catch {
          // A monitoring callback must never break verification.
        }
      }
    : null
}

function checkToken(token) {
  if (typeof token !== 'string') throw makeError('ERR_JWS_INVALID', 'invalid compact JWS: the token must be a string')
}

/** A local key set from a JWKS document (object or JSON text); options: `{ onEvent }`. */
function createLocalJwks(jwks, options) {
  return new LocalJwks(jwks, options)
}

/** A remote key set at `url` (https, or http on loopback). Durations in ms, as jose. */
function createRemoteJwks(url, options) {
  return new RemoteJwks(url, options)
}

/** Marks a native key set built by discovery (not a user-callable constructor path). */
const DISCOVERED = Symbol('discovered')

/**
 * The remote key set named by `issuerUrl`'s OIDC / RFC 8414 metadata (`jwks_uri`), after checking
 * that the document's `issuer` is exactly `issuerUrl`. Options as `createRemoteJwks`.
 */
async function discoverRemoteJwks(issuerUrl, options) {
  const href = issuerUrl instanceof URL ? issuerUrl.href : String(issuerUrl)
  const { json, events, cache, claim } = remoteOptions(options)
  const handle = await native.discoverRemoteJwks(href, json, events, cache, claim).catch(rethrow)
  return new RemoteJwks(undefined, undefined, { token: DISCOVERED, native: handle })
}

/** Verifies a JWT against a key set (local, remote, an Issuer, or a JWKS object). */
async function jwtVerify(token, keySet, options) {
  if (keySet instanceof LocalJwks) return keySet.verifySync(token, options)
  if (keySet !== null && typeof keySet === 'object' && typeof keySet.verify === 'function') {
    return keySet.verify(token, options)
  }
  if (keySet !== null && typeof keySet === 'object' && Array.isArray(keySet.keys)) {
    return new LocalJwks(keySet).verifySync(token, options)
  }
  throw new TypeError('jwtVerify: keySet must come from createLocalJwks, createRemoteJwks, or be an Issuer')
}

/** The payload of a JWT. Does NOT verify the signature or any claim: never trust its result. */
function decodeJwt(token) {
  checkToken(token)
  return JSON.parse(call(() => native.decodeJwt(token)))
}

/** The protected header of a JWS. Does NOT verify anything: never trust its result. */
function decodeProtectedHeader(token) {
  checkToken(token)
  return JSON.parse(call(() => native.decodeProtectedHeader(token)))
}

module.exports = { LocalJwks, RemoteJwks, createLocalJwks, createRemoteJwks, discoverRemoteJwks, jwtVerify, decodeJwt, decodeProtectedHeader }
