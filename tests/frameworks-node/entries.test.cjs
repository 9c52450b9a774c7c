// Each subpath loads through `require` and through `import`, and both give the same objects.
const { test } = require('node:test')
const assert = require('node:assert/strict')

test('authjwt/express, /fastify, /hono, /next: CommonJS and ESM entries are the same objects', async () => {
  const express = require('authjwt/express')
  const esmExpress = await import('authjwt/express')
  assert.equal(esmExpress.requireJwt, express.requireJwt)
  assert.equal(esmExpress.jwtErrorHandler, express.jwtErrorHandler)
  assert.equal(express.jwtErrorHandler.length, 4, 'Express recognises error handlers by their four parameters')

  const fastify = require('authjwt/fastify')
  const esmFastify = await import('authjwt/fastify')
  assert.equal(typeof fastify, 'function')
  assert.equal(esmFastify.default, fastify)
  assert.equal(esmFastify.authjwt, fastify)
  assert.equal(fastify[Symbol.for('skip-override')], true)

  assert.equal((await import('authjwt/hono')).jwt, require('authjwt/hono').jwt)
  const next = require('authjwt/next')
  const esmNext = await import('authjwt/next')
  assert.equal(esmNext.withJwt, next.withJwt)
  assert.equal(esmNext.jwtMiddleware, next.jwtMiddleware)
})
