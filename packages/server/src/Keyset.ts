/**
 * Keyset (seek) pagination for every list: sort specs, opaque cursors and the
 * page query.
 *
 * A cursor is base64url JSON carrying the direction, the normalized sort spec,
 * a hash of the filters and the sort values of the row it points at. A page is
 * found by seeking past those values in the sort order, so a deep page costs
 * what the first page costs, and walking `prev_cursor` back from any page gives
 * exactly the pages `next_cursor` gave.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import { LeadrError, Pagination } from "@leadr-toolkit/core"
import type { Sqlite } from "@leadr-toolkit/sqlite"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"

/**
 * The sortable fields of a resource: public name to a non-null SQL expression.
 * `id` must be one of them; it breaks ties so the order is total.
 *
 * @since 0.1.0
 * @category models
 */
export type SortFields = Readonly<Record<string, string>>

/**
 * One key of a sort spec.
 *
 * @since 0.1.0
 * @category models
 */
export interface SortKey {
  readonly field: string
  readonly expr: string
  readonly desc: boolean
}

/**
 * The sort every list uses unless told otherwise.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultSort = "created_at:desc,id:asc"

/**
 * The page size when `limit` is not given.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultLimit = 20

const bad = (detail: string) => new LeadrError.BadRequest({ detail })

/**
 * Parses `name:asc,name:desc`; unknown fields and directions are a 400. `id:asc`
 * is appended when the spec does not already order by id.
 *
 * @since 0.1.0
 * @category sorting
 */
export const parseSort = (
  spec: string | undefined,
  fields: SortFields,
): Either.Either<ReadonlyArray<SortKey>, LeadrError.BadRequest> => {
  const text = spec === undefined || spec.trim() === "" ? defaultSort : spec
  const keys: Array<SortKey> = []
  for (const part of text.split(",")) {
    const [rawField = "", rawDir = "asc", ...rest] = part.trim().split(":")
    const field = rawField.trim()
    const dir = rawDir.trim().toLowerCase()
    const expr = Object.hasOwn(fields, field) ? fields[field] : undefined
    if (expr === undefined) {
      return Either.left(
        bad(`Invalid sort field: '${field}'. Valid fields: ${Object.keys(fields).join(", ")}`),
      )
    }
    if (rest.length > 0 || (dir !== "asc" && dir !== "desc")) {
      return Either.left(bad(`Invalid sort direction in '${part.trim()}': use asc or desc`))
    }
    if (keys.some((key) => key.field === field)) {
      return Either.left(bad(`Duplicate sort field: '${field}'`))
    }
    keys.push({ field, expr, desc: dir === "desc" })
  }
  if (!keys.some((key) => key.field === "id"))
    keys.push({ field: "id", expr: fields.id ?? "id", desc: false })
  return Either.right(keys)
}

/**
 * The canonical text of a sort spec, as cursors record it.
 *
 * @since 0.1.0
 * @category sorting
 */
export const formatSort = (keys: ReadonlyArray<SortKey>): string =>
  keys.map((key) => `${key.field}:${key.desc ? "desc" : "asc"}`).join(",")

/**
 * A value a sort key can take.
 *
 * @since 0.1.0
 * @category models
 */
export type SortValue = string | number

/**
 * What a cursor carries.
 *
 * @since 0.1.0
 * @category models
 */
export interface Cursor {
  readonly direction: "next" | "prev"
  readonly sort: string
  readonly filter: string
  readonly values: ReadonlyArray<SortValue>
}

/**
 * @since 0.1.0
 * @category cursors
 */
export const encodeCursor = (cursor: Cursor): string =>
  Buffer.from(
    JSON.stringify({ d: cursor.direction, s: cursor.sort, f: cursor.filter, v: cursor.values }),
    "utf8",
  ).toString("base64url")

/**
 * Decodes a cursor; anything that is not one of ours is a 400.
 *
 * @since 0.1.0
 * @category cursors
 */
export const decodeCursor = (text: string): Either.Either<Cursor, LeadrError.BadRequest> => {
  const invalid = Either.left(bad("Invalid cursor"))
  if (text.length > 4096 || !/^[A-Za-z0-9_\-+/]+={0,2}$/.test(text)) return invalid
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(text, "base64").toString("utf8"))
  } catch {
    return invalid
  }
  if (typeof parsed !== "object" || parsed === null) return invalid
  const { d, s, f, v } = parsed as Record<string, unknown>
  if (d !== "next" && d !== "prev") return invalid
  if (typeof s !== "string" || typeof f !== "string" || !Array.isArray(v)) return invalid
  const values: Array<SortValue> = []
  for (const value of v) {
    if (typeof value === "string" || (typeof value === "number" && Number.isFinite(value))) values.push(value)
    else return invalid
  }
  return Either.right({ direction: d, sort: s, filter: f, values })
}

/**
 * JSON with object keys sorted, so equal values give equal text.
 *
 * @since 0.1.0
 * @category cursors
 */
export const stableJson = (value: unknown): string => JSON.stringify(stable(value))

const stable = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(stable)
    : typeof value === "object" && value !== null
      ? Object.fromEntries(
          Object.entries(value)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([k, v]) => [k, stable(v)]),
        )
      : value

/**
 * A short hash of a list's filters, so a cursor cannot be replayed against other filters.
 *
 * @since 0.1.0
 * @category cursors
 */
export const filterHash = (filters: unknown): string =>
  createHash("sha256").update(stableJson(filters)).digest("base64url").slice(0, 16)

/**
 * The rows strictly after (`forward`) or before the cursor values in sort order,
 * written with a leading range on the first key so SQLite can seek an index.
 */
const seekCondition = (
  keys: ReadonlyArray<SortKey>,
  values: ReadonlyArray<SortValue>,
  forward: boolean,
): { readonly sql: string; readonly params: Array<SortValue> } => {
  const params: Array<SortValue> = []
  const build = (i: number): string => {
    const key = keys[i]!
    const after = key.desc !== forward ? ">" : "<"
    const strict = `${key.expr} ${after} ?`
    params.push(values[i]!)
    if (i === keys.length - 1) return strict
    const eq = `${key.expr} = ?`
    params.push(values[i]!)
    return `(${strict} OR (${eq} AND ${build(i + 1)}))`
  }
  const first = keys[0]!
  const lead = `${first.expr} ${first.desc !== forward ? ">=" : "<="} ?`
  const rest = build(0)
  return { sql: `${lead} AND ${rest}`, params: [values[0]!, ...params] }
}

/**
 * The query behind a list: the columns, the table, and the filters as SQL.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListQuery {
  readonly select: string
  readonly from: string
  readonly where: ReadonlyArray<string>
  readonly params: ReadonlyArray<Sqlite.SqlValue>
  /** Every filter that shapes the result, hashed into cursors. */
  readonly filters: unknown
}

/**
 * The paging parameters of a request.
 *
 * @since 0.1.0
 * @category models
 */
export interface PageRequest {
  readonly cursor?: string | undefined
  readonly limit?: number | undefined
  readonly sort?: string | undefined
}

/**
 * One page of rows and its metadata.
 *
 * @since 0.1.0
 * @category models
 */
export interface RowPage<Row> {
  readonly rows: ReadonlyArray<Row>
  readonly pagination: Pagination.PaginationMeta
}

/**
 * Resolves the sort and cursor of a request: a bad cursor, a bad sort field,
 * or a cursor minted for another sort or other filters is a 400. Without a
 * `sort`, a cursor keeps the sort it was minted with.
 *
 * @since 0.1.0
 * @category paging
 */
export const resolve = (
  fields: SortFields,
  request: PageRequest,
  filters: string,
): Either.Either<
  { readonly keys: ReadonlyArray<SortKey>; readonly cursor: Cursor | undefined },
  LeadrError.BadRequest
> =>
  Either.gen(function* () {
    const cursor = request.cursor === undefined ? undefined : yield* decodeCursor(request.cursor)
    const keys = yield* parseSort(request.sort ?? cursor?.sort, fields)
    if (cursor !== undefined) {
      if (cursor.sort !== formatSort(keys)) {
        return yield* Either.left(bad("Cursor state mismatch: the cursor was created with a different sort"))
      }
      if (cursor.filter !== filters) {
        return yield* Either.left(bad("Cursor state mismatch: the cursor was created with different filters"))
      }
      if (cursor.values.length !== keys.length) return yield* Either.left(bad("Invalid cursor"))
    }
    return { keys, cursor }
  })

/**
 * Fetches one page of `query` in the requested sort, seeking past the cursor.
 *
 * @since 0.1.0
 * @category paging
 */
export const page = <Row extends object>(
  db: Sqlite.SqliteService,
  query: ListQuery,
  fields: SortFields,
  request: PageRequest,
): Effect.Effect<RowPage<Row>, LeadrError.BadRequest | Sqlite.SqlError> =>
  Effect.gen(function* () {
    const filters = filterHash(query.filters)
    const { keys, cursor } = yield* resolve(fields, request, filters)
    const limit = request.limit ?? defaultLimit
    const forward = cursor === undefined || cursor.direction === "next"
    const where = [...query.where]
    const params: Array<Sqlite.SqlValue> = [...query.params]
    if (cursor !== undefined) {
      const seek = seekCondition(keys, cursor.values, forward)
      where.push(seek.sql)
      params.push(...seek.params)
    }
    const order = keys.map((key) => `${key.expr} ${key.desc === forward ? "DESC" : "ASC"}`).join(", ")
    const sortColumns = keys.map((key, i) => `${key.expr} AS __k${i}`).join(", ")
    const sql =
      `SELECT ${query.select}, ${sortColumns} FROM ${query.from}` +
      (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
      ` ORDER BY ${order} LIMIT ${limit + 1}`
    const fetched = yield* db.all<Row & Record<string, SortValue>>(sql, params)
    const extra = fetched.length > limit
    const rows = fetched.slice(0, limit)
    if (!forward) rows.reverse()
    const valuesOf = (row: Record<string, SortValue>) => keys.map((_, i) => row[`__k${i}`]!)
    const first = rows[0] === undefined ? cursor?.values : valuesOf(rows[0])
    const last = rows.at(-1) === undefined ? cursor?.values : valuesOf(rows.at(-1)!)
    const hasNext = forward ? extra : true
    const hasPrev = forward ? cursor !== undefined : extra
    const sort = formatSort(keys)
    const mint = (direction: "next" | "prev", values: ReadonlyArray<SortValue> | undefined) =>
      values === undefined ? null : encodeCursor({ direction, sort, filter: filters, values })
    return {
      rows,
      pagination: new Pagination.PaginationMeta({
        next_cursor: hasNext ? mint("next", last) : null,
        prev_cursor: hasPrev ? mint("prev", first) : null,
        has_next: hasNext,
        has_prev: hasPrev,
        count: rows.length,
      }),
    }
  })
