// Uses the whole public API with strict types; compiled with `tsc --noEmit --strict`.
import {
  Issuer, MemoryStore, ManualClock, createLocalJwks, createRemoteJwks, jwtVerify, decodeJwt,
  decodeProtectedHeader, extractBearerToken, createJwtHandler, setAuthJwtHeader, AuthJwtError, JWTExpired,
  JWTClaimValidationFailed, JWSSignatureVerificationFailed, JWKSNoMatchingKey,
  type JwkRow, type KeyStore, type IssuerOptions, type JWTVerifyResult, type AuthJwtEvent, type JwksSkipReason,
} from 'authjwt'

const rows: JwkRow[] = []
const store: KeyStore = {
  async getJwks() { return rows },
  createJwk(row: JwkRow) { rows.push(row); return row },
}
const options: IssuerOptions = {
  store,
  secret: { 2: 'new', 1: 'old' },
  keyPairConfig: { alg: 'ES256' },
  keyPairConfigs: [{ alg: 'RS256', modulusLength: 3072 }],
  privateKeyFormat: 'better-auth',
  rotationInterval: 86_400,
  gracePeriod: '30d',
  issuer: 'https://auth.example.com',
  audience: ['api'],
  expirationTime: '15m',
  keyCacheTtl: 300,
  storeTimeout: 5,
  definePayload: ({ user }) => ({ id: (user as { id: string }).id }),
  getSubject: async ({ user }) => String((user as { id: string }).id),
  onEvent: (e: AuthJwtEvent) => { if (e.type === 'token.rejected') console.log(e.code) },
  clock: new ManualClock(new Date()),
}

// A KMS signer: digest mode, a kid per key version, DER answers.
let keyVersion = 1
const kms = new Issuer({
  disablePrivateKeyEncryption: true,
  remoteUrl: 'https://auth.example.com/.well-known/jwks.json',
  sign: {
    alg: 'ES256',
    kid: async () => `jwt-v${keyVersion}`,
    messageType: 'digest',
    verifyBeforeReturn: true,
    sign: async (digest: Uint8Array, { kid, alg, messageType }) => {
      const request: { kid: string; alg: string; messageType: 'raw' | 'digest' } = { kid, alg, messageType }
      return new Uint8Array(digest.length + request.kid.length)
    },
  },
})

async function main(): Promise<void> {
  const issuer = new Issuer(options)
  const memory = new Issuer({ store: new MemoryStore(), disablePrivateKeyEncryption: true })
  const token: string = await issuer.sign({ sub: 'u1', email: 'a@b.c' }, { expirationTime: '5m', audience: 'api', typ: 'JWT' })
  const fast: string = issuer.signSync({ sub: 'u1' }, { signingAlgorithm: 'RS256', expirationTime: new Date() })
  const session: string = await issuer.signSession({ user: { id: 'u1' }, session: { id: 's1' } })
  const jwks = await issuer.jwks()
  const row: JwkRow = await issuer.rotate()
  const createdAt: Date = row.createdAt
  const local = createLocalJwks(jwks)
  createLocalJwks(jwks, {
    onEvent: (e: AuthJwtEvent) => {
      if (e.type === 'jwks.key_skipped') console.log(e.index, e.kid ?? '-', e.reason satisfies JwksSkipReason, e.message)
    },
  })
  const remote = createRemoteJwks(new URL('https://auth.example.com/api/auth/jwks'), { cacheMaxAge: 600_000, cooldownDuration: 30_000, timeoutDuration: 5_000 })
  const r1: JWTVerifyResult<{ email: string }> = await jwtVerify<{ email: string }>(token, local, {
    issuer: 'https://auth.example.com', audience: 'api', algorithms: ['ES256'], clockTolerance: '5s',
    maxTokenAge: 600, requiredClaims: ['email'], typ: 'JWT', subject: 'u1', currentDate: new Date(),
  })
  const email: string = r1.payload.email
  const r2 = local.verifySync(fast)
  const r3 = await jwtVerify(session, remote)
  const r4 = await issuer.verify(token, { audience: 'api' })
  const r5 = await jwtVerify(token, memory)
  const sub: string | undefined = decodeJwt(token).sub
  const alg: string = decodeProtectedHeader(token).alg
  const bearer: string | null = extractBearerToken(new Headers())
  const handler = createJwtHandler({ issuer, getSession: async (_req: Request) => null, basePath: '/api/auth', jwksPath: '/jwks' })
  const res: Response | null = await handler(new Request('http://x/api/auth/jwks'))
  setAuthJwtHeader(new Headers(), token)
  try {
    await jwtVerify(token, local)
  } catch (e) {
    if (e instanceof JWTExpired || e instanceof JWTClaimValidationFailed) console.log(e.claim, e.reason, e.code)
    if (e instanceof JWSSignatureVerificationFailed || e instanceof JWKSNoMatchingKey) console.log(e.code)
    if (e instanceof AuthJwtError) console.log(e.code, e.cause)
  }
  console.log(createdAt, email, r2, r3, r4, r5, sub, alg, bearer, res, await new MemoryStore().getJwks())
}
void main()

// A fleet's shared JWKS cache: the host's own storage (sync or async), or authjwt/redis.
import type { SharedJwksCache, SharedJwksEntry } from 'authjwt'
import { createRedisJwksCache, type RedisJwksClient } from 'authjwt/redis'
let kept: string | null = null
const memoryCache: SharedJwksCache = {
  load: () => kept,
  save: (entry: SharedJwksEntry) => { kept = JSON.stringify({ ...entry, fetchedAt: entry.fetchedAt + 0, lifetime: entry.lifetime }) },
  claim: async (ttlMs: number) => ttlMs > 0,
  release: async () => {},
}
export function fleetKeySets(redis: RedisJwksClient) {
  return [
    createRemoteJwks('https://idp.example.com/jwks', {
      cache: memoryCache,
      onEvent: (e: AuthJwtEvent) => {
        if (e.type === 'jwks.cache_failed') console.log(e.operation, e.error)
        if (e.type === 'jwks.cache_rejected') console.log(e.reason)
      },
    }),
    createRemoteJwks('https://idp.example.com/jwks', { cache: createRedisJwksCache(redis, { key: 'authjwt:jwks:idp' }) }),
  ]
}
