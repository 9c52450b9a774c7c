// `npm pack` gives a tarball with the built addon; installed into a fresh folder, it signs a token.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const pkgDir = fileURLToPath(new URL('../..', import.meta.url))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

test('the packed tarball installs in an empty folder and works with require and import', (t) => {
  const work = mkdtempSync(join(tmpdir(), 'authjwt-pack-'))
  t.after(() => rmSync(work, { recursive: true, force: true }))
  const out = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: pkgDir, encoding: 'utf8' }))
  const files = out[0].files.map((f) => f.path)
  assert.ok(files.some((f) => /^authjwt\.[\w-]+\.node$/.test(f)), `no .node in ${files.join(', ')}`)
  for (const f of ['index.js', 'index.mjs', 'index.d.ts', 'native.js', 'lib/issuer.js', 'README.md']) assert.ok(files.includes(f), f)
  assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('bench/')), 'tests and bench stay out')
  const app = join(work, 'app')
  execFileSync('mkdir', ['-p', app])
  writeFileSync(join(app, 'package.json'), '{"name":"app","private":true}')
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')))
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--offline', tarball], { cwd: app, stdio: 'pipe' })
  const cjs = execFileSync(process.execPath, ['-e', `
    const { Issuer, decodeJwt } = require('authjwt')
    new Issuer({ secret: 'pack-test-secret-0123456789' }).sign({ sub: 'packed' }).then((t) => console.log(decodeJwt(t).sub))
  `], { cwd: app, encoding: 'utf8' })
  assert.equal(cjs.trim(), 'packed')
  const esm = execFileSync(process.execPath, ['--input-type=module', '-e', `
    import { Issuer, jwtVerify, createLocalJwks } from 'authjwt'
    const issuer = new Issuer({ secret: 'pack-test-secret-0123456789' })
    const token = await issuer.sign({ sub: 'esm' })
    console.log((await jwtVerify(token, createLocalJwks(await issuer.jwks()))).payload.sub)
  `], { cwd: app, encoding: 'utf8' })
  assert.equal(esm.trim(), 'esm')
})
