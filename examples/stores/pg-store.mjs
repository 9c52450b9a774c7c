// A key store on Better Auth's `jwks` table in PostgreSQL, for authjwt's `Issuer` (Node, `pg`).
//
//   import pg from 'pg'
//   import { Issuer } from 'authjwt'
//   import { PgKeyStore } from './pg-store.mjs'
//   const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
//   const issuer = new Issuer({ store: new PgKeyStore(pool, { exactlyOne: true, sharedWithBetterAuth: true }),
//     secret: process.env.BETTER_AUTH_SECRET, privateKeyFormat: 'better-auth', rotationInterval: '30d' })
//
// A Better Auth server on the same table opens only rows sealed in its own format with its own
// secret: give the Issuer `privateKeyFormat: 'better-auth'` and Better Auth's secret. A row sealed
// in authjwt's own formats (`authjwt-v2`, the default, or `authjwt-v1`) would make Better Auth's
// /token answer 500, so `createJwk` refuses one (KeyFormatError) instead of storing it:
// - by default, when the table already holds a row in Better Auth's format (its `privateKey` is
//   Better Auth's sealed string or a plain JWK): a Better Auth server writes here;
// - always, with `sharedWithBetterAuth: true` (also on an empty table);
// - never, with `allowMixedFormats: true`, for a table no Better Auth server reads although it
//   holds rows of both formats (authjwt opens every format).
// For a Better Auth server, `jwt()` from `authjwt/better-auth` does all of this by itself.
//
// Copy this file into your project. It takes your `pg.Pool` (anything with `query()` and
// `connect()`), so it has no dependency of its own. The table is in ./schema.sql.
//
// Two ways to create keys when several processes share the table:
// - plain (default): `createJwk` inserts. Each process creates a window's key only when it sees
//   none (and one at a time), so at most ONE KEY PER PROCESS per rotation window.
// - `exactlyOne: true`: `createJwk` takes a transaction-scoped advisory lock, and refuses (throws
//   `KeyExistsError`) when a live key of the same `alg` already covers the new key's window (see
//   LIVE_KEY: the current key, stored before the next one is prepared, does not). authjwt then reads the
//   table again and signs with that key, so EXACTLY ONE key is created per rotation window across
//   all processes. The price: `issuer.rotate()` is refused while a live key exists (let
//   `rotationInterval` rotate, or rotate through a plain store on the same table).

const COLUMNS = 'id, "publicKey", "privateKey", "createdAt", "expiresAt", alg, crv'
const INSERT = `INSERT INTO jwks (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`
// One lock for the whole table: key creation is rare, so there is nothing to gain from finer locks.
const LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('authjwt:jwks', 0))"
// A row of this alg that covers the proposed row's window: live past the middle of its lifetime
// (or at its creation, when it has no expiresAt). A key stored ahead of rotation (rotationLead)
// is not refused because of the current key, which expires before that middle; a second process
// proposing the same window is. Rows without `alg` are not counted: they may be another
// algorithm's, and counting them could block creation for good.
const LIVE_KEY = `SELECT id FROM jwks WHERE alg = $1 AND ("expiresAt" IS NULL OR "expiresAt" > $2) LIMIT 1`
const UPDATE_EXPIRES_AT = 'UPDATE jwks SET "expiresAt" = $2 WHERE id = $1'

/** The instant a live row must outlive to cover the window of `row` (see LIVE_KEY). */
function windowMiddle(row) {
  const created = new Date(row.createdAt).getTime()
  if (row.expiresAt == null) return new Date(created)
  return new Date(created + (new Date(row.expiresAt).getTime() - created) / 2)
}

/** `createJwk` refused a row that a Better Auth server on the same table could not open. */
export class KeyFormatError extends Error {
  /** `reason`: why the table counts as Better Auth's (the option, or the row found in it). */
  constructor(reason) {
    super(
      `refusing to store a private key sealed in authjwt's own format in a jwks table shared with Better Auth (${reason}): ` +
        "Better Auth could not open it and its /token and /get-session would answer 500. Give the Issuer privateKeyFormat: 'better-auth' " +
        "and Better Auth's secret (BETTER_AUTH_SECRET or its secrets), or use jwt() from authjwt/better-auth; " +
        'if no Better Auth server reads this table, pass allowMixedFormats: true to the store.',
    )
    this.name = 'KeyFormatError'
    // Thrown from a store callback, so authjwt reports it as ERR_STORE with this as `cause`.
    this.code = 'ERR_STORE'
  }
}

/** Whether `privateKey` is a column Better Auth opens: its sealed string literal, or a plain JWK. */
function betterAuthCanOpen(privateKey) {
  let value
  try {
    value = JSON.parse(privateKey)
  } catch {
    return false
  }
  return typeof value === 'string' || (value !== null && typeof value === 'object' && typeof value.kty === 'string')
}

// Whether any row is in Better Auth's format: a Better Auth server writes this table. Key creation
// is rare, so reading the column of every row then costs nothing that matters.
const PRIVATE_KEYS = 'SELECT id, "privateKey" FROM jwks'

/** `createJwk` refused a key because another process stored a live one; authjwt adopts that one. */
export class KeyExistsError extends Error {
  constructor(kid) {
    super(`a live signing key (${kid}) was created by another process; not creating another`)
    this.name = 'KeyExistsError'
    this.kid = kid
  }
}

/** Better Auth's `jwt({ adapter })` contract (`getJwks`, `createJwk`) over a `pg.Pool`. */
export class PgKeyStore {
  #pool
  #exactlyOne
  #sharedWithBetterAuth
  #allowMixedFormats

  /**
   * `exactlyOne`: serialize creation with an advisory lock, one key per window (see above).
   * `sharedWithBetterAuth`: a Better Auth server reads this table; refuse rows it cannot open.
   * `allowMixedFormats`: no Better Auth server reads this table; store rows of any format even
   * next to Better Auth-format rows (by default those rows make the store refuse authjwt's).
   */
  constructor(pool, { exactlyOne = false, sharedWithBetterAuth = false, allowMixedFormats = false } = {}) {
    if (sharedWithBetterAuth && allowMixedFormats) {
      throw new TypeError('PgKeyStore: sharedWithBetterAuth and allowMixedFormats contradict each other; pass one')
    }
    this.#pool = pool
    this.#exactlyOne = exactlyOne
    this.#sharedWithBetterAuth = sharedWithBetterAuth
    this.#allowMixedFormats = allowMixedFormats
  }

  /** Every row; `pg` reads `timestamptz` as `Date`, which authjwt takes as is. */
  async getJwks() {
    const { rows } = await this.#pool.query(`SELECT ${COLUMNS} FROM jwks`)
    return rows
  }

  /** Stores `row` as proposed and returns it; with `exactlyOne`, may refuse (KeyExistsError). */
  async createJwk(row) {
    const mustCheckTable = !this.#allowMixedFormats && !betterAuthCanOpen(row.privateKey)
    if (mustCheckTable && this.#sharedWithBetterAuth) throw new KeyFormatError('sharedWithBetterAuth')
    const values = [row.id, row.publicKey, row.privateKey, row.createdAt, row.expiresAt ?? null, row.alg ?? null, row.crv ?? null]
    if (!this.#exactlyOne) {
      if (mustCheckTable) await refuseNextToBetterAuthRows(this.#pool)
      await this.#pool.query(INSERT, values)
      return row
    }
    const client = await this.#pool.connect()
    let broken
    try {
      await client.query('BEGIN')
      await client.query(LOCK)
      if (mustCheckTable) await refuseNextToBetterAuthRows(client)
      // Read after the lock is held: READ COMMITTED gives this statement a snapshot that includes
      // the row of whichever process held the lock before us.
      const live = await client.query(LIVE_KEY, [row.alg ?? null, windowMiddle(row)])
      if (live.rows.length > 0) throw new KeyExistsError(live.rows[0].id)
      await client.query(INSERT, values)
      await client.query('COMMIT')
      return row
    } catch (err) {
      // The transaction (and with it the lock) ends here; a connection that cannot roll back is dropped.
      await client.query('ROLLBACK').catch((e) => {
        broken = e
      })
      throw err
    } finally {
      client.release(broken)
    }
  }

  /** The optional callback: sets `expiresAt` (retiring a rotated-away key, `revoke`). */
  async updateJwk(id, { expiresAt }) {
    const { rowCount } = await this.#pool.query(UPDATE_EXPIRES_AT, [id, expiresAt])
    if (rowCount !== 1) throw new Error(`updateJwk: no row with id ${id}`)
  }
}

/** Throws KeyFormatError when the table holds a row in Better Auth's format. */
async function refuseNextToBetterAuthRows(db) {
  const { rows } = await db.query(PRIVATE_KEYS)
  const found = rows.find((r) => betterAuthCanOpen(r.privateKey))
  if (found) throw new KeyFormatError(`row ${found.id} is in Better Auth's format`)
}
