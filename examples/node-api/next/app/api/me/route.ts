// App Router route handler: `withJwt` verifies the Bearer token and puts the claims on `request.auth`.
import { withJwt } from 'authjwt/next'

export const GET = withJwt((request) => Response.json({ sub: request.auth?.sub }), {
  jwksUrl: process.env.JWKS_URL ?? 'http://127.0.0.1:3000/api/auth/jwks',
  issuer: process.env.ISSUER,
  audience: process.env.AUDIENCE,
  realm: 'notes',
})
