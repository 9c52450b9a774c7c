// Where the auth server is: its JWKS, and the `iss`/`aud` its tokens carry (the example auth
// server in ../node-auth-server uses its own origin for both).
export interface ApiConfig {
  jwksUrl: string
  issuer: string
  audience: string
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const authUrl = env.AUTH_URL ?? 'http://127.0.0.1:3000'
  return {
    jwksUrl: env.JWKS_URL ?? `${authUrl}/api/auth/jwks`,
    issuer: env.ISSUER ?? authUrl,
    audience: env.AUDIENCE ?? authUrl,
  }
}

export const port = (env: NodeJS.ProcessEnv = process.env): number => Number(env.PORT ?? 4000)
