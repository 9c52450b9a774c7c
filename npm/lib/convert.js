'use strict'
// JS values to the JSON the native layer reads: dates to numbers, rows to Better Auth's columns.

const { makeError } = require('./errors.js')

const NATIVE = Symbol('authjwt.native')

function invalid(message) {
  return makeError('ERR_INVALID_CONFIG', message)
}

/** Epoch milliseconds of a Date, a number (ms) or a date string. */
function toMs(value, name) {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw invalid(`${name} must be a Date`)
  return Math.trunc(ms)
}

/** A NumericDate (seconds) for a Date; other values unchanged. */
function toSeconds(value) {
  return value instanceof Date ? Math.floor(value.getTime() / 1000) : value
}

/** A JwkRow (Better Auth's fields) as wire JSON fields. */
function rowToWire(row) {
  if (row === null || typeof row !== 'object') throw new TypeError('a jwks row must be an object')
  return {
    id: String(row.id),
    publicKey: row.publicKey,
    privateKey: row.privateKey,
    createdAt: toMs(row.createdAt, 'createdAt'),
    expiresAt: row.expiresAt == null ? null : toMs(row.expiresAt, 'expiresAt'),
    alg: row.alg ?? null,
    crv: row.crv ?? null,
  }
}

/** A wire row as a JwkRow with Dates; absent optional columns are left out. */
function rowFromWire(w) {
  const row = { id: w.id, publicKey: w.publicKey, privateKey: w.privateKey, createdAt: new Date(w.createdAt) }
  if (w.expiresAt != null) row.expiresAt = new Date(w.expiresAt)
  if (w.alg != null) row.alg = w.alg
  if (w.crv != null) row.crv = w.crv
  return row
}

/**
 * A claims object (a payload, a user, a session) as JSON text. Anything but a non-array object is
 * a TypeError, as in jose's SignJWT and Python's `sign` (`payload must be a dict`); so is an object
 * JSON.stringify cannot write (a BigInt, a cycle: its own TypeError).
 */
function claimsJson(value, name) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object`)
  }
  return JSON.stringify(value)
}

/** Sign options as JSON (`undefined` when none). */
function signOptionsJson(options) {
  if (options === undefined || options === null) return undefined
  if (options.expirationTime instanceof Date) {
    return JSON.stringify({ ...options, expirationTime: toSeconds(options.expirationTime) })
  }
  return JSON.stringify(options)
}

/** Verify options as JSON (`undefined` when none); `currentDate` becomes seconds. */
function verifyOptionsJson(options) {
  if (options === undefined || options === null) return undefined
  if (options.currentDate instanceof Date) {
    return JSON.stringify({ ...options, currentDate: toSeconds(options.currentDate) })
  }
  return JSON.stringify(options)
}

module.exports = { NATIVE, invalid, toMs, toSeconds, rowToWire, rowFromWire, claimsJson, signOptionsJson, verifyOptionsJson }
