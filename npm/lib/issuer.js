'use strict'
// Issuer, MemoryStore and ManualClock: translation to the native layer (JWT semantics are in core).

const native = require('../native.js')
const { settle, native: call, rethrow } = require('./errors.js')
const { NATIVE, invalid, toMs, toSeconds, rowToWire, rowFromWire, claimsJson, signOptionsJson, verifyOptionsJson } = require('./convert.js')

/** Rows kept in process memory; the default store. */
class MemoryStore {
  constructor(rows = []) {
    const wire = JSON.stringify(rows.map(rowToWire))
    this[NATIVE] = call(() => native.createMemoryStore(wire))
  }

  /** Every stored row. */
  async getJwks() {
    const text = await this[NATIVE].getJwks().catch(rethrow)
    return JSON.parse(text).map(rowFromWire)
  }

  /** Stores `row` and returns it as stored. */
  async createJwk(row) {
    const text = await this[NATIVE].createJwk(JSON.stringify(rowToWire(row))).catch(rethrow)
    return rowFromWire(JSON.parse(text))
  }

  /** Sets the `expiresAt` of row `id` (retiring or revoking a key). */
  async updateJwk(id, { expiresAt }) {
    await this[NATIVE].updateJwk(id, toMs(expiresAt, 'expiresAt')).catch(rethrow)
  }
}

/** A clock that moves only when told to (tests, simulations). */
class ManualClock {
  constructor(now = Date.now()) {
    this[NATIVE] = new native.NativeManualClock(toMs(now, 'now'))
  }
  /** The current time. */
  now() {
    return new Date(this[NATIVE].now())
  }
  /** Sets the time. */
  set(now) {
    this[NATIVE].set(toMs(now, 'now'))
  }
  /** Moves the time forward by `ms` milliseconds. */
  advance(ms) {
    this[NATIVE].advance(ms)
  }
}

function wrapStore(store) {
  if (store === null || typeof store !== 'object' || typeof store.getJwks !== 'function' || typeof store.createJwk !== 'function') {
    throw invalid('store must have getJwks() and createJwk(row) methods')
  }
  if (store.updateJwk !== undefined && typeof store.updateJwk !== 'function') {
    throw invalid('store.updateJwk must be a function (id, { expiresAt }) when given')
  }
  const updateJwk =
    typeof store.updateJwk === 'function'
      ? (json) =>
          settle(async () => {
            const { id, expiresAt } = JSON.parse(json)
            await store.updateJwk(id, { expiresAt: new Date(expiresAt) })
            return {}
          })
      : null
  return {
    updateJwk,
    getJwks: () =>
      settle(async () => {
        const rows = await store.getJwks()
        if (!Array.isArray(rows)) throw new TypeError('getJwks() must return an array of rows')
        return { rows: rows.map(rowToWire) }
      }),
    createJwk: (json) =>
      settle(async () => {
        const stored = await store.createJwk(rowFromWire(JSON.parse(json)))
        return { row: rowToWire(stored) }
      }),
  }
}

/** Wraps a host hook for the native side: `arg` in, `{ value }` or `{ error }` JSON out. */
function hook(fn, name, fromArg, toValue) {
  if (fn === undefined || fn === null) return null
  if (typeof fn !== 'function') throw invalid(`${name} must be a function`)
  return (arg) => settle(async () => ({ value: toValue(await fn(fromArg(arg))) ?? null }))
}

/** One native callback for a custom signer: `{op: "sign", message, ...}` or `{op: "kid"}`. */
function externalSigner(sign) {
  const signature = (sig) => {
    if (!(sig instanceof Uint8Array)) throw new TypeError('sign.sign() must return a Uint8Array or Buffer')
    return Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength).toString('base64url')
  }
  return (json) =>
    settle(async () => {
      const req = JSON.parse(json)
      if (req.op === 'kid') return { value: await sign.kid() }
      const message = Buffer.from(req.message, 'base64url')
      const sig = await sign.sign(message, { kid: req.kid, alg: req.alg, messageType: req.messageType })
      return { value: signature(sig) }
    })
}

const isRsa = (alg) => typeof alg === 'string' && /^(RS|PS)\d/.test(alg)

/** Issues tokens with keys from the host's store; Better Auth's `jwt()` plugin options. */
class Issuer {
  #native
  #offload
  #external
  #burst = 0

  constructor(options = {}) {
    const { store, definePayload, getSubject, sign, onEvent, clock, expirationTime, ...plain } = options
    if (sign !== undefined && (sign === null || typeof sign.sign !== 'function')) {
      throw invalid('sign must be { alg, kid, sign(message, { kid, alg, messageType }) }')
    }
    const json = JSON.stringify({
      ...plain,
      expirationTime: toSeconds(expirationTime),
      // The signer's plain options go to the core as they are (JSON drops its functions).
      sign: sign ? { ...sign, kidFunction: typeof sign.kid === 'function' || undefined } : undefined,
    })
    let memory = null
    let wrapped = { getJwks: null, createJwk: null, updateJwk: null }
    if (store === undefined || store === null) memory = new MemoryStore()[NATIVE]
    else if (store instanceof MemoryStore) memory = store[NATIVE]
    else wrapped = wrapStore(store)
    const same = (v) => v
    const dp = hook(definePayload, 'definePayload', JSON.parse, same)
    const gs = hook(getSubject, 'getSubject', JSON.parse, same)
    const signer = sign ? externalSigner(sign) : null
    if (onEvent !== undefined && typeof onEvent !== 'function') throw invalid('onEvent must be a function')
    const events = onEvent
      ? (text) => {
          try {
            onEvent(JSON.parse(text))
          } catch {
            // A monitoring callback must never break issuing.
          }
        }
      : null
    if (clock !== undefined && !(clock instanceof ManualClock)) throw invalid('clock must be a ManualClock')
    this.#native = call(() =>
      native.createIssuer(json, memory, wrapped.getJwks, wrapped.createJwk, dp, gs, signer, events, clock ? clock[NATIVE] : null, wrapped.updateJwk),
    )
    // Fast algorithms sign inline on a warm cache (a thread hop costs more than the signature).
    // RSA signing (~0.3 ms) also runs inline for a lone call, and on the thread pool when several
    // calls arrive in the same tick, so concurrent callers use every core.
    this.#offload = isRsa(plain.keyPairConfig?.alg)
    this.#external = Boolean(sign)
  }

  /** Signs `payload` plus iat/iss/aud/exp/sub; reads or creates the key when needed. */
  async sign(payload, options) {
    const p = claimsJson(payload, 'payload')
    const o = signOptionsJson(options)
    const rsa = options?.signingAlgorithm ? isRsa(options.signingAlgorithm) : this.#offload
    if (!this.#external && (!rsa || this.#alone())) {
      // The core's answer when no store read is due; null leaves it to the async path.
      const token = call(() => this.#native.signIfFresh(p, o))
      if (token !== null) return token
    }
    return this.#native.sign(p, o).catch(rethrow)
  }

  /** Whether this is the only sign call of the current tick (reset by a microtask). */
  #alone() {
    if (this.#burst++ === 0) {
      queueMicrotask(() => {
        this.#burst = 0
      })
    }
    return this.#burst === 1
  }

  /** Signs with the cached key, synchronously; throws if no key is loaded yet. */
  signSync(payload, options) {
    const p = claimsJson(payload, 'payload')
    const o = signOptionsJson(options)
    return call(() => this.#native.signSync(p, o))
  }

  /** Better Auth's `/token`: the user object as payload, `sub` = user.id (or the hooks). */
  async signSession({ user, session }, options) {
    return this.#native
      .signSession(claimsJson(user, 'user'), session == null ? 'null' : claimsJson(session, 'session'), signOptionsJson(options))
      .catch(rethrow)
  }

  /** The published JWKS, exactly Better Auth's `/jwks` body. */
  async jwks() {
    return JSON.parse(await this.#native.jwks().catch(rethrow))
  }

  /**
   * Creates a new signing key and returns its row: it signs now in every process, or, with
   * `{ staged: true }`, it is published now and signs after `rotationLead`. The keys it replaces
   * are retired at the switch through the store's `updateJwk` when it has one.
   */
  async rotate({ staged = false } = {}) {
    if (typeof staged !== 'boolean') throw invalid('rotate({ staged }) must be a boolean')
    return rowFromWire(JSON.parse(await this.#native.rotate(staged).catch(rethrow)))
  }

  /** Revokes the stored key `kid`: out of the JWKS at once, never signs again (needs `updateJwk`). */
  async revoke(kid) {
    if (typeof kid !== 'string') throw invalid('revoke(kid) needs the kid string')
    await this.#native.revoke(kid).catch(rethrow)
  }

  /** Stores the next key of scheduled rotation now if due (sign() also does it in the background); its row or `null`. */
  async prepareNextKey() {
    const text = await this.#native.prepareNextKey().catch(rethrow)
    return text === null ? null : rowFromWire(JSON.parse(text))
  }

  /** The `Cache-Control` value to serve `jwks()` under: max-age at most half of `rotationLead`. */
  jwksCacheControl() {
    return this.#native.jwksCacheControl()
  }

  /** Verifies a token against this issuer's stored keys. */
  async verify(token, options) {
    return JSON.parse(await this.#native.verify(token, verifyOptionsJson(options)).catch(rethrow))
  }
}

/**
 * Signed seconds of a time-span string in the core's expiration grammar (`"15m"`, `"2 hours"`,
 * `"-1d"`, `"3 days ago"`); anything else is `ERR_INVALID_CONFIG`.
 */
function parseTimespan(span) {
  if (typeof span !== 'string') throw invalid('a time span must be a string')
  return call(() => native.parseTimespan(span))
}

module.exports = { Issuer, MemoryStore, ManualClock, parseTimespan }
