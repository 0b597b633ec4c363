/**
 * One sqlite3 connection as an Effect service: WAL, foreign keys, a busy timeout,
 * statements and transactions serialized so that a transaction never sees
 * another fiber's statements, and versioned migrations.
 *
 * Shared by the local server (its store) and the worker (its outbox).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import sqlite3 from "sqlite3"

/**
 * A value SQLite can bind.
 *
 * @since 0.1.0
 * @category models
 */
export type SqlValue = string | number | bigint | boolean | null | Uint8Array

/**
 * A failed statement, with the SQLite error code (e.g. `SQLITE_CONSTRAINT`).
 *
 * @since 0.1.0
 * @category errors
 */
export class SqlError extends Schema.TaggedError<SqlError>()("SqlError", {
  code: Schema.String,
  message: Schema.String,
  sql: Schema.String,
}) {}

/**
 * What a write statement changed.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunResult {
  readonly changes: number
  readonly lastId: number
}

/**
 * One migration step; versions are applied in order, once, each in its own transaction.
 *
 * @since 0.1.0
 * @category models
 */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

/**
 * How `synchronous` trades durability for speed: `NORMAL` (with WAL) survives a
 * killed process; `FULL` also survives power loss.
 *
 * @since 0.1.0
 * @category models
 */
export type Synchronous = "NORMAL" | "FULL"

/**
 * @since 0.1.0
 * @category models
 */
export interface SqliteOptions {
  /** A file path, or `:memory:`. */
  readonly filename: string
  readonly synchronous?: Synchronous | undefined
  readonly busyTimeoutMs?: number | undefined
  readonly migrations?: ReadonlyArray<Migration> | undefined
}

/**
 * A statement compiled once and run many times (see {@link SqliteService.prepare}).
 *
 * @since 0.1.0
 * @category models
 */
export interface Statement {
  /** Runs it as a write statement. */
  readonly run: (params?: ReadonlyArray<SqlValue>) => Effect.Effect<RunResult, SqlError>
  /** Runs it as a query and returns every row. */
  readonly all: <Row = Record<string, SqlValue>>(
    params?: ReadonlyArray<SqlValue>,
  ) => Effect.Effect<ReadonlyArray<Row>, SqlError>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface SqliteService {
  /** Runs a write statement. */
  readonly run: (sql: string, params?: ReadonlyArray<SqlValue>) => Effect.Effect<RunResult, SqlError>
  /** Runs a query and returns every row. */
  readonly all: <Row = Record<string, SqlValue>>(
    sql: string,
    params?: ReadonlyArray<SqlValue>,
  ) => Effect.Effect<ReadonlyArray<Row>, SqlError>
  /** Runs a query and returns its first row. */
  readonly get: <Row = Record<string, SqlValue>>(
    sql: string,
    params?: ReadonlyArray<SqlValue>,
  ) => Effect.Effect<Option.Option<Row>, SqlError>
  /** Runs several statements with no parameters. */
  readonly exec: (sql: string) => Effect.Effect<void, SqlError>
  /**
   * Runs `effect` in one `BEGIN IMMEDIATE` transaction: committed if it
   * succeeds, rolled back if it fails or is interrupted. Nested calls join the
   * outer transaction.
   */
  readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | SqlError, R>
  /**
   * Compiles `sql` once for a hot path: each run skips parsing and planning,
   * and costs one trip to sqlite3's thread instead of three (prepare, run,
   * finalize). Finalized when the scope closes, which must be before the
   * connection's own scope does.
   */
  readonly prepare: (
    sql: string,
    options?: PrepareOptions,
  ) => Effect.Effect<Statement, SqlError, import("effect/Scope").Scope>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PrepareOptions {
  /**
   * `high`: a run of this statement takes the connection before every waiting
   * `normal` one (it still waits for the statement or transaction that holds
   * it). For a latency-critical writer sharing the connection with bulk work.
   * Default `normal`.
   */
  readonly priority?: "high" | "normal" | undefined
}

/**
 * The connection's lock: one holder, and waiters served high priority first,
 * then in arrival order.
 */
const makeLock = () => {
  interface Waiter {
    readonly wake: () => void
    granted: boolean
  }
  let held = false
  const high: Array<Waiter> = []
  const normal: Array<Waiter> = []
  const release = () => {
    const next = high.shift() ?? normal.shift()
    if (next === undefined) held = false
    else {
      next.granted = true
      next.wake()
    }
  }
  const acquire = (queue: Array<Waiter>) =>
    Effect.async<void>((resume) => {
      if (!held) {
        held = true
        return resume(Effect.void)
      }
      const waiter: Waiter = { wake: () => resume(Effect.void), granted: false }
      queue.push(waiter)
      return Effect.sync(() => {
        // Interrupted: leave the queue, or pass on a lock handed over meanwhile.
        if (waiter.granted) release()
        else queue.splice(queue.indexOf(waiter), 1)
      })
    })
  const withLock =
    (priority: "high" | "normal") =>
    <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.zipRight(
          restore(acquire(priority === "high" ? high : normal)),
          Effect.ensuring(restore(effect), Effect.sync(release)),
        ),
      )
  return { withLock }
}

/**
 * The SQLite connection.
 *
 * @since 0.1.0
 * @category tags
 */
export class Sqlite extends Context.Tag("@leadr-toolkit/sqlite/Sqlite")<Sqlite, SqliteService>() {}

const toSqlError = (sql: string, error: unknown): SqlError => {
  const err = error as { code?: unknown; message?: unknown }
  return new SqlError({
    code: typeof err.code === "string" ? err.code : "SQLITE_ERROR",
    message: typeof err.message === "string" ? err.message : String(error),
    sql,
  })
}

const bind = (params: ReadonlyArray<SqlValue> | undefined): Array<unknown> =>
  params === undefined ? [] : params.map((value) => (typeof value === "boolean" ? (value ? 1 : 0) : value))

const open = (filename: string) =>
  Effect.async<sqlite3.Database, SqlError>((resume) => {
    const db = new sqlite3.Database(filename, (error) => {
      if (error === null) resume(Effect.succeed(db))
      else resume(Effect.fail(toSqlError(`open ${filename}`, error)))
    })
  })

const close = (db: sqlite3.Database) =>
  Effect.async<void>((resume) => {
    db.close(() => resume(Effect.void))
  })

/** Whether the current fiber is inside a transaction it holds the lock for. */
const inTransaction = FiberRef.unsafeMake(false)

/**
 * Opens the database, applies pragmas and migrations, and closes it when the scope ends.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: SqliteOptions,
): Effect.Effect<SqliteService, SqlError, import("effect/Scope").Scope> =>
  Effect.gen(function* () {
    const db = yield* Effect.acquireRelease(open(options.filename), close)
    db.configure("busyTimeout", options.busyTimeoutMs ?? 5_000)
    // One connection, one writer: the lock keeps other fibers' statements out of an open transaction.
    const lock = makeLock()
    const guardedAt =
      (priority: "high" | "normal") =>
      <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.flatMap(FiberRef.get(inTransaction), (inside) =>
          inside ? effect : lock.withLock(priority)(effect),
        )
    const guarded = guardedAt("normal")

    const rawRun = (sql: string, params?: ReadonlyArray<SqlValue>) =>
      Effect.async<RunResult, SqlError>((resume) => {
        db.run(sql, bind(params), function (this: sqlite3.RunResult, error: Error | null) {
          if (error === null) resume(Effect.succeed({ changes: this.changes, lastId: this.lastID }))
          else resume(Effect.fail(toSqlError(sql, error)))
        })
      })
    const rawAll = <Row>(sql: string, params?: ReadonlyArray<SqlValue>) =>
      Effect.async<ReadonlyArray<Row>, SqlError>((resume) => {
        db.all(sql, bind(params), (error: Error | null, rows: Array<Row>) => {
          if (error === null) resume(Effect.succeed(rows))
          else resume(Effect.fail(toSqlError(sql, error)))
        })
      })
    const rawExec = (sql: string) =>
      Effect.async<void, SqlError>((resume) => {
        db.exec(sql, (error: Error | null) => {
          if (error === null) resume(Effect.void)
          else resume(Effect.fail(toSqlError(sql, error)))
        })
      })

    const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError, R> =>
      Effect.flatMap(FiberRef.get(inTransaction), (inside) =>
        inside
          ? effect
          : lock.withLock("normal")(
              Effect.uninterruptibleMask((restore) =>
                Effect.gen(function* () {
                  yield* rawExec("BEGIN IMMEDIATE")
                  const exit = yield* Effect.exit(restore(Effect.locally(effect, inTransaction, true)))
                  if (exit._tag === "Success") {
                    const committed = yield* Effect.exit(rawExec("COMMIT"))
                    if (committed._tag === "Failure") {
                      yield* Effect.ignore(rawExec("ROLLBACK"))
                      return yield* Effect.failCause(committed.cause)
                    }
                    return exit.value
                  }
                  yield* Effect.ignore(rawExec("ROLLBACK"))
                  return yield* exit
                }),
              ),
            ),
      )

    const prepare = (sql: string, prepareOptions?: PrepareOptions) => {
      const guardedRun = guardedAt(prepareOptions?.priority ?? "normal")
      return Effect.map(
        Effect.acquireRelease(
          guarded(
            Effect.async<sqlite3.Statement, SqlError>((resume) => {
              const statement: sqlite3.Statement = db.prepare(sql, (error: Error | null) => {
                if (error === null) resume(Effect.succeed(statement))
                else resume(Effect.fail(toSqlError(sql, error)))
              })
            }),
          ),
          (statement) =>
            guarded(
              Effect.async<void>((resume) => {
                statement.finalize(() => resume(Effect.void))
              }),
            ),
        ),
        (statement): Statement => ({
          run: (params) =>
            guardedRun(
              Effect.async<RunResult, SqlError>((resume) => {
                statement.run(bind(params), function (this: sqlite3.RunResult, error: Error | null) {
                  if (error === null) resume(Effect.succeed({ changes: this.changes, lastId: this.lastID }))
                  else resume(Effect.fail(toSqlError(sql, error)))
                })
              }),
            ),
          all: <Row>(params?: ReadonlyArray<SqlValue>) =>
            guardedRun(
              Effect.async<ReadonlyArray<Row>, SqlError>((resume) => {
                statement.all(bind(params), (error: Error | null, rows: Array<Row>) => {
                  if (error === null) resume(Effect.succeed(rows))
                  else resume(Effect.fail(toSqlError(sql, error)))
                })
              }),
            ),
        }),
      )
    }

    const service: SqliteService = {
      run: (sql, params) => guarded(rawRun(sql, params)),
      all: (sql, params) => guarded(rawAll(sql, params)),
      get: <Row>(sql: string, params?: ReadonlyArray<SqlValue>) =>
        guarded(Effect.map(rawAll<Row>(sql, params), (rows) => Option.fromNullable(rows[0]))),
      exec: (sql) => guarded(rawExec(sql)),
      transaction,
      prepare,
    }

    if (options.filename !== ":memory:") yield* rawExec("PRAGMA journal_mode = WAL")
    yield* rawExec(`PRAGMA synchronous = ${options.synchronous ?? "NORMAL"}; PRAGMA foreign_keys = ON;`)
    yield* migrate(service, options.migrations ?? [])
    return service
  })

/**
 * Applies the migrations whose version is above `PRAGMA user_version`, each in
 * its own transaction, and records the version.
 *
 * @since 0.1.0
 * @category migrations
 */
export const migrate = (
  db: SqliteService,
  migrations: ReadonlyArray<Migration>,
): Effect.Effect<void, SqlError> =>
  Effect.gen(function* () {
    const row = yield* db.get<{ user_version: number }>("PRAGMA user_version")
    const current = Option.match(row, { onNone: () => 0, onSome: (r) => r.user_version })
    const pending = [...migrations].filter((m) => m.version > current).sort((a, b) => a.version - b.version)
    for (const migration of pending) {
      yield* db.transaction(
        Effect.zipRight(
          db.exec(migration.sql),
          db.exec(`PRAGMA user_version = ${Math.trunc(migration.version)}`),
        ),
      )
    }
  })

/**
 * A layer of the connection; closed when the layer's scope ends.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: SqliteOptions): Layer.Layer<Sqlite, SqlError> =>
  Layer.scoped(Sqlite, make(options))
