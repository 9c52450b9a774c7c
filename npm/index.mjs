// ESM entry: the same objects as the CommonJS entry (one copy of the native module).
import authjwt from './index.js'

export const {
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
} = authjwt

export default authjwt
