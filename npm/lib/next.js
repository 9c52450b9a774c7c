'use strict'
// authjwt/next: App Router route handlers (`export const GET = withJwt(handler, { jwksUrl })`) and
// middleware/proxy on the Node runtime. Answers are Fetch Responses, which Next sends as they are
// (NextResponse is a subclass), so this module does not load Next itself.

const { createGuard, isChallenge, challengeResponse } = require('./guard.js')

/**
 * Wraps a route handler: verifies the request's Bearer token, puts the claims on `request.auth`
 * (as Auth.js does) and calls `handler(request, context)`; answers a refusal with its status,
 * `WWW-Authenticate` and a JSON body.
 */
function withJwt(handler, options) {
  if (typeof handler !== 'function') throw new TypeError('withJwt: handler must be a function (request, context) => Response')
  const guard = createGuard(options, 'withJwt')
  return async function authjwtRoute(request, context) {
    let verified
    try {
      verified = await guard.authenticate(request.headers.get('authorization'))
    } catch (err) {
      if (isChallenge(err)) return challengeResponse(err)
      throw err
    }
    request.auth = verified ? verified.payload : null
    return handler(request, context)
  }
}

/**
 * A `middleware.ts` (or Next 16 `proxy.ts`) function: `undefined` (the request goes on) when the
 * token verifies, or the refusal's Response. Set `runtime: 'nodejs'` in its config (the addon is native).
 */
function jwtMiddleware(options) {
  const guard = createGuard(options, 'jwtMiddleware')
  return async function authjwtMiddleware(request) {
    try {
      await guard.authenticate(request.headers.get('authorization'))
      return undefined
    } catch (err) {
      if (isChallenge(err)) return challengeResponse(err)
      throw err
    }
  }
}

module.exports = { withJwt, jwtMiddleware }
