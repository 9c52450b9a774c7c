// GET /me, /admin, /optional, ...: one withJwt-wrapped handler per route of the shared table.
import { withJwt } from 'authjwt/next'
import { routeOptions } from '../../../routes.mjs'
import { keys } from '../../keys.mjs'

const handlers = Object.fromEntries(
  Object.entries(routeOptions(keys)).map(([path, options]) => [
    path.slice(1),
    withJwt((request) => Response.json({ sub: request.auth?.sub ?? null }), options),
  ]),
)

export async function GET(request, context) {
  const { route } = await context.params
  const handler = handlers[route]
  return handler ? handler(request, context) : new Response(null, { status: 404 })
}
