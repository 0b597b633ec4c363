import { it } from "@effect/vitest"
import { Sqlite } from "@leadr-toolkit/sqlite"
import { type Operation, Outbox } from "@leadr-toolkit/worker"
import { Effect, Exit, Option } from "effect"
import { expect } from "vitest"
import { tempDb } from "./support/tmp.js"

const score = (device: string, value: number) =>
  ({
    _tag: "SubmitScore",
    board_id: "brd_1",
    game_id: "gam_1",
    device_id: device,
    player_name: `p-${device}`,
    value,
  }) as const

/** Claims the oldest `n` pending rows, as the drain does. */
const take = (outbox: Outbox.OutboxService, n: number) =>
  Effect.flatMap(outbox.pending(n), (refs) => outbox.claim([...new Set(refs.map((r) => r.orderingKey))], n))

/**
 * Reads the file through a second connection: what is there is committed,
 * as outbox rows or as intake batches not expanded yet.
 */
const committedRows = (filename: string) =>
  Effect.scoped(
    Effect.flatMap(Sqlite.make({ filename }), (db) =>
      db.all<{ id: number; state: string; idempotency_key: string }>(
        `SELECT id, state, idempotency_key FROM outbox
         UNION ALL
         SELECT i.first_id + j.key, 'intake', j.value ->> 0 FROM intake AS i, json_each(i.rows) AS j
         ORDER BY id`,
      ),
    ),
  )

it.scopedLive("enqueue resolves once the row is committed, and a burst shares group commits", () =>
  Effect.gen(function* () {
    const filename = tempDb()
    const outbox = yield* Outbox.make({ filename })
    const one = yield* outbox.enqueue(score("d1", 10))
    expect((yield* committedRows(filename)).map((r) => r.idempotency_key)).toEqual([one.idempotencyKey])

    const receipts = yield* Effect.forEach(
      Array.from({ length: 2_000 }, (_, i) => score(`d${i % 7}`, i)),
      outbox.enqueue,
      { concurrency: "unbounded" },
    )
    const rows = yield* committedRows(filename)
    expect(rows).toHaveLength(2_001)
    expect(new Set(receipts.map((r) => r.id)).size).toBe(2_000)
    expect(new Set(rows.map((r) => r.idempotency_key)).size).toBe(2_001)
    // Every receipt names the row that holds its idempotency key.
    const byId = new Map(rows.map((r) => [r.id, r.idempotency_key]))
    for (const receipt of receipts) expect(byId.get(receipt.id)).toBe(receipt.idempotencyKey)
    expect(outbox.backlog().items).toBe(2_001)
  }),
)

it.scopedLive("a full outbox fails the enqueue with OutboxFull, by items and by bytes", () =>
  Effect.gen(function* () {
    const outbox = yield* Outbox.make({ filename: tempDb(), maxItems: 2 })
    yield* outbox.enqueue(score("a", 1))
    yield* outbox.enqueue(score("a", 2))
    const full = yield* Effect.flip(outbox.enqueue(score("a", 3)))
    expect(full._tag).toBe("OutboxFull")
    expect(full._tag === "OutboxFull" && full.limit).toBe("items")

    const small = yield* Outbox.make({ filename: tempDb(), maxBytes: 300 })
    yield* small.enqueue(score("a", 1))
    const tooBig = yield* Effect.flip(
      small.enqueue({ ...score("a", 2), metadata: { blob: "x".repeat(400) } }),
    )
    expect(tooBig._tag === "OutboxFull" && tooBig.limit).toBe("bytes")

    // Delivered rows free their space.
    const [item] = yield* take(outbox, 1)
    yield* outbox.ack(item!.id, item!.bytes, false)
    yield* outbox.enqueue(score("a", 3))
  }),
)

it.scopedLive("rows in flight at a crash come back as pending; delivered rows are cleaned up", () =>
  Effect.gen(function* () {
    const filename = tempDb()
    yield* Effect.scoped(
      Effect.gen(function* () {
        const outbox = yield* Outbox.make({ filename })
        yield* Effect.forEach([1, 2, 3], (v) => outbox.enqueue(score("d", v)))
        const items = yield* take(outbox, 10)
        yield* outbox.ack(items[0]!.id, items[0]!.bytes, false)
        expect((yield* outbox.pending(10)).length).toBe(0)
      }),
    )
    const outbox = yield* Outbox.make({ filename })
    const again = yield* take(outbox, 10)
    expect(again.map((i) => (i.op._tag === "SubmitScore" ? i.op.value : -1))).toEqual([2, 3])
    expect(outbox.backlog().items).toBe(2)
    expect(yield* outbox.counts).toEqual({ pending: 0, in_flight: 2, delivered: 1, dead: 0 })
    expect(yield* outbox.cleanup(Date.now() + 1)).toBe(1)
    expect((yield* outbox.counts).delivered).toBe(0)
  }),
)

it.scopedLive("dead letters keep the error, and replay puts the write back with its idempotency key", () =>
  Effect.gen(function* () {
    const outbox = yield* Outbox.make({ filename: tempDb() })
    const receipt = yield* outbox.enqueue(score("d", 5))
    const [item] = yield* take(outbox, 1)
    yield* outbox.release([item!.id], 0, { id: item!.id, error: "ServerError: 503" })
    const [retried] = yield* take(outbox, 1)
    expect(retried!.attempts).toBe(1)
    expect(retried!.lastError).toBe("ServerError: 503")
    yield* outbox.deadLetter(retried!, "NotFound: board not found")
    expect(outbox.backlog().items).toBe(0)
    const [dead] = yield* outbox.deadLetters
    expect(dead).toMatchObject({ outboxId: receipt.id, error: "NotFound: board not found", attempts: 2 })
    expect(dead!.op).toEqual(score("d", 5))

    const replayed = yield* outbox.replay(dead!.id)
    expect(Option.getOrThrow(replayed).idempotencyKey).toBe(receipt.idempotencyKey)
    expect(yield* outbox.deadLetters).toEqual([])
    expect((yield* take(outbox, 10)).map((i) => i.idempotencyKey)).toEqual([receipt.idempotencyKey])
    expect(Option.isNone(yield* outbox.replay(dead!.id))).toBe(true)
  }),
)

it.scopedLive("closing commits what was accepted and refuses the rest", () =>
  Effect.gen(function* () {
    const filename = tempDb()
    const outbox = yield* Outbox.make({ filename })
    const fibers = yield* Effect.forEach([1, 2, 3], (v) => Effect.fork(outbox.enqueue(score("d", v))))
    yield* Effect.yieldNow()
    yield* outbox.close
    for (const fiber of fibers) expect(Exit.isSuccess(yield* fiber.await)).toBe(true)
    const after = yield* Effect.exit(outbox.enqueue(score("d", 4)))
    expect(Exit.isFailure(after)).toBe(true)
    expect((yield* committedRows(filename)).length).toBe(3)
  }),
)

it.scopedLive("a malformed write fails alone and does not break the batch it arrived with", () =>
  Effect.gen(function* () {
    const outbox = yield* Outbox.make({ filename: tempDb() })
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const results = yield* Effect.forEach(
      [
        score("a", 1),
        { _tag: "Nope" } as unknown as Operation.Operation,
        { ...score("a", 2), metadata: circular },
        score("a", 3),
      ],
      (op) => Effect.either(outbox.enqueue(op)),
      { concurrency: "unbounded" },
    )
    expect(results.map((r) => r._tag)).toEqual(["Right", "Left", "Left", "Right"])
    expect(outbox.backlog().items).toBe(2)
  }),
)

it.scopedLive(
  "writes left in the intake by a dead process are expanded on open, with their ids and due times",
  () =>
    Effect.gen(function* () {
      const filename = tempDb()
      const before = yield* Effect.scoped(
        Effect.gen(function* () {
          const outbox = yield* Outbox.make({ filename, lingerMs: 500 })
          const receipts = yield* Effect.forEach(
            [
              score("d", 1),
              { _tag: "SetDeviceStatus", device_id: "dev_1", status: "banned" } as const,
              score("d", 2),
            ],
            outbox.enqueue,
            { concurrency: "unbounded" },
          )
          // Nothing looked for work: every write is still an intake row, as after a kill -9.
          const rows = yield* committedRows(filename)
          expect(rows.map((r) => r.state)).toEqual(["intake", "intake", "intake"])
          return receipts
        }),
      )
      const created = yield* Effect.scoped(
        Effect.flatMap(Sqlite.make({ filename }), (db) =>
          db.all<{ created_at: number }>("SELECT created_at FROM intake ORDER BY first_id"),
        ),
      )
      const outbox = yield* Outbox.make({ filename, lingerMs: 500 })
      expect((yield* committedRows(filename)).map((r) => [r.id, r.state, r.idempotency_key])).toEqual(
        before.map((r) => [r.id, "pending", r.idempotencyKey]),
      )
      const refs = yield* outbox.pending(10)
      const at = created[0]!.created_at
      // Scores linger so that the player's next writes can coalesce; a status change is due at once.
      expect(refs.map((r) => r.nextAttemptAt - at)).toEqual([500, 0, 500])
      // Ids go on from the last one, never reusing a recovered write's.
      const next = yield* outbox.enqueue(score("d", 3))
      expect(next.id).toBe(before[2]!.id + 1)
      expect(outbox.backlog().items).toBe(4)
    }),
)

it.scopedLive("payloads round-trip through the intake byte for byte, whatever their characters", () =>
  Effect.gen(function* () {
    const outbox = yield* Outbox.make({ filename: tempDb() })
    const names = [
      "Zoë",
      "玩家一号",
      "🎮 speedrun 🏁",
      'quote " back \\ slash',
      "tab\tnew\nline",
      "\u2028\u2029",
    ]
    const ops = names.map((player_name, i) => ({ ...score(`dév-${i}`, i), player_name }))
    yield* Effect.forEach(ops, outbox.enqueue, { concurrency: "unbounded" })
    const items = yield* take(outbox, 100)
    expect(items.map((i) => i.op)).toEqual(ops)
    for (const item of items) expect(item.bytes).toBe(Buffer.byteLength(JSON.stringify(item.op)))
    expect(outbox.backlog().bytes).toBe(items.reduce((n, i) => n + i.bytes, 0))
  }),
)

it.scopedLive("a replayed dead letter takes a fresh id, and later writes do not collide with it", () =>
  Effect.gen(function* () {
    const outbox = yield* Outbox.make({ filename: tempDb() })
    yield* outbox.enqueue(score("a", 1))
    const [item] = yield* take(outbox, 1)
    yield* outbox.deadLetter(item!, "NotFound: board not found")
    const [dead] = yield* outbox.deadLetters
    const replayed = Option.getOrThrow(yield* outbox.replay(dead!.id))
    const later = yield* Effect.forEach([2, 3], (v) => outbox.enqueue(score("b", v)), {
      concurrency: "unbounded",
    })
    const ids = [item!.id, replayed.id, ...later.map((r) => r.id)]
    expect(new Set(ids).size).toBe(4)
    expect((yield* take(outbox, 10)).map((i) => i.id).sort((x, y) => x - y)).toEqual(ids.slice(1))
  }),
)

it.scopedLive("a write refused for space leaves no trace in the intake", () =>
  Effect.gen(function* () {
    const filename = tempDb()
    const outbox = yield* Outbox.make({ filename, maxBytes: 300 })
    const tooBig = yield* Effect.flip(
      outbox.enqueue({ ...score("a", 1), metadata: { blob: "x".repeat(400) } }),
    )
    expect(tooBig._tag).toBe("OutboxFull")
    const ok = yield* outbox.enqueue(score("a", 2))
    const rows = yield* committedRows(filename)
    expect(rows.map((r) => r.idempotency_key)).toEqual([ok.idempotencyKey])
    const batches = yield* Effect.scoped(
      Effect.flatMap(Sqlite.make({ filename }), (db) =>
        db.all<{ items: number }>("SELECT items FROM intake"),
      ),
    )
    expect(batches).toEqual([{ items: 1 }])
  }),
)
