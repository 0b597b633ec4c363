/**
 * Reading scores as a board ranks them: visible scores, competition rank (ties
 * share a rank), score lists with the seed filters, and windows around a score
 * or a hypothetical value.
 *
 * @since 0.1.0
 */
import { LeadrError, Pagination } from "@leadr-toolkit/core"
import type { Sqlite } from "@leadr-toolkit/sqlite"
import * as Effect from "effect/Effect"
import type { BoardRow } from "./Boards.js"
import * as Boards from "./Boards.js"
import { bool, type Db, json } from "./Db.js"
import type * as Keyset from "./Keyset.js"
import * as Time from "./Time.js"

/**
 * The scores a board shows: kept by its strategy, not rate-limited, not deleted.
 *
 * @since 0.1.0
 * @category queries
 */
export const visible = "kept = 1 AND rejected = 0 AND deleted_at IS NULL"

/**
 * @since 0.1.0
 * @category rows
 */
export interface ScoreRow {
  readonly id: string
  readonly account_id: string
  readonly game_id: string
  readonly board_id: string
  readonly device_id: string
  readonly player_name: string
  readonly value: number
  readonly value_display: string | null
  readonly metadata: string | null
  readonly timezone: string | null
  readonly country: string | null
  readonly city: string | null
  readonly is_test: number
  readonly kept: number
  readonly rejected: number
  readonly created_at: string
  readonly updated_at: string
}

/**
 * A score in its wire shape (both the admin and the client schema decode it).
 *
 * @since 0.1.0
 * @category rows
 */
export const toWire = (row: ScoreRow, rank: number | null, placeholder = false) => ({
  ...row,
  metadata: json(row.metadata, null),
  is_test: bool(row.is_test),
  is_placeholder: placeholder,
  rank,
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Ranked {
  readonly row: ScoreRow
  readonly rank: number | null
  readonly placeholder: boolean
}

const better = (board: Pick<BoardRow, "sort_direction">) =>
  board.sort_direction === "DESCENDING" ? ">" : "<"
const worse = (board: Pick<BoardRow, "sort_direction">) => (board.sort_direction === "DESCENDING" ? "<" : ">")

/**
 * Where `value` ranks on a board: one more than the visible scores strictly better.
 *
 * @since 0.1.0
 * @category ranking
 */
export const rankOf = (db: Db, board: BoardRow, value: number, isTest: boolean) =>
  Effect.map(
    db.get<{ n: number }>(
      `SELECT COUNT(*) AS n FROM scores
        WHERE board_id = ? AND is_test = ? AND ${visible} AND value ${better(board)} ?`,
      [board.id, isTest, value],
    ),
    (row) => (row?.n ?? 0) + 1,
  )

/**
 * A stored score with its rank on its board (null when the board does not show it).
 *
 * @since 0.1.0
 * @category ranking
 */
export const ranked = (db: Db, row: ScoreRow): Effect.Effect<Ranked> =>
  Effect.gen(function* () {
    if (row.kept !== 1 || row.rejected !== 0) return { row, rank: null, placeholder: false }
    const board = yield* db.get<BoardRow>("SELECT * FROM boards WHERE id = ?", [row.board_id])
    if (board === undefined) return { row, rank: null, placeholder: false }
    return { row, rank: yield* rankOf(db, board, row.value, row.is_test === 1), placeholder: false }
  })

/**
 * Ranks the rows of a page of one board.
 *
 * @since 0.1.0
 * @category ranking
 */
export const rankRows = (db: Db, board: BoardRow | undefined, rows: ReadonlyArray<ScoreRow>) =>
  Effect.gen(function* () {
    const ranked: Array<Ranked> = []
    const memo = new Map<string, number>()
    for (const row of rows) {
      let rank: number | null = null
      if (board !== undefined && row.kept === 1 && row.rejected === 0 && row.board_id === board.id) {
        const key = `${row.is_test}:${row.value}`
        rank = memo.get(key) ?? (yield* rankOf(db, board, row.value, row.is_test === 1))
        memo.set(key, rank)
      }
      ranked.push({ row, rank, placeholder: false })
    }
    return ranked
  })

/**
 * The score filters of both score listings.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScoreFilters {
  readonly account: string | undefined
  readonly board_id?: string | undefined
  readonly game_id?: string | undefined
  readonly device_id?: string | undefined
  readonly is_test: "true" | "false" | "all"
  readonly around_score_id?: string | undefined
  readonly around_score_value?: number | undefined
}

const sortFields = {
  id: "id",
  value: "value",
  player_name: "player_name",
  filter_timezone: "COALESCE(timezone, '')",
  filter_country: "COALESCE(country, '')",
  filter_city: "COALESCE(city, '')",
  created_at: "created_at",
  updated_at: "updated_at",
}

const bad = (detail: string) => new LeadrError.BadRequest({ detail })

/**
 * Lists visible scores, ranked when filtered by board; or, with
 * `around_score_id` / `around_score_value`, the window around that score or value.
 *
 * @since 0.1.0
 * @category queries
 */
export const list = (
  db: Db,
  filters: ScoreFilters,
  request: Keyset.PageRequest,
): Effect.Effect<
  { readonly rows: ReadonlyArray<Ranked>; readonly pagination: Pagination.PaginationMeta },
  LeadrError.BadRequest | LeadrError.NotFound | LeadrError.Forbidden
> =>
  Effect.gen(function* () {
    let board: BoardRow | undefined
    if (filters.board_id !== undefined) {
      board = yield* Boards.load(db, filters.board_id)
      if (board === undefined) return yield* new LeadrError.NotFound({ detail: "Board not found" })
      if (filters.account !== undefined && board.account_id !== filters.account) {
        return yield* new LeadrError.Forbidden({ detail: "You do not have access to this board" })
      }
    }
    const aroundId = filters.around_score_id
    const aroundValue = filters.around_score_value
    if (aroundId !== undefined || aroundValue !== undefined) {
      if (board === undefined) return yield* bad("around_score_id and around_score_value require board_id")
      if (aroundId !== undefined && aroundValue !== undefined) {
        return yield* bad("around_score_id and around_score_value are mutually exclusive")
      }
      if (request.cursor !== undefined) return yield* bad("around queries cannot be combined with a cursor")
      if (aroundValue !== undefined && !Number.isFinite(aroundValue)) {
        return yield* bad("around_score_value must be a finite number")
      }
      return yield* around(db, board, filters, request.limit ?? 20)
    }
    const where = [visible]
    const params: Array<Sqlite.SqlValue> = []
    const add = (sql: string, value: Sqlite.SqlValue | undefined) => {
      if (value === undefined) return
      where.push(sql)
      params.push(value)
    }
    add("account_id = ?", filters.account)
    add("board_id = ?", filters.board_id)
    add("game_id = ?", filters.game_id)
    add("device_id = ?", filters.device_id)
    add("is_test = ?", filters.is_test === "all" ? undefined : filters.is_test === "true")
    const page = yield* db.page<ScoreRow>(
      { select: "*", from: "scores", where, params, filters },
      sortFields,
      request,
    )
    return { rows: yield* rankRows(db, board, page.rows), pagination: page.pagination }
  })

const around = (db: Db, board: BoardRow, filters: ScoreFilters, limit: number) =>
  Effect.gen(function* () {
    const isTest = filters.is_test === "true"
    const scope = `board_id = ? AND is_test = ? AND ${visible}`
    const scopeParams: Array<Sqlite.SqlValue> = [board.id, isTest]
    const b = better(board)
    const w = worse(board)
    const forward = `value ${board.sort_direction === "DESCENDING" ? "DESC" : "ASC"}, created_at ASC, id ASC`
    const backward = `value ${board.sort_direction === "DESCENDING" ? "ASC" : "DESC"}, created_at DESC, id DESC`
    let target: Ranked
    let aboveSql: string
    let belowSql: string
    let pivot: Array<Sqlite.SqlValue>
    if (filters.around_score_id !== undefined) {
      const row = yield* db.get<ScoreRow>(`SELECT * FROM scores WHERE id = ? AND ${scope}`, [
        filters.around_score_id,
        ...scopeParams,
      ])
      if (row === undefined) return yield* new LeadrError.NotFound({ detail: "Score not found" })
      target = { row, rank: yield* rankOf(db, board, row.value, isTest), placeholder: false }
      aboveSql = `(value ${b} ? OR (value = ? AND (created_at < ? OR (created_at = ? AND id < ?))))`
      belowSql = `(value ${w} ? OR (value = ? AND (created_at > ? OR (created_at = ? AND id > ?))))`
      pivot = [row.value, row.value, row.created_at, row.created_at, row.id]
    } else {
      const value = filters.around_score_value!
      const now = yield* Time.now
      const row: ScoreRow = {
        id: "placeholder",
        account_id: board.account_id,
        game_id: board.game_id,
        board_id: board.id,
        device_id: "",
        player_name: "",
        value,
        value_display: null,
        metadata: null,
        timezone: null,
        country: null,
        city: null,
        is_test: isTest ? 1 : 0,
        kept: 1,
        rejected: 0,
        created_at: now,
        updated_at: now,
      }
      target = { row, rank: yield* rankOf(db, board, value, isTest), placeholder: true }
      // A new score with an equal value would rank after the existing ties.
      aboveSql = `value ${b}= ?`
      belowSql = `value ${w} ?`
      pivot = [value]
    }
    const fetch = (condition: string, order: string) =>
      db.all<ScoreRow>(`SELECT * FROM scores WHERE ${scope} AND ${condition} ORDER BY ${order} LIMIT ?`, [
        ...scopeParams,
        ...pivot,
        limit,
      ])
    const above = yield* fetch(aboveSql, backward)
    const below = yield* fetch(belowSql, forward)
    const room = Math.max(0, limit - 1)
    const wantAbove = Math.floor(room / 2)
    const takeAbove = Math.min(above.length, wantAbove + Math.max(0, room - wantAbove - below.length))
    const takeBelow = Math.min(below.length, room - takeAbove)
    const window = [...above.slice(0, takeAbove).reverse(), target.row, ...below.slice(0, takeBelow)]
    const ranked = yield* rankRows(
      db,
      board,
      window.filter((r) => r !== target.row),
    )
    const rows = [...ranked.slice(0, takeAbove), target, ...ranked.slice(takeAbove)].slice(
      0,
      Math.max(1, limit),
    )
    return {
      rows,
      pagination: new Pagination.PaginationMeta({
        next_cursor: null,
        prev_cursor: null,
        has_next: below.length > takeBelow,
        has_prev: above.length > takeAbove,
        count: rows.length,
      }),
    }
  })
