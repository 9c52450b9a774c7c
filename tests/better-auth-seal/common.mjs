// Shared by gen.mjs and check.mjs: secret configurations in the shapes Better Auth builds them
// (context/secret-utils: a plain string for `secret`, {keys, currentVersion, legacySecret} for
// `secrets`), and a tiny pass/fail counter that ends with the line the test runner reads.

/** A Better Auth `secretConfig` from the JSON form [{version|null, value}] (current first). */
export function secretConfig(secrets) {
  const versioned = secrets.filter((s) => s.version !== null);
  if (versioned.length === 0) return secrets[0].value;
  const legacy = secrets.find((s) => s.version === null);
  return {
    keys: new Map(versioned.map((s) => [Number(s.version), s.value])),
    currentVersion: Number(versioned[0].version),
    ...(legacy ? { legacySecret: legacy.value } : {}),
  };
}

export class Tally {
  passed = 0;
  failed = 0;
  async check(name, fn) {
    try {
      await fn();
      this.passed++;
      console.log(`ok   ${name}`);
    } catch (e) {
      this.failed++;
      console.log(`FAIL ${name}: ${e?.message ?? e}`);
    }
  }
  finish() {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    process.exitCode = this.failed === 0 && this.passed > 0 ? 0 : 1;
  }
}
