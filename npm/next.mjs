// ESM entry of authjwt/next: the same objects as the CommonJS module.
import next from './lib/next.js'

export const { withJwt, jwtMiddleware } = next
