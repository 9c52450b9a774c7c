// ESM entry of authjwt/hono: the same objects as the CommonJS module.
import hono from './lib/hono.js'

export const { jwt } = hono
