// A key store on Better Auth's `jwks` table in PostgreSQL, for authjwt's `Issuer` (Node, `pg`).
//
//   import pg from 'pg'
//   import { Issuer } from 'authjwt'
//   import { PgKeyStore } from './pg-store.mjs'
//   const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
//   const issuer = new Issuer({ store: new PgKeyStore(pool, { exactlyOne: true }), secret, rotationInterval: '30d' })
//
// Copy this file into your project. It takes your `pg.Pool` (anything with `query()` and
// `connect()`), so it has no dependency of its own. The table is in ./schema.sql.
//
// Two ways to create keys when several processes share the table:
// - plain (default): `createJwk` inserts. Each process creates a key only when it sees no live key
//   (and one at a time), so at most ONE KEY PER PROCESS per rotation window.
// - `exactlyOne: true`: `createJwk` takes a transaction-scoped advisory lock, and refuses (throws
//   `KeyExistsError`) when a live key of the same `alg` is already stored. authjwt then reads the
//   table again and signs with that key, so EXACTLY ONE key is created per rotation window across
//   all processes. The price: `issuer.rotate()` is refused while a live key exists (let
//   `rotationInterval` rotate, or rotate through a plain store on the same table).

const COLUMNS = 'id, "publicKey", "privateKey", "createdAt", "expiresAt", alg, crv'
const INSERT = `INSERT INTO jwks (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`
// One lock for the whole table: key creation is rare, so there is nothing to gain from finer locks.
const LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('authjwt:jwks', 0))"
// A row of this alg that signs at the proposed row's creation time (rows without `alg` are not
// counted: they may be another algorithm's, and counting them could block creation for good).
const LIVE_KEY = `SELECT id FROM jwks WHERE alg = $1 AND ("expiresAt" IS NULL OR "expiresAt" > $2) LIMIT 1`

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

  /** `exactlyOne`: serialize creation with an advisory lock, one key per window (see above). */
  constructor(pool, { exactlyOne = false } = {}) {
    this.#pool = pool
    this.#exactlyOne = exactlyOne
  }

  /** Every row; `pg` reads `timestamptz` as `Date`, which authjwt takes as is. */
  async getJwks() {
    const { rows } = await this.#pool.query(`SELECT ${COLUMNS} FROM jwks`)
    return rows
  }

  /** Stores `row` as proposed and returns it; with `exactlyOne`, may refuse (KeyExistsError). */
  async createJwk(row) {
    const values = [row.id, row.publicKey, row.privateKey, row.createdAt, row.expiresAt ?? null, row.alg ?? null, row.crv ?? null]
    if (!this.#exactlyOne) {
      await this.#pool.query(INSERT, values)
      return row
    }
    const client = await this.#pool.connect()
    let broken
    try {
      await client.query('BEGIN')
      await client.query(LOCK)
      // Read after the lock is held: READ COMMITTED gives this statement a snapshot that includes
      // the row of whichever process held the lock before us.
      const live = await client.query(LIVE_KEY, [row.alg ?? null, row.createdAt])
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
}
