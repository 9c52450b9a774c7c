// The pass criteria that need more than a comparison: token files, snapshots, keys per window,
// and the validity of every stored row.
import { readFileSync } from 'node:fs'
import { Issuer, MemoryStore, createLocalJwks } from '../../npm/index.mjs'

/** The complete lines of a token file (a SIGKILLed writer may leave a partial last line). */
export function completeTokens(file) {
  const lines = readFileSync(file, 'utf8').split('\n')
  lines.pop() // the text after the last newline: empty, or a partial token
  return lines
}

/** Every column of every row as PostgreSQL prints it, keyed by id (for byte-exact comparison). */
export async function snapshot(pool) {
  const { rows } = await pool.query(
    `SELECT id, "publicKey", "privateKey", "createdAt"::text AS created, "expiresAt"::text AS expires, alg, crv
     FROM jwks`,
  )
  return new Map(rows.map((r) => [r.id, JSON.stringify(r)]))
}

/**
 * Rows of an earlier snapshot missing from, or different in, the next one. Checking each snapshot
 * against the next covers every pair, since equality is transitive.
 */
export function lostOrRewritten(snapshots) {
  const bad = []
  for (let i = 1; i < snapshots.length; i++) {
    for (const [id, columns] of snapshots[i - 1]) {
      const later = snapshots[i].get(id)
      if (later === undefined) bad.push(`${id} lost after snapshot ${i - 1}`)
      else if (later !== columns) bad.push(`${id} rewritten after snapshot ${i - 1}`)
    }
  }
  return bad
}

/**
 * Keys created per rotation window, as a list of counts (one per window).
 *
 * How rows are grouped: by the end of the window each was made for, its `expiresAt` (a row without
 * one counts as created for the window ending one interval after its creation). The next key is
 * stored `rotationLead` before the current one expires and expires one interval after that
 * switch, so `createdAt` would mix two windows; every process computes the same `expiresAt` for
 * the key of a window. Sorted by it, a window opens with the first row whose end is at least one
 * interval after the opening row's end; every other row of that window is a duplicate made by a
 * process that had not seen the opening row yet.
 *
 * Bounds this measures:
 * - plain store: a process creates a window's key only when it sees none (and one at a time), so
 *   at most one per window per process, i.e. count <= number of processes.
 * - advisory-lock store: a row is refused when a live row covers its window, so every window
 *   holds exactly one row.
 */
export function keysPerWindow(rows, rotationIntervalMs) {
  const ends = rows
    .map((r) => (r.expiresAt == null ? new Date(r.createdAt).getTime() + rotationIntervalMs : new Date(r.expiresAt).getTime()))
    .sort((a, b) => a - b)
  const counts = []
  let opened = -Infinity
  for (const t of ends) {
    if (t >= opened + rotationIntervalMs) {
      opened = t
      counts.push(0)
    }
    counts[counts.length - 1] += 1
  }
  return counts
}

/**
 * Problems with stored rows, after a SIGKILL: each row must parse, its private key must open with
 * the secret and match its public key, and it must be published. An Issuer over an in-memory copy
 * of the rows (expiry lifted, so even expired keys may be pinned) signs one token with each row
 * (`signingKeyId`); opening checks the seal (its AAD is the public key's thumbprint) and that the
 * private key derives the row's public key; the token must then verify against the published JWKS.
 */
export async function invalidRows(rows, { secret, publishedJwks, issuer, audience }) {
  const copy = rows.map(({ expiresAt, ...row }) => row)
  const checker = new Issuer({ store: new MemoryStore(copy), secret, issuer, audience })
  const published = createLocalJwks(publishedJwks)
  const kids = new Set(publishedJwks.keys.map((k) => k.kid))
  const bad = []
  for (const row of rows) {
    try {
      if (!kids.has(row.id)) throw new Error('not in the published JWKS')
      const token = await checker.sign({ check: row.id }, { signingKeyId: row.id })
      const { protectedHeader } = published.verifySync(token, { issuer, audience })
      if (protectedHeader.kid !== row.id) throw new Error(`signed with ${protectedHeader.kid}`)
    } catch (err) {
      bad.push(`${row.id}: ${err?.code ?? ''} ${err?.message ?? err}`)
    }
  }
  return bad
}
