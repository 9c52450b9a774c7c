// ESM entry of authjwt/redis: the same objects as the CommonJS module.
import redis from './lib/redis.js'

export const { createRedisJwksCache } = redis
