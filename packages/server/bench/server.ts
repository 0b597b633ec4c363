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
 * Then it times score submissions over 16 keep-alive connections, one device
 * per connection, after 500 untimed ones on the same path, and prints
 * submissions/s for: the admin path (`POST /v1/scores`) on a game without
 * anti-cheat, the same on a game with anti-cheat on (every submission meets
 * the velocity rule, so it also writes a flag), and the client path (`GET
 * /v1/client/nonce` then `POST /v1/client/scores`: two requests per
 * submission). The load is generated with `node:http` (an `Agent` with
 * keep-alive), not `fetch`: on a 2-core machine the client shares the CPU
 * with the server, and `fetch` costs about three times as much per request.
 * Figures first; the last line is one JSON object. Runs
 * on Node 22's type stripping against the built `dist/`.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { Agent, request } from "node:http"
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
const concurrency = 16
const submissionsPerRun = 2_000
/** Untimed submissions first: the server's JIT warms up on the same path (the small database's deep-page walk is too short to). */
const warmup = 500

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

/** A game with a board and one device session per concurrent connection. */
const arena = async (url: string, accountId: string, name: string, antiCheat: boolean) => {
  const game = await call(url, "POST", "/v1/games", {
    account_id: accountId,
    name,
    anti_cheat_enabled: antiCheat,
  })
  const board = await call(url, "POST", "/v1/boards", {
    account_id: accountId,
    game_id: game.id,
    name: "Bench Board",
  })
  const devices: Array<{ id: string; token: string }> = []
  for (let i = 0; i < concurrency; i++) {
    const session = await call(url, "POST", "/v1/client/sessions", {
      game_id: game.id,
      client_fingerprint: createHash("sha256").update(`${name} ${i}`).digest("hex"),
    })
    devices.push({ id: String(session.id), token: String(session.access_token) })
  }
  return { gameId: String(game.id), boardId: String(board.id), devices }
}

type Arena = Awaited<ReturnType<typeof arena>>

/**
 * Creates the account, games, boards and devices through the API, then
 * bulk-inserts `size` boards and `size` scores (on the plain game's board) with SQL.
 */
const fill = async (db: string, size: number) => {
  const server = await startLocalServer({ db, superadminKey })
  const account = await call(server.url, "POST", "/v1/accounts", { name: `Bench ${size}` })
  const accountId = String(account.id)
  const plain = await arena(server.url, accountId, "Bench Game", false)
  const guarded = await arena(server.url, accountId, "Guarded Game", true)
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
            boards.push(`brd_bench${i}`, accountId, plain.gameId, `Board ${i}`, `board-${i}`, `C${i}`, at, at)
            scores.push(
              `scr_bench${i}`,
              accountId,
              plain.gameId,
              plain.boardId,
              plain.devices[0]!.id,
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
  return { accountId, plain, guarded }
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

const agent = new Agent({ keepAlive: true, maxSockets: concurrency })

/** One request over the keep-alive agent; the response body as JSON. */
const send = (url: string, method: string, path: string, headers: Record<string, string>, body?: unknown) =>
  new Promise<Json>((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body)
    const req = request(
      `${url}${path}`,
      {
        method,
        agent,
        headers: {
          ...headers,
          ...(text === undefined
            ? {}
            : { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) }),
        },
      },
      (res) => {
        let data = ""
        res.setEncoding("utf8")
        res.on("data", (chunk: string) => {
          data += chunk
        })
        res.on("end", () => {
          if ((res.statusCode ?? 500) >= 300)
            reject(new Error(`${method} ${path}: ${res.statusCode} ${data}`))
          else resolve(JSON.parse(data) as Json)
        })
      },
    )
    req.on("error", reject)
    req.end(text)
  })

type Path = "admin" | "client"

/** `count` submissions, one connection and one device per worker; submissions/s. */
const run = async (url: string, accountId: string, a: Arena, path: Path, count: number) => {
  let next = 0
  const worker = async (device: { id: string; token: string }) => {
    const bearer = { authorization: `Bearer ${device.token}` }
    while (next < count) {
      const i = next++
      if (path === "admin") {
        await send(
          url,
          "POST",
          "/v1/scores",
          { "leadr-api-key": superadminKey },
          {
            account_id: accountId,
            game_id: a.gameId,
            board_id: a.boardId,
            device_id: device.id,
            player_name: `Bench ${i}`,
            value: i,
          },
        )
      } else {
        const nonce = await send(url, "GET", "/v1/client/nonce", bearer)
        await send(
          url,
          "POST",
          "/v1/client/scores",
          { ...bearer, "leadr-client-nonce": String(nonce.nonce_value) },
          { board_id: a.boardId, player_name: `Bench ${i}`, value: i },
        )
      }
    }
  }
  const t0 = performance.now()
  await Promise.all(a.devices.map(worker))
  return count / ((performance.now() - t0) / 1000)
}

/** Submissions/s on one path, after a warm-up on it. */
const submissions = async (url: string, accountId: string, a: Arena, path: Path) => {
  await run(url, accountId, a, path, warmup)
  return run(url, accountId, a, path, submissionsPerRun)
}

const results: Record<string, { boards_ms: number; scores_ms: number }> = {}
const throughput: Record<string, { admin: number; admin_anti_cheat: number; client: number }> = {}
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
      throughput[size] = {
        admin: await submissions(url, ids.accountId, ids.plain, "admin"),
        admin_anti_cheat: await submissions(url, ids.accountId, ids.guarded, "admin"),
        client: await submissions(url, ids.accountId, ids.plain, "client"),
      }
    } finally {
      await stop(child)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
agent.destroy()

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
    `score submissions on the ${size} database (${submissionsPerRun} each, ${concurrency} connections, keep-alive): ` +
      `admin ${t.admin.toFixed(0)}/s, admin with anti-cheat ${t.admin_anti_cheat.toFixed(0)}/s, ` +
      `client (nonce + submit) ${t.client.toFixed(0)}/s`,
  )
}
const rounded = (pick: (t: (typeof throughput)[string]) => number) =>
  Object.fromEntries(sizes.map((size) => [size, Math.round(pick(throughput[size]!))]))
console.log(
  JSON.stringify({
    deep_page_ms: results,
    ratio_100k_over_1k: { boards: Number(ratio.boards.toFixed(3)), scores: Number(ratio.scores.toFixed(3)) },
    target_ratio: 1.5,
    submissions_per_second: rounded((t) => t.admin),
    anti_cheat_submissions_per_second: rounded((t) => t.admin_anti_cheat),
    client_submissions_per_second: rounded((t) => t.client),
  }),
)
