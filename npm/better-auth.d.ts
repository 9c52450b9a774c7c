// Types of authjwt/better-auth: the same signatures as Better Auth's jwt plugin (better-auth 1.7.x),
// so `import { jwt } from "authjwt/better-auth"` type-checks wherever `better-auth/plugins` did,
// including `auth.api.signJWT`/`verifyJWT` and the client's inferred `token()`.
import type * as BetterAuthJwt from 'better-auth/plugins/jwt'
import type { jwtClient as betterAuthJwtClient } from 'better-auth/client/plugins'
import type { GenericEndpointContext } from '@better-auth/core'

export type { JWKOptions, JWSAlgorithms, Jwk } from 'better-auth/plugins/jwt'

/** Better Auth's jwt plugin options, and what authjwt adds to them. */
export interface JwtOptions extends BetterAuthJwt.JwtOptions {
  jwt?:
    | (NonNullable<BetterAuthJwt.JwtOptions['jwt']> & {
        /**
         * Verify each token `jwt.sign` returns against the key of its `kid` at `jwks.remoteUrl`
         * before handing it out: a token that does not verify is refused with `ERR_STORE` (or the
         * key set's own code when it cannot be read). `false` returns the signer's output unchecked.
         * Default true.
         */
        verifyBeforeReturn?: boolean | undefined
      })
    | undefined
  adapter?:
    | (NonNullable<BetterAuthJwt.JwtOptions['adapter']> & {
        /**
         * Sets the `expiresAt` of the row `id` (`revokeJwk`, and retiring the key `createJwk`
         * replaces). Without it `revokeJwk` is `ERR_INVALID_CONFIG` and a replaced key stays published.
         */
        updateJwk?: ((id: string, update: { expiresAt: Date }, ctx?: GenericEndpointContext) => Promise<void>) | undefined
      })
    | undefined
}

/** The plugin: id "jwt", Better Auth's options, endpoints, hooks and schema. */
export declare const jwt: <O extends JwtOptions>(options?: O) => ReturnType<typeof BetterAuthJwt.jwt<O>>
/** The client plugin: `client.jwks()`, and `client.token()` inferred from the server plugin. */
export declare const jwtClient: typeof betterAuthJwtClient
export declare const signJWT: typeof BetterAuthJwt.signJWT
export declare const verifyJWT: typeof BetterAuthJwt.verifyJWT
export declare const getJwtToken: typeof BetterAuthJwt.getJwtToken
export declare const createJwk: typeof BetterAuthJwt.createJwk
/**
 * authjwt's addition: the stored key `kid` leaves `/jwks` at once (no grace period), verifies
 * nothing and never signs again (`expiresAt` = the epoch in the `jwks` table). A custom
 * `options.adapter` needs `updateJwk(id, { expiresAt }, ctx)`, else `ERR_INVALID_CONFIG`.
 */
export declare function revokeJwk(ctx: GenericEndpointContext, kid: string, options?: JwtOptions): Promise<void>
export declare const generateExportedKeyPair: typeof BetterAuthJwt.generateExportedKeyPair
export declare const toExpJWT: typeof BetterAuthJwt.toExpJWT

/** What `resolveSigningKey` gives: `privateKey` is an opaque handle; the key stays in authjwt's core. */
export interface ResolvedSigningKey {
  alg: BetterAuthJwt.JWSAlgorithms
  kid: string
  /** Pass the whole object back as `signJWT(ctx, { resolvedKey })`; it is not a CryptoKey. */
  privateKey: { readonly type: 'private' }
}
export declare function resolveSigningKey(
  ctx: GenericEndpointContext,
  options?: JwtOptions,
  overrides?: { signingKeyId?: string; signingAlgorithm?: BetterAuthJwt.JWSAlgorithms },
): Promise<ResolvedSigningKey | null>

/** Key lookups over the `jwks` model (the transaction's adapter when there is one) or `options.adapter`. */
export declare function getJwksAdapter(
  baseAdapter: object,
  options?: JwtOptions,
): {
  getAllKeys(ctx: GenericEndpointContext): Promise<BetterAuthJwt.Jwk[] | undefined>
  getLatestKey(ctx: GenericEndpointContext): Promise<BetterAuthJwt.Jwk | undefined>
  getKeyById(ctx: GenericEndpointContext, id: string): Promise<BetterAuthJwt.Jwk | undefined>
  getLatestKeyByAlg(ctx: GenericEndpointContext, alg: string): Promise<BetterAuthJwt.Jwk | undefined>
  createJwk(ctx: GenericEndpointContext, webKey: Omit<BetterAuthJwt.Jwk, 'id'>): Promise<BetterAuthJwt.Jwk>
}
