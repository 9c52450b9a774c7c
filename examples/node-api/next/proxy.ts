// Next 16 proxy (the former middleware.ts, on the Node runtime): every /api/admin request needs a
// token granting `admin`; the refusal is a 401/403 Response with its WWW-Authenticate header.
import { jwtMiddleware } from 'authjwt/next'

export const proxy = jwtMiddleware({
  jwksUrl: process.env.JWKS_URL ?? 'http://127.0.0.1:3000/api/auth/jwks',
  requiredScopes: ['admin'],
  realm: 'notes',
})

export const config = { matcher: '/api/admin/:path*' }
