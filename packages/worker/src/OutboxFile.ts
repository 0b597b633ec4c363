/**
 * The outbox file: its tables, and opening it — WAL with the chosen
 * `synchronous`, checkpoints on a second connection, and crash recovery.
 *
 * @since 0.1.0
 */
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { Sqlite } from "@leadr-toolkit/sqlite"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { OutboxError } from "./OutboxError.js"

/**
 * The outbox's tables, versioned for `Sqlite.migrate`.
 *
 * @since 0.1.0
 * @category migrations
 */
export const migrations: ReadonlyArray<Sqlite.Migration> = [
  {
    version: 1,
    name: "outbox",
    sql: `
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        idempotency_key TEXT NOT NULL,
        op TEXT NOT NULL,
        ordering_key TEXT NOT NULL,
        payload TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'in_flight', 'delivered')),
        coalesced INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        delivered_at INTEGER
      );
      CREATE INDEX outbox_state ON outbox (state, id);
      CREATE TABLE dead_letters (
        id INTEGER PRIMARY KEY,
        outbox_id INTEGER NOT NULL,
        idempotency_key TEXT NOT NULL,
        op TEXT NOT NULL,
        ordering_key TEXT NOT NULL,
        payload TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        error TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        failed_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "outbox.pending_by_key",
    sql: "CREATE INDEX outbox_pending_key ON outbox (ordering_key, id) WHERE state = 'pending'",
  },
  {
    version: 3,
    name: "intake",
    // One row per group commit: a JSON array of [idempotency key, op, ordering key, payload, bytes],
    // taking outbox ids first_id, first_id + 1, ... when the drain expands it.
    sql: `CREATE TABLE intake (
        first_id INTEGER PRIMARY KEY,
        items INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        rows TEXT NOT NULL
      )`,
  },
]

/**
 * Appends one group commit to the intake (`?4` is the UTF-8 JSON array, bound as bytes).
 *
 * @since 0.1.0
 * @category statements
 */
export const insertIntake =
  "INSERT INTO intake (first_id, items, created_at, rows) VALUES (?1, ?2, ?3, CAST(?4 AS TEXT))"

/**
 * Expands the intake batches with `first_id < ?1` into outbox rows (score
 * writes due `?2` ms after their commit, as `lingerMs` says); run with
 * {@link deleteExpanded} in one transaction.
 *
 * @since 0.1.0
 * @category statements
 */
export const expandIntake = `
  INSERT INTO outbox (id, idempotency_key, op, ordering_key, payload, bytes, next_attempt_at, created_at)
  SELECT i.first_id + j.key, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value -> 3, j.value ->> 4,
    i.created_at + CASE WHEN j.value ->> 1 IN ('SubmitScore', 'SubmitClientScore') THEN ?2 ELSE 0 END,
    i.created_at
  FROM intake AS i, json_each(i.rows) AS j
  WHERE i.first_id < ?1`

/**
 * @since 0.1.0
 * @category statements
 */
export const deleteExpanded = "DELETE FROM intake WHERE first_id < ?1"

/**
 * @since 0.1.0
 * @category models
 */
export interface OutboxFileOptions {
  /** The SQLite file; created if missing. */
  readonly filename: string
  /**
   * `NORMAL` (default, with WAL) survives a killed process; `FULL` also
   * survives power loss, at the cost of an fsync per commit (see docs/worker.md).
   */
  readonly synchronous?: "NORMAL" | "FULL" | undefined
  /** How often the WAL is checkpointed into the database file. Default 1 s. */
  readonly checkpointMs?: number | undefined
  /**
   * How long a score write waits before it is due, so that the player's next
   * writes can coalesce with it (as Kafka's `linger.ms`). Default 200 ms.
   */
  readonly lingerMs?: number | undefined
}

/**
 * A SQLite failure as the outbox reports it.
 *
 * @since 0.1.0
 * @category errors
 */
export const sqlFailure = (error: { readonly message: string }): OutboxError =>
  new OutboxError({ reason: "Sql", detail: error.message })

/**
 * Opens (creating or migrating) the file, expands what the intake holds,
 * returns `in_flight` rows to `pending`, and counts the live rows and their
 * bytes; `nextId` is the outbox id the next write takes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const open = (
  options: OutboxFileOptions,
): Effect.Effect<
  {
    readonly db: Sqlite.SqliteService
    readonly totals: { readonly items: number; readonly bytes: number }
    readonly nextId: number
  },
  OutboxError,
  Scope.Scope
> =>
  Effect.gen(function* () {
    if (options.filename !== ":memory:") {
      // `data/outbox.sqlite` on a fresh checkout: the directory is part of the configuration, not a prerequisite.
      yield* Effect.try({
        try: () => mkdirSync(dirname(options.filename), { recursive: true }),
        catch: (error) =>
          new OutboxError({ reason: "Sql", detail: `cannot create the outbox directory: ${String(error)}` }),
      })
    }
    const synchronous = options.synchronous ?? "NORMAL"
    const db = yield* Sqlite.make({ filename: options.filename, synchronous, migrations }).pipe(
      Effect.mapError(sqlFailure),
    )
    const orFail = Effect.mapError(sqlFailure)

    if (options.filename !== ":memory:") {
      // Checkpoints copy the WAL into the database file and fsync it. Run on the committing connection
      // they stall whichever enqueue batch crosses the threshold; a second connection does them beside
      // the writer instead (PASSIVE never blocks it).
      yield* orFail(db.exec("PRAGMA wal_autocheckpoint = 0"))
      const checkpointer = yield* Sqlite.make({ filename: options.filename, synchronous }).pipe(
        Effect.mapError(sqlFailure),
      )
      const checkpoint = checkpointer
        .exec("PRAGMA wal_checkpoint(PASSIVE)")
        .pipe(Effect.catchAllCause((cause) => Effect.logWarning("worker: WAL checkpoint failed", cause)))
      yield* Effect.forkScoped(
        Effect.repeat(checkpoint, Schedule.spaced(Duration.millis(options.checkpointMs ?? 1_000))),
      )
    }
    // Committed writes the last process had not expanded yet, then whatever was on the wire when it
    // died, which may or may not have arrived: send it again.
    yield* orFail(
      db.transaction(
        Effect.zipRight(
          db.run(expandIntake, [Number.MAX_SAFE_INTEGER, options.lingerMs ?? 200]),
          db.run(deleteExpanded, [Number.MAX_SAFE_INTEGER]),
        ),
      ),
    )
    yield* orFail(db.run("UPDATE outbox SET state = 'pending' WHERE state = 'in_flight'"))
    // Ids are handed out in memory at enqueue; a dead letter keeps its id, so it counts too.
    const last = yield* orFail(
      db.get<{ id: number | null }>(
        `SELECT max(coalesce((SELECT max(id) FROM outbox), 0),
           coalesce((SELECT max(outbox_id) FROM dead_letters), 0)) AS id`,
      ),
    )
    const totals = yield* orFail(
      db.get<{ items: number; bytes: number | null }>(
        "SELECT count(*) AS items, sum(bytes) AS bytes FROM outbox WHERE state != 'delivered'",
      ),
    )
    return {
      db,
      nextId: Option.match(last, { onNone: () => 1, onSome: (r) => (r.id ?? 0) + 1 }),
      totals: Option.match(totals, {
        onNone: () => ({ items: 0, bytes: 0 }),
        onSome: (t) => ({ items: t.items, bytes: t.bytes ?? 0 }),
      }),
    }
  })
