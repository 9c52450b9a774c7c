// Dynamic imports of the benchmark's peer packages, resolved from npm/bench/node_modules, for
// programs outside this folder (bench/cold-start.mjs times the import itself).
export const importJose = () => import('jose')
export async function importBetterAuth() {
  const [{ betterAuth }, { memoryAdapter }, { jwt }] = await Promise.all([
    import('better-auth'),
    import('better-auth/adapters/memory'),
    import('better-auth/plugins'),
  ])
  return { betterAuth, memoryAdapter, jwt }
}
