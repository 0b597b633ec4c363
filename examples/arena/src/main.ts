/**
 * `npm start`: the arena on its embedded defaults, configured by environment.
 *
 * - `PORT` (default 2567): the game server.
 * - `LEADR_PORT` (default 8000): the embedded LEADR server.
 * - `LEADR_SUPERADMIN_API_KEY`: passed through to the embedded server.
 * - `LEADR_URL` + `LEADR_API_KEY` + `LEADR_GAME_ID`: use that LEADR instead (all three).
 * - `LEADR_BOARD_ID`: the board to play on (default: the demo board, or the game's first board).
 * - `LEADR_REFRESH_MS` (default 5000): how often boards and device statuses refresh.
 * - `LEADR_FINGERPRINT_SECRET`: the device fingerprint secret (generated and kept in the data folder otherwise).
 * - `DATA_DIR` (default `data`): databases, outbox and generated keys.
 * - `ARENA_RUN_MS` (default 10000): how long a run of the click race lasts.
 *
 * @since 0.1.0
 */
import { startArena } from "./Arena.js"

const env = process.env
const integer = (name: string, fallback: number): number => {
  const raw = env[name]
  if (raw === undefined || raw === "") return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`)
  return value
}

const external = [env.LEADR_URL, env.LEADR_API_KEY, env.LEADR_GAME_ID]
if (external.some((v) => v) && !external.every((v) => v)) {
  throw new Error("LEADR_URL, LEADR_API_KEY and LEADR_GAME_ID go together")
}

const arena = await startArena({
  port: integer("PORT", 2567),
  dataDir: env.DATA_DIR || "data",
  leadrPort: integer("LEADR_PORT", 8000),
  superadminKey: env.LEADR_SUPERADMIN_API_KEY || undefined,
  leadr:
    env.LEADR_URL && env.LEADR_API_KEY && env.LEADR_GAME_ID
      ? { url: env.LEADR_URL, apiKey: env.LEADR_API_KEY, gameId: env.LEADR_GAME_ID }
      : undefined,
  boardId: env.LEADR_BOARD_ID || undefined,
  refreshMs: integer("LEADR_REFRESH_MS", 5000) || 5000,
  runMs: integer("ARENA_RUN_MS", 10_000) || 10_000,
  fingerprintSecret: env.LEADR_FINGERPRINT_SECRET || undefined,
})

console.log(`game server listening on http://localhost:${arena.port}`)
console.log(
  `LEADR: ${arena.leadrUrl} (game ${arena.gameId}${arena.boardId ? `, board ${arena.boardId}` : ""})`,
)

let stopping = false
const stop = (signal: string) => {
  if (stopping) return
  stopping = true
  console.log(`${signal}: closing rooms, flushing scores to LEADR...`)
  arena.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.on("SIGINT", () => stop("SIGINT"))
process.on("SIGTERM", () => stop("SIGTERM"))
