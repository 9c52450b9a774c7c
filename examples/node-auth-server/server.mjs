// A small auth server: toy sign-in with sessions, Better Auth-style /api/auth/jwks and
// /api/auth/token through createJwtHandler. The services that verify its tokens are in
// ../node-api (Express, Fastify, Hono, Next.js through authjwt's integrations).
import { createServer } from 'node:http'
import { randomUUID, timingSafeEqual } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { Issuer, createJwtHandler, setAuthJwtHeader } from 'authjwt'
import { FileStore } from './file-store.mjs'

export async function startServer({
  port = 3000,
  host = '127.0.0.1',
  keysFile = fileURLToPath(new URL('./data/jwks.json', import.meta.url)),
  // Any `{ getJwks, createJwk }` store; by default the JSON file `keysFile`.
  store = new FileStore(keysFile),
  secret = process.env.AUTH_SECRET ?? 'dev-only-secret-change-me-0123456789',
  alg = process.env.ALG ?? 'EdDSA',
  // Operator endpoints (/api/admin/*) exist only when a token is configured.
  adminToken = process.env.ADMIN_TOKEN,
} = {}) {
  const sessions = new Map() // session id -> { user, session }
  // Set once the server listens: `iss`/`aud` and the JWKS URL need the bound port.
  let origin
  let issuer
  let handler

  // The session lookup a real server does with its cookie/session store.
  const getSession = (request) => {
    const sid = /(?:^|;\s*)sid=([\w-]+)/.exec(request.headers.get('cookie') ?? '')?.[1]
    return (sid && sessions.get(sid)) || null
  }

  const routes = async (request) => {
    const { pathname } = new URL(request.url)
    if (request.method === 'POST' && pathname === '/api/auth/sign-in') {
      const { email } = await request.json()
      if (typeof email !== 'string' || !email.includes('@')) return Response.json({ error: 'email required' }, { status: 400 })
      const user = { id: randomUUID(), email, name: email.split('@')[0] }
      const session = { id: randomUUID(), userId: user.id, expiresAt: new Date(Date.now() + 7 * 86_400_000) }
      sessions.set(session.id, { user, session })
      const headers = new Headers({ 'set-cookie': `sid=${session.id}; HttpOnly; Path=/; SameSite=Lax` })
      // Like Better Auth's jwt plugin on /get-session: the token rides along in `set-auth-jwt`.
      setAuthJwtHeader(headers, await issuer.signSession({ user, session }))
      return Response.json({ user }, { headers })
    }
    if (pathname.startsWith('/api/admin/') && adminToken) {
      if (!sameSecret(request.headers.get('x-admin-token') ?? '', adminToken)) {
        return Response.json({ error: 'forbidden' }, { status: 403 })
      }
      if (request.method === 'POST' && pathname === '/api/admin/rotate') {
        // A new signing key now; the previous one stays in the JWKS for the grace period.
        const row = await issuer.rotate()
        return Response.json({ kid: row.id, alg: row.alg })
      }
      if (request.method === 'POST' && pathname === '/api/admin/token') {
        // A token for any subject with a chosen lifetime (negative spans make expired tokens).
        const { sub, expirationTime } = await request.json()
        return Response.json({ token: await issuer.sign({ sub }, { expirationTime }) })
      }
    }
    return (await handler(request)) ?? Response.json({ error: 'not found' }, { status: 404 })
  }

  const server = createServer((req, res) => {
    toFetchRequest(req)
      .then(routes)
      .then((response) => sendFetchResponse(res, response))
      .catch((err) => {
        console.error(err)
        res.writeHead(500).end()
      })
  })
  await new Promise((resolve) => server.listen(port, host, resolve))
  origin = `http://${host}:${server.address().port}`
  issuer = new Issuer({
    store,
    secret,
    keyPairConfig: { alg },
    issuer: origin,
    audience: origin,
    expirationTime: '15m',
  })
  handler = createJwtHandler({ issuer, getSession, basePath: '/api/auth', jwksPath: '/jwks' })
  return { url: origin, close: () => new Promise((r) => server.close(r)), issuer }
}

function sameSecret(given, expected) {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

// The node:http <-> Fetch API adapter (Next.js and Hono hand the handler a Request directly).
async function toFetchRequest(req) {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
  }
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  const body = chunks.length && req.method !== 'GET' && req.method !== 'HEAD' ? Buffer.concat(chunks) : undefined
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url}`, { method: req.method, headers, body })
}

async function sendFetchResponse(res, response) {
  res.writeHead(response.status, Object.fromEntries(response.headers))
  res.end(Buffer.from(await response.arrayBuffer()))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = { port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' }
  if (process.env.KEYS_FILE) options.keysFile = process.env.KEYS_FILE
  if (process.env.DATABASE_URL) {
    // Keys in PostgreSQL (Better Auth's `jwks` table, ../stores/schema.sql) instead of the file.
    const { default: pg } = await import('pg')
    const { PgKeyStore } = await import('../stores/pg-store.mjs')
    options.store = new PgKeyStore(new pg.Pool({ connectionString: process.env.DATABASE_URL }))
  }
  const { url } = await startServer(options)
  console.log(`auth server on ${url}  (JWKS: ${url}/api/auth/jwks)`)
}
