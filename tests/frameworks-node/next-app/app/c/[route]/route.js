// GET /c/me, /c/read: the concurrency check's two routes, sharing one JWKS URL.
import { withJwt } from 'authjwt/next'
import { concurrencyOptions } from '../../../../routes.mjs'
import { keys } from '../../../keys.mjs'

const { routes } = concurrencyOptions(keys, 'next-concurrency')
const handlers = {
  me: withJwt((request) => Response.json({ sub: request.auth.sub }), routes['/c/me']),
  read: withJwt((request) => Response.json({ sub: request.auth.sub }), routes['/c/read']),
}

export async function GET(request, context) {
  const { route } = await context.params
  return handlers[route] ? handlers[route](request, context) : new Response(null, { status: 404 })
}
