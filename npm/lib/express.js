'use strict'
// authjwt/express: `app.get('/me', requireJwt({ jwksUrl }), (req, res) => res.json(req.auth))`.
// Names follow express-jwt: claims on `req.auth`; refusals go to `next(err)` so an app's own error
// handler keeps control, and `jwtErrorHandler` is a ready one.

const { createGuard, isChallenge, challengeBody } = require('./guard.js')

/**
 * Middleware that verifies `Authorization: Bearer <token>`: sets `req.auth` (the claims) and
 * `req.authHeader` (the JWS protected header), or calls `next(err)` with an AuthJwtError carrying
 * `status` and `headers`. The key set is built once, here, not per request.
 */
function requireJwt(options) {
  const guard = createGuard(options, 'requireJwt')
  return function authjwtMiddleware(req, res, next) {
    guard.authenticate(req.headers.authorization).then((verified) => {
      if (verified) {
        req.auth = verified.payload
        req.authHeader = verified.protectedHeader
      }
      next()
    }, next)
  }
}

/**
 * Error handler answering authjwt's refusals with their status, `WWW-Authenticate` and a JSON
 * body `{ code, error, error_description }`; any other error goes on to the next handler.
 */
function jwtErrorHandler(err, req, res, next) {
  if (!isChallenge(err) || res.headersSent) return next(err)
  res.status(err.status).set(err.headers).json(challengeBody(err))
}

module.exports = { requireJwt, jwtErrorHandler }
