-- Better Auth's `jwks` table (PostgreSQL), the one authjwt's stores read and write.
-- A Better Auth server that already has it needs nothing more: point the store at the same table.
CREATE TABLE IF NOT EXISTS jwks (
  id text PRIMARY KEY,
  "publicKey" text NOT NULL,
  "privateKey" text NOT NULL,
  "createdAt" timestamptz NOT NULL,
  "expiresAt" timestamptz,
  alg text,
  crv text
);
