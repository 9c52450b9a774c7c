// A worker process that speaks the fleet's line protocol on stdout: `{"ready":true}` once its
// key sets are warm, `{"report":...}` at the end; other lines are ignored. Shared by the fleet
// test (tests/fleet/run.mjs) and the rotation fleet benchmark (bench/rotation-fleet.mjs).
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

/**
 * Spawns `command args... <config as JSON>`. `ready` resolves when the worker printed ready (or
 * exited first); `done` resolves with `{ code, report }` when it exits.
 */
export function spawnReportingWorker(command, args, config) {
  const child = spawn(command, [...args, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'inherit'] })
  let report = null
  let onReady
  const ready = new Promise((resolve) => (onReady = resolve))
  createInterface({ input: child.stdout }).on('line', (line) => {
    let message
    try {
      message = JSON.parse(line)
    } catch {
      return
    }
    if (message.ready) onReady()
    if (message.report) report = message
  })
  const done = new Promise((resolve) => child.on('exit', (code) => resolve({ code, report })))
  return { child, ready: Promise.race([ready, done]), done }
}
