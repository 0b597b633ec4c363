/**
 * Starting the arena: the LEADR it talks to (the embedded local server by
 * default, or any LEADR), the worker, the plugin's process-wide service, and
 * the Colyseus server with the page at `/`.
 *
 * @since 0.1.0
 */
import { randomBytes } from "node:crypto"
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { createEndpoint, createRouter, Server } from "@colyseus/core"
import { WebSocketTransport } from "@colyseus/ws-transport"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { type BoardFeed, Leadr } from "@leadr-toolkit/colyseus-plugin"
import { ApiKey, LeadrClient } from "@leadr-toolkit/core"
import { startLocalServer } from "@leadr-toolkit/server"
import { createWorker } from "@leadr-toolkit/worker"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { makeArenaRoom } from "./ArenaRoom.js"
import * as Page from "./Page.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface ArenaOptions {
  /** Game server port; 0 picks a free one. */
  readonly port: number
  /** Where the embedded LEADR keeps its database, the worker its outbox, the arena its keys. */
  readonly dataDir: string
  /** Port of the embedded LEADR server (ignored with `leadrUrl`). 0 picks a free one. */
  readonly leadrPort?: number | undefined
  /** Superadmin key of the embedded LEADR server (generated and kept in `dataDir` otherwise). */
  readonly superadminKey?: string | undefined
  /** Any LEADR instead of the embedded one: all three of url, key and game id. */
  readonly leadr?: { readonly url: string; readonly apiKey: string; readonly gameId: string } | undefined
  /** The board the arena plays on; default: the demo board, or the game's first board. */
  readonly boardId?: string | undefined
  readonly refreshMs: number
  /** How long a run lasts. Default 10 seconds. */
  readonly runMs?: number | undefined
  readonly fingerprintSecret?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface RunningArena {
  readonly port: number
  readonly url: string
  readonly leadrUrl: string
  readonly gameId: string
  readonly boardId: string | undefined
  /** Graceful stop: rooms closed, worker flushed, LEADR stopped. */
  readonly close: () => Promise<void>
}

interface Secrets {
  superadminKey?: string
  apiKey?: string
  fingerprintSecret?: string
}

const readSecrets = async (file: string): Promise<Secrets> => {
  try {
    return JSON.parse(await readFile(file, "utf8")) as Secrets
  } catch {
    return {}
  }
}

const writeSecrets = async (file: string, secrets: Secrets) => {
  await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 })
  await chmod(file, 0o600)
}

/** An API key of the demo account, made with the superadmin key (only the hash stays in LEADR). */
const demoApiKey = (url: string, superadminKey: string, accountId: string) =>
  Effect.gen(function* () {
    const admin = yield* LeadrClient.make({ baseUrl: url, apiKey: Redacted.make(superadminKey) })
    const users = yield* admin.users.list({ urlParams: { account_id: accountId, limit: 1 } })
    const user = users.data[0]
    if (user === undefined) return yield* Effect.dieMessage("the demo account has no user")
    const created = yield* admin.apiKeys.create({
      urlParams: {},
      payload: new ApiKey.ApiKeyCreateRequest({ account_id: accountId, user_id: user.id, name: "arena" }),
    })
    return Redacted.value(created.key)
  }).pipe(Effect.provide(NodeHttpClient.layerUndici), Effect.runPromise)

/**
 * Starts everything; resolves once the game server listens.
 *
 * @since 0.1.0
 * @category constructors
 */
export const startArena = async (options: ArenaOptions): Promise<RunningArena> => {
  await mkdir(options.dataDir, { recursive: true })
  const secretsFile = join(options.dataDir, "arena-secrets.json")
  const secrets = await readSecrets(secretsFile)
  const closers: Array<() => Promise<void>> = []
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined)
  }

  try {
    let url: string
    let apiKey: string
    let gameId: string
    let board: BoardFeed.BoardRef = options.boardId ?? "default"
    if (options.leadr !== undefined) {
      ;({ url, apiKey, gameId } = options.leadr)
    } else {
      const superadminKey =
        options.superadminKey ?? secrets.superadminKey ?? `sa_${randomBytes(24).toString("hex")}`
      const local = await startLocalServer({
        port: options.leadrPort ?? 0,
        db: join(options.dataDir, "leadr.sqlite"),
        superadminKey,
        seedDemo: true,
      })
      closers.push(local.close)
      if (local.demo === undefined) throw new Error("the local LEADR server did not seed its demo")
      url = local.url
      gameId = local.demo.gameId
      if (options.boardId === undefined) board = local.demo.boardId
      if (options.superadminKey === undefined) secrets.superadminKey = superadminKey
      secrets.apiKey ??= await demoApiKey(url, superadminKey, local.demo.accountId)
      apiKey = secrets.apiKey
    }
    secrets.fingerprintSecret ??= options.fingerprintSecret ?? randomBytes(32).toString("hex")
    await writeSecrets(secretsFile, secrets)

    const worker = await createWorker({
      baseUrl: url,
      apiKey,
      filename: join(options.dataDir, "outbox.sqlite"),
    })
    closers.push(worker.close)
    const leadr = await Leadr.create({
      url,
      apiKey: Redacted.make(apiKey),
      gameId,
      fingerprintSecret: Redacted.make(options.fingerprintSecret ?? secrets.fingerprintSecret),
      refreshInterval: options.refreshMs,
      platform: "web",
      worker,
    })
    closers.push(leadr.close)

    const page = await Page.load()
    const server = new Server({
      transport: new WebSocketTransport(),
      greet: false,
      gracefullyShutdown: false,
    })
    server.router = createRouter({
      index: createEndpoint("/", { method: "GET" }, async () => Page.html(page.index)),
      sdk: createEndpoint("/colyseus.js", { method: "GET" }, async () => Page.script(page.sdk)),
    })
    server.define("arena", makeArenaRoom(leadr, board, options.runMs))
    await server.listen(options.port, "0.0.0.0")
    // Rooms first (players get their close), then the plugin's flush, the worker, LEADR.
    closers.push(() => server.gracefullyShutdown(false))
    const address = server.transport.server?.address()
    const port = typeof address === "object" && address !== null ? address.port : options.port

    let closing: Promise<void> | undefined
    return {
      port,
      url: `http://localhost:${port}`,
      leadrUrl: url,
      gameId,
      boardId: typeof board === "string" && board !== "default" ? board : undefined,
      close: () => {
        closing ??= closeAll()
        return closing
      },
    }
  } catch (error) {
    await closeAll()
    throw error
  }
}
