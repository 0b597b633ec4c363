/**
 * Board displays in room state and scores through the worker, against the
 * real local LEADR server behind a counting proxy, with real rooms.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Room as SdkRoom } from "@colyseus/sdk"
import { Leadr } from "@leadr-toolkit/colyseus-plugin"
import { Board, Score, Session } from "@leadr-toolkit/core"
import { createWorker, type PromiseWorker } from "@leadr-toolkit/worker"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type CountingProxy, startCountingProxy } from "./support/CountingProxy.js"
import {
  eventually,
  makeTestRoom,
  nextMessage,
  startGameServer,
  type TestGameServer,
} from "./support/GameServer.js"
import { startTestLeadr, type TestLeadr } from "./support/Leadr.js"

const scoreReads = (line: string) => line === "GET /v1/scores"

interface EntryJson {
  rank: number
  playerName: string
  value: number
  displayValue: string
  pending: boolean
}
interface StateJson {
  leaderboard?: {
    boardId?: string
    entries?: Array<EntryJson>
    around?: Record<string, { entries: Array<EntryJson> }>
  }
}

const stateOf = (room: SdkRoom) => (room.state as { toJSON(): StateJson }).toJSON()
const entriesOf = (room: SdkRoom) => stateOf(room).leaderboard?.entries ?? []

let leadr: TestLeadr
let proxy: CountingProxy
let dir: string
let worker: PromiseWorker.PromiseWorker
let slow: Awaited<ReturnType<typeof Leadr.create>>
let fast: Awaited<ReturnType<typeof Leadr.create>>
let game: TestGameServer
let deepBoardId: string

/** A board with 105 scores above anything the tests submit: a new player ranks below the fetched page. */
const seedDeepBoard = () =>
  leadr.admin((admin) =>
    Effect.gen(function* () {
      const board = yield* admin.boards.create({
        urlParams: {},
        payload: new Board.BoardCreateRequest({
          account_id: leadr.accountId,
          game_id: leadr.gameId,
          name: "Deep",
          slug: "deep",
          keep_strategy: "BEST_ONLY",
        }),
      })
      yield* Effect.forEach(
        Array.from({ length: 105 }, (_, i) => i),
        (i) =>
          Effect.gen(function* () {
            const device = yield* admin.sessions.start({
              payload: new Session.StartSessionRequest({
                game_id: leadr.gameId,
                client_fingerprint: i.toString(16).padStart(64, "0"),
              }),
            })
            yield* admin.scores.create({
              urlParams: {},
              headers: {},
              payload: new Score.ScoreCreateRequest({
                board_id: board.id,
                game_id: leadr.gameId,
                device_id: device.id,
                player_name: `Seed ${i}`,
                value: 1000 + i,
              }),
            })
          }),
        { concurrency: 8, discard: true },
      )
      return board.id
    }),
  )

beforeAll(async () => {
  leadr = await startTestLeadr()
  proxy = await startCountingProxy(leadr.url)
  dir = await mkdtemp(join(tmpdir(), "leadr-plugin-boards-"))
  worker = await createWorker({
    baseUrl: leadr.url,
    apiKey: leadr.apiKey,
    filename: join(dir, "outbox.sqlite"),
  })
  const options = {
    apiKey: Redacted.make(leadr.apiKey),
    gameId: leadr.gameId,
    fingerprintSecret: Redacted.make("board-tests-fingerprint-secret-0123456789"),
    worker,
  }
  // One refresh a minute: within a test, the first read is the only one.
  slow = await Leadr.create({ ...options, url: proxy.url, refreshInterval: 60_000 })
  fast = await Leadr.create({ ...options, url: leadr.url, refreshInterval: 150 })
  deepBoardId = await seedDeepBoard()
  game = await startGameServer({
    deep: makeTestRoom(fast, deepBoardId),
    shared: makeTestRoom(slow, leadr.boardId),
    live: makeTestRoom(fast, "default"),
    missing: makeTestRoom(fast, "brd_does_not_exist"),
  })
})

afterAll(async () => {
  await game?.close()
  await slow?.close()
  await fast?.close()
  await worker?.close()
  await proxy?.close()
  await leadr?.close()
  await rm(dir, { recursive: true, force: true })
})

const submit = async (room: SdkRoom, value: unknown, extras?: unknown) => {
  const outcome = nextMessage<{ tag: string; error?: string; message?: string }>(room, "score:outcome")
  room.send("score", { value, extras })
  return outcome
}

describe("shared board reads", () => {
  it("R rooms showing one board cause one read, and an accepted score shows in all of them at once", async () => {
    const first = await game.sdk.create("shared", { installId: "share-0", name: "Zero" })
    await eventually(() => stateOf(first).leaderboard?.boardId || undefined)
    await eventually(() => (proxy.count(scoreReads) > 0 ? true : undefined))
    const rooms = [first]
    for (let i = 1; i < 5; i++) rooms.push(await game.sdk.create("shared", { installId: `share-${i}` }))
    for (const room of rooms) await eventually(() => stateOf(room).leaderboard?.boardId || undefined)
    expect(new Set(rooms.map((r) => r.roomId)).size).toBe(5)

    expect(await submit(first, 1234)).toMatchObject({ tag: "Accepted" })
    for (const room of rooms) {
      const row = await eventually(() => entriesOf(room).find((e) => e.playerName === "Zero"))
      expect(row).toMatchObject({ value: 1234, displayValue: "1234", pending: true, rank: 1 })
    }
    // Five rooms, one board, one read: the rest came from the process-wide feed.
    expect(proxy.count(scoreReads)).toBe(1)
    for (const room of rooms) await room.leave()
  })
})

describe("live displays", () => {
  it("shows an accepted score at once, then reconciles it with LEADR", async () => {
    const room = await game.sdk.create("live", { installId: "live-ann", name: "Ann" })
    expect(await submit(room, 77, { displayValue: "77 clicks" })).toMatchObject({ tag: "Accepted" })
    const confirmed = await eventually(() =>
      entriesOf(room).find((e) => e.playerName === "Ann" && e.value === 77 && !e.pending),
    )
    expect(confirmed.displayValue).toBe("77 clicks")
    // BEST_ONLY: a worse score changes nothing, a better one replaces the row.
    expect(await submit(room, 10)).toMatchObject({ tag: "Accepted" })
    expect(await submit(room, 90)).toMatchObject({ tag: "Accepted" })
    await eventually(() =>
      entriesOf(room).find((e) => e.playerName === "Ann" && e.value === 90 && !e.pending),
    )
    expect(entriesOf(room).filter((e) => e.playerName === "Ann")).toHaveLength(1)
    await room.leave()
  })

  it("gives each player their own 'around me' window, visible to them only", async () => {
    const a = await game.sdk.create("live", { installId: "around-a", name: "Around A" })
    const b = await game.sdk.join("live", { installId: "around-b", name: "Around B" })
    expect(b.roomId).toBe(a.roomId)
    await submit(a, 500)
    await submit(b, 400)
    const windowA = await eventually(() => stateOf(a).leaderboard?.around?.[a.sessionId])
    const windowB = await eventually(() => stateOf(b).leaderboard?.around?.[b.sessionId])
    expect(windowA.entries.some((e) => e.playerName === "Around A")).toBe(true)
    expect(windowB.entries.some((e) => e.playerName === "Around B")).toBe(true)
    expect(Object.keys(stateOf(a).leaderboard?.around ?? {})).toEqual([a.sessionId])
    expect(Object.keys(stateOf(b).leaderboard?.around ?? {})).toEqual([b.sessionId])
    await a.leave()
    await b.leave()
  })

  it("gives a player ranked below the fetched page a window from LEADR's rows around their score", async () => {
    const room = await game.sdk.create("deep", { installId: "deep-player", name: "Deep Diver" })
    await eventually(() => (entriesOf(room).length === 10 ? true : undefined))
    expect(await submit(room, 7)).toMatchObject({ tag: "Accepted" })
    const window = await eventually(() => {
      const entries = stateOf(room).leaderboard?.around?.[room.sessionId]?.entries ?? []
      return entries.some((e) => e.playerName === "Deep Diver") ? entries : undefined
    })
    const mine = window.find((e) => e.playerName === "Deep Diver")!
    expect(mine).toMatchObject({ rank: 106, value: 7 })
    // The rows just above (LEADR centres the window, filling from above at the bottom of the board).
    const above = window.filter((e) => e.playerName.startsWith("Seed")).map((e) => e.rank)
    expect(above.at(-1)).toBe(105)
    expect(above).toEqual([...above].sort((a, b) => a - b))
    expect(window.length).toBeLessThanOrEqual(5)
    // The top of the display is untouched: the player is far below it.
    expect(entriesOf(room).map((e) => e.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    await room.leave()
  })

  it("keeps an unknown board's display empty without breaking the room", async () => {
    const room = await game.sdk.create("missing", { installId: "missing-board", name: "Lost" })
    expect(await submit(room, 1)).toMatchObject({ tag: "Accepted" })
    expect(entriesOf(room)).toEqual([])
    await room.leave()
  })
})

describe("score validation", () => {
  it("answers bad scores with a typed error and keeps the room running", async () => {
    const room = await game.sdk.create("live", { installId: "bad-scores", name: "Bad" })
    const bad: Array<[unknown, unknown]> = [
      ["12", undefined],
      [null, undefined],
      [Number.NaN, undefined],
      [Number.POSITIVE_INFINITY, undefined],
      [{ nested: 1 }, undefined],
      [5, { displayValue: "x".repeat(500) }],
      [5, { playerName: "" }],
      [5, { metadata: [1, 2, 3] }],
      [5, "not an object"],
    ]
    for (const [value, extras] of bad) {
      expect(await submit(room, value, extras)).toMatchObject({ tag: "Rejected", error: "InvalidScore" })
    }
    expect(await submit(room, 3, { metadata: { level: 2 } })).toMatchObject({ tag: "Accepted" })
    await room.leave()
  })
})
