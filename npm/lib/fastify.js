'use strict'
// authjwt/fastify: `await app.register(authjwt, { jwksUrl, onRequest: true })`. Names follow
// @fastify/jwt: `request.jwtVerify()`, claims on `request.user`, `app.authenticate` as a hook.

const { createGuard } = require('./guard.js')

const WHERE = 'authjwt/fastify'

/**
 * The plugin. Decorates `request.jwtVerify()` (verifies, sets `request.user`, returns the claims),
 * `app.authenticate` (a hook for `onRequest: [app.authenticate]`) and `app.requireJwt(overrides)`
 * (a hook with other options, e.g. `requiredScopes`, built once per route). With `onRequest: true`
 * every route of the app requires a token. Refusals are thrown AuthJwtErrors with `statusCode`
 * and `headers`, which Fastify's error handling sends (or the app's `setErrorHandler` receives).
 */
async function authjwtPlugin(app, options) {
  const { onRequest = false, ...guardOptions } = options ?? {}
  if (typeof onRequest !== 'boolean') throw new TypeError(`${WHERE}: onRequest must be a boolean`)
  const guard = createGuard(guardOptions, WHERE)

  const hookFor = (g) =>
    async function authenticate(request) {
      const verified = await g.authenticate(request.headers.authorization)
      request.user = verified ? verified.payload : null
      request.jwtHeader = verified ? verified.protectedHeader : null
    }

  app.decorateRequest('user', null)
  app.decorateRequest('jwtHeader', null)
  app.decorateRequest('jwtVerify', async function jwtVerify() {
    await hookFor(guard)(this)
    return this.user
  })
  app.decorate('authenticate', hookFor(guard))
  app.decorate('requireJwt', (overrides) => hookFor(createGuard({ ...guardOptions, ...overrides }, `${WHERE} requireJwt`)))
  if (onRequest) app.addHook('onRequest', app.authenticate)
}

// What fastify-plugin sets: the decorations and the hook belong to the app that registers the
// plugin, not to an encapsulated child context.
authjwtPlugin[Symbol.for('skip-override')] = true
authjwtPlugin[Symbol.for('fastify.display-name')] = 'authjwt'
authjwtPlugin[Symbol.for('plugin-meta')] = { name: 'authjwt', fastify: '>=4' }

module.exports = authjwtPlugin
module.exports.default = authjwtPlugin
module.exports.authjwt = authjwtPlugin
