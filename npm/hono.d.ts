// Types of authjwt/hono.
import type { MiddlewareHandler } from 'hono'
import type { JWTPayload, ProtectedHeader } from './index.js'
import type { JwtGuardOptions } from './lib/guard.js'

export type { JwtGuardOptions, JwtChallengeError } from './lib/guard.js'

/** The context variables the middleware sets. */
export type JwtVariables = {
  jwtPayload: JWTPayload
  jwtHeader: ProtectedHeader
}

/** The context variables of an `optional: true` guard: absent on anonymous requests. */
export type OptionalJwtVariables = {
  jwtPayload: JWTPayload | undefined
  jwtHeader: ProtectedHeader | undefined
}

/** Middleware verifying `Authorization: Bearer`; claims via `c.get('jwtPayload')`. */
export declare function jwt(options: JwtGuardOptions & { optional: true }): MiddlewareHandler<{ Variables: OptionalJwtVariables }>
export declare function jwt(options: JwtGuardOptions): MiddlewareHandler<{ Variables: JwtVariables }>
