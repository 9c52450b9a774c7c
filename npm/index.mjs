// ESM entry: the same objects as the CommonJS entry (one copy of the native module).
import authjwt from './index.js'

export const {
  Issuer,
  MemoryStore,
  ManualClock,
  LocalJwks,
  RemoteJwks,
  createLocalJwks,
  createRemoteJwks,
  jwtVerify,
  decodeJwt,
  decodeProtectedHeader,
  extractBearerToken,
  createJwtHandler,
  setAuthJwtHeader,
  AuthJwtError,
  JWTExpired,
  JWTClaimValidationFailed,
  JWSSignatureVerificationFailed,
  JWKSNoMatchingKey,
  JWKSMultipleMatchingKeys,
  JWKSInvalid,
  JWKSTimeout,
  JWSInvalid,
  JWTInvalid,
  JOSEAlgNotAllowed,
  JOSENotSupported,
} = authjwt

export default authjwt
