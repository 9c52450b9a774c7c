'use strict'
// authjwt/hono: `app.use('/api/*', jwt({ jwksUrl }))`, claims via `c.get('jwtPayload')`, as Hono's
// own jwt/jwk middleware. Uses only the Fetch API, so it runs wherever the addon loads.

const { createGuard } = require('./guard.js')

/**
 * Middleware that verifies `Authorization: Bearer <token>` and sets `jwtPayload` (the claims) and
 * `jwtHeader` (the protected header) on the context. A refusal is thrown as an AuthJwtError with
 * `status`, `headers` and `getResponse()`: Hono's default error handler sends that response, and
 * an `app.onError` handler can look at it first.
 */
function jwt(options) {
  const guard = createGuard(options, 'jwt')
  return async function authjwtMiddleware(c, next) {
    const verified = await guard.authenticate(c.req.header('authorization'))
    if (verified) {
      c.set('jwtPayload', verified.payload)
      c.set('jwtHeader', verified.protectedHeader)
    }
    await next()
  }
}

module.exports = { jwt }
