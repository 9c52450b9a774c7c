// ESM entry of authjwt/fastify: the same plugin as the CommonJS module.
import authjwt from './lib/fastify.js'

export { authjwt }
export default authjwt
