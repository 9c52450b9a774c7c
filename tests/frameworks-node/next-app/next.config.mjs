// The test app's Next.js config. authjwt loads a native addon: Next must require it at run time
// instead of bundling it (serverExternalPackages), as every app using authjwt/next does.
import { fileURLToPath } from 'node:url'

export default {
  serverExternalPackages: ['authjwt'],
  // next and react are in the test workspace's node_modules, the folder above.
  turbopack: { root: fileURLToPath(new URL('..', import.meta.url)) },
}
