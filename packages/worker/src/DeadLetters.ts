/**
 * Dead letters: writes LEADR refused for good (a 4xx other than 408, 409,
 * 412 and 429, or a retry budget spent), kept with the refusal so that an
 * operator can see them and replay them. Moving a row here never blocks the
 * writes behind it.
 *
 * @since 0.1.0
 */
import type { Sqlite } from "@leadr-toolkit/sqlite"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Operation } from "./Operation.js"
import type { OutboxItem, Receipt } from "./Outbox.js"
import type { OutboxError } from "./OutboxError.js"
import { sqlFailure } from "./OutboxFile.js"

/**
 * A write LEADR refused for good, with the refusal.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeadLetter {
  readonly id: number
  /** The id the row had in the outbox. */
  readonly outboxId: number
  readonly idempotencyKey: string
  readonly op: Operation
  readonly attempts: number
  readonly error: string
  readonly createdAt: number
  readonly failedAt: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DeadLetters {
  /** Moves a live row to the dead letters with its error. */
  readonly deadLetter: (item: OutboxItem, error: string) => Effect.Effect<void, OutboxError>
  /** The dead letters, oldest first. */
  readonly list: Effect.Effect<ReadonlyArray<DeadLetter>, OutboxError>
  /** Moves a dead letter back into the outbox as a pending row (same idempotency key). */
  readonly replay: (deadLetterId: number) => Effect.Effect<Option.Option<Receipt>, OutboxError>
}

interface DeadRow {
  readonly id: number
  readonly outbox_id: number
  readonly idempotency_key: string
  readonly payload: string
  readonly attempts: number
  readonly error: string
  readonly created_at: number
  readonly failed_at: number
}

/**
 * The dead letters of an outbox file; `hooks` keep the outbox's in-memory
 * totals right as rows leave and come back.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  db: Sqlite.SqliteService,
  hooks: {
    /** The outbox id a replayed write takes: ids are handed out in memory. */
    readonly takeId: () => number
    readonly forget: (bytes: number) => void
    readonly restore: (bytes: number) => void
    readonly replayed: (dueAt: number) => void
  },
): DeadLetters => {
  const deadLetter = (item: OutboxItem, error: string) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const moved = yield* db.transaction(
        Effect.gen(function* () {
          yield* db.run(
            `INSERT INTO dead_letters (outbox_id, idempotency_key, op, ordering_key, payload, bytes, attempts, error, created_at, failed_at)
             SELECT id, idempotency_key, op, ordering_key, payload, bytes, attempts + 1, ?, created_at, ? FROM outbox
             WHERE id = ? AND state != 'delivered'`,
            [error, now, item.id],
          )
          return yield* db.run("DELETE FROM outbox WHERE id = ? AND state != 'delivered'", [item.id])
        }),
      )
      if (moved.changes > 0) hooks.forget(item.bytes)
    }).pipe(Effect.mapError(sqlFailure))

  const list = db
    .all<DeadRow>(
      `SELECT id, outbox_id, idempotency_key, payload, attempts, error, created_at, failed_at
       FROM dead_letters ORDER BY id`,
    )
    .pipe(
      Effect.map((rows) =>
        rows.map(
          (row): DeadLetter => ({
            id: row.id,
            outboxId: row.outbox_id,
            idempotencyKey: row.idempotency_key,
            op: JSON.parse(row.payload) as Operation,
            attempts: row.attempts,
            error: row.error,
            createdAt: row.created_at,
            failedAt: row.failed_at,
          }),
        ),
      ),
      Effect.mapError(sqlFailure),
    )

  const replay = (deadLetterId: number) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const result = yield* db.transaction(
        Effect.gen(function* () {
          const row = yield* db.get<{ idempotency_key: string; bytes: number }>(
            "SELECT idempotency_key, bytes FROM dead_letters WHERE id = ?",
            [deadLetterId],
          )
          if (Option.isNone(row)) return Option.none<Receipt>()
          const id = hooks.takeId()
          yield* db.run(
            `INSERT INTO outbox (id, idempotency_key, op, ordering_key, payload, bytes, next_attempt_at, created_at)
             SELECT ?3, idempotency_key, op, ordering_key, payload, bytes, ?1, ?1 FROM dead_letters WHERE id = ?2`,
            [now, deadLetterId, id],
          )
          yield* db.run("DELETE FROM dead_letters WHERE id = ?", [deadLetterId])
          hooks.restore(row.value.bytes)
          return Option.some<Receipt>({ id, idempotencyKey: row.value.idempotency_key })
        }),
      )
      if (Option.isSome(result)) hooks.replayed(now)
      return result
    }).pipe(Effect.mapError(sqlFailure))

  return { deadLetter, list, replay }
}
