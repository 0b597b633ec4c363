/**
 * `npm run bench:plugin`: what the plugin costs a join, and what board
 * sharing saves.
 *
 * 1. Joins: 200 returning devices join at once (every install id registered
 *    beforehand, so the plugin answers from its cache), into rooms with the
 *    plugin and into the same rooms without it, alternating rounds. Reported:
 *    the time the plugin's hooks take per join (p50/p99), the client-observed
 *    join latency with and without the plugin, and their ratio.
 * 2. Boards: R = 50 rooms show one board for 10 refresh intervals; the score
 *    reads reaching LEADR are counted (the naive design makes R per interval).
 *
 * The last line is one JSON object.
 */
import { mkdtemp, rm } from "node:fs/promises"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { type AuthContext, type Client, definePlugins, matchMaker, Room, Server } from "@colyseus/core"
import { schema } from "@colyseus/schema"
import { Client as SdkClient, type Room as SdkRoom } from "@colyseus/sdk"
import { WebSocketTransport } from "@colyseus/ws-transport"
import { BoardState, Leadr, LeadrPlugin } from "@leadr-toolkit/colyseus-plugin"
import { createWorker } from "@leadr-toolkit/worker"
import * as Redacted from "effect/Redacted"
import { startCountingProxy } from "../test/support/CountingProxy.ts"
import { startTestLeadr } from "../test/support/Leadr.ts"

const JOINS = 200
const ROUNDS = 6
const ROOMS = 50
const INTERVALS = 10
const REFRESH_MS = 200

const percentile = (samples: ReadonlyArray<number>, p: number): number => {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}
const round3 = (n: number) => Math.round(n * 1000) / 1000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const leadr = await startTestLeadr()
const proxy = await startCountingProxy(leadr.url)
const dir = await mkdtemp(join(tmpdir(), "bench-plugin-"))
const worker = await createWorker({
  baseUrl: leadr.url,
  apiKey: leadr.apiKey,
  filename: join(dir, "outbox.sqlite"),
})
const common = {
  url: proxy.url,
  apiKey: Redacted.make(leadr.apiKey),
  gameId: leadr.gameId,
  fingerprintSecret: Redacted.make("bench-fingerprint-secret-0123456789abcdef"),
  worker,
}
const joinService = await Leadr.create({ ...common, refreshInterval: 60_000 })
const boardService = await Leadr.create({ ...common, refreshInterval: REFRESH_MS })

const State = schema({ leaderboard: BoardState.BoardDisplay }, "BenchState")
const hookSamples: Array<number> = []
const pending = new Map<string, number>()

/** The plugin, timed: what its onAuth and onJoin add to each join. */
class TimedPlugin extends LeadrPlugin.LeadrPlugin {
  protected override async onAuth(client: Client, options: unknown, context: AuthContext): Promise<void> {
    const start = performance.now()
    await super.onAuth(client, options, context)
    pending.set(client.sessionId, performance.now() - start)
  }
  protected override async onJoin(client: Client, options?: unknown): Promise<void> {
    const start = performance.now()
    await super.onJoin(client, options)
    hookSamples.push((pending.get(client.sessionId) ?? 0) + performance.now() - start)
    pending.delete(client.sessionId)
  }
}

class PlainRoom extends Room {
  override maxClients = 50
  override state = new State()
}
class LeadrRoom extends Room {
  override maxClients = 50
  override state = new State()
  override plugins = definePlugins([new TimedPlugin(joinService)])
}
class BoardRoom extends Room {
  override autoDispose = false
  override state = new State()
  override plugins = definePlugins([new LeadrPlugin.LeadrPlugin(boardService)])
  override onCreate(): void {
    this.state.leaderboard = this.plugins.leadr.display(leadr.boardId)
  }
}

const server = new Server({ transport: new WebSocketTransport(), greet: false, gracefullyShutdown: false })
server.define("plain", PlainRoom)
server.define("leadr", LeadrRoom)
server.define("board", BoardRoom)
await server.listen(0, "127.0.0.1")
const { port } = server.transport.server!.address() as AddressInfo
const sdk = new SdkClient(`http://127.0.0.1:${port}`)
const installIds = Array.from({ length: JOINS }, (_, i) => `bench-install-${i}`)

const joinAll = async (room: string): Promise<Array<number>> => {
  const latencies: Array<number> = []
  const rooms: Array<SdkRoom> = await Promise.all(
    installIds.map(async (installId) => {
      const start = performance.now()
      const joined = await sdk.joinOrCreate(room, { installId, name: installId })
      latencies.push(performance.now() - start)
      return joined
    }),
  )
  await Promise.all(rooms.map((r) => r.leave()))
  await sleep(200)
  return latencies
}

// Registration round: afterwards every device is a returning one.
await joinAll("leadr")
hookSamples.length = 0
// On a loaded machine some first registrations outlast the join's time box and finish in the
// background; wait for them, so that what follows counts only what returning joins send.
const countSessions = () => proxy.count((line) => line === "POST /v1/client/sessions")
for (let last = -1, waited = 0; countSessions() !== last && waited < 30_000; waited += 1_000) {
  last = countSessions()
  await sleep(1_000)
}
const sessionsBefore = countSessions()

// Warm both paths, then alternate measured rounds.
await joinAll("plain")
await joinAll("leadr")
hookSamples.length = 0
const withPlugin: Array<number> = []
const withoutPlugin: Array<number> = []
for (let round = 0; round < ROUNDS; round++) {
  // Alternate which goes first, so neither side always follows the other's garbage.
  if (round % 2 === 0) {
    withoutPlugin.push(...(await joinAll("plain")))
    withPlugin.push(...(await joinAll("leadr")))
  } else {
    withPlugin.push(...(await joinAll("leadr")))
    withoutPlugin.push(...(await joinAll("plain")))
  }
}
const sessionsDuringReturningJoins = countSessions() - sessionsBefore

// Boards: R rooms, one board.
const isScoreRead = (line: string) => line === "GET /v1/scores"
const readsBeforeRooms = proxy.count(isScoreRead)
for (let i = 0; i < ROOMS; i++) await matchMaker.createRoom("board", {})
// Every display subscribed and the feed's first read done.
while (
  boardService.boards.snapshot(leadr.boardId) === undefined ||
  proxy.count(isScoreRead) === readsBeforeRooms
) {
  await sleep(20)
}
const readsAtStart = proxy.count(isScoreRead)
const started = performance.now()
await sleep(INTERVALS * REFRESH_MS)
const elapsedIntervals = (performance.now() - started) / REFRESH_MS
const reads = proxy.count(isScoreRead) - readsAtStart

const result = {
  joins: JOINS,
  rounds: ROUNDS,
  join_overhead_p50_ms: round3(percentile(hookSamples, 50)),
  join_overhead_p99_ms: round3(percentile(hookSamples, 99)),
  join_p50_ms_with_plugin: round3(percentile(withPlugin, 50)),
  join_p50_ms_without_plugin: round3(percentile(withoutPlugin, 50)),
  join_p99_ms_with_plugin: round3(percentile(withPlugin, 99)),
  join_p99_ms_without_plugin: round3(percentile(withoutPlugin, 99)),
  join_ratio_p50: round3(percentile(withPlugin, 50) / percentile(withoutPlugin, 50)),
  join_ratio_p99: round3(percentile(withPlugin, 99) / percentile(withoutPlugin, 99)),
  session_requests_during_returning_joins: sessionsDuringReturningJoins,
  rooms: ROOMS,
  refresh_ms: REFRESH_MS,
  intervals: round3(elapsedIntervals),
  board_reads: reads,
  board_reads_per_interval: round3(reads / elapsedIntervals),
  naive_board_reads_per_interval: ROOMS,
}

console.log(
  `joins: plugin hooks p50 ${result.join_overhead_p50_ms} ms, p99 ${result.join_overhead_p99_ms} ms per join; ` +
    `client-observed p50 ${result.join_p50_ms_with_plugin} ms with vs ${result.join_p50_ms_without_plugin} ms without ` +
    `(ratio ${result.join_ratio_p50}); ${sessionsDuringReturningJoins} session requests for returning devices`,
)
console.log(
  `boards: ${ROOMS} rooms, ${reads} score reads over ${result.intervals} intervals ` +
    `(${result.board_reads_per_interval}/interval; naive: ${ROOMS}/interval)`,
)

await server.gracefullyShutdown(false)
await joinService.close()
await boardService.close()
await worker.close()
await proxy.close()
await leadr.close()
await rm(dir, { recursive: true, force: true })
console.log(JSON.stringify(result))
process.exit(0)
