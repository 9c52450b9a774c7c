// authjwt/next, two ways: (1) the handlers called with next/server's NextRequest, as Next calls
// them; (2) the real thing: `next build` and `next start` on 127.0.0.1 of an App Router app
// (next-app/) with withJwt route handlers and a proxy.js (Next 16's middleware) using jwtMiddleware.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { cpSync, rmSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NextRequest } from 'next/server.js'
import { withJwt, jwtMiddleware } from 'authjwt/next'
import { startKeyServer, routeOptions, concurrencyOptions, statusTable, assertRow } from './fixtures.mjs'

let keys
before(async () => {
  keys = await startKeyServer()
})
after(() => keys.close())

async function answerOf(res) {
  const json = (res.headers.get('content-type') ?? '').startsWith('application/json')
  return { status: res.status, headers: res.headers, body: json ? await res.json() : await res.text() }
}

describe('through next/server', () => {
  const handlerFor = (options) => withJwt((request) => Response.json({ sub: request.auth?.sub ?? null }), options)
  const request = (path, headers) => new NextRequest(`http://127.0.0.1${path}`, { headers })

  test('the status/header table, withJwt', async () => {
    const handlers = Object.fromEntries(Object.entries(routeOptions(keys)).map(([p, o]) => [p, handlerFor(o)]))
    for (const row of statusTable(keys.tokens)) {
      assertRow(row, await answerOf(await handlers[row.path](request(row.path, row.headers), { params: Promise.resolve({}) })), keys.tokens)
    }
  })

  test('jwtMiddleware lets verified requests through (undefined) and answers refusals', async () => {
    const middleware = jwtMiddleware(routeOptions(keys)['/admin'])
    assert.equal(await middleware(request('/x', { authorization: `Bearer ${keys.tokens.scp}` })), undefined)
    const refused = await answerOf(await middleware(request('/x', { authorization: `Bearer ${keys.tokens.valid}` })))
    assert.equal(refused.status, 403)
    assert.match(refused.headers.get('www-authenticate'), /scope="admin"/)
    assert.equal(refused.body.code, 'ERR_INSUFFICIENT_SCOPE')
  })

  test('the context reaches the wrapped handler', async () => {
    const handler = withJwt(async (req, context) => Response.json({ id: (await context.params).id, sub: req.auth.sub }), routeOptions(keys)['/me'])
    const res = await handler(request('/items/7', { authorization: `Bearer ${keys.tokens.valid}` }), { params: Promise.resolve({ id: '7' }) })
    assert.deepEqual(await res.json(), { id: '7', sub: 'user-1' })
  })

  test('200 concurrent requests over two routes: one JWKS fetch', async () => {
    const { path, routes } = concurrencyOptions(keys, 'next-server-concurrency')
    const read = handlerFor(routes['/c/read'])
    const me = handlerFor(routes['/c/me'])
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? read : me)(request('/c', { authorization: `Bearer ${keys.tokens.valid}` }), {})),
    )
    assert.deepEqual(answers.map((a) => a.status), Array(200).fill(200))
    assert.equal(keys.fetches(path), 1)
  })
})

const appDir = fileURLToPath(new URL('./next-app/', import.meta.url))
const nextBin = fileURLToPath(new URL('./node_modules/next/dist/bin/next', import.meta.url))

/**
 * Installs the package into next-app/node_modules/authjwt as a folder, the way the registry
 * installs it. The workspace's `file:` dependency is a link out of node_modules, which Next does
 * not treat as a package (serverExternalPackages would not apply and Turbopack would try to
 * bundle the native addon).
 */
function installPackageCopy() {
  const from = fileURLToPath(new URL('../../npm/', import.meta.url))
  const to = join(appDir, 'node_modules', 'authjwt')
  rmSync(to, { recursive: true, force: true })
  const skip = new Set(['node_modules', 'test', 'bench'])
  cpSync(from, to, { recursive: true, filter: (src) => !skip.has(relative(from, src).split(sep)[0]) })
}

/** Runs `next <args>` in the app; resolves with its output when it exits 0. */
function runNext(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, ...args], { cwd: appDir, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env } })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`next ${args[0]} exited ${code}:\n${out}`))))
  })
}

async function freePort() {
  const server = createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('next start on 127.0.0.1', () => {
  let server
  let url
  let output = ''
  before(async () => {
    installPackageCopy()
    await runNext(['build'])
    const port = await freePort()
    url = `http://127.0.0.1:${port}`
    server = spawn(process.execPath, [nextBin, 'start', '-H', '127.0.0.1', '-p', String(port)], {
      cwd: appDir,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', AUTHJWT_KEYS_BASE: keys.base, AUTHJWT_DEAD_URL: keys.deadUrl },
    })
    server.stdout.on('data', (d) => (output += d))
    server.stderr.on('data', (d) => (output += d))
    // Ready when it answers; bounded: 60 tries, 250 ms apart.
    for (let i = 0; i < 60; i++) {
      if (server.exitCode !== null) throw new Error(`next start exited:\n${output}`)
      const up = await fetch(`${url}/guarded`).then(() => true, () => false)
      if (up) return
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    throw new Error(`next start did not answer:\n${output}`)
  })
  after(() => {
    server?.kill()
  })

  test('the status/header table, withJwt route handlers', async () => {
    for (const row of statusTable(keys.tokens)) {
      assertRow(row, await answerOf(await fetch(url + row.path, { headers: row.headers })), keys.tokens)
    }
  })

  test('proxy.js with jwtMiddleware guards /guarded', async () => {
    const missing = await fetch(`${url}/guarded`)
    assert.equal(missing.status, 401)
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="api"')
    const expired = await fetch(`${url}/guarded`, { headers: { authorization: `Bearer ${keys.tokens.expired}` } })
    assert.equal(expired.status, 401)
    assert.match(expired.headers.get('www-authenticate'), /error="invalid_token", error_description="the token has expired"/)
    const ok = await fetch(`${url}/guarded`, { headers: { authorization: `Bearer ${keys.tokens.valid}` } })
    assert.equal(ok.status, 200)
    assert.deepEqual(await ok.json(), { guarded: true })
  })

  test('200 concurrent requests over two routes: one JWKS fetch', async () => {
    const { path } = concurrencyOptions(keys, 'next-concurrency')
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => fetch(`${url}/c/${i % 2 ? 'read' : 'me'}`, { headers: { authorization: `Bearer ${keys.tokens.valid}` } })),
    )
    assert.deepEqual(answers.map((a) => a.status), Array(200).fill(200))
    assert.equal(keys.fetches(path), 1)
  })
})
