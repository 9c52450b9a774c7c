// The routes every test app declares, as guard options (no imports: the Next.js test app loads
// this file too). `keys` is `{ base, deadUrl, failingIssuer }`: the key server (fixtures.mjs) and
// an Issuer whose store throws (`failingIssuer()` below, given the Issuer class).
export const ISS = 'https://auth.test'
export const AUD = 'https://api.test'
export const REALM = 'api'
export const RESOURCE_METADATA = 'https://api.test/.well-known/oauth-protected-resource'

/** Each app mounts `GET <path>` with its integration and these options, answering `{ sub }` (null when anonymous). */
export function routeOptions(keys) {
  const verify = { issuer: ISS, audience: AUD, realm: REALM }
  const jwksUrl = `${keys.base}/main/jwks`
  return {
    '/me': { jwksUrl, ...verify },
    '/admin': { jwksUrl, ...verify, requiredScopes: ['admin'] },
    '/optional': { jwksUrl, ...verify, optional: true },
    '/mcp': { jwksUrl, ...verify, resourceMetadata: RESOURCE_METADATA },
    '/down': { jwksUrl: keys.deadUrl, ...verify },
    '/broken': { jwksUrl: `${keys.base}/broken/jwks`, ...verify },
    // An Issuer whose key store fails: a server fault (500), not the client's.
    '/store-down': { keySet: keys.failingIssuer, ...verify },
  }
}

/** Routes of the concurrency check: a key-server path of their own, two routes sharing it. */
export function concurrencyOptions(keys, name) {
  const jwksUrl = `${keys.base}/${name}/jwks`
  return {
    path: `/${name}/jwks`,
    routes: {
      '/c/read': { jwksUrl, issuer: ISS, audience: AUD, requiredScopes: ['read'] },
      '/c/me': { jwksUrl, issuer: ISS, audience: AUD },
    },
  }
}

/** An Issuer whose key store is down (every read throws). */
export function failingIssuer(Issuer) {
  const down = () => {
    throw new Error('the database is down')
  }
  return new Issuer({ disablePrivateKeyEncryption: true, store: { getJwks: down, createJwk: down } })
}
