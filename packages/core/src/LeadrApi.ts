/**
 * The LEADR API, defined once. The local server implements it with
 * `HttpApiBuilder`, the client derives from it with `HttpApiClient`, and
 * `OpenApi.fromApi(LeadrApi)` documents it.
 *
 * @since 0.1.0
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import {
  Account,
  AccountCreateRequest,
  AccountUpdateRequest,
  User,
  UserCreateRequest,
  UserUpdateRequest,
} from "./Account.js"
import { ApiKey, ApiKeyCreated, ApiKeyCreateRequest, ApiKeyStatus, ApiKeyUpdateRequest } from "./ApiKey.js"
import { AdminAuth, DeviceAuth } from "./Auth.js"
import { Board, BoardCreateRequest, BoardUpdateRequest } from "./Board.js"
import { Device, DeviceStatus, DeviceUpdateRequest } from "./Device.js"
import { Game, GameCreateRequest, GameUpdateRequest } from "./Game.js"
import { Health } from "./Health.js"
import {
  BadRequestResponse,
  ConflictResponse,
  ForbiddenResponse,
  NotFoundResponse,
  PreconditionFailedResponse,
  RateLimitedResponse,
  UnauthorizedResponse,
  ValidationFailedResponse,
} from "./LeadrError.js"
import { PageParams, Paginated } from "./Pagination.js"
import {
  ClientScore,
  ClientScoreCreateRequest,
  Score,
  ScoreCreateRequest,
  ScoreUpdateRequest,
} from "./Score.js"
import { FlagType, ScoreFlagResponse, ScoreFlagUpdateRequest } from "./ScoreFlag.js"
import {
  Nonce,
  RefreshTokenRequest,
  RefreshTokenResponse,
  StartSessionRequest,
  StartSessionResponse,
} from "./Session.js"

const accountId = Schema.optional(Schema.String)
const described = (description: string) => Schema.optional(Schema.String.annotations({ description }))
const flag = (description: string) => Schema.optional(Schema.BooleanFromString.annotations({ description }))
const instant = (description: string) => Schema.optional(Schema.DateTimeUtc.annotations({ description }))
const AccountScope = Schema.Struct({ account_id: accountId })
const idParam = (name: string) => HttpApiSchema.param(name, Schema.String)

/**
 * A 201 success under its component name. Annotating a schema drops its
 * identifier, so `addSuccess(X, { status: 201 })` would inline `X` in the
 * OpenAPI document instead of referring to `XResponse`; this keeps the name.
 */
const created = <A, I, R>(schema: Schema.Schema<A, I, R> & { readonly identifier: string }) =>
  schema.annotations({ ...HttpApiSchema.annotations({ status: 201 }), identifier: schema.identifier })

/** The errors every admin call can meet. */
const adminGroup = <const Name extends string>(name: Name) =>
  HttpApiGroup.make(name)
    .addError(BadRequestResponse)
    .addError(ForbiddenResponse)
    .addError(NotFoundResponse)
    .middleware(AdminAuth)

const accountIdParam = idParam("account_id")
const userId = idParam("user_id")
const keyId = idParam("key_id")
const gameId = idParam("game_id")
const boardId = idParam("board_id")
const scoreId = idParam("score_id")
const flagId = idParam("flag_id")
const deviceId = idParam("device_id")

/**
 * Accounts (`/v1/accounts`).
 *
 * @since 0.1.0
 * @category groups
 */
export class AccountsGroup extends adminGroup("accounts")
  .add(
    HttpApiEndpoint.post("create", "/v1/accounts")
      .setUrlParams(AccountScope)
      .setPayload(AccountCreateRequest)
      .addSuccess(created(Account)),
  )
  .add(
    HttpApiEndpoint.get("list", "/v1/accounts")
      .setUrlParams(
        Schema.Struct({ slug: described("Filter by slug"), account_id: accountId, ...PageParams }),
      )
      .addSuccess(Paginated(Account, "AccountResponse")),
  )
  .add(HttpApiEndpoint.get("get")`/v1/accounts/${accountIdParam}`.addSuccess(Account))
  .add(
    HttpApiEndpoint.patch("update")`/v1/accounts/${accountIdParam}`
      .setPayload(AccountUpdateRequest)
      .addSuccess(Account),
  ) {}

/**
 * Users of an account (`/v1/users`).
 *
 * @since 0.1.0
 * @category groups
 */
export class UsersGroup extends adminGroup("users")
  .add(
    HttpApiEndpoint.post("create", "/v1/users")
      .setUrlParams(AccountScope)
      .setPayload(UserCreateRequest)
      .addSuccess(created(User)),
  )
  .add(
    HttpApiEndpoint.get("list", "/v1/users")
      .setUrlParams(Schema.Struct({ account_id: accountId, ...PageParams }))
      .addSuccess(Paginated(User, "UserResponse")),
  )
  .add(HttpApiEndpoint.get("get")`/v1/users/${userId}`.setUrlParams(AccountScope).addSuccess(User))
  .add(
    HttpApiEndpoint.patch("update")`/v1/users/${userId}`
      .setUrlParams(AccountScope)
      .setPayload(UserUpdateRequest)
      .addSuccess(User),
  ) {}

/**
 * API keys (`/v1/api-keys`).
 *
 * @since 0.1.0
 * @category groups
 */
export class ApiKeysGroup extends adminGroup("apiKeys")
  .add(
    HttpApiEndpoint.post("create", "/v1/api-keys")
      .setUrlParams(AccountScope)
      .setPayload(ApiKeyCreateRequest)
      .addSuccess(created(ApiKeyCreated)),
  )
  .add(
    HttpApiEndpoint.get("list", "/v1/api-keys")
      .setUrlParams(
        Schema.Struct({ account_id: accountId, status: Schema.optional(ApiKeyStatus), ...PageParams }),
      )
      .addSuccess(Paginated(ApiKey, "APIKeyResponse")),
  )
  .add(HttpApiEndpoint.get("get")`/v1/api-keys/${keyId}`.setUrlParams(AccountScope).addSuccess(ApiKey))
  .add(
    HttpApiEndpoint.patch("update")`/v1/api-keys/${keyId}`
      .setUrlParams(AccountScope)
      .setPayload(ApiKeyUpdateRequest)
      .addSuccess(ApiKey),
  ) {}

/**
 * Games (`/v1/games`).
 *
 * @since 0.1.0
 * @category groups
 */
export class GamesGroup extends adminGroup("games")
  .add(
    HttpApiEndpoint.post("create", "/v1/games")
      .setUrlParams(AccountScope)
      .setPayload(GameCreateRequest)
      .addSuccess(created(Game)),
  )
  .add(
    HttpApiEndpoint.get("list", "/v1/games")
      .setUrlParams(
        Schema.Struct({ account_id: accountId, slug: described("Filter by slug"), ...PageParams }),
      )
      .addSuccess(Paginated(Game, "GameResponse")),
  )
  .add(HttpApiEndpoint.get("get")`/v1/games/${gameId}`.setUrlParams(AccountScope).addSuccess(Game))
  .add(
    HttpApiEndpoint.patch("update")`/v1/games/${gameId}`
      .setUrlParams(AccountScope)
      .setPayload(GameUpdateRequest)
      .addSuccess(Game),
  ) {}

const boardFilters = {
  game_id: described("Filter by game ID"),
  code: described("Filter by short code"),
  game_slug: described("Filter by game slug"),
  slug: described("Filter by board slug (requires game_slug)"),
  is_published: flag("Filter by published status"),
  starts_before: instant("Filter boards starting before this time (ISO 8601)"),
  starts_after: instant("Filter boards starting after this time (ISO 8601)"),
  ends_before: instant("Filter boards ending before this time (ISO 8601)"),
  ends_after: instant("Filter boards ending after this time (ISO 8601)"),
}

/**
 * Boards, admin API (`/v1/boards`).
 *
 * @since 0.1.0
 * @category groups
 */
export class BoardsGroup extends adminGroup("boards")
  .add(
    HttpApiEndpoint.post("create", "/v1/boards")
      .setUrlParams(AccountScope)
      .setPayload(BoardCreateRequest)
      .addSuccess(created(Board)),
  )
  .add(
    HttpApiEndpoint.get("list", "/v1/boards")
      .setUrlParams(
        Schema.Struct({
          account_id: accountId,
          ...boardFilters,
          is_active: flag("Filter by active status"),
          ...PageParams,
        }),
      )
      .addSuccess(Paginated(Board, "BoardResponse")),
  )
  .add(HttpApiEndpoint.get("get")`/v1/boards/${boardId}`.setUrlParams(AccountScope).addSuccess(Board))
  .add(
    HttpApiEndpoint.patch("update")`/v1/boards/${boardId}`
      .setUrlParams(AccountScope)
      .setPayload(BoardUpdateRequest)
      .addSuccess(Board),
  ) {}

/**
 * Which scores an admin listing includes by test mode.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IsTestFilter = Schema.Literal("true", "false", "all").annotations({ identifier: "IsTestFilter" })

const aroundParams = {
  around_score_id: described("Center the page on this score"),
  around_score_value: Schema.optional(
    Schema.NumberFromString.annotations({ description: "Center the page on where this value would rank" }),
  ),
}

/**
 * The header that makes a score submission idempotent: the same key and body
 * give the first result and no second score.
 *
 * @since 0.1.0
 * @category headers
 */
export const IdempotencyHeader = Schema.Struct({ "idempotency-key": Schema.optional(Schema.String) })

/**
 * Scores, admin API (`/v1/scores`).
 *
 * @since 0.1.0
 * @category groups
 */
export class ScoresGroup extends adminGroup("scores")
  .add(
    HttpApiEndpoint.post("create", "/v1/scores")
      .setUrlParams(AccountScope)
      .setHeaders(IdempotencyHeader)
      .setPayload(ScoreCreateRequest)
      .addSuccess(created(Score))
      .addError(ConflictResponse)
      .addError(RateLimitedResponse),
  )
  .add(
    HttpApiEndpoint.get("list", "/v1/scores")
      .setUrlParams(
        Schema.Struct({
          account_id: accountId,
          board_id: described("Filter by board ID"),
          game_id: described("Filter by game ID"),
          device_id: described("Filter by device ID"),
          is_test: Schema.optional(IsTestFilter),
          ...aroundParams,
          ...PageParams,
        }),
      )
      .addSuccess(Paginated(Score, "ScoreResponse")),
  )
  .add(HttpApiEndpoint.get("get")`/v1/scores/${scoreId}`.setUrlParams(AccountScope).addSuccess(Score))
  .add(
    HttpApiEndpoint.patch("update")`/v1/scores/${scoreId}`
      .setUrlParams(AccountScope)
      .setPayload(ScoreUpdateRequest)
      .addSuccess(Score),
  ) {}

/**
 * Score flags (`/v1/score-flags`).
 *
 * `status` and `flag_type` filters are plain strings so that the server can
 * answer unknown values the way the service does.
 *
 * @since 0.1.0
 * @category groups
 */
export class ScoreFlagsGroup extends adminGroup("scoreFlags")
  .add(
    HttpApiEndpoint.get("list", "/v1/score-flags")
      .setUrlParams(
        Schema.Struct({
          account_id: accountId,
          board_id: Schema.optional(Schema.String),
          game_id: Schema.optional(Schema.String),
          status: Schema.optional(Schema.String),
          flag_type: Schema.optional(FlagType),
          ...PageParams,
        }),
      )
      .addSuccess(Paginated(ScoreFlagResponse, "ScoreFlagResponse")),
  )
  .add(
    HttpApiEndpoint.get("get")`/v1/score-flags/${flagId}`
      .setUrlParams(AccountScope)
      .addSuccess(ScoreFlagResponse),
  )
  .add(
    HttpApiEndpoint.patch("update")`/v1/score-flags/${flagId}`
      .setUrlParams(AccountScope)
      .setPayload(ScoreFlagUpdateRequest)
      .addSuccess(ScoreFlagResponse),
  ) {}

/**
 * Devices (`/v1/devices`).
 *
 * @since 0.1.0
 * @category groups
 */
export class DevicesGroup extends adminGroup("devices")
  .add(
    HttpApiEndpoint.get("list", "/v1/devices")
      .setUrlParams(
        Schema.Struct({
          account_id: accountId,
          game_id: described("Filter by game ID"),
          status: Schema.optional(DeviceStatus.annotations({ description: "Filter by status" })),
          ...PageParams,
        }),
      )
      .addSuccess(Paginated(Device, "DeviceResponse")),
  )
  .add(HttpApiEndpoint.get("get")`/v1/devices/${deviceId}`.setUrlParams(AccountScope).addSuccess(Device))
  .add(
    HttpApiEndpoint.patch("update")`/v1/devices/${deviceId}`
      .setUrlParams(AccountScope)
      .setPayload(DeviceUpdateRequest)
      .addSuccess(Device),
  ) {}

/**
 * Starting and refreshing device sessions: no credentials but the fingerprint or refresh token.
 *
 * @since 0.1.0
 * @category groups
 */
export class SessionsGroup extends HttpApiGroup.make("sessions")
  .add(
    HttpApiEndpoint.post("start", "/v1/client/sessions")
      .setPayload(StartSessionRequest)
      .addSuccess(created(StartSessionResponse)),
  )
  .add(
    HttpApiEndpoint.post("refresh", "/v1/client/sessions/refresh")
      .setPayload(RefreshTokenRequest)
      .addSuccess(RefreshTokenResponse),
  )
  .addError(BadRequestResponse)
  .addError(UnauthorizedResponse)
  .addError(ForbiddenResponse)
  .addError(NotFoundResponse) {}

/**
 * The client API a device calls with its access token; mutations also need a nonce.
 *
 * @since 0.1.0
 * @category groups
 */
export class ClientGroup extends HttpApiGroup.make("client")
  .add(HttpApiEndpoint.get("nonce", "/v1/client/nonce").setUrlParams(AccountScope).addSuccess(Nonce))
  .add(
    HttpApiEndpoint.get("listBoards", "/v1/client/boards")
      .setUrlParams(Schema.Struct({ ...boardFilters, account_id: accountId, ...PageParams }))
      .addSuccess(Paginated(Board, "BoardResponse")),
  )
  .add(
    HttpApiEndpoint.post("createScore", "/v1/client/scores")
      .setUrlParams(AccountScope)
      .setHeaders(
        Schema.Struct({
          "leadr-client-nonce": Schema.optional(Schema.String),
          "idempotency-key": Schema.optional(Schema.String),
        }),
      )
      .setPayload(ClientScoreCreateRequest)
      .addSuccess(created(ClientScore))
      .addError(PreconditionFailedResponse)
      .addError(ConflictResponse)
      .addError(RateLimitedResponse),
  )
  .add(
    HttpApiEndpoint.get("listScores", "/v1/client/scores")
      .setUrlParams(
        Schema.Struct({
          board_id: Schema.optional(Schema.String),
          device_id: Schema.optional(Schema.String),
          ...aroundParams,
          account_id: accountId,
          ...PageParams,
        }),
      )
      .addSuccess(Paginated(ClientScore, "ScoreClientResponse")),
  )
  .add(
    HttpApiEndpoint.get("getScore")`/v1/client/scores/${scoreId}`
      .setUrlParams(AccountScope)
      .addSuccess(ClientScore),
  )
  .addError(BadRequestResponse)
  .addError(ForbiddenResponse)
  .addError(NotFoundResponse)
  .middleware(DeviceAuth) {}

/**
 * Health (`/v1/health`).
 *
 * @since 0.1.0
 * @category groups
 */
export class HealthGroup extends HttpApiGroup.make("health").add(
  HttpApiEndpoint.get("check", "/v1/health").addSuccess(Health),
) {}

type Json = { [key: string]: unknown }

const isJson = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

const decodeErrorRef = "#/components/schemas/HttpApiDecodeError"

/** Deep copy without `additionalProperties: false`: decoding ignores unknown fields, both ways. */
const open = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(open)
  if (!isJson(value)) return value
  const copy: Json = {}
  for (const [key, inner] of Object.entries(value)) {
    if (key !== "additionalProperties" || inner !== false) copy[key] = open(inner)
  }
  return copy
}

/**
 * The generated document as the API behaves: a request that does not decode is
 * the 422 `HTTPValidationError` the API declares, so HttpApi's own 400
 * `HttpApiDecodeError` (and the components only it uses) goes; and no schema
 * claims `additionalProperties: false`, since clients and servers built from
 * this definition ignore fields they do not know (a newer service may add some).
 */
const documented = (generated: Json): Json => {
  const spec = open(generated) as Json
  const paths = isJson(spec.paths) ? spec.paths : {}
  for (const item of Object.values(paths).filter(isJson)) {
    for (const operation of Object.values(item).filter(isJson)) {
      const responses = isJson(operation.responses) ? operation.responses : {}
      for (const [status, response] of Object.entries(responses)) {
        const media =
          isJson(response) && isJson(response.content) ? response.content["application/json"] : undefined
        if (!isJson(response) || !isJson(media) || !isJson(media.schema)) continue
        const schema = media.schema
        const options = Array.isArray(schema.anyOf) ? schema.anyOf : [schema]
        const rest = options.filter((option) => !isJson(option) || option.$ref !== decodeErrorRef)
        if (rest.length === options.length) continue
        if (rest.length === 0) {
          delete responses[status]
          continue
        }
        const [only] = rest
        media.schema = rest.length === 1 && isJson(only) ? only : { ...schema, anyOf: rest }
        if (rest.length === 1 && isJson(only) && typeof only.description === "string") {
          response.description = only.description
        }
      }
    }
  }
  const schemas = isJson(spec.components) && isJson(spec.components.schemas) ? spec.components.schemas : {}
  delete schemas.HttpApiDecodeError
  for (const name of ["Issue", "PropertyKey"]) {
    if (!JSON.stringify(spec).includes(`"#/components/schemas/${name}"`)) delete schemas[name]
  }
  return spec
}

/**
 * The whole API. Request-validation failures are 422 `HTTPValidationError`, as
 * the service answers them, and `OpenApi.fromApi(LeadrApi)` says so (see
 * `documented` above, applied as the API's `OpenApi.Transform`).
 *
 * @since 0.1.0
 * @category api
 */
export class LeadrApi extends HttpApi.make("leadr")
  .add(AccountsGroup)
  .add(UsersGroup)
  .add(ApiKeysGroup)
  .add(GamesGroup)
  .add(BoardsGroup)
  .add(ScoresGroup)
  .add(ScoreFlagsGroup)
  .add(DevicesGroup)
  .add(SessionsGroup)
  .add(ClientGroup)
  .add(HealthGroup)
  .addError(ValidationFailedResponse)
  .annotateContext(
    OpenApi.annotations({
      title: "LEADR (toolkit local edition) - Admin & Client API",
      version: "0.7.0",
      description:
        "The LEADR API as the toolkit defines it: the seed surface of devices, boards and score flags, and the endpoints around them.",
      transform: documented,
    }),
  ) {}
