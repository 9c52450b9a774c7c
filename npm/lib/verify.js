'use strict'
// Key sets and verification; the policy itself is in core.

const native = require('../native.js')
const { native: call, rethrow, makeError } = require('./errors.js')
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
    const { json, events } = remoteOptions(options)
    this.#native = call(() => native.createRemoteJwks(href, json, events))
  }
  /** Verifies, fetching the key set when needed. */
  async verify(token, options) {
    checkToken(token)
    return JSON.parse(await this.#native.verify(token, verifyOptionsJson(options)).catch(rethrow))
  }
}

/** The options as JSON for the core, and `onEvent` wrapped to take the core's JSON text. */
function remoteOptions(options) {
  if (options === undefined || options === null) return { json: undefined, events: null }
  const { onEvent, ...plain } = options
  return { json: JSON.stringify(plain), events: eventCallback(onEvent) }
}

/** `onEvent` wrapped to take the core's JSON text (null without one). */
function eventCallback(onEvent) {
  if (onEvent !== undefined && typeof onEvent !== 'function') {
    throw makeError('ERR_INVALID_CONFIG', 'onEvent must be a function')
  }
  return onEvent
    ? (text) => {
        try {
          onEvent(JSON.parse(text))
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
  const { json, events } = remoteOptions(options)
  const handle = await native.discoverRemoteJwks(href, json, events).catch(rethrow)
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
