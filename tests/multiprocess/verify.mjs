// Node verifier: checks every token of the given files against the PUBLISHED JWKS of its group
// (createRemoteJwks over HTTP), at its `iat` and one second before its `exp`, so a token counts
// as verified when it verifies over its whole life, even if it has expired since.
//
//   node verify.mjs '{"files":[{"file":..., "jwksUrl":...}], "issuer":..., "audience":...}'
// stdout: one JSON line {"checked", "verified", "failed", "errors": {code: count}}.
import { createRemoteJwks, decodeJwt } from '../../npm/index.mjs'
import { completeTokens } from './checks.mjs'

const cfg = JSON.parse(process.argv[2])

const sets = new Map()
let checked = 0
let verified = 0
let failed = 0
const errors = {}
for (const { file, jwksUrl } of cfg.files) {
  if (!sets.has(jwksUrl)) sets.set(jwksUrl, createRemoteJwks(jwksUrl))
  const jwks = sets.get(jwksUrl)
  for (const token of completeTokens(file)) {
    checked += 1
    try {
      // Only the times are read unverified, to choose "now"; the verification below checks all.
      const { iat, exp } = decodeJwt(token)
      for (const currentDate of [iat, exp - 1]) {
        await jwks.verify(token, { issuer: cfg.issuer, audience: cfg.audience, currentDate })
      }
      verified += 1
    } catch (err) {
      failed += 1
      const code = err?.code ?? String(err)
      errors[code] = (errors[code] ?? 0) + 1
    }
  }
}
process.stdout.write(JSON.stringify({ checked, verified, failed, errors }) + '\n')
