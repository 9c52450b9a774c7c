import type { SharedJwksCache } from './index.js'

/** What `createRedisJwksCache` needs of a node-redis client (`createClient()` from `redis` 5 or later, connected). */
export interface RedisJwksClient {
  get(key: string): Promise<string | null>
  set(key: string, value: string, options?: object): Promise<unknown>
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
}

export interface RedisJwksCacheOptions {
  /** Where the entry lives (default `authjwt:jwks`); the claim is `<key>:claim`. One key per JWKS URL. */
  key?: string
}

/**
 * A shared cache for ONE remote key set over Redis: `createRemoteJwks(url, { cache: createRedisJwksCache(client) })`.
 * The entry is stored as JSON text; the fetch claim is `SET <key>:claim <token> NX PX <ttl>`, released only by its holder.
 */
export declare function createRedisJwksCache(client: RedisJwksClient, options?: RedisJwksCacheOptions): SharedJwksCache
