// Next 16's proxy (formerly middleware.ts; Node runtime): guards /guarded with jwtMiddleware.
import { jwtMiddleware } from 'authjwt/next'
import { routeOptions } from '../routes.mjs'
import { keys } from './keys.mjs'

export const proxy = jwtMiddleware(routeOptions(keys)['/me'])

export const config = { matcher: '/guarded' }
