// A key store backed by one JSON file: Better Auth's `jwks` table as an array of rows.
// Writes go to a temporary file renamed over the old one, so a crash never leaves half a file.
import { readFile, writeFile, rename, mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'

export class FileStore {
  #path
  #queue = Promise.resolve()

  constructor(path) {
    this.#path = path
  }

  async getJwks() {
    try {
      return JSON.parse(await readFile(this.#path, 'utf8'))
    } catch (err) {
      if (err.code === 'ENOENT') return []
      throw err
    }
  }

  // Serialized so two concurrent creates cannot overwrite each other's row.
  createJwk(row) {
    const run = this.#queue.then(async () => {
      const rows = await this.getJwks()
      rows.push(row)
      await mkdir(dirname(this.#path), { recursive: true })
      const tmp = `${this.#path}.${process.pid}.tmp`
      await writeFile(tmp, JSON.stringify(rows, null, 2), { mode: 0o600 })
      await rename(tmp, this.#path)
      return row
    })
    this.#queue = run.catch(() => {})
    return run
  }
}
