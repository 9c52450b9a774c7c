// The API with Hono: the `jwt` middleware per route, claims via `c.get('jwtPayload')`.
import { Hono } from 'hono'
import { serve } from '@hono/node-server'
import { fileURLToPath } from 'node:url'
import { jwt } from 'authjwt/hono'
import { configFromEnv, port, type ApiConfig } from './config.js'

export function createApp({ jwksUrl, issuer, audience }: ApiConfig): Hono {
  const auth = { jwksUrl, issuer, audience, realm: 'notes' }
  const app = new Hono()
  app.get('/api/me', jwt(auth), (c) => {
    const claims = c.get('jwtPayload')
    return c.json({ sub: claims.sub, email: claims.email })
  })
  // Anonymous requests pass (no claims); a bad token is still refused.
  app.get('/api/hello', jwt({ ...auth, optional: true }), (c) => {
    return c.json({ hello: c.get('jwtPayload')?.sub ?? 'anonymous' })
  })
  app.post('/api/notes', jwt({ ...auth, requiredScopes: ['notes:write'] }), (c) => {
    return c.json({ author: c.get('jwtPayload').sub }, 201)
  })
  return app
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  serve({ fetch: createApp(configFromEnv()).fetch, port: port(), hostname: '127.0.0.1' }, (info) => {
    console.log(`hono API on http://127.0.0.1:${info.port}`)
  })
}
