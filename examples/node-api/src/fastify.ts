// The API with Fastify: the authjwt plugin once, `app.authenticate` / `app.requireJwt(...)` as
// route hooks, claims on `request.user`.
import Fastify, { type FastifyInstance } from 'fastify'
import { fileURLToPath } from 'node:url'
import authjwt from 'authjwt/fastify'
import { configFromEnv, port, type ApiConfig } from './config.js'

export async function createApp({ jwksUrl, issuer, audience }: ApiConfig): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(authjwt, { jwksUrl, issuer, audience, realm: 'notes' })
  app.get('/api/me', { onRequest: [app.authenticate] }, async (request) => ({
    sub: request.user?.sub,
    email: request.user?.email,
  }))
  app.post('/api/notes', { onRequest: [app.requireJwt({ requiredScopes: ['notes:write'] })] }, async (request, reply) => {
    return reply.code(201).send({ author: request.user?.sub })
  })
  return app
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const app = await createApp(configFromEnv())
  console.log(`fastify API on ${await app.listen({ port: port(), host: '127.0.0.1' })}`)
}
