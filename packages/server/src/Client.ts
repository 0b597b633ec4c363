/**
 * `/v1/client/*`: what a device calls with its access token. Account, game and
 * device come from the token; mutations also spend a nonce.
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Auth, LeadrApi, LeadrError, Score, Session } from "@leadr-toolkit/core"
import type { Sqlite } from "@leadr-toolkit/sqlite"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as AccountScope from "./AccountScope.js"
import * as Boards from "./Boards.js"
import { Db } from "./Db.js"
import * as Idempotency from "./Idempotency.js"
import { list, type Ranked, ranked, type ScoreRow, toWire } from "./Leaderboard.js"
import * as Nonces from "./Nonces.js"
import { ServerConfig } from "./ServerConfig.js"
import * as Submission from "./Submission.js"

const decode = Schema.decodeUnknownSync(Score.ClientScore)
const toClientScore = (scored: Ranked): Score.ClientScore =>
  decode(toWire(scored.row, scored.rank, scored.placeholder))

/** A device may only name its own account. */
const ownAccount = (device: Auth.DeviceCaller, requested: string | undefined) =>
  requested === undefined || requested === device.accountId
    ? Effect.void
    : Effect.fail(new LeadrError.Forbidden({ detail: "You do not have access to this account" }))

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  HttpApiGroup.ApiGroup<"leadr", "client">,
  never,
  Sqlite.Sqlite | Auth.DeviceAuth | ServerConfig
> = HttpApiBuilder.group(LeadrApi.LeadrApi, "client", (handlers) =>
  Effect.gen(function* () {
    const db = yield* Db
    const settings = yield* ServerConfig
    const nonces = yield* Nonces.make(db, settings.nonceTtlSeconds)
    const submit = yield* Submission.make(db, settings.antiCheat)
    return handlers
      .handle("nonce", ({ urlParams }) =>
        Effect.gen(function* () {
          const device = yield* Auth.DevicePrincipal
          yield* ownAccount(device, urlParams.account_id)
          const nonce = yield* nonces.issue(device.deviceId)
          return new Session.Nonce({
            nonce_value: nonce.value,
            expires_at: DateTime.unsafeMake(nonce.expiresAt),
          })
        }),
      )
      .handle("listBoards", ({ urlParams }) =>
        Effect.gen(function* () {
          const device = yield* Auth.DevicePrincipal
          yield* ownAccount(device, urlParams.account_id)
          const { account_id: _, cursor, limit, sort, ...filters } = urlParams
          return yield* Boards.list(
            db,
            device.accountId,
            filters,
            { cursor, limit, sort },
            {
              where: ["game_id = ?"],
              params: [device.gameId],
            },
          )
        }),
      )
      .handle("createScore", ({ payload, urlParams, headers }) =>
        Effect.gen(function* () {
          const device = yield* Auth.DevicePrincipal
          yield* ownAccount(device, urlParams.account_id)
          const scored = yield* submit({
            accountId: device.accountId,
            gameId: device.gameId,
            boardId: payload.board_id,
            deviceId: device.deviceId,
            playerName: payload.player_name,
            value: payload.value,
            valueDisplay: payload.value_display,
            metadata: payload.metadata,
            isTest: device.testMode,
            idempotency: Idempotency.claim(`device:${device.deviceId}`, headers["idempotency-key"], () =>
              Schema.encodeSync(Score.ClientScoreCreateRequest)(payload),
            ),
            precondition: nonces.consume(device.deviceId, headers["leadr-client-nonce"]),
          })
          return toClientScore(scored)
        }),
      )
      .handle("listScores", ({ urlParams }) =>
        Effect.gen(function* () {
          const device = yield* Auth.DevicePrincipal
          yield* ownAccount(device, urlParams.account_id)
          const { cursor, limit, sort } = urlParams
          const page = yield* list(
            db,
            {
              account: device.accountId,
              board_id: urlParams.board_id,
              device_id: urlParams.device_id,
              is_test: device.testMode ? "true" : "false",
              around_score_id: urlParams.around_score_id,
              around_score_value: urlParams.around_score_value,
            },
            { cursor, limit, sort },
          )
          return { data: page.rows.map(toClientScore), pagination: page.pagination }
        }),
      )
      .handle("getScore", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const device = yield* Auth.DevicePrincipal
          yield* ownAccount(device, urlParams.account_id)
          const row = yield* AccountScope.owned(
            { userId: "", accountId: device.accountId, superAdmin: false, apiKeyId: "" },
            undefined,
            db.get<ScoreRow>("SELECT * FROM scores WHERE id = ? AND deleted_at IS NULL AND rejected = 0", [
              path.score_id!,
            ]),
            "Score",
          )
          return toClientScore(yield* ranked(db, row))
        }),
      )
  }),
)
