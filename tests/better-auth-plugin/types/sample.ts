// A typed sample: authjwt/better-auth where better-auth/plugins was, checked with tsc --strict.
import { betterAuth } from 'better-auth'
import { createAuthClient } from 'better-auth/client'
import { jwt, jwtClient, toExpJWT, resolveSigningKey, getJwksAdapter, revokeJwk, type JwtOptions } from 'authjwt/better-auth'

const options: JwtOptions = { jwks: { keyPairConfig: { alg: 'ES256' }, rotationInterval: 604800 }, jwt: { issuer: 'https://auth.example', audience: ['api'] } }
export const auth = betterAuth({ secret: 'x'.repeat(40), plugins: [jwt(options)] })
// A KMS signer whose tokens are handed out without the verification against jwks.remoteUrl.
const unchecked: JwtOptions = { jwks: { remoteUrl: 'https://kms.example/jwks.json', keyPairConfig: { alg: 'ES256' } }, jwt: { sign: async () => 'h.p.s', verifyBeforeReturn: false } }
export const uncheckedAuth = betterAuth({ secret: 'x'.repeat(40), plugins: [jwt(unchecked)] })
// A custom adapter with the optional update callback (revokeJwk, retiring a replaced key).
const rows: Array<{ id: string; publicKey: string; privateKey: string; createdAt: Date; expiresAt?: Date }> = []
const updating: JwtOptions = {
  adapter: {
    getJwks: async () => rows,
    createJwk: async (key) => ({ ...key, id: String(rows.push({ ...key, id: String(rows.length) })) }),
    updateJwk: async (id, { expiresAt }) => {
      for (const row of rows) if (row.id === id) row.expiresAt = expiresAt
    },
  },
}
export const updatingAuth = betterAuth({ secret: 'x'.repeat(40), plugins: [jwt(updating)] })

export async function usage(): Promise<number> {
  const { token } = await auth.api.signJWT({ body: { payload: { sub: 'svc' } } })
  const checked: string = token
  const { payload } = await auth.api.verifyJWT({ body: { token: checked } })
  const sub: string | undefined = payload?.sub
  const jwks = await auth.api.getJwks()
  const kids: Array<string | undefined> = jwks.keys.map((k) => k.kid)
  const client = createAuthClient({ plugins: [jwtClient()] })
  const fromClient = await client.jwks()
  const own = await client.token()
  const ctx = { context: await auth.$context }
  const key = await resolveSigningKey(ctx as never, options)
  const adapter = getJwksAdapter(ctx.context.adapter, options)
  const latest = await adapter.getLatestKey(ctx as never)
  if (latest) await revokeJwk(ctx as never, latest.id, options)
  return toExpJWT('1h', 0) + kids.length + (sub ? 1 : 0) + (fromClient.data ? 1 : 0) + (own.data ? 1 : 0) + (key ? 1 : 0) + (latest ? 1 : 0)
}
