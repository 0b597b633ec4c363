/**
 * The durable outbox: one SQLite file (WAL) holding every write the game has
 * handed over and LEADR has not yet acknowledged.
 *
 * - `enqueue` resolves only once its write is committed. Enqueues that arrive
 *   together share one commit (group commit) of one `intake` row, so a burst
 *   costs a few SQLite statements, not one per write; the drain expands intake
 *   rows into outbox rows before it looks for work.
 * - Rows move `pending` → `in_flight` → `delivered` (then cleaned up), or to
 *   the `dead_letters` table with their error. On open, intake rows are
 *   expanded and `in_flight` rows go back to `pending`: a crash can only
 *   repeat what was on the wire.
 * - Bounded: a cap on live rows and on their bytes; a full outbox fails the
 *   enqueue with {@link OutboxFull}, it never drops silently.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type { DeadLetter } from "./DeadLetters.js"
import * as DeadLetters from "./DeadLetters.js"
import * as Batcher from "./internal/batcher.js"
import * as Intake from "./internal/intake.js"
import { isScore, type Operation, orderingKey } from "./Operation.js"
import { OutboxError, OutboxFull } from "./OutboxError.js"
import * as OutboxFile from "./OutboxFile.js"

export { OutboxError, OutboxFull } from "./OutboxError.js"

/**
 * What `enqueue` returns once the write is durable.
 *
 * @since 0.1.0
 * @category models
 */
export interface Receipt {
  /** The outbox row id. */
  readonly id: number
  /** Sent as `Idempotency-Key`: the server applies the write once however often it is delivered. */
  readonly idempotencyKey: string
}

/**
 * A live row of the outbox.
 *
 * @since 0.1.0
 * @category models
 */
export interface OutboxItem {
  readonly id: number
  readonly idempotencyKey: string
  readonly op: Operation
  readonly orderingKey: string
  readonly bytes: number
  readonly attempts: number
  readonly nextAttemptAt: number
  readonly createdAt: number
  readonly lastError: string | null
}

/**
 * The callback of {@link OutboxService.unsafeEnqueue}.
 *
 * @since 0.1.0
 * @category models
 */
export type EnqueueDone = (
  failure: Cause.Cause<OutboxFull | OutboxError> | undefined,
  receipt: Receipt | undefined,
) => void

/**
 * A pending row as the scheduler sees it.
 *
 * @since 0.1.0
 * @category models
 */
export interface PendingRef {
  readonly id: number
  readonly orderingKey: string
  readonly nextAttemptAt: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface OutboxOptions extends OutboxFile.OutboxFileOptions {
  /** Cap on live (pending and in-flight) rows. Default 100,000. */
  readonly maxItems?: number | undefined
  /** Cap on the payload bytes of live rows. Default 64 MiB. */
  readonly maxBytes?: number | undefined
  /** Most writes in one group commit (and so in one expansion step). Default 512. */
  readonly maxBatch?: number | undefined
}

/**
 * The size of what is waiting.
 *
 * @since 0.1.0
 * @category models
 */
export interface Backlog {
  /** Live rows, including accepted enqueues not yet committed. */
  readonly items: number
  readonly bytes: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface OutboxService {
  /** Persists a write; resolves once it is committed. */
  readonly enqueue: (op: Operation) => Effect.Effect<Receipt, OutboxFull | OutboxError>
  /**
   * {@link OutboxService.enqueue} without a fiber, for the Promise facade's hot
   * path: `done` is called once the row is committed (`failure` undefined),
   * or with the failure.
   */
  readonly unsafeEnqueue: (op: Operation, done: EnqueueDone) => void
  /** The oldest `limit` pending rows, in id order, without their payloads (a scheduling view). */
  readonly pending: (limit: number) => Effect.Effect<ReadonlyArray<PendingRef>, OutboxError>
  /**
   * Marks the oldest `perKey` pending rows of each key as on the wire and
   * returns them, in id order: all of a key's pending writes, not only those
   * the scheduler saw, so that coalescing sees everything that is waiting.
   */
  readonly claim: (
    keys: ReadonlyArray<string>,
    perKey: number,
  ) => Effect.Effect<ReadonlyArray<OutboxItem>, OutboxError>
  /** Marks a row delivered (`coalesced`: superseded by a later write and never sent). Group-committed. */
  readonly ack: (id: number, bytes: number, coalesced: boolean) => Effect.Effect<void, OutboxError>
  /**
   * Puts rows back to `pending`, not before `notBefore`; `failed` is the row
   * whose attempt failed (its attempts and last error are updated).
   */
  readonly release: (
    ids: ReadonlyArray<number>,
    notBefore: number,
    failed?: { readonly id: number; readonly error: string },
  ) => Effect.Effect<void, OutboxError>
  /** Moves a row to the dead letters with its error. */
  readonly deadLetter: (item: OutboxItem, error: string) => Effect.Effect<void, OutboxError>
  /** The dead letters, oldest first. */
  readonly deadLetters: Effect.Effect<ReadonlyArray<DeadLetter>, OutboxError>
  /** Moves a dead letter back into the outbox as a pending row (same idempotency key). */
  readonly replay: (deadLetterId: number) => Effect.Effect<Option.Option<Receipt>, OutboxError>
  /** Deletes delivered rows acknowledged before `before`. */
  readonly cleanup: (before: number) => Effect.Effect<number, OutboxError>
  /** Live rows and bytes, from memory. */
  readonly backlog: () => Backlog
  /** `created_at` of the oldest live row. */
  readonly oldest: Effect.Effect<Option.Option<number>, OutboxError>
  /** Dead letters, counted. */
  readonly deadLetterCount: Effect.Effect<number, OutboxError>
  /** Counts by state (a scan: for tests and diagnostics, not dashboards). */
  readonly counts: Effect.Effect<Record<"pending" | "in_flight" | "delivered" | "dead", number>, OutboxError>
  /**
   * Called after each group commit with the time its first write is due (the
   * drain fiber listens to wake up when that is sooner than it planned).
   */
  readonly onCommit: (listener: (dueAt: number) => void) => void
  /** Refuses new enqueues and waits for the accepted ones to commit. */
  readonly close: Effect.Effect<void>
}

/**
 * The outbox of the worker.
 *
 * @since 0.1.0
 * @category tags
 */
export class Outbox extends Context.Tag("@leadr-toolkit/worker/Outbox")<Outbox, OutboxService>() {}

interface Row {
  readonly id: number
  readonly idempotency_key: string
  readonly ordering_key: string
  readonly payload: string
  readonly bytes: number
  readonly attempts: number
  readonly next_attempt_at: number
  readonly created_at: number
  readonly last_error: string | null
}

const ids = (list: ReadonlyArray<number>) => JSON.stringify(list)

const toItem = (row: Row): OutboxItem => ({
  id: row.id,
  idempotencyKey: row.idempotency_key,
  op: JSON.parse(row.payload) as Operation,
  orderingKey: row.ordering_key,
  bytes: row.bytes,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  createdAt: row.created_at,
  lastError: row.last_error,
})

const sqlFailure = OutboxFile.sqlFailure

/**
 * Opens (creating or migrating) the outbox file, recovers what the last
 * process left (see {@link OutboxFile.open}), and starts the group-commit
 * writers. Closing the scope commits what was accepted and closes the file.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: OutboxOptions): Effect.Effect<OutboxService, OutboxError, Scope.Scope> =>
  Effect.gen(function* () {
    const maxItems = options.maxItems ?? 100_000
    const maxBytes = options.maxBytes ?? 64 * 1024 * 1024
    const maxBatch = options.maxBatch ?? 512
    const lingerMs = options.lingerMs ?? 200
    const { db, totals, nextId } = yield* OutboxFile.open(options)
    const orFail = Effect.mapError(sqlFailure)
    let liveItems = totals.items
    let liveBytes = totals.bytes
    const listeners: Array<(dueAt: number) => void> = []
    const forget = (items: number, bytes: number) => {
      liveItems -= items
      liveBytes -= bytes
    }
    /** Committed intake batches not yet expanded into outbox rows, oldest first. */
    const unexpanded: Array<Intake.Committed> = []

    // Prepared before the intake starts, so it is finalized after the intake's last commit.
    // Ahead of the drain's statements: a commit callers wait for never queues behind bulk work.
    const insert = yield* orFail(db.prepare(OutboxFile.insertIntake, { priority: "high" }))
    const intake = yield* Intake.make<OutboxFull | OutboxError>({
      firstId: nextId,
      maxBatch,
      onClosed: () => new OutboxError({ reason: "Closed", detail: "the outbox is closed" }),
      write: (firstId, items, rows, now) => orFail(insert.run([firstId, items, now, rows])),
      onCommit: (committed) => {
        unexpanded.push(committed)
        const dueAt = committed.createdAt + (committed.lingers ? lingerMs : 0)
        for (const listener of listeners) listener(dueAt)
      },
      onFailure: forget,
    })

    // Expansion holds the connection: a step is one commit's worth of rows, so an enqueue waits for one at most.
    const expansion = yield* Effect.makeSemaphore(1)
    const expandStep = Effect.suspend(() => {
      const batch = unexpanded[0]
      if (batch === undefined) return Effect.succeed(false)
      const upTo = batch.firstId + batch.items
      return db
        .transaction(
          Effect.zipRight(
            db.run(OutboxFile.expandIntake, [upTo, lingerMs]),
            db.run(OutboxFile.deleteExpanded, [upTo]),
          ),
        )
        .pipe(
          Effect.as(true),
          Effect.tap(() => {
            unexpanded.shift()
          }),
        )
    })
    /**
     * Expands committed intake rows. `yielding`: after the first step, stop
     * while writes wait for their commit; a burst of enqueues then commits at
     * the intake's speed instead of alternating with expansion steps, and the
     * rest is expanded by a later call.
     */
    const expand = (yielding: boolean) =>
      expansion.withPermits(1)(
        Effect.asVoid(
          Effect.repeat(expandStep, { while: (more) => more && !(yielding && intake.backlog() > 0) }),
        ),
      )

    const acks = yield* Batcher.make<{ id: number; coalesced: boolean }, void, OutboxError>({
      maxBatch: 8192,
      onClosed: () => new OutboxError({ reason: "Closed", detail: "the outbox is closed" }),
      write: (batch) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const all = batch.map((a) => a.id)
          const coalesced = batch.filter((a) => a.coalesced).map((a) => a.id)
          // One statement, so one SQLite round trip per batch of acknowledgements.
          yield* orFail(
            db.run(
              `UPDATE outbox SET state = 'delivered', delivered_at = ?1,
                 coalesced = id IN (SELECT value FROM json_each(?2))
               WHERE id IN (SELECT value FROM json_each(?3))`,
              [now, ids(coalesced), ids(all)],
            ),
          )
          return batch.map(() => undefined)
        }),
    })

    // JSON of each tag, once: the row is assembled by concatenation on the hot path.
    const tagJson: Record<string, string> = {
      SubmitScore: '"SubmitScore"',
      SubmitClientScore: '"SubmitClientScore"',
      SetDeviceStatus: '"SetDeviceStatus"',
      StartSession: '"StartSession"',
    }
    const invalid = (done: EnqueueDone, detail: string) =>
      done(Cause.fail(new OutboxError({ reason: "Invalid", detail })), undefined)
    // One function for every enqueue, not a closure each.
    const admit = (bytes: number): OutboxFull | undefined => {
      if (liveItems + 1 > maxItems || liveBytes + bytes > maxBytes) {
        const limit = liveItems + 1 > maxItems ? "items" : "bytes"
        return new OutboxFull({ limit, items: liveItems, bytes: liveBytes, maxItems, maxBytes })
      }
      liveItems += 1
      liveBytes += bytes
      return undefined
    }

    const unsafeEnqueue = (op: Operation, done: EnqueueDone) => {
      const ordering = orderingKey(op)
      // Typed callers cannot fail these checks; a plain-JavaScript caller must not break the batch it would join.
      if (typeof ordering !== "string") return invalid(done, `unknown operation ${String(op._tag)}`)
      let payload: string
      try {
        payload = JSON.stringify(op)
      } catch (error) {
        return invalid(done, `not JSON: ${String(error)}`)
      }
      if (typeof payload !== "string") return invalid(done, "not JSON")
      intake.append(
        randomUUID(),
        tagJson[op._tag]!,
        JSON.stringify(ordering),
        payload,
        isScore(op),
        admit,
        done,
      )
    }
    const enqueue = (op: Operation): Effect.Effect<Receipt, OutboxFull | OutboxError> =>
      Effect.async((resume) =>
        unsafeEnqueue(op, (failure, receipt) =>
          resume(failure === undefined ? Exit.succeed(receipt!) : Exit.failCause(failure)),
        ),
      )

    const pending = (limit: number) =>
      Effect.zipRight(
        orFail(expand(true)),
        db
          .all<{ id: number; ordering_key: string; next_attempt_at: number }>(
            "SELECT id, ordering_key, next_attempt_at FROM outbox WHERE state = 'pending' ORDER BY id LIMIT ?",
            [limit],
          )
          .pipe(
            Effect.map((rows) =>
              rows.map(
                (r): PendingRef => ({
                  id: r.id,
                  orderingKey: r.ordering_key,
                  nextAttemptAt: r.next_attempt_at,
                }),
              ),
            ),
            orFail,
          ),
      )

    const claim = (keys: ReadonlyArray<string>, perKey: number) =>
      keys.length === 0
        ? Effect.succeed([])
        : db
            .all<Row>(
              `UPDATE outbox SET state = 'in_flight' WHERE id IN (
                 SELECT id FROM (
                   SELECT o.id, row_number() OVER (PARTITION BY o.ordering_key ORDER BY o.id) AS n
                   FROM json_each(?1) AS k JOIN outbox AS o INDEXED BY outbox_pending_key
                     ON o.ordering_key = k.value AND o.state = 'pending'
                 ) WHERE n <= ?2)
               RETURNING id, idempotency_key, ordering_key, payload, bytes, attempts, next_attempt_at, created_at, last_error`,
              [JSON.stringify(keys), perKey],
            )
            .pipe(
              Effect.map((rows) => rows.map(toItem).sort((x, y) => x.id - y.id)),
              orFail,
            )

    const ack = (id: number, bytes: number, coalesced: boolean) =>
      Effect.tap(acks.submit({ id, coalesced }), () => forget(1, bytes))

    const release = (
      list: ReadonlyArray<number>,
      notBefore: number,
      failed?: { readonly id: number; readonly error: string },
    ) =>
      list.length === 0
        ? Effect.void
        : orFail(
            db.run(
              `UPDATE outbox SET state = 'pending', next_attempt_at = ?1,
                 attempts = attempts + (id = ?2),
                 last_error = CASE WHEN id = ?2 THEN ?3 ELSE last_error END
               WHERE id IN (SELECT value FROM json_each(?4)) AND state != 'delivered'`,
              [notBefore, failed?.id ?? -1, failed?.error ?? null, ids(list)],
            ),
          )

    const dead = DeadLetters.make(db, {
      takeId: intake.takeId,
      forget: (bytes) => forget(1, bytes),
      restore: (bytes) => {
        liveItems += 1
        liveBytes += bytes
      },
      replayed: (now) => {
        for (const listener of listeners) listener(now)
      },
    })

    const cleanup = (before: number) =>
      Effect.map(
        db.run("DELETE FROM outbox WHERE state = 'delivered' AND delivered_at < ?", [before]),
        (r) => r.changes,
      ).pipe(orFail)

    const oldest = db
      .get<{ created_at: number | null }>(
        // One index probe per state: an `IN` would sort every live row to find the first.
        `SELECT min(created_at) AS created_at FROM (
           SELECT * FROM (SELECT created_at FROM outbox WHERE state = 'pending' ORDER BY id LIMIT 1)
           UNION ALL
           SELECT * FROM (SELECT created_at FROM outbox WHERE state = 'in_flight' ORDER BY id LIMIT 1)
           UNION ALL
           SELECT * FROM (SELECT created_at FROM intake ORDER BY first_id LIMIT 1))`,
      )
      .pipe(Effect.map(Option.flatMap((r) => Option.fromNullable(r.created_at))), orFail)

    const deadLetterCount = db
      .get<{ n: number }>("SELECT count(*) AS n FROM dead_letters")
      .pipe(Effect.map(Option.match({ onNone: () => 0, onSome: (r) => r.n })), orFail)

    const counts = Effect.gen(function* () {
      yield* expand(false)
      const rows = yield* db.all<{ state: string; n: number }>(
        "SELECT state, count(*) AS n FROM outbox GROUP BY state",
      )
      const dead = yield* db.get<{ n: number }>("SELECT count(*) AS n FROM dead_letters")
      const by = new Map(rows.map((r) => [r.state, r.n]))
      return {
        pending: by.get("pending") ?? 0,
        in_flight: by.get("in_flight") ?? 0,
        delivered: by.get("delivered") ?? 0,
        dead: Option.match(dead, { onNone: () => 0, onSome: (d) => d.n }),
      }
    }).pipe(orFail)

    return {
      enqueue,
      unsafeEnqueue,
      pending,
      claim,
      ack,
      release,
      deadLetter: dead.deadLetter,
      deadLetters: dead.list,
      replay: dead.replay,
      cleanup,
      backlog: () => ({ items: liveItems, bytes: liveBytes }),
      oldest,
      deadLetterCount,
      counts,
      onCommit: (listener) => {
        listeners.push(listener)
      },
      close: Effect.zipRight(intake.close, acks.close),
    } satisfies OutboxService
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: OutboxOptions): Layer.Layer<Outbox, OutboxError> =>
  Layer.scoped(Outbox, make(options))
