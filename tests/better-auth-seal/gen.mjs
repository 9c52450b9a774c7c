// Better Auth seals private keys; authjwt must open them (`seal_interop open <out>`).
// Rows come from two paths of the real package: the jwt plugin's own `createJwk` (key generation,
// JSON.stringify of symmetricEncrypt's result, exactly what lands in the `jwks` table), and direct
// `symmetricEncrypt` calls on keys whose private JWK we know.
// Usage: node gen.mjs <out.json>
import { writeFileSync } from "node:fs";
import assert from "node:assert/strict";
import { symmetricDecrypt, symmetricEncrypt } from "better-auth/crypto";
import { createJwk } from "better-auth/plugins/jwt";
import { exportJWK, generateKeyPair } from "jose";
import { secretConfig, Tally } from "./common.mjs";

const out = process.argv[2];
if (!out) throw new Error("usage: node gen.mjs <out.json>");

const KEY_CONFIGS = [
  { alg: "EdDSA", crv: "Ed25519" },
  { alg: "ES256" },
  { alg: "ES384" },
  { alg: "ES512" },
  { alg: "RS256", modulusLength: 2048 },
  { alg: "PS256", modulusLength: 2048 },
];
const GROUPS = [
  // `secret` only: bare hex.
  { name: "secret", secrets: [{ version: null, value: "ba-interop-secret-0123456789-abcdefghij" }] },
  // `secrets` with versions: the `$ba$<current>$` envelope.
  {
    name: "secrets-v2-current",
    secrets: [
      { version: "2", value: "ba-interop-secret-v2-klmnopqrstuvwxyz0123" },
      { version: "1", value: "ba-interop-secret-v1-4567890abcdefghijklm" },
    ],
  },
];

const t = new Tally();
const groups = [];
let n = 0;
for (const group of GROUPS) {
  const key = secretConfig(group.secrets);
  const rows = [];
  for (const { alg, ...cfg } of KEY_CONFIGS) {
    // (1) The jwt plugin's createJwk, with a custom adapter capturing the row it writes.
    await t.check(`${group.name} ${alg}: better-auth createJwk seals a row`, async () => {
      let row;
      const options = {
        jwks: { keyPairConfig: { alg, ...cfg } },
        adapter: { createJwk: async (webKey) => (row = { ...webKey, id: `ba-${++n}` }) },
      };
      await createJwk({ context: { secretConfig: key, adapter: null } }, options);
      const sealed = JSON.parse(row.privateKey);
      assert.equal(typeof sealed, "string");
      if (typeof key !== "string") assert.match(sealed, /^\$ba\$2\$[0-9a-f]+$/);
      else assert.match(sealed, /^[0-9a-f]+$/);
      const expected = await symmetricDecrypt({ key, data: sealed });
      rows.push({ id: row.id, alg: row.alg, publicKey: row.publicKey, privateKey: row.privateKey, expected });
    });
    // (2) symmetricEncrypt on a key we exported ourselves, as the plugin does.
    await t.check(`${group.name} ${alg}: symmetricEncrypt of a known private JWK`, async () => {
      const { publicKey, privateKey } = await generateKeyPair(alg, { ...cfg, extractable: true });
      const expected = JSON.stringify(await exportJWK(privateKey));
      const sealed = await symmetricEncrypt({ key, data: expected });
      rows.push({
        id: `ba-${++n}`,
        alg,
        publicKey: JSON.stringify(await exportJWK(publicKey)),
        privateKey: JSON.stringify(sealed),
        expected,
      });
    });
  }
  groups.push({ name: group.name, secrets: group.secrets, rows });
}
// Rotation: rows sealed under v1 while it was current must open once v2 is current.
await t.check("secrets-v1-current: rows for the rotation check", async () => {
  const secrets = [GROUPS[1].secrets[1], GROUPS[1].secrets[0]];
  const key = secretConfig(secrets);
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const expected = JSON.stringify(await exportJWK(privateKey));
  const sealed = await symmetricEncrypt({ key, data: expected });
  assert.match(sealed, /^\$ba\$1\$/);
  groups.push({
    name: "rotated: sealed under v1, opened with [v2, v1]",
    secrets: GROUPS[1].secrets,
    rows: [{ id: `ba-${++n}`, alg: "EdDSA", publicKey: JSON.stringify(await exportJWK(publicKey)), privateKey: JSON.stringify(sealed), expected }],
  });
});

writeFileSync(out, JSON.stringify({ betterAuth: "1.7.24", groups }, null, 2));
console.log(`wrote ${groups.reduce((a, g) => a + g.rows.length, 0)} better-auth rows to ${out}`);
t.finish();
