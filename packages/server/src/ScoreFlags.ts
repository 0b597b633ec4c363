/**
 * `/v1/score-flags`: what the anti-cheat raised, and its review. Reviewing
 * records who reviewed and when; `deleted: true` soft-deletes.
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Auth, LeadrApi, LeadrError, ScoreFlag } from "@leadr-toolkit/core"
import type { Sqlite } from "@leadr-toolkit/sqlite"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as AccountScope from "./AccountScope.js"
import { Db, json, updateRow } from "./Db.js"
import * as Time from "./Time.js"

interface FlagRow {
  readonly id: string
  readonly account_id: string
  readonly score_id: string
  readonly flag_type: string
  readonly confidence: string
  readonly metadata: string
  readonly status: string
  readonly reviewed_at: string | null
  readonly reviewer_id: string | null
  readonly reviewer_decision: string | null
  readonly created_at: string
  readonly updated_at: string
}

const decode = Schema.decodeUnknownSync(ScoreFlag.ScoreFlagResponse)
const toFlag = (row: FlagRow): ScoreFlag.ScoreFlag =>
  decode({ ...row, score_id: undefined, score_event_id: row.score_id, metadata: json(row.metadata, {}) })

const sortFields = {
  id: "id",
  flag_type: "flag_type",
  confidence: "confidence",
  status: "status",
  created_at: "created_at",
  updated_at: "updated_at",
}

const isStatus = Schema.is(ScoreFlag.FlagStatus)
const statuses = ScoreFlag.FlagStatus.literals.join(", ")

const load = (db: Db, id: string) =>
  db.get<FlagRow>("SELECT * FROM score_flags WHERE id = ? AND deleted_at IS NULL", [id])

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  HttpApiGroup.ApiGroup<"leadr", "scoreFlags">,
  never,
  Sqlite.Sqlite | Auth.AdminAuth
> = HttpApiBuilder.group(LeadrApi.LeadrApi, "scoreFlags", (handlers) =>
  Effect.gen(function* () {
    const db = yield* Db
    return handlers
      .handle("list", ({ urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          const account = yield* AccountScope.target(admin, urlParams.account_id)
          if (urlParams.status !== undefined && !isStatus(urlParams.status)) {
            return yield* new LeadrError.BadRequest({
              detail: `Invalid status: '${urlParams.status.slice(0, 50)}'. Must be one of: ${statuses}`,
            })
          }
          const where = ["deleted_at IS NULL"]
          const params: Array<string> = []
          const add = (sql: string, value: string | undefined) => {
            if (value === undefined) return
            where.push(sql)
            params.push(value)
          }
          add("account_id = ?", account)
          add("board_id = ?", urlParams.board_id)
          add("game_id = ?", urlParams.game_id)
          add("status = ?", urlParams.status)
          add("flag_type = ?", urlParams.flag_type)
          const { cursor, limit, sort, account_id: _, ...filters } = urlParams
          const page = yield* db.page<FlagRow>(
            { select: "*", from: "score_flags", where, params, filters: { account, ...filters } },
            sortFields,
            { cursor, limit, sort },
          )
          return { data: page.rows.map(toFlag), pagination: page.pagination }
        }),
      )
      .handle("get", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          return toFlag(
            yield* AccountScope.owned(admin, urlParams.account_id, load(db, path.flag_id!), "Score flag"),
          )
        }),
      )
      .handle("update", ({ path, urlParams, payload }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          const id = path.flag_id!
          yield* AccountScope.owned(admin, urlParams.account_id, load(db, id), "Score flag")
          const status = payload.status ?? undefined
          if (status !== undefined && !isStatus(status)) {
            return yield* new LeadrError.BadRequest({
              detail: `Invalid status: '${status.slice(0, 50)}'. Must be one of: ${statuses}`,
            })
          }
          const decision = payload.reviewer_decision ?? undefined
          const reviewed = status !== undefined || decision !== undefined
          const now = yield* Time.now
          return toFlag(
            yield* updateRow<FlagRow>(db, "score_flags", id, {
              status,
              reviewer_decision: decision,
              reviewed_at: reviewed ? now : undefined,
              reviewer_id: reviewed ? admin.userId : undefined,
              deleted_at: payload.deleted === true ? now : undefined,
              updated_at: now,
            }),
          )
        }),
      )
  }),
)
