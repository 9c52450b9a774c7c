'use strict'
// CommonJS entry of authjwt/better-auth. Better Auth ships ES modules only, so this loads the ES
// module (require() of ES modules: Node 20.19+ / 22.12+) and hands out the same objects.
module.exports = require('./index.mjs')
