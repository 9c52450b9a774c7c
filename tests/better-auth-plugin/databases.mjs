// Real databases for the comparison: SQLite (better-sqlite3 through Better Auth's Kysely adapter)
// and PostgreSQL (the `pg` driver; the server is the suite's throwaway cluster on 127.0.0.1).
// Better Auth's own migrations create the tables.
import Database from 'better-sqlite3'
import pg from 'pg'
import { getMigrations } from 'better-auth/db/migration'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { BASE, SECRET, IMPLS, call, cookiesOf, headerOf, makeAuth, signUp } from './harness.mjs'

/** Runs Better Auth's migrations for `impl`'s plugin on `database`. */
export async function migrate(impl, database, jwtOptions) {
  const { runMigrations } = await getMigrations({
    baseURL: BASE,
    secret: SECRET,
    database,
    emailAndPassword: { enabled: true },
    logger: { level: 'error' },
    plugins: [impl.jwt(jwtOptions)],
  })
  await runMigrations()
}

export const sqlite = {
  name: 'sqlite',
  async open() {
    const db = new Database(':memory:')
    return { database: db, rows: () => db.prepare('SELECT * FROM jwks').all(), close: async () => db.close() }
  },
}

let counter = 0
/** A fresh PostgreSQL database per call (PGHOST/PGPORT from the suite). */
export const postgres = {
  name: 'postgres',
  async open({ max = 10 } = {}) {
    if (!process.env.PGHOST || !process.env.PGPORT) {
      throw new Error('PGHOST and PGPORT must point at a PostgreSQL server (scripts/suites/35-better-auth-plugin.sh starts one)')
    }
    const name = `ba_${process.pid}_${Date.now()}_${counter++}`
    const admin = new pg.Client({ user: 'postgres', database: 'postgres' })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const pool = new pg.Pool({ user: 'postgres', database: name, max })
    // pool.end() resolves once it has asked its clients to disconnect, so the DROP below can reach
    // a session still closing; that one ends with admin_shutdown (57P01), which is ours. Any other
    // error of an idle client is kept and fails close().
    let closing = false
    const unexpected = []
    pool.on('error', (error) => {
      if (!(closing && error.code === '57P01')) unexpected.push(error)
    })
    return {
      database: pool,
      name,
      rows: async () => (await pool.query('SELECT * FROM jwks')).rows,
      close: async () => {
        closing = true
        await pool.end()
        const drop = new pg.Client({ user: 'postgres', database: 'postgres' })
        await drop.connect()
        await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        await drop.end()
        if (unexpected.length) throw unexpected[0]
      },
    }
  },
}

const keyShape = (k) => ({ names: Object.keys(k).sort(), alg: k.alg, crv: k.crv, kty: k.kty, x: k.x?.length, n: k.n?.length })

/**
 * The scenario every database runs with each implementation: sign-up over HTTP, /token,
 * /get-session with set-auth-jwt, /jwks, signJWT/verifyJWT, and the other implementation reading
 * the rows; the normalized result is compared between implementations.
 */
export async function endToEnd(backend, impl, { alg = 'EdDSA', disablePrivateKeyEncryption = false } = {}) {
  const keyPairConfig = alg === 'EdDSA' ? { alg, crv: 'Ed25519' } : { alg }
  const jwtOptions = { jwks: { keyPairConfig, disablePrivateKeyEncryption } }
  const opened = await backend.open()
  try {
    await migrate(impl, opened.database, jwtOptions)
    const { auth } = makeAuth(impl, { database: opened.database, jwt: jwtOptions })
    const { cookie, user } = await signUp(auth)
    const tokenRes = await call(auth, '/token', { headers: { cookie } })
    const { token } = await tokenRes.json()
    const jwks = await (await call(auth, '/jwks')).json()
    const verified = (await jwtVerify(token, createLocalJWKSet(jwks), { issuer: BASE, audience: BASE })).payload
    const session = await call(auth, '/get-session', { headers: { cookie } })
    const headerToken = session.headers.get('set-auth-jwt')
    await jwtVerify(headerToken, createLocalJWKSet(jwks), { issuer: BASE, audience: BASE })
    const { token: signed } = await auth.api.signJWT({ body: { payload: { sub: 'svc', scope: 'x' } } })
    const checked = (await auth.api.verifyJWT({ body: { token: signed } })).payload
    const other = impl === IMPLS.authjwt ? IMPLS['better-auth'] : IMPLS.authjwt
    const otherAuth = makeAuth(other, { database: opened.database, jwt: jwtOptions }).auth
    const { token: crossToken } = await otherAuth.api.signJWT({ body: { payload: { sub: 'cross' } } })
    const crossVerified = (await auth.api.verifyJWT({ body: { token: crossToken } })).payload
    const rows = await opened.rows()
    return {
      tokenStatus: tokenRes.status,
      alg: headerOf(token).alg,
      subIsId: verified.sub === user.id,
      claims: Object.keys(verified).sort(),
      setAuthJwt: headerToken !== null,
      keys: jwks.keys.map(keyShape),
      signedSub: checked?.sub,
      cross: crossVerified?.sub,
      crossKid: headerOf(crossToken).kid === headerOf(token).kid,
      rows: rows.length,
      rowAlg: rows[0].alg,
      sealed: disablePrivateKeyEncryption ? 'plain' : typeof JSON.parse(rows[0].privateKey),
    }
  } finally {
    await opened.close()
  }
}

export { cookiesOf }
