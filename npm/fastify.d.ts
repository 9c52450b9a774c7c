// Types of authjwt/fastify. `export =` so that ESM default imports and CommonJS `require` both
// see the plugin itself, as they do at run time.
import type { FastifyInstance, FastifyPluginAsync, onRequestHookHandler } from 'fastify'
import type { JWTPayload, ProtectedHeader } from './index.js'
import type { JwtChallengeError as ChallengeError, JwtGuardOptions as GuardOptions } from './lib/guard.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified claims (null before verification, or on an anonymous request of an optional guard). */
    user: JWTPayload | null
    /** The verified token's JWS protected header. */
    jwtHeader: ProtectedHeader | null
    /** Verifies the request's Bearer token, sets `request.user`, returns the claims. */
    jwtVerify(): Promise<JWTPayload | null>
  }
  interface FastifyInstance {
    /** A hook: `{ onRequest: [app.authenticate] }`. */
    authenticate: onRequestHookHandler
    /** A hook with other options for one route (e.g. `{ requiredScopes: ['write'] }`), built once. */
    requireJwt(overrides?: Partial<GuardOptions>): onRequestHookHandler
  }
}

/** The plugin: `await app.register(authjwt, { jwksUrl, onRequest: true })`. */
declare function authjwt(instance: FastifyInstance, options: authjwt.AuthJwtFastifyOptions): Promise<void>

declare namespace authjwt {
  /** Plugin options: the guard's, plus `onRequest: true` to require a token on every route. */
  export type AuthJwtFastifyOptions = GuardOptions & { onRequest?: boolean }
  export type JwtGuardOptions = GuardOptions
  export type JwtChallengeError = ChallengeError
  export const authjwt: FastifyPluginAsync<AuthJwtFastifyOptions>
  const plugin: FastifyPluginAsync<AuthJwtFastifyOptions>
  export { plugin as default }
}

export = authjwt
