/**
 * Board displays in room state and scores through the worker, against the
 * real local LEADR server behind a counting proxy, with real rooms.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Room as SdkRoom } from "@colyseus/sdk"
import { Leadr } from "@leadr-toolkit/colyseus-plugin"
import { createWorker, type PromiseWorker } from "@leadr-toolkit/worker"
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
  game = await startGameServer({
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
