// The API with Express: `requireJwt` per route, claims on `req.auth`, refusals answered by
// `jwtErrorHandler` (401/400/403 with WWW-Authenticate, 503 when the JWKS is unreachable).
import express from 'express'
import { fileURLToPath } from 'node:url'
import { requireJwt, jwtErrorHandler } from 'authjwt/express'
import { configFromEnv, port, type ApiConfig } from './config.js'

export function createApp({ jwksUrl, issuer, audience }: ApiConfig): express.Express {
  const auth = { jwksUrl, issuer, audience, realm: 'notes' }
  const app = express()
  app.get('/api/me', requireJwt(auth), (req, res) => {
    res.json({ sub: req.auth?.sub, email: req.auth?.email })
  })
  app.post('/api/notes', requireJwt({ ...auth, requiredScopes: ['notes:write'] }), (req, res) => {
    res.status(201).json({ author: req.auth?.sub })
  })
  app.use(jwtErrorHandler)
  return app
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = createApp(configFromEnv()).listen(port(), '127.0.0.1', () => {
    console.log(`express API on http://127.0.0.1:${port()}`)
  })
  process.on('SIGTERM', () => server.close())
}
