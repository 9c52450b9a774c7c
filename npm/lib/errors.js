'use strict'
// Errors: AuthJwtError with jose's codes and class names, and the bridge that keeps a store
// callback's own error object alive until it is handed back as `.cause`.

class AuthJwtError extends Error {
  /** @type {string} */
  code = 'ERR_AUTHJWT'
  constructor(message, options) {
    super(message, options)
    this.name = new.target.name
  }
}

// jose's class names, so code written for jose reads naturally.
class JWTExpired extends AuthJwtError {}
class JWTClaimValidationFailed extends AuthJwtError {}
class JWSSignatureVerificationFailed extends AuthJwtError {}
class JWKSNoMatchingKey extends AuthJwtError {}
class JWKSMultipleMatchingKeys extends AuthJwtError {}
class JWKSInvalid extends AuthJwtError {}
class JWKSTimeout extends AuthJwtError {}
// The key server could not be reached or answered with an error status: an outage, not a bad token.
class JWKSUnavailable extends AuthJwtError {}
class JWSInvalid extends AuthJwtError {}
class JWTInvalid extends AuthJwtError {}
class JOSEAlgNotAllowed extends AuthJwtError {}
class JOSENotSupported extends AuthJwtError {}

const CLASS_BY_CODE = {
  ERR_JWT_EXPIRED: JWTExpired,
  ERR_JWT_CLAIM_VALIDATION_FAILED: JWTClaimValidationFailed,
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: JWSSignatureVerificationFailed,
  ERR_JWKS_NO_MATCHING_KEY: JWKSNoMatchingKey,
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: JWKSMultipleMatchingKeys,
  ERR_JWKS_INVALID: JWKSInvalid,
  ERR_JWKS_TIMEOUT: JWKSTimeout,
  ERR_JWKS_UNAVAILABLE: JWKSUnavailable,
  ERR_JWS_INVALID: JWSInvalid,
  ERR_JWT_INVALID: JWTInvalid,
  ERR_JOSE_ALG_NOT_ALLOWED: JOSEAlgNotAllowed,
  ERR_JOSE_NOT_SUPPORTED: JOSENotSupported,
}

/** Builds the error for `code` (the right subclass, or AuthJwtError). */
function makeError(code, message, fields = {}, cause) {
  const Class = CLASS_BY_CODE[code] ?? AuthJwtError
  const err = cause === undefined ? new Class(message) : new Class(message, { cause })
  err.code = code
  if (fields.claim) err.claim = fields.claim
  if (fields.reason) err.reason = fields.reason
  return err
}

// Host errors waiting to become a `.cause`. Bounded in size and time, so an error the core never
// reports (a background refresh, a rejection shared by many callers) cannot leak.
const causes = new Map()
const MAX_CAUSES = 1024
const CAUSE_TTL_MS = 60_000
let nextCauseId = 1
const CAUSE_MARKER = '[authjwt-cause#'

function rememberCause(err) {
  const id = nextCauseId++
  causes.set(id, err)
  if (causes.size > MAX_CAUSES) causes.delete(causes.keys().next().value)
  setTimeout(() => causes.delete(id), CAUSE_TTL_MS).unref()
  return id
}

function describe(err) {
  if (err instanceof Error) return err.message || err.name
  try {
    return String(err)
  } catch {
    return 'non-error value'
  }
}

/**
 * Runs a host callback and answers JSON for the native side: `{...result}` or
 * `{"error": "<message> [authjwt-cause#<id>]"}`. Never throws or rejects, so a sync store, a
 * throwing one and a rejecting one all look the same to Rust.
 */
async function settle(fn) {
  try {
    return JSON.stringify(await fn())
  } catch (err) {
    return JSON.stringify({ error: `${describe(err)} ${CAUSE_MARKER}${rememberCause(err)}]` })
  }
}

const SEP = '\x1f'

/** Decodes a native error (`CODE␟claim␟reason␟causeId␟message`); other errors pass through. */
function fromNative(err) {
  const text = err && typeof err.message === 'string' ? err.message : undefined
  if (text === undefined || !text.startsWith('ERR_')) return err
  const parts = text.split(SEP)
  if (parts.length < 5) return err
  const [code, claim, reason, causeId] = parts
  const message = parts.slice(4).join(SEP)
  const cause = causeId ? causes.get(Number(causeId)) : undefined
  return makeError(code, message, { claim, reason }, cause)
}

/** Calls `fn`, rethrowing native errors as AuthJwtError. */
function native(fn) {
  try {
    return fn()
  } catch (err) {
    throw fromNative(err)
  }
}

/** Rejection handler for native Promises. */
function rethrow(err) {
  throw fromNative(err)
}

module.exports = {
  AuthJwtError,
  JWTExpired,
  JWTClaimValidationFailed,
  JWSSignatureVerificationFailed,
  JWKSNoMatchingKey,
  JWKSMultipleMatchingKeys,
  JWKSInvalid,
  JWKSTimeout,
  JWKSUnavailable,
  JWSInvalid,
  JWTInvalid,
  JOSEAlgNotAllowed,
  JOSENotSupported,
  makeError,
  settle,
  fromNative,
  native,
  rethrow,
}
