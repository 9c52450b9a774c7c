// The packages as npm users get them: `authjwt` (JavaScript only) with an optional dependency on
// the per-platform addon package `@authjwt/authjwt-linux-x64-gnu` (napi-rs' layout, npm/npm/*),
// both packed with `npm pack` and installed into an empty folder, where the loader must find the
// addon in the platform package and sign and verify a token. The addon is also checked to need
// no glibc newer than 2.17 (manylinux2014's baseline).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const pkgDir = fileURLToPath(new URL('../..', import.meta.url))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const mainJson = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))
const platformDir = join(pkgDir, 'npm', 'linux-x64-gnu')
const platformJson = JSON.parse(readFileSync(join(platformDir, 'package.json'), 'utf8'))
const addon = platformJson.main
const GLIBC_BASELINE = '2.17'

/** Compares dotted versions numerically. */
function compareVersions(a, b) {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)]
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0)
  }
  return 0
}

/** `npm pack` of `dir` into `dest`; returns the tarball's path and its file list. */
function pack(dir, dest) {
  const [out] = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', dest], { cwd: dir, encoding: 'utf8' }))
  return { tarball: join(dest, out.filename), files: out.files.map((f) => f.path) }
}

test(`the addon needs no glibc newer than ${GLIBC_BASELINE}`, () => {
  const symbols = execFileSync('objdump', ['-T', join(pkgDir, addon)], { encoding: 'utf8' })
  const versions = [...new Set(symbols.match(/GLIBC_[0-9.]+/g) ?? [])].map((v) => v.slice(6)).sort(compareVersions)
  assert.ok(versions.length > 0, 'objdump found no GLIBC symbol versions')
  const newest = versions.at(-1)
  console.log(`${addon}: newest GLIBC symbol version ${newest} (all: ${versions.join(' ')})`)
  assert.ok(compareVersions(newest, GLIBC_BASELINE) <= 0, `needs GLIBC_${newest}`)
})

test('authjwt and its platform package install from their tarballs into an empty folder', (t) => {
  const work = mkdtempSync(join(tmpdir(), 'authjwt-pack-'))
  t.after(() => rmSync(work, { recursive: true, force: true }))

  // The platform package: its package.json and README from npm/npm/linux-x64-gnu plus the built
  // addon, as `napi artifacts` assembles it for publishing.
  const platformStage = join(work, 'platform')
  cpSync(platformDir, platformStage, { recursive: true })
  cpSync(join(pkgDir, addon), join(platformStage, addon))
  const platform = pack(platformStage, work)
  assert.deepEqual(platform.files.sort(), ['README.md', addon, 'package.json'].sort())

  // The main package: JavaScript, types and the loader only; tests and bench stay out.
  const main = pack(pkgDir, work)
  assert.ok(!main.files.some((f) => f.endsWith('.node')), `a .node in the main package: ${main.files.join(', ')}`)
  for (const f of ['index.js', 'index.mjs', 'index.d.ts', 'native.js', 'lib/issuer.js', 'README.md']) assert.ok(main.files.includes(f), f)
  assert.ok(!main.files.some((f) => f.startsWith('test/') || f.startsWith('bench/')), 'tests and bench stay out')
  // What `napi prepublish` does before `npm publish`: one optional dependency per target package.
  const mainStage = join(work, 'main')
  mkdirSync(mainStage)
  execFileSync('tar', ['-xzf', main.tarball, '-C', mainStage, '--strip-components=1'])
  rmSync(main.tarball)
  const staged = JSON.parse(readFileSync(join(mainStage, 'package.json'), 'utf8'))
  staged.optionalDependencies = { [platformJson.name]: mainJson.version }
  writeFileSync(join(mainStage, 'package.json'), JSON.stringify(staged, null, 2))
  const published = pack(mainStage, work)

  const app = join(work, 'app')
  mkdirSync(app)
  writeFileSync(join(app, 'package.json'), '{"name":"app","private":true}')
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--offline', published.tarball, platform.tarball], { cwd: app, stdio: 'pipe' })
  assert.ok(!readdirSync(join(app, 'node_modules', 'authjwt')).some((f) => f.endsWith('.node')))
  assert.ok(existsSync(join(app, 'node_modules', ...platformJson.name.split('/'), addon)))

  const cjs = execFileSync(process.execPath, ['-e', `
    const { Issuer, decodeJwt } = require('authjwt')
    const from = Object.keys(require.cache).find((p) => p.endsWith('.node'))
    new Issuer({ secret: 'pack-test-secret-0123456789-abcdefghij' }).sign({ sub: 'packed' })
      .then((t) => console.log(decodeJwt(t).sub, from))
  `], { cwd: app, encoding: 'utf8' })
  const [sub, loadedFrom] = cjs.trim().split(' ')
  assert.equal(sub, 'packed')
  assert.ok(loadedFrom.includes(join('node_modules', ...platformJson.name.split('/'))), `addon loaded from ${loadedFrom}`)
  const esm = execFileSync(process.execPath, ['--input-type=module', '-e', `
    import { Issuer, jwtVerify, createLocalJwks } from 'authjwt'
    const issuer = new Issuer({ secret: 'pack-test-secret-0123456789-abcdefghij', keyPairConfig: { alg: 'EdDSA' } })
    const token = await issuer.sign({ sub: 'esm' })
    console.log((await jwtVerify(token, createLocalJwks(await issuer.jwks()))).payload.sub)
  `], { cwd: app, encoding: 'utf8' })
  assert.equal(esm.trim(), 'esm')
})
