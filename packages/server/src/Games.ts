/**
 * `/v1/games`: games of an account; slugs are globally unique and anti-cheat is on by default.
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Auth, Game, LeadrApi, LeadrError } from "@leadr-toolkit/core"
import type { Sqlite } from "@leadr-toolkit/sqlite"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as AccountScope from "./AccountScope.js"
import { freeSlug } from "./Accounts.js"
import { bool, Db, json, updateRow } from "./Db.js"
import * as Ids from "./Ids.js"
import * as Time from "./Time.js"
import { accountExists } from "./Users.js"

/**
 * @since 0.1.0
 * @category rows
 */
export interface GameRow {
  readonly id: string
  readonly account_id: string
  readonly name: string
  readonly slug: string
  readonly steam_app_id: string | null
  readonly default_board_id: string | null
  readonly anti_cheat_enabled: number
  readonly description: string | null
  readonly tags: string
  readonly page_url: string | null
  readonly created_at: string
  readonly updated_at: string
}

const decode = Schema.decodeUnknownSync(Game.Game)

/**
 * @since 0.1.0
 * @category rows
 */
export const toGame = (row: GameRow): Game.Game =>
  decode({ ...row, anti_cheat_enabled: bool(row.anti_cheat_enabled), tags: json(row.tags, []), url: null })

const sortFields = {
  id: "id",
  name: "name",
  slug: "slug",
  created_at: "created_at",
  updated_at: "updated_at",
}

/**
 * A live game by id.
 *
 * @since 0.1.0
 * @category queries
 */
export const load = (db: Db, id: string) =>
  db.get<GameRow>("SELECT * FROM games WHERE id = ? AND deleted_at IS NULL", [id])

/**
 * Inserts a game (the demo seed and the handler share it).
 *
 * @since 0.1.0
 * @category commands
 */
export const insert = (
  db: Db,
  input: {
    readonly account_id: string
    readonly name: string
    readonly slug?: string | null | undefined
    readonly steam_app_id?: string | null | undefined
    readonly default_board_id?: string | null | undefined
    readonly anti_cheat_enabled: boolean
    readonly description?: string | null | undefined
    readonly tags?: ReadonlyArray<string> | null | undefined
    readonly page_url?: string | null | undefined
  },
) =>
  Effect.gen(function* () {
    let slug: string
    if (input.slug !== undefined && input.slug !== null) {
      if ((yield* db.get("SELECT 1 FROM games WHERE slug = ?", [input.slug])) !== undefined) {
        return yield* new LeadrError.BadRequest({ detail: "Game slug already exists" })
      }
      slug = input.slug
    } else {
      slug = yield* freeSlug(db, "games", Ids.slugify(input.name), undefined)
    }
    const now = yield* Time.now
    const id = Ids.make("gam")
    yield* db.run(
      `INSERT INTO games (id, account_id, name, slug, steam_app_id, default_board_id, anti_cheat_enabled,
                          description, tags, page_url, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        input.account_id,
        input.name,
        slug,
        input.steam_app_id ?? null,
        input.default_board_id ?? null,
        input.anti_cheat_enabled,
        input.description ?? null,
        JSON.stringify(input.tags ?? []),
        input.page_url ?? null,
        now,
        now,
      ],
    )
    return (yield* load(db, id))!
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  HttpApiGroup.ApiGroup<"leadr", "games">,
  never,
  Sqlite.Sqlite | Auth.AdminAuth
> = HttpApiBuilder.group(LeadrApi.LeadrApi, "games", (handlers) =>
  Effect.gen(function* () {
    const db = yield* Db
    return handlers
      .handle("create", ({ payload, urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          yield* AccountScope.target(admin, urlParams.account_id)
          yield* AccountScope.check(admin, payload.account_id)
          yield* accountExists(db, payload.account_id)
          return toGame(yield* db.transaction(insert(db, payload)))
        }),
      )
      .handle("list", ({ urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          const account = yield* AccountScope.target(admin, urlParams.account_id)
          const where = ["deleted_at IS NULL"]
          const params: Array<string> = []
          if (account !== undefined) where.push("account_id = ?") && params.push(account)
          if (urlParams.slug !== undefined) where.push("slug = ?") && params.push(urlParams.slug)
          const page = yield* db.page<GameRow>(
            { select: "*", from: "games", where, params, filters: { account, slug: urlParams.slug } },
            sortFields,
            urlParams,
          )
          if (urlParams.slug !== undefined && page.rows.length === 0 && urlParams.cursor === undefined) {
            return yield* new LeadrError.NotFound({ detail: "Game not found" })
          }
          return { data: page.rows.map(toGame), pagination: page.pagination }
        }),
      )
      .handle("get", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          return toGame(
            yield* AccountScope.owned(admin, urlParams.account_id, load(db, path.game_id!), "Game"),
          )
        }),
      )
      .handle("update", ({ path, urlParams, payload }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          const id = path.game_id!
          yield* AccountScope.owned(admin, urlParams.account_id, load(db, id), "Game")
          const now = yield* Time.now
          return toGame(
            yield* updateRow<GameRow>(db, "games", id, {
              name: payload.name ?? undefined,
              steam_app_id: payload.steam_app_id ?? undefined,
              default_board_id: payload.default_board_id ?? undefined,
              anti_cheat_enabled: payload.anti_cheat_enabled ?? undefined,
              description: payload.description ?? undefined,
              tags:
                payload.tags === undefined || payload.tags === null
                  ? undefined
                  : JSON.stringify(payload.tags),
              page_url: payload.page_url ?? undefined,
              deleted_at: payload.deleted === true ? now : undefined,
              updated_at: now,
            }),
          )
        }),
      )
  }),
)
