/**
 * `/v1/boards` (admin) and the board listing the client API shares: slug and
 * short code are generated when not given, every filter of the seed page is
 * honoured, and `deleted: true` soft-deletes.
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Auth, Board, LeadrApi, LeadrError, type Pagination } from "@leadr-toolkit/core"
import type { Sqlite } from "@leadr-toolkit/sqlite"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as AccountScope from "./AccountScope.js"
import { freeSlug } from "./Accounts.js"
import { bool, Db, json, updateRow } from "./Db.js"
import * as Games from "./Games.js"
import * as Ids from "./Ids.js"
import type * as Keyset from "./Keyset.js"
import * as Time from "./Time.js"
import { accountExists } from "./Users.js"

/**
 * @since 0.1.0
 * @category rows
 */
export interface BoardRow {
  readonly id: string
  readonly account_id: string
  readonly game_id: string
  readonly name: string
  readonly slug: string
  readonly short_code: string
  readonly is_active: number
  readonly is_published: number
  readonly sort_direction: Board.SortDirection
  readonly keep_strategy: Board.KeepStrategy
  readonly tags: string
  readonly starts_at: string | null
  readonly ends_at: string | null
  readonly created_at: string
  readonly updated_at: string
}

const decode = Schema.decodeUnknownSync(Board.Board)

/**
 * @since 0.1.0
 * @category rows
 */
export const toBoard = (row: BoardRow): Board.Board =>
  decode({
    ...row,
    is_active: bool(row.is_active),
    is_published: bool(row.is_published),
    tags: json(row.tags, []),
    url_short: null,
  })

const sortFields = {
  id: "id",
  name: "name",
  slug: "slug",
  short_code: "short_code",
  created_at: "created_at",
  updated_at: "updated_at",
}

/**
 * A live board by id.
 *
 * @since 0.1.0
 * @category queries
 */
export const load = (db: Db, id: string) =>
  db.get<BoardRow>("SELECT * FROM boards WHERE id = ? AND deleted_at IS NULL", [id])

const codeTaken = (db: Db, code: string, except = "") =>
  Effect.map(
    db.get("SELECT 1 FROM boards WHERE short_code = ? AND id <> ?", [code, except]),
    (r) => r !== undefined,
  )

/**
 * Inserts a board after the create checks (the demo seed and the handler share it).
 *
 * @since 0.1.0
 * @category commands
 */
export const insert = (db: Db, input: Board.BoardCreateRequest) =>
  Effect.gen(function* () {
    yield* accountExists(db, input.account_id)
    const game = yield* Games.load(db, input.game_id)
    if (game === undefined) return yield* new LeadrError.NotFound({ detail: "Game not found" })
    if (game.account_id !== input.account_id) {
      return yield* new LeadrError.BadRequest({ detail: "Game does not belong to the specified account" })
    }
    let slug: string
    if (input.slug !== undefined && input.slug !== null) {
      const clash = yield* db.get("SELECT 1 FROM boards WHERE game_id = ? AND slug = ?", [
        game.id,
        input.slug,
      ])
      if (clash !== undefined) {
        return yield* new LeadrError.BadRequest({
          detail: "A board with this slug already exists in the game",
        })
      }
      slug = input.slug
    } else {
      slug = yield* freeSlug(db, "boards", Ids.slugify(input.name), { column: "game_id", value: game.id })
    }
    let code: string
    if (input.short_code !== undefined && input.short_code !== null) {
      if (yield* codeTaken(db, input.short_code)) {
        return yield* new LeadrError.BadRequest({ detail: "Short code already in use" })
      }
      code = input.short_code
    } else {
      do code = Ids.shortCode()
      while (yield* codeTaken(db, code))
    }
    const now = yield* Time.now
    const id = Ids.make("brd")
    yield* db.run(
      `INSERT INTO boards (id, account_id, game_id, name, slug, icon, short_code, unit, is_active, is_published,
         sort_direction, keep_strategy, created_from_template_id, template_name, starts_at, ends_at, tags,
         description, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        input.account_id,
        game.id,
        input.name,
        slug,
        input.icon ?? null,
        code,
        input.unit ?? null,
        input.is_active,
        input.is_published,
        input.sort_direction,
        input.keep_strategy,
        input.created_from_template_id ?? null,
        input.template_name ?? null,
        Time.optional(input.starts_at),
        Time.optional(input.ends_at),
        JSON.stringify(input.tags ?? []),
        input.description ?? null,
        now,
        now,
      ],
    )
    return (yield* load(db, id))!
  })

/**
 * The board filters of both listings.
 *
 * @since 0.1.0
 * @category models
 */
export interface BoardFilters {
  readonly game_id?: string | undefined
  readonly code?: string | undefined
  readonly game_slug?: string | undefined
  readonly slug?: string | undefined
  readonly is_active?: boolean | undefined
  readonly is_published?: boolean | undefined
  readonly starts_before?: DateTime.Utc | undefined
  readonly starts_after?: DateTime.Utc | undefined
  readonly ends_before?: DateTime.Utc | undefined
  readonly ends_after?: DateTime.Utc | undefined
}

/**
 * Lists boards in `account` (every account if undefined) with the seed page's
 * filters: `slug` needs `game_slug` (400); an unknown `game_slug`, or no board
 * with that slug, is 404.
 *
 * @since 0.1.0
 * @category queries
 */
export const list = (
  db: Db,
  account: string | undefined,
  filters: BoardFilters,
  request: Keyset.PageRequest,
  extra: { readonly where: ReadonlyArray<string>; readonly params: ReadonlyArray<string> } = {
    where: [],
    params: [],
  },
): Effect.Effect<Pagination.Page<Board.Board>, LeadrError.BadRequest | LeadrError.NotFound> =>
  Effect.gen(function* () {
    if (filters.slug !== undefined && filters.game_slug === undefined) {
      return yield* new LeadrError.BadRequest({ detail: "Board slug filter requires game_slug" })
    }
    const where = ["deleted_at IS NULL", ...extra.where]
    const params: Array<Sqlite.SqlValue> = [...extra.params]
    const add = (sql: string, value: Sqlite.SqlValue | undefined) => {
      if (value === undefined) return
      where.push(sql)
      params.push(value)
    }
    add("account_id = ?", account)
    if (filters.game_slug !== undefined) {
      const game = yield* db.get<{ id: string }>(
        `SELECT id FROM games WHERE slug = ? AND deleted_at IS NULL${account === undefined ? "" : " AND account_id = ?"}`,
        account === undefined ? [filters.game_slug] : [filters.game_slug, account],
      )
      if (game === undefined) return yield* new LeadrError.NotFound({ detail: "Game not found" })
      add("game_id = ?", game.id)
    }
    add("game_id = ?", filters.game_id)
    add("slug = ?", filters.slug)
    add("short_code = ?", filters.code)
    add("is_active = ?", filters.is_active)
    add("is_published = ?", filters.is_published)
    add("starts_at < ?", Time.optional(filters.starts_before) ?? undefined)
    add("starts_at > ?", Time.optional(filters.starts_after) ?? undefined)
    add("ends_at < ?", Time.optional(filters.ends_before) ?? undefined)
    add("ends_at > ?", Time.optional(filters.ends_after) ?? undefined)
    const page = yield* db.page<BoardRow>(
      {
        select: "*",
        from: "boards",
        where,
        params,
        filters: {
          account,
          ...filters,
          starts_before: Time.optional(filters.starts_before),
          starts_after: Time.optional(filters.starts_after),
          ends_before: Time.optional(filters.ends_before),
          ends_after: Time.optional(filters.ends_after),
          extra,
        },
      },
      sortFields,
      request,
    )
    if (filters.slug !== undefined && page.rows.length === 0 && request.cursor === undefined) {
      return yield* new LeadrError.NotFound({ detail: "Board not found" })
    }
    return { data: page.rows.map(toBoard), pagination: page.pagination }
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  HttpApiGroup.ApiGroup<"leadr", "boards">,
  never,
  Sqlite.Sqlite | Auth.AdminAuth
> = HttpApiBuilder.group(LeadrApi.LeadrApi, "boards", (handlers) =>
  Effect.gen(function* () {
    const db = yield* Db
    return handlers
      .handle("create", ({ payload, urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          yield* AccountScope.target(admin, urlParams.account_id)
          yield* AccountScope.check(admin, payload.account_id)
          return toBoard(yield* db.transaction(insert(db, payload)))
        }),
      )
      .handle("list", ({ urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          const account = yield* AccountScope.target(admin, urlParams.account_id)
          const { account_id: _, cursor, limit, sort, ...filters } = urlParams
          return yield* list(db, account, filters, { cursor, limit, sort })
        }),
      )
      .handle("get", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          return toBoard(
            yield* AccountScope.owned(admin, urlParams.account_id, load(db, path.board_id!), "Board"),
          )
        }),
      )
      .handle("update", ({ path, urlParams, payload }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          const id = path.board_id!
          yield* AccountScope.owned(admin, urlParams.account_id, load(db, id), "Board")
          if (payload.short_code !== undefined && payload.short_code !== null) {
            if (yield* codeTaken(db, payload.short_code, id)) {
              return yield* new LeadrError.BadRequest({ detail: "Short code already in use" })
            }
          }
          const now = yield* Time.now
          return toBoard(
            yield* updateRow<BoardRow>(db, "boards", id, {
              name: payload.name ?? undefined,
              icon: payload.icon ?? undefined,
              short_code: payload.short_code ?? undefined,
              unit: payload.unit ?? undefined,
              is_active: payload.is_active ?? undefined,
              is_published: payload.is_published ?? undefined,
              sort_direction: payload.sort_direction ?? undefined,
              keep_strategy: payload.keep_strategy ?? undefined,
              created_from_template_id: payload.created_from_template_id ?? undefined,
              template_name: payload.template_name ?? undefined,
              starts_at: Time.optional(payload.starts_at) ?? undefined,
              ends_at: Time.optional(payload.ends_at) ?? undefined,
              tags:
                payload.tags === undefined || payload.tags === null
                  ? undefined
                  : JSON.stringify(payload.tags),
              description: payload.description ?? undefined,
              deleted_at: payload.deleted === true ? now : undefined,
              updated_at: now,
            }),
          )
        }),
      )
  }),
)
