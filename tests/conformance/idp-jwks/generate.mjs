// Writes the identity-provider-shaped JWKS fixtures of this folder: each set is laid out as that
// provider publishes it (member names, order, extra members, neighbouring encryption or legacy
// keys), with fresh keys made here by node:crypto, and tokens signed here by node:crypto (an
// implementation independent of authjwt's core). The private keys are thrown away.
//
//   node tests/conformance/idp-jwks/generate.mjs
//
// Every host's tests (core, Node, Python, Kotlin) read the JSON files written next to this one:
//   { idp, shape, iss, aud, jwks, tokens: [{kid, alg, token}], rejected: [{kid, alg, token, code}],
//     skipped: [{index, kid, reason}] }
// `tokens` must verify (local and remote key sets), `rejected` must fail with `code`, and parsing
// `jwks` must report exactly `skipped` (jwks.key_skipped events).

import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const b64u = (buf) => Buffer.from(buf).toString('base64url');
// Far enough that the fixtures never expire; iat fixed so regeneration is the only change.
const IAT = 1764547200; // 2025-12-01
const EXP = 4102444800; // 2100-01-01

function rsa(bits = 2048) {
  return generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
}
function ec(namedCurve = 'P-256') {
  return generateKeyPairSync('ec', { namedCurve });
}
function okp(type) {
  return generateKeyPairSync(type);
}
function publicMembers(pair) {
  const { d, p, q, dp, dq, qi, ...pub } = pair.privateKey.export({ format: 'jwk' });
  return pub;
}

/** A self-signed certificate for `pair` as `x5c`, `x5t` and `x5t#S256` (openssl makes it). */
function certificate(pair, cn) {
  const dir = mkdtempSync(join(tmpdir(), 'idp-jwks-'));
  try {
    const keyFile = join(dir, 'key.pem');
    writeFileSync(keyFile, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const der = execFileSync('openssl', [
      'req', '-x509', '-new', '-key', keyFile, '-subj', `/CN=${cn}`, '-days', '3650',
      '-outform', 'DER', '-sha256',
    ]);
    return {
      x5c: [der.toString('base64')],
      x5t: b64u(createHash('sha1').update(der).digest()),
      's#': b64u(createHash('sha256').update(der).digest()),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function jwt(alg, kid, pair, claims) {
  const header = b64u(JSON.stringify({ alg, typ: 'JWT', kid }));
  const payload = b64u(JSON.stringify(claims));
  const input = Buffer.from(`${header}.${payload}`);
  let signature;
  if (alg === 'EdDSA') signature = sign(null, input, pair.privateKey);
  else if (alg.startsWith('ES')) {
    const hash = { ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' }[alg];
    signature = sign(hash, input, { key: pair.privateKey, dsaEncoding: 'ieee-p1363' });
  } else if (alg.startsWith('PS')) {
    signature = sign(`sha${alg.slice(2)}`, input, { key: pair.privateKey, padding: 6, saltLength: Number(alg.slice(2)) / 8 });
  } else signature = sign(`sha${alg.slice(2)}`, input, pair.privateKey);
  return `${header}.${payload}.${b64u(signature)}`;
}

const kidOf = (prefix) => `${prefix}${b64u(createHash('sha256').update(String(Math.random())).digest()).slice(0, 16)}`;

/**
 * One fixture: `keys` are [jwk, pair, role] with role 'sign' (tokens must verify), 'reject'
 * (a token signed by it must fail with `code`), or 'skip' (only reported). `skipped` lists the
 * expected reports.
 */
function fixture(name, idp, shape, iss, aud, keys, skipped) {
  const claims = (kid) => ({ iss, aud, sub: `user-of-${kid}`, iat: IAT, exp: EXP });
  const tokens = [];
  const rejected = [];
  for (const [jwk, pair, role, alg, code] of keys) {
    if (role === 'sign') tokens.push({ kid: jwk.kid, alg, token: jwt(alg, jwk.kid, pair, claims(jwk.kid)) });
    if (role === 'reject') rejected.push({ kid: jwk.kid, alg, code, token: jwt(alg, jwk.kid, pair, claims(jwk.kid)) });
  }
  const doc = { idp, shape, iss, aud, jwks: { keys: keys.map(([jwk]) => jwk) }, tokens, rejected, skipped };
  writeFileSync(join(here, `${name}.json`), `${JSON.stringify(doc, null, 2)}\n`);
}

/** Keycloak's member order: kid, kty, alg, use, n, e, x5c, x5t, x5t#S256. */
function keycloakKey(pair, alg, use) {
  const { n, e } = publicMembers(pair);
  const cert = certificate(pair, 'authjwt-realm');
  return { kid: kidOf('kc-'), kty: 'RSA', alg, use, n, e, x5c: cert.x5c, x5t: cert.x5t, 'x5t#S256': cert['s#'] };
}

{
  const sig = rsa();
  const enc = rsa();
  const sigJwk = keycloakKey(sig, 'RS256', 'sig');
  const encJwk = keycloakKey(enc, 'RSA-OAEP', 'enc');
  fixture('keycloak', 'Keycloak', 'realm certs: RS256 "sig" key beside an RSA-OAEP "enc" key, with x5c/x5t/x5t#S256',
    'http://127.0.0.1:8080/realms/authjwt', 'account',
    [[sigJwk, sig, 'sign', 'RS256'], [encJwk, enc, 'reject', 'RS256', 'ERR_JWKS_NO_MATCHING_KEY']],
    [{ index: 1, kid: encJwk.kid, reason: 'use_not_sig' }]);
}

{
  const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const pairs = [rsa(), rsa(), rsa()];
  const keys = pairs.map((pair) => {
    const { n, e } = publicMembers(pair);
    const cert = certificate(pair, 'accounts.accesscontrol.windows.net');
    // Entra: no "alg"; kid equals x5t; cloud_instance_name and issuer members.
    return [{ kty: 'RSA', use: 'sig', kid: cert.x5t, x5t: cert.x5t, n, e, x5c: cert.x5c,
      cloud_instance_name: 'microsoftonline.com', issuer: `https://login.microsoftonline.com/${tenant}/v2.0` }, pair];
  });
  fixture('entra', 'Microsoft Entra ID', 'RSA keys without "alg", kid = x5t, with x5c, cloud_instance_name and issuer members',
    `https://login.microsoftonline.com/${tenant}/v2.0`, '6e74172b-be56-4843-9ff4-e66a39bb12e3',
    keys.map(([jwk, pair]) => [jwk, pair, 'sign', 'RS256']), []);
}

{
  const pairs = [rsa(), rsa()];
  const keys = pairs.map((pair) => {
    const { n, e } = publicMembers(pair);
    const cert = certificate(pair, 'authjwt.us.auth0.com');
    return [{ kty: 'RSA', use: 'sig', n, e, kid: kidOf('a0-'), x5t: cert.x5t, x5c: cert.x5c, alg: 'RS256' }, pair];
  });
  fixture('auth0', 'Auth0', 'RS256 keys with x5c and x5t (current and next signing key)',
    'https://authjwt.us.auth0.com/', 'https://api.example.com',
    keys.map(([jwk, pair]) => [jwk, pair, 'sign', 'RS256']), []);
}

{
  const pairs = [rsa(), rsa()];
  const keys = pairs.map((pair) => {
    const { n, e } = publicMembers(pair);
    return [{ kty: 'RSA', alg: 'RS256', kid: kidOf('okta-'), use: 'sig', e, n }, pair];
  });
  fixture('okta', 'Okta', 'authorization-server keys: kty, alg, kid, use, e, n',
    'https://authjwt.okta.com/oauth2/default', 'api://default',
    keys.map(([jwk, pair]) => [jwk, pair, 'sign', 'RS256']), []);
}

{
  const pairs = [rsa(), rsa()];
  const keys = pairs.map((pair) => {
    const { n, e } = publicMembers(pair);
    return [{ e, kid: b64u(createHash('sha1').update(n).digest()).slice(0, 27), use: 'sig', kty: 'RSA', alg: 'RS256', n }, pair];
  });
  fixture('google', 'Google', 'oauth2/v3/certs: RS256 keys, members in Google\'s order',
    'https://accounts.google.com', '1234567890-authjwt.apps.googleusercontent.com',
    keys.map(([jwk, pair]) => [jwk, pair, 'sign', 'RS256']), []);
}

{
  const pairs = [rsa(), rsa()];
  const keys = pairs.map((pair) => {
    const { n, e } = publicMembers(pair);
    return [{ alg: 'RS256', e, kid: `${b64u(createHash('sha256').update(n).digest()).slice(0, 43)}=`, kty: 'RSA', n, use: 'sig' }, pair];
  });
  fixture('cognito', 'Amazon Cognito', 'user-pool keys: alg, e, kid (base64 with "="), kty, n, use',
    'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AuThJwT01', '3n4b5urk1ft4fl3mg5e62d9ado',
    keys.map(([jwk, pair]) => [jwk, pair, 'sign', 'RS256']), []);
}

{
  const pairs = [rsa(), rsa(), rsa()];
  const keys = pairs.map((pair) => {
    const { n, e } = publicMembers(pair);
    return [{ kty: 'RSA', kid: kidOf('').slice(0, 10), use: 'sig', alg: 'RS256', n, e }, pair];
  });
  fixture('apple', 'Sign in with Apple', 'appleid.apple.com/auth/keys: three RS256 keys',
    'https://appleid.apple.com', 'com.example.authjwt',
    keys.map(([jwk, pair]) => [jwk, pair, 'sign', 'RS256']), []);
}

{
  const current = ec();
  const standby = ec();
  const member = (pair) => {
    const { x, y, crv, kty } = publicMembers(pair);
    // Supabase publishes WebCrypto exports: alg, crv, ext, key_ops, kid, kty, use, x, y.
    return { alg: 'ES256', crv, ext: true, key_ops: ['verify'], kid: randomUUID(), kty, use: 'sig', x, y };
  };
  const a = member(current);
  const b = member(standby);
  fixture('supabase', 'Supabase', 'ES256 keys as WebCrypto exports: key_ops ["verify"] and ext',
    'https://abcdefghijklmnop.supabase.co/auth/v1', 'authenticated',
    [[a, current, 'sign', 'ES256'], [b, standby, 'sign', 'ES256']], []);
}

{
  const ed = okp('ed25519');
  const x25519 = okp('x25519');
  const p256 = ec();
  const wrap = ec();
  const edJwk = { ...publicMembers(ed), kid: 'sig-ed25519', use: 'sig', alg: 'EdDSA' };
  const xJwk = { ...publicMembers(x25519), kid: 'enc-x25519', use: 'enc', alg: 'ECDH-ES' };
  const pJwk = { ...publicMembers(p256), kid: 'enc-p256', use: 'enc', alg: 'ECDH-ES+A256KW' };
  const opsJwk = { ...publicMembers(wrap), kid: 'wrap-p256', key_ops: ['deriveKey', 'deriveBits'] };
  const bareX = { ...publicMembers(okp('x25519')), kid: 'x25519-bare' };
  fixture('mixed', 'Mixed set', 'an Ed25519 "sig" key beside X25519 and P-256 "enc" keys, a P-256 key with key_ops ["deriveKey","deriveBits"], an X25519 key without use or alg',
    'https://auth.example.com', 'https://api.example.com',
    [[xJwk, x25519, 'skip'], [pJwk, p256, 'reject', 'ES256', 'ERR_JWKS_NO_MATCHING_KEY'],
      [edJwk, ed, 'sign', 'EdDSA'], [opsJwk, wrap, 'reject', 'ES256', 'ERR_JWKS_NO_MATCHING_KEY'], [bareX, null, 'skip']],
    [
      { index: 0, kid: 'enc-x25519', reason: 'use_not_sig' },
      { index: 1, kid: 'enc-p256', reason: 'use_not_sig' },
      { index: 3, kid: 'wrap-p256', reason: 'key_ops_without_verify' },
      { index: 4, kid: 'x25519-bare', reason: 'unsupported_key_type' },
    ]);
}

{
  const old = rsa(1024);
  const current = rsa(2048);
  const oldJwk = { kty: 'RSA', kid: 'rsa-1024-retired', use: 'sig', alg: 'RS256', ...publicMembers(old) };
  const newJwk = { kty: 'RSA', kid: 'rsa-2048-current', use: 'sig', alg: 'RS256', ...publicMembers(current) };
  fixture('legacy-rsa', 'Legacy RSA', 'an RSA-1024 key left beside the current RSA-2048 one',
    'https://auth.example.com', 'https://api.example.com',
    [[oldJwk, old, 'reject', 'RS256', 'ERR_JWKS_NO_MATCHING_KEY'], [newJwk, current, 'sign', 'RS256']],
    [{ index: 0, kid: 'rsa-1024-retired', reason: 'weak_key' }]);
}

{
  // A misconfigured server that publishes a private key: that key is never used, loudly reported.
  const leaked = ec();
  const good = ec();
  const leakedJwk = { ...leaked.privateKey.export({ format: 'jwk' }), kid: 'leaked-p256', use: 'sig', alg: 'ES256' };
  const goodJwk = { ...publicMembers(good), kid: 'good-p256', use: 'sig', alg: 'ES256' };
  fixture('leaked-private', 'Leaked private key', 'a P-256 key published with its private "d" beside a public one',
    'https://auth.example.com', 'https://api.example.com',
    [[leakedJwk, leaked, 'reject', 'ES256', 'ERR_JWKS_NO_MATCHING_KEY'], [goodJwk, good, 'sign', 'ES256']],
    [{ index: 0, kid: 'leaked-p256', reason: 'private_key_published' }]);
}

// The list every host iterates, so a missing file is a failure rather than a silent skip.
const names = ['keycloak', 'entra', 'auth0', 'okta', 'google', 'cognito', 'apple', 'supabase', 'mixed', 'legacy-rsa', 'leaked-private'];
writeFileSync(join(here, 'index.json'), `${JSON.stringify(names, null, 2)}\n`);
for (const name of names) JSON.parse(readFileSync(join(here, `${name}.json`), 'utf8'));
