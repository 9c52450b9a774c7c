// Types of authjwt/next. Written against the Fetch `Request`, so they fit `NextRequest` too.
import type { JWTPayload } from './index.js'
import type { JwtGuardOptions } from './lib/guard.js'

export type { JwtGuardOptions, JwtChallengeError } from './lib/guard.js'

/** The request a wrapped handler sees: the claims on `auth` (null on an anonymous request of an optional guard). */
export type AuthenticatedRequest<R extends Request = Request> = R & { auth: JWTPayload | null }

/** Wraps an App Router route handler; refusals are answered with their status and `WWW-Authenticate`. */
export declare function withJwt<R extends Request, C = unknown>(
  handler: (request: AuthenticatedRequest<R>, context: C) => Response | Promise<Response>,
  options: JwtGuardOptions,
): (request: R, context: C) => Promise<Response>

/** A `middleware.ts` / `proxy.ts` function (Node runtime): `undefined` lets the request through. */
export declare function jwtMiddleware(options: JwtGuardOptions): (request: Request) => Promise<Response | undefined>
