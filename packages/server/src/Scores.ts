/**
 * `/v1/scores` (admin): a game server submits on behalf of a device, lists and
 * edits scores of its account.
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Auth, LeadrApi, LeadrError, Score } from "@leadr-toolkit/core"
import type { Sqlite } from "@leadr-toolkit/sqlite"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as AccountScope from "./AccountScope.js"
import * as Boards from "./Boards.js"
import { Db, updateRow } from "./Db.js"
import * as Idempotency from "./Idempotency.js"
import { list, type Ranked, ranked, type ScoreRow, toWire } from "./Leaderboard.js"
import { ServerConfig } from "./ServerConfig.js"
import * as Submission from "./Submission.js"
import * as Time from "./Time.js"

const decode = Schema.decodeUnknownSync(Score.Score)

/**
 * @since 0.1.0
 * @category rows
 */
export const toScore = (scored: Ranked): Score.Score =>
  decode(toWire(scored.row, scored.rank, scored.placeholder))

const load = (db: Db, id: string) =>
  db.get<ScoreRow>("SELECT * FROM scores WHERE id = ? AND deleted_at IS NULL", [id])

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  HttpApiGroup.ApiGroup<"leadr", "scores">,
  never,
  Sqlite.Sqlite | Auth.AdminAuth | ServerConfig
> = HttpApiBuilder.group(LeadrApi.LeadrApi, "scores", (handlers) =>
  Effect.gen(function* () {
    const db = yield* Db
    const settings = yield* ServerConfig
    const submit = yield* Submission.make(db, settings.antiCheat)
    return handlers
      .handle("create", ({ payload, urlParams, headers }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          const requested = payload.account_id ?? urlParams.account_id
          let account = yield* AccountScope.target(admin, requested)
          if (account === undefined) {
            const board = yield* Boards.load(db, payload.board_id)
            if (board === undefined) return yield* new LeadrError.NotFound({ detail: "Board not found" })
            account = board.account_id
          }
          const scored = yield* submit({
            accountId: account,
            gameId: payload.game_id,
            boardId: payload.board_id,
            deviceId: payload.device_id,
            playerName: payload.player_name,
            value: payload.value,
            valueDisplay: payload.value_display,
            metadata: payload.metadata,
            timezone: payload.timezone,
            country: payload.country,
            city: payload.city,
            isTest: false,
            idempotency: Idempotency.claim(`account:${account}`, headers["idempotency-key"], () =>
              Schema.encodeSync(Score.ScoreCreateRequest)(payload),
            ),
          })
          return toScore(scored)
        }),
      )
      .handle("list", ({ urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          const account = yield* AccountScope.target(admin, urlParams.account_id)
          const { cursor, limit, sort } = urlParams
          const page = yield* list(
            db,
            {
              account,
              board_id: urlParams.board_id,
              game_id: urlParams.game_id,
              device_id: urlParams.device_id,
              is_test: urlParams.is_test ?? "false",
              around_score_id: urlParams.around_score_id,
              around_score_value: urlParams.around_score_value,
            },
            { cursor, limit, sort },
          )
          return { data: page.rows.map(toScore), pagination: page.pagination }
        }),
      )
      .handle("get", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          const row = yield* AccountScope.owned(
            admin,
            urlParams.account_id,
            load(db, path.score_id!),
            "Score",
          )
          return toScore(yield* ranked(db, row))
        }),
      )
      .handle("update", ({ path, urlParams, payload }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          const id = path.score_id!
          yield* AccountScope.owned(admin, urlParams.account_id, load(db, id), "Score")
          const now = yield* Time.now
          const row = yield* updateRow<ScoreRow>(db, "scores", id, {
            player_name: payload.player_name ?? undefined,
            value: payload.value ?? undefined,
            value_display: payload.value_display ?? undefined,
            timezone: payload.timezone ?? undefined,
            country: payload.country ?? undefined,
            city: payload.city ?? undefined,
            metadata:
              payload.metadata === undefined || payload.metadata === null
                ? undefined
                : JSON.stringify(payload.metadata),
            deleted_at: payload.deleted === true ? now : undefined,
            updated_at: now,
          })
          return toScore(yield* ranked(db, row))
        }),
      )
  }),
)
