import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Device, LeadrClient, Score } from "@leadr-toolkit/core"
import { startLocalServer } from "@leadr-toolkit/server"
import { createWorker, type Operation, Worker, WorkerMetrics } from "@leadr-toolkit/worker"
import { ConfigProvider, Effect, Layer, Metric, Option, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type GameFixture, listScores, run, setupGame } from "./support/fixtures.js"
import { tempDb } from "./support/tmp.js"

let server: Awaited<ReturnType<typeof startLocalServer>>
beforeAll(async () => {
  server = await startLocalServer({ port: 0 })
})
afterAll(() => server.close())

const withWorker = <A, E>(
  options: Partial<Worker.WorkerOptions>,
  use: (worker: Worker.WorkerService) => Effect.Effect<A, E>,
) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.flatMap(
        Worker.make({
          filename: tempDb(),
          baseUrl: server.url,
          apiKey: Redacted.make(server.superadminKey),
          ...options,
        }),
        use,
      ),
    ).pipe(Effect.provide(NodeHttpClient.layerUndici)),
  )

const submit = (
  fixture: GameFixture,
  board: string,
  device: number,
  value: number,
): Operation.SubmitScore => ({
  _tag: "SubmitScore",
  board_id: fixture.boards[board]!,
  game_id: fixture.gameId,
  device_id: fixture.devices[device]!,
  player_name: `player-${device}-${value}`,
  value,
  metadata: { device, value },
})

/** A board's final content as comparable data: who holds which values. */
const content = (
  scores: ReadonlyArray<{ player_name: string; value: number; device_id: string }>,
  devices: ReadonlyArray<string>,
) => scores.map((s) => `${devices.indexOf(s.device_id)}:${s.value}:${s.player_name}`).sort()

describe("delivery to the local server", () => {
  it("delivers every write once, in order per device, with its idempotency key", async () => {
    const fixture = await setupGame(server.url, server.superadminKey, {
      boards: [{ name: "all", keep: "ALL" }],
      devices: 5,
    })
    const writes = Array.from({ length: 60 }, (_, i) => submit(fixture, "all", i % 5, i))
    const deliveredBefore = await Effect.runPromise(Metric.value(WorkerMetrics.delivered))
    const stats = await withWorker({}, (worker) =>
      Effect.gen(function* () {
        const receipts = yield* Effect.forEach(writes, worker.enqueue, { concurrency: "unbounded" })
        expect(new Set(receipts.map((r) => r.idempotencyKey)).size).toBe(60)
        const flushed = yield* worker.flush("20 seconds")
        expect(flushed).toEqual({ drained: true, remaining: 0 })
        return yield* worker.stats
      }),
    )
    expect(stats).toMatchObject({
      queued: 0,
      delivered: 60,
      deadLettered: 0,
      coalesced: 0,
      circuit: "closed",
    })
    const deliveredAfter = await Effect.runPromise(Metric.value(WorkerMetrics.delivered))
    expect(deliveredAfter.count - deliveredBefore.count).toBe(60)
    const scores = await listScores(fixture, fixture.boards.all!)
    expect(content(scores, fixture.devices)).toEqual(
      content(
        writes.map((w) => ({ ...w })),
        fixture.devices,
      ),
    )
    // Per device, the server saw the writes in enqueue order.
    for (const device of fixture.devices) {
      const mine = scores
        .filter((s) => s.device_id === device)
        .sort((a, b) => a.created_at.epochMillis - b.created_at.epochMillis)
      const values = mine.map((s) => s.value)
      expect(values).toEqual([...values].sort((a, b) => a - b))
    }
  })

  it("coalesces by the board's keep strategy: the same boards as sending every write, with fewer requests", async () => {
    const specs = [
      { name: "best-desc", keep: "BEST_ONLY", sort: "DESCENDING" },
      { name: "best-asc", keep: "BEST_ONLY", sort: "ASCENDING" },
      { name: "latest", keep: "LATEST_ONLY" },
      { name: "first", keep: "FIRST_ONLY" },
      { name: "all", keep: "ALL" },
    ] as const
    const naive = await setupGame(server.url, server.superadminKey, { boards: specs, devices: 6 })
    const coalesced = await setupGame(server.url, server.superadminKey, { boards: specs, devices: 6 })
    // The same writes for both games: values repeat, so ties are in play.
    const plan = Array.from({ length: 120 }, (_, i) => ({
      board: specs[i % specs.length]!.name,
      device: (i * 7) % 6,
      value: (i * 37) % 11,
    }))

    // Naive: every write, one by one, in order, straight through the client.
    await run(
      Effect.gen(function* () {
        const client = yield* LeadrClient.LeadrClient
        for (const w of plan) {
          const op = submit(naive, w.board, w.device, w.value)
          yield* client.scores.create({
            urlParams: {},
            headers: {},
            payload: new Score.ScoreCreateRequest(op),
          })
        }
      }),
      server.url,
      server.superadminKey,
    )

    const stats = await withWorker({}, (worker) =>
      Effect.gen(function* () {
        yield* Effect.forEach(plan, (w) => worker.enqueue(submit(coalesced, w.board, w.device, w.value)))
        expect((yield* worker.flush("20 seconds")).drained).toBe(true)
        return yield* worker.stats
      }),
    )
    for (const spec of specs) {
      const a = await listScores(naive, naive.boards[spec.name]!)
      const b = await listScores(coalesced, coalesced.boards[spec.name]!)
      expect({ board: spec.name, scores: content(b, coalesced.devices) }).toEqual({
        board: spec.name,
        scores: content(a, naive.devices),
      })
    }
    expect(stats.delivered + stats.coalesced).toBe(plan.length)
    expect(stats.coalesced).toBeGreaterThan(0)
  })

  it("dead-letters permanent refusals without blocking what follows, and replays them", async () => {
    const fixture = await setupGame(server.url, server.superadminKey, {
      boards: [{ name: "all", keep: "ALL" }],
      devices: 2,
    })
    const banned = fixture.devices[1]!
    await run(
      Effect.gen(function* () {
        const client = yield* LeadrClient.LeadrClient
        yield* client.devices.update({
          path: { device_id: banned },
          urlParams: {},
          payload: new Device.DeviceUpdateRequest({ status: "banned" }),
        })
      }),
      server.url,
      server.superadminKey,
    )
    const unknownBoard = { ...submit(fixture, "all", 0, 1), board_id: "brd_does_not_exist" }
    const fromBanned = submit(fixture, "all", 1, 2)
    // Refused before it leaves (an empty player name), in the same (board, device) as the writes behind it.
    const invalid = { ...submit(fixture, "all", 0, 0), player_name: "" }
    const behind = [submit(fixture, "all", 0, 3), submit(fixture, "all", 0, 4)]

    const result = await withWorker({}, (worker) =>
      Effect.gen(function* () {
        yield* worker.enqueue(unknownBoard)
        yield* worker.enqueue(fromBanned)
        yield* worker.enqueue(invalid)
        yield* Effect.forEach(behind, worker.enqueue)
        yield* worker.flush("20 seconds")
        const dead = yield* worker.deadLetters
        const stats = yield* worker.stats
        // The device is let back in; its dead letter is replayed and delivered.
        yield* worker.enqueue({ _tag: "SetDeviceStatus", device_id: banned, status: "active" })
        yield* worker.flush("20 seconds")
        const replay = dead.find((d) => d.op._tag === "SubmitScore" && d.op.device_id === banned)!
        const again = yield* worker.replay(replay.id)
        expect(Option.isSome(again)).toBe(true)
        const flushed = yield* worker.flush("20 seconds")
        return { dead, stats, flushed, after: yield* worker.deadLetters }
      }),
    )
    expect(result.dead.map((d) => d.error.split(":")[0]).sort()).toEqual([
      "BadRequest",
      "Forbidden",
      "NotFound",
    ])
    expect(result.stats).toMatchObject({ deadLettered: 3, deadLetters: 3 })
    expect(result.flushed.drained).toBe(true)
    expect(result.after).toHaveLength(2)
    expect(result.after.map((d) => d.op)).toEqual(expect.arrayContaining([unknownBoard, invalid]))
    const scores = await listScores(fixture, fixture.boards.all!)
    expect(scores.map((s) => s.value).sort()).toEqual([2, 3, 4])
  })

  it("registers devices and submits through device sessions when there is no API key", async () => {
    const fixture = await setupGame(server.url, server.superadminKey, {
      boards: [{ name: "best", keep: "BEST_ONLY" }],
      devices: 0,
    })
    const worker = await createWorker({ filename: tempDb(), baseUrl: server.url })
    try {
      const fp = "a".repeat(64)
      await worker.enqueue({
        _tag: "StartSession",
        game_id: fixture.gameId,
        client_fingerprint: fp,
        platform: "web",
      })
      for (const value of [5, 9, 7]) {
        await worker.enqueue({
          _tag: "SubmitClientScore",
          board_id: fixture.boards.best!,
          game_id: fixture.gameId,
          client_fingerprint: fp,
          player_name: "ada",
          value,
        })
      }
      expect((await worker.flush(20_000)).drained).toBe(true)
      expect(await worker.deadLetters()).toEqual([])
    } finally {
      await worker.close()
    }
    const scores = await listScores(fixture, fixture.boards.best!)
    expect(scores.map((s) => [s.player_name, s.value])).toEqual([["ada", 9]])
  })
})

describe("configuration", () => {
  it("Worker.layerConfig reads LEADR_URL, LEADR_API_KEY and the LEADR_WORKER_* settings", async () => {
    const fixture = await setupGame(server.url, server.superadminKey, {
      boards: [{ name: "all", keep: "ALL" }],
      devices: 1,
    })
    const filename = tempDb()
    const config = ConfigProvider.fromMap(
      new Map([
        ["LEADR_URL", server.url],
        ["LEADR_API_KEY", server.superadminKey],
        ["LEADR_WORKER_DB", filename],
        ["LEADR_WORKER_MAX_ITEMS", "2"],
        ["LEADR_WORKER_CONCURRENCY", "2"],
        ["LEADR_WORKER_SYNCHRONOUS", "FULL"],
      ]),
    )
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const worker = yield* Worker.Worker
        yield* worker.enqueue(submit(fixture, "all", 0, 1))
        yield* worker.enqueue(submit(fixture, "all", 0, 2))
        const full = yield* Effect.flip(worker.enqueue(submit(fixture, "all", 0, 3)))
        const flushed = yield* worker.flush("20 seconds")
        return { full, flushed }
      }).pipe(Effect.provide(Worker.layerConfig.pipe(Layer.provide(Layer.setConfigProvider(config))))),
    )
    expect(result.full._tag).toBe("OutboxFull")
    expect(result.flushed.drained).toBe(true)
    expect((await listScores(fixture, fixture.boards.all!)).map((s) => s.value).sort()).toEqual([1, 2])
  })
})
