// authjwt loads a native addon: let Next require it at run time instead of bundling it.
import type { NextConfig } from 'next'

const config: NextConfig = {
  serverExternalPackages: ['authjwt'],
}

export default config
