/**
 * Benchmark of the local server (a script, not a test):
 *
 *     npm run bench:server
 *
 * For 1k and 100k rows it fills a database (boards and scores of one account,
 * inserted directly with SQL), starts the server in a child process on that
 * file, walks to the middle of the list with `next_cursor`, and times fetching
 * that deep page (median of repeated fetches) for boards and for scores. The
 * ratio 100k / 1k shows whether keyset pagination stays flat (target ≤ 1.5).
 * Then it times score submissions (admin `POST /v1/scores`) over keep-alive
 * connections and prints requests/s. Figures first; the last line is one JSON
 * object. Runs on Node 22's type stripping against the built `dist/`.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { Migrations, startLocalServer } from "@leadr-toolkit/server"
import { Sqlite } from "@leadr-toolkit/sqlite"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"

const root = join(import.meta.dirname, "..", "..", "..")
const superadminKey = "ldr_bench_superadmin_key_000000000000"
const sizes = [1_000, 100_000]
const samples = 40

type Json = Record<string, unknown>

const call = async (url: string, method: string, path: string, body?: unknown): Promise<Json> => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { "leadr-api-key": superadminKey, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const json = (await response.json()) as Json
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`)
  return json
}

/** Starts the server in its own process, so client and server do not share an event loop. */
const serve = (db: string): Promise<{ url: string; child: ChildProcess }> =>
  new Promise((resolve, reject) => {
    const script = `
      const { startLocalServer } = await import("@leadr-toolkit/server")
      const s = await startLocalServer({ db: ${JSON.stringify(db)}, superadminKey: ${JSON.stringify(superadminKey)},
        antiCheat: { rateLimitPerHour: 1e9 } })
      console.log(s.url)
      process.on("SIGTERM", () => s.close().then(() => process.exit(0)))`
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: root })
    child.stdout!.once("data", (chunk: Buffer) => resolve({ url: chunk.toString().trim(), child }))
    child.stderr!.on("data", (chunk: Buffer) => process.stderr.write(chunk))
    child.once("exit", (code) => reject(new Error(`server exited ${code}`)))
  })

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.removeAllListeners("exit")
    child.once("exit", () => resolve())
    child.kill("SIGTERM")
  })

/** Creates the account, game, board and devices through the API, then bulk-inserts rows with SQL. */
const fill = async (db: string, size: number) => {
  const server = await startLocalServer({ db, superadminKey })
  const account = await call(server.url, "POST", "/v1/accounts", { name: `Bench ${size}` })
  const game = await call(server.url, "POST", "/v1/games", {
    account_id: account.id,
    name: "Bench Game",
    anti_cheat_enabled: false,
  })
  const board = await call(server.url, "POST", "/v1/boards", {
    account_id: account.id,
    game_id: game.id,
    name: "Bench Board",
  })
  const device = await call(server.url, "POST", "/v1/client/sessions", {
    game_id: game.id,
    client_fingerprint: "0".repeat(64),
  })
  await server.close()

  const scope = Effect.runSync(Scope.make())
  const sqlite = await Effect.runPromise(
    Scope.extend(Sqlite.make({ filename: db, migrations: Migrations.migrations }), scope),
  )
  const base = Date.parse("2024-01-01T00:00:00.000Z")
  const batch = 500
  await Effect.runPromise(
    sqlite.transaction(
      Effect.gen(function* () {
        for (let start = 0; start < size; start += batch) {
          const n = Math.min(batch, size - start)
          const boards: Array<string | number> = []
          const scores: Array<string | number> = []
          for (let i = start; i < start + n; i++) {
            const at = new Date(base + i * 1000).toISOString()
            boards.push(
              `brd_bench${i}`,
              String(account.id),
              String(game.id),
              `Board ${i}`,
              `board-${i}`,
              `C${i}`,
              at,
              at,
            )
            scores.push(
              `scr_bench${i}`,
              String(account.id),
              String(game.id),
              String(board.id),
              String(device.id),
              `P${i}`,
              (i * 7919) % 100_003,
              at,
              at,
            )
          }
          yield* sqlite.run(
            `INSERT INTO boards (id, account_id, game_id, name, slug, short_code, is_active, is_published, sort_direction,
               keep_strategy, created_at, updated_at) VALUES ${Array(n).fill("(?, ?, ?, ?, ?, ?, 1, 1, 'DESCENDING', 'ALL', ?, ?)").join(", ")}`,
            boards,
          )
          yield* sqlite.run(
            `INSERT INTO scores (id, account_id, game_id, board_id, device_id, player_name, value, created_at, updated_at)
             VALUES ${Array(n).fill("(?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
            scores,
          )
        }
      }),
    ),
  )
  await Effect.runPromise(sqlite.exec("ANALYZE"))
  await Effect.runPromise(Scope.close(scope, Exit.void))
  return {
    accountId: String(account.id),
    gameId: String(game.id),
    boardId: String(board.id),
    deviceId: String(device.id),
  }
}

const median = (xs: Array<number>) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/** Follows next_cursor (pages of 100) to the middle of the list, then times fetching that page. */
const deepPage = async (url: string, path: string, size: number) => {
  const separator = path.includes("?") ? "&" : "?"
  let cursor: string | undefined
  for (let seen = 0; seen < size / 2; seen += 100) {
    const page = await call(
      url,
      "GET",
      `${path}${separator}limit=100${cursor === undefined ? "" : `&cursor=${cursor}`}`,
    )
    cursor = encodeURIComponent(String((page.pagination as Json).next_cursor))
  }
  const target = `${path}${separator}limit=100&cursor=${cursor}`
  for (let i = 0; i < 20; i++) await call(url, "GET", target)
  const times: Array<number> = []
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now()
    await call(url, "GET", target)
    times.push(performance.now() - t0)
  }
  return median(times)
}

/** Score submissions through the admin API, `concurrency` at a time over keep-alive connections. */
const submissions = async (
  url: string,
  ids: { accountId: string; gameId: string; boardId: string; deviceId: string },
) => {
  const total = 1_000
  const concurrency = 16
  let next = 0
  const worker = async () => {
    while (next < total) {
      const i = next++
      await call(url, "POST", "/v1/scores", {
        account_id: ids.accountId,
        game_id: ids.gameId,
        board_id: ids.boardId,
        device_id: ids.deviceId,
        player_name: `Bench ${i}`,
        value: i,
      })
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { total, concurrency, perSecond: total / ((performance.now() - t0) / 1000) }
}

const results: Record<string, { boards_ms: number; scores_ms: number }> = {}
const throughput: Record<string, { total: number; concurrency: number; perSecond: number }> = {}
for (const size of sizes) {
  const dir = mkdtempSync(join(tmpdir(), "leadr-bench-"))
  try {
    const db = join(dir, "leadr.sqlite")
    const t0 = performance.now()
    const ids = await fill(db, size)
    console.log(
      `filled ${size} boards and ${size} scores in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    )
    const { url, child } = await serve(db)
    try {
      const boards = await deepPage(url, `/v1/boards?account_id=${ids.accountId}`, size)
      const scores = await deepPage(url, `/v1/scores?account_id=${ids.accountId}`, size)
      results[size] = { boards_ms: boards, scores_ms: scores }
      console.log(
        `${size}: deep page (row ${size / 2}, 100 rows) boards ${boards.toFixed(2)} ms, scores ${scores.toFixed(2)} ms`,
      )
      throughput[size] = await submissions(url, ids)
    } finally {
      await stop(child)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const small = results[sizes[0]!]!
const large = results[sizes[1]!]!
const ratio = {
  boards: large.boards_ms / small.boards_ms,
  scores: large.scores_ms / small.scores_ms,
}
console.log(
  `ratio 100k/1k: boards ${ratio.boards.toFixed(2)}x, scores ${ratio.scores.toFixed(2)}x (target <= 1.5x)`,
)
for (const size of sizes) {
  const t = throughput[size]!
  console.log(
    `score submission on the ${size} database: ${t.perSecond.toFixed(0)} requests/s (${t.total} requests, ${t.concurrency} concurrent, keep-alive)`,
  )
}
console.log(
  JSON.stringify({
    deep_page_ms: results,
    ratio_100k_over_1k: { boards: Number(ratio.boards.toFixed(3)), scores: Number(ratio.scores.toFixed(3)) },
    target_ratio: 1.5,
    submissions_per_second: Object.fromEntries(
      sizes.map((size) => [size, Math.round(throughput[size]!.perSecond)]),
    ),
  }),
)
