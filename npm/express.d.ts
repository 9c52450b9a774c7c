// Types of authjwt/express.
import type { ErrorRequestHandler, RequestHandler } from 'express'
import type { JWTPayload, ProtectedHeader } from './index.js'
import type { JwtGuardOptions } from './lib/guard.js'

export type { JwtGuardOptions, JwtChallengeError } from './lib/guard.js'

declare global {
  namespace Express {
    interface Request {
      /** The verified claims, set by `requireJwt` (absent on anonymous requests of an optional guard). */
      auth?: JWTPayload
      /** The verified token's JWS protected header. */
      authHeader?: ProtectedHeader
    }
  }
}

/** Middleware verifying `Authorization: Bearer`; refusals go to `next(err)` as a JwtChallengeError. */
export declare function requireJwt(options: JwtGuardOptions): RequestHandler
/** Answers authjwt refusals (status, `WWW-Authenticate`, JSON body); other errors go on. */
export declare const jwtErrorHandler: ErrorRequestHandler
