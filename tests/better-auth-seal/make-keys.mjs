// One-off: writes keys.json, the fixed private JWKs the Rust side seals (`seal_interop seal`).
// Test keys only; regenerate with `node make-keys.mjs > keys.json`.
import { exportJWK, generateKeyPair } from "jose";

const configs = [
  { alg: "EdDSA", crv: "Ed25519" },
  { alg: "ES256" },
  { alg: "ES384" },
  { alg: "ES512" },
  { alg: "RS256", modulusLength: 2048 },
  { alg: "PS256", modulusLength: 2048 },
];
const keys = [];
for (const { alg, ...cfg } of configs) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { ...cfg, extractable: true });
  keys.push({
    alg,
    publicKey: JSON.stringify(await exportJWK(publicKey)),
    privateKey: JSON.stringify(await exportJWK(privateKey)),
  });
}
console.log(JSON.stringify({ keys }, null, 2));
