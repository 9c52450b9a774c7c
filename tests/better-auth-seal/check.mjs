// Better Auth opens rows authjwt sealed (`seal_interop seal <file>`): with its own
// symmetricDecrypt (after JSON.parse of the column, as the jwt plugin does), and end to end through
// the jwt plugin's signJWT reading the row from a custom adapter; the token it signs must verify
// under the row's public key.
// Usage: node check.mjs <authjwt-rows.json>
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import { symmetricDecrypt } from "better-auth/crypto";
import { signJWT } from "better-auth/plugins/jwt";
import { importJWK, jwtVerify } from "jose";
import { secretConfig, Tally } from "./common.mjs";

const path = process.argv[2];
if (!path) throw new Error("usage: node check.mjs <authjwt-rows.json>");
const doc = JSON.parse(readFileSync(path, "utf8"));
const ISSUER = "https://issuer.authjwt.test";
const AUDIENCE = "authjwt-interop";
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const t = new Tally();
let rowCount = 0;
for (const group of doc.groups) {
  const key = secretConfig(group.secrets);
  for (const row of group.rows) {
    rowCount++;
    await t.check(`[${group.name}] ${row.id} ${row.alg}: symmetricDecrypt opens it`, async () => {
      const sealed = JSON.parse(row.privateKey);
      assert.equal(typeof sealed, "string", "column is not a JSON string literal");
      assert.match(sealed, /^(\$ba\$\d+\$)?[0-9a-f]+$/);
      const opened = await symmetricDecrypt({ key, data: sealed });
      assert.deepStrictEqual(JSON.parse(opened), JSON.parse(row.expected));
    });
    await t.check(`[${group.name}] ${row.id} ${row.alg}: jwt plugin signs with it`, async () => {
      const stored = { ...row, createdAt: new Date(), expiresAt: null };
      delete stored.expected;
      const options = {
        jwks: { keyPairConfig: { alg: row.alg } },
        adapter: { getJwks: async () => [stored] },
        jwt: { issuer: ISSUER, audience: AUDIENCE },
      };
      const ctx = { context: { secretConfig: key, adapter: null, options: { baseURL: ISSUER }, logger: silent } };
      const token = await signJWT(ctx, { options, payload: { sub: "user-1" }, signingKeyId: row.id });
      const publicKey = await importJWK(JSON.parse(row.publicKey), row.alg);
      const { payload, protectedHeader } = await jwtVerify(token, publicKey, { issuer: ISSUER, audience: AUDIENCE });
      assert.equal(protectedHeader.kid, row.id);
      assert.equal(protectedHeader.alg, row.alg);
      assert.equal(payload.sub, "user-1");
    });
  }
  // The checks above can fail: a wrong secret must not open these rows.
  await t.check(`[${group.name}] a wrong secret does not open its rows`, async () => {
    const wrong = secretConfig(group.secrets.map((s) => ({ ...s, value: `${s.value}-wrong` })));
    for (const row of group.rows) {
      await assert.rejects(symmetricDecrypt({ key: wrong, data: JSON.parse(row.privateKey) }));
    }
  });
}
await t.check("authjwt sealed rows for every key", async () => assert.ok(rowCount >= 20, `${rowCount} rows`));
t.finish();
