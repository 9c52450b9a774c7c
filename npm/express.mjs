// ESM entry of authjwt/express: the same objects as the CommonJS module.
import express from './lib/express.js'

export const { requireJwt, jwtErrorHandler } = express
