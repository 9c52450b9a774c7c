// Shared set-up: one Better Auth server per implementation of the jwt plugin (Better Auth's own,
// authjwt/better-auth) on the same kind of database, and helpers to talk to it over auth.handler.
import { betterAuth } from 'better-auth'
import { memoryAdapter } from 'better-auth/adapters/memory'
import * as betterAuthJwt from 'better-auth/plugins/jwt'
import * as authjwtJwt from 'authjwt/better-auth'

export const SECRET = 'plugin-comparison-secret-0123456789-abcdefghijklmnop'
export const BASE = 'http://localhost:3000'

/** The two implementations, under the names the tests print. */
export const IMPLS = { 'better-auth': betterAuthJwt, authjwt: authjwtJwt }

export const newMemoryDb = () => ({ user: [], session: [], account: [], verification: [], jwks: [] })

/** A Better Auth server with `impl`'s jwt plugin; `database` defaults to a fresh memory adapter. */
export function makeAuth(impl, { jwt: jwtOptions, database, db = newMemoryDb(), plugins = [], ...auth } = {}) {
  const plugin = impl.jwt(jwtOptions)
  const instance = betterAuth({
    baseURL: BASE,
    secret: SECRET,
    database: database ?? memoryAdapter(db),
    emailAndPassword: { enabled: true },
    logger: { level: 'error' },
    ...auth,
    plugins: [plugin, ...plugins],
  })
  return { auth: instance, db, plugin }
}

/** A request through auth.handler. */
export async function call(auth, path, { method = 'GET', headers = {}, body } = {}) {
  const init = { method, headers: { origin: BASE, ...headers } }
  if (body !== undefined) {
    init.body = JSON.stringify(body)
    init.headers['content-type'] = 'application/json'
  }
  return auth.handler(new Request(`${BASE}/api/auth${path}`, init))
}

/** The cookie header a browser would send back after `response`. */
export function cookiesOf(response, previous = '') {
  const jar = new Map(previous ? previous.split('; ').map((c) => c.split(/=(.*)/s).slice(0, 2)) : [])
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';')
    const [name, value] = pair.split(/=(.*)/s)
    if (value === '' || /max-age=0/i.test(line)) jar.delete(name)
    else jar.set(name, value)
  }
  return [...jar].map(([n, v]) => `${n}=${v}`).join('; ')
}

/** Signs up a fresh user over HTTP; returns its cookie header and user. */
export async function signUp(auth, email = `u${Math.random().toString(36).slice(2)}@example.com`) {
  const res = await call(auth, '/sign-up/email', { method: 'POST', body: { email, password: 'correct-horse-battery', name: 'Test User' } })
  if (res.status !== 200) throw new Error(`sign-up: ${res.status} ${await res.text()}`)
  const body = await res.json()
  return { cookie: cookiesOf(res), user: body.user }
}

/** Signs in over HTTP; returns the cookie header. */
export async function signIn(auth, email) {
  const res = await call(auth, '/sign-in/email', { method: 'POST', body: { email, password: 'correct-horse-battery' } })
  if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${await res.text()}`)
  return cookiesOf(res)
}

export const decodePart = (token, i) => JSON.parse(Buffer.from(token.split('.')[i], 'base64url').toString())
export const headerOf = (token) => decodePart(token, 0)
export const payloadOf = (token) => decodePart(token, 1)

/** The endpoint-free context the exported functions take: `{ context: authContext }`. */
export const contextOf = async (auth) => ({ context: await auth.$context })

/** Runs `fn(impl, name)` for both implementations; returns `{ 'better-auth': r1, authjwt: r2 }`. */
export async function both(fn) {
  const out = {}
  for (const [name, impl] of Object.entries(IMPLS)) out[name] = await fn(impl, name)
  return out
}

/** The message of what `fn` throws (or rejects with), or null. */
export async function errorOf(fn) {
  try {
    await fn()
    return null
  } catch (e) {
    return `${e.constructor?.name}: ${e.message}`
  }
}
