'use strict'
// authjwt: the JWT engine of an auth server (Rust core, napi-rs binding).

const errors = require('./lib/errors.js')
const { Issuer, MemoryStore, ManualClock, parseTimespan } = require('./lib/issuer.js')
const { LocalJwks, RemoteJwks, createLocalJwks, createRemoteJwks, discoverRemoteJwks, jwtVerify, decodeJwt, decodeProtectedHeader } = require('./lib/verify.js')
const { createJwtHandler, jwksResponse, setAuthJwtHeader, extractBearerToken, authChallenge, missingScopes } = require('./lib/http.js')

module.exports = {
  Issuer,
  MemoryStore,
  ManualClock,
  parseTimespan,
  LocalJwks,
  RemoteJwks,
  createLocalJwks,
  createRemoteJwks,
  discoverRemoteJwks,
  jwtVerify,
  decodeJwt,
  decodeProtectedHeader,
  extractBearerToken,
  authChallenge,
  missingScopes,
  createJwtHandler,
  jwksResponse,
  setAuthJwtHeader,
  AuthJwtError: errors.AuthJwtError,
  JWTExpired: errors.JWTExpired,
  JWTClaimValidationFailed: errors.JWTClaimValidationFailed,
  JWSSignatureVerificationFailed: errors.JWSSignatureVerificationFailed,
  JWKSNoMatchingKey: errors.JWKSNoMatchingKey,
  JWKSMultipleMatchingKeys: errors.JWKSMultipleMatchingKeys,
  JWKSInvalid: errors.JWKSInvalid,
  JWKSTimeout: errors.JWKSTimeout,
  JWKSUnavailable: errors.JWKSUnavailable,
  JWSInvalid: errors.JWSInvalid,
  JWTInvalid: errors.JWTInvalid,
  JOSEAlgNotAllowed: errors.JOSEAlgNotAllowed,
  JOSENotSupported: errors.JOSENotSupported,
}
