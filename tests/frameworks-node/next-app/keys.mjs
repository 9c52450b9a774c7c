// The key server the test started (read at run time; `next build` sees placeholders), and an
// Issuer whose store fails.
import { Issuer } from 'authjwt'
import { failingIssuer } from '../routes.mjs'

export const keys = {
  base: process.env.AUTHJWT_KEYS_BASE ?? 'http://127.0.0.1:9',
  deadUrl: process.env.AUTHJWT_DEAD_URL ?? 'http://127.0.0.1:9/jwks',
  failingIssuer: failingIssuer(Issuer),
}
