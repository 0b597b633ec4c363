/**
 * The store as handlers use it: a failing statement is a defect (the API's 500,
 * logged), not an error every handler must declare; lists page through `Keyset`.
 *
 * @since 0.1.0
 */
import type { LeadrError } from "@leadr-toolkit/core"
import { Sqlite } from "@leadr-toolkit/sqlite"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Keyset from "./Keyset.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Db {
  readonly all: <Row>(
    sql: string,
    params?: ReadonlyArray<Sqlite.SqlValue>,
  ) => Effect.Effect<ReadonlyArray<Row>>
  readonly get: <Row>(sql: string, params?: ReadonlyArray<Sqlite.SqlValue>) => Effect.Effect<Row | undefined>
  readonly run: (sql: string, params?: ReadonlyArray<Sqlite.SqlValue>) => Effect.Effect<Sqlite.RunResult>
  readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** A statement of a hot path, compiled once; finalized when the scope closes. */
  readonly prepare: (sql: string) => Effect.Effect<Prepared, never, Scope.Scope>
  readonly page: <Row extends object>(
    query: Keyset.ListQuery,
    fields: Keyset.SortFields,
    request: Keyset.PageRequest,
  ) => Effect.Effect<Keyset.RowPage<Row>, LeadrError.BadRequest>
}

/**
 * A prepared statement, run with its parameters.
 *
 * @since 0.1.0
 * @category models
 */
export interface Prepared {
  readonly all: <Row>(params?: ReadonlyArray<Sqlite.SqlValue>) => Effect.Effect<ReadonlyArray<Row>>
  /** The first row (the statement still runs to completion, so keep it to one row). */
  readonly get: <Row>(params?: ReadonlyArray<Sqlite.SqlValue>) => Effect.Effect<Row | undefined>
  readonly run: (params?: ReadonlyArray<Sqlite.SqlValue>) => Effect.Effect<Sqlite.RunResult>
}

const dieOnSql = <A, E, R>(effect: Effect.Effect<A, E | Sqlite.SqlError, R>): Effect.Effect<A, E, R> =>
  Effect.catchIf(
    effect,
    (e): e is Sqlite.SqlError => (e as { _tag?: unknown })._tag === "SqlError",
    (e) => Effect.die(e),
  ) as Effect.Effect<A, E, R>

/**
 * Wraps the connection.
 *
 * @since 0.1.0
 * @category constructors
 */
export const of = (sqlite: Sqlite.SqliteService): Db => ({
  all: (sql, params) => Effect.orDie(sqlite.all(sql, params)),
  get: <Row>(sql: string, params?: ReadonlyArray<Sqlite.SqlValue>) =>
    Effect.orDie(Effect.map(sqlite.get<Row>(sql, params), Option.getOrUndefined)),
  run: (sql, params) => Effect.orDie(sqlite.run(sql, params)),
  transaction: (effect) => dieOnSql(sqlite.transaction(effect)),
  prepare: (sql) =>
    Effect.map(
      Effect.orDie(sqlite.prepare(sql)),
      (statement): Prepared => ({
        all: <Row>(params?: ReadonlyArray<Sqlite.SqlValue>) => Effect.orDie(statement.all<Row>(params)),
        get: <Row>(params?: ReadonlyArray<Sqlite.SqlValue>) =>
          Effect.orDie(Effect.map(statement.all<Row>(params), (rows) => rows[0])),
        run: (params) => Effect.orDie(statement.run(params)),
      }),
    ),
  page: (query, fields, request) => dieOnSql(Keyset.page(sqlite, query, fields, request)),
})

/**
 * The store of the current server.
 *
 * @since 0.1.0
 * @category accessors
 */
export const Db: Effect.Effect<Db, never, Sqlite.Sqlite> = Effect.map(Sqlite.Sqlite, of)

/**
 * A SQLite boolean.
 *
 * @since 0.1.0
 * @category rows
 */
export const bool = (value: unknown): boolean => value === 1 || value === true

/**
 * A stored JSON column.
 *
 * @since 0.1.0
 * @category rows
 */
export const json = (text: unknown, fallback: unknown = null): unknown => {
  if (typeof text !== "string") return fallback
  try {
    return JSON.parse(text)
  } catch {
    return fallback
  }
}

/**
 * Builds `SET a = ?, b = ?` from the fields of a patch that were given.
 *
 * @since 0.1.0
 * @category rows
 */
export const patch = (
  fields: Record<string, Sqlite.SqlValue | undefined>,
): { readonly sql: string; readonly params: Array<Sqlite.SqlValue> } => {
  const entries = Object.entries(fields).filter(
    (entry): entry is [string, Sqlite.SqlValue] => entry[1] !== undefined,
  )
  return { sql: entries.map(([k]) => `${k} = ?`).join(", "), params: entries.map(([, v]) => v) }
}

/**
 * Applies `fields` (those left `undefined` are not touched) to the row `id` of
 * `table` and returns the row as stored: the update handlers' shared tail.
 *
 * @since 0.1.0
 * @category queries
 */
export const updateRow = <Row>(
  db: Db,
  table: string,
  id: string,
  fields: Record<string, Sqlite.SqlValue | undefined>,
): Effect.Effect<Row> =>
  Effect.gen(function* () {
    const set = patch(fields)
    yield* db.run(`UPDATE ${table} SET ${set.sql} WHERE id = ?`, [...set.params, id])
    // The caller checked the row exists (and is the caller's) before updating it.
    return (yield* db.get<Row>(`SELECT * FROM ${table} WHERE id = ?`, [id]))!
  })
