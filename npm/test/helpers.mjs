// Shared test helpers.
import assert from 'node:assert/strict'

export const SECRET = 'test-secret-that-is-long-enough-0123456789'

/** A JS store over an array; counts calls; `mode` picks sync or async answers. */
export function arrayStore({ mode = 'async', rows = [] } = {}) {
  const store = {
    rows,
    gets: 0,
    creates: 0,
    getJwks() {
      store.gets++
      const out = store.rows.map((r) => ({ ...r }))
      return mode === 'async' ? Promise.resolve(out) : out
    },
    createJwk(row) {
      store.creates++
      store.rows.push({ ...row })
      return mode === 'async' ? new Promise((r) => setImmediate(() => r(row))) : row
    },
  }
  return store
}

/** Asserts `promise` rejects with an AuthJwtError of `code`; returns the error. */
export async function rejectsWithCode(promise, code) {
  let error
  try {
    await promise
  } catch (e) {
    error = e
  }
  assert.ok(error, `expected ${code}, but it resolved`)
  assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`)
  return error
}

/** Same for a synchronous call. */
export function throwsWithCode(fn, code) {
  let error
  try {
    fn()
  } catch (e) {
    error = e
  }
  assert.ok(error, `expected ${code}, but it returned`)
  assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`)
  return error
}

/** base64url JSON segment. */
export const b64 = (obj) => Buffer.from(typeof obj === 'string' ? obj : JSON.stringify(obj)).toString('base64url')
