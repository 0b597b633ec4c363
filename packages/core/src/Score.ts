/**
 * Scores: submissions to a board, in the admin shape (with device and geo) and the client shape.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Nullable, OptionalNullable, Timestamp, wireName } from "./internal/fields.js"

/**
 * A finite score value; NaN and infinities are not scores.
 *
 * @since 0.1.0
 * @category models
 */
export const ScoreValue = Schema.Number.pipe(Schema.finite())

const commonFields = {
  id: Schema.String,
  account_id: Schema.String,
  game_id: Schema.String,
  board_id: Schema.String,
  player_name: Schema.String,
  value: Schema.Number,
  value_display: Nullable(Schema.String),
  metadata: Nullable(Schema.Unknown),
  rank: Nullable(Schema.Int),
  is_placeholder: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  is_test: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  created_at: Timestamp,
  updated_at: Timestamp,
}

/**
 * A score as the admin API returns it (`ScoreResponse`).
 *
 * @since 0.1.0
 * @category models
 */
export class Score extends Schema.Class<Score>("ScoreResponse")(
  {
    ...commonFields,
    device_id: Schema.String,
    timezone: Nullable(Schema.String),
    country: Nullable(Schema.String),
    city: Nullable(Schema.String),
  },
  wireName("ScoreResponse"),
) {}

/**
 * A score as the client API returns it (`ScoreClientResponse`: no device or geo fields).
 *
 * @since 0.1.0
 * @category models
 */
export class ClientScore extends Schema.Class<ClientScore>("ScoreClientResponse")(
  commonFields,
  wireName("ScoreClientResponse"),
) {}

const PlayerName = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(100))

const submissionFields = {
  board_id: Schema.String,
  player_name: PlayerName,
  value: ScoreValue,
  value_display: OptionalNullable(Schema.String.pipe(Schema.maxLength(100))),
  metadata: OptionalNullable(Schema.Unknown),
}

/**
 * Body of `POST /v1/scores` (admin): the server submits on behalf of a device.
 *
 * @since 0.1.0
 * @category models
 */
export class ScoreCreateRequest extends Schema.Class<ScoreCreateRequest>("ScoreCreateRequest")(
  {
    ...submissionFields,
    account_id: OptionalNullable(Schema.String),
    game_id: Schema.String,
    device_id: Schema.String,
    timezone: OptionalNullable(Schema.String),
    country: OptionalNullable(Schema.String),
    city: OptionalNullable(Schema.String),
  },
  wireName("ScoreCreateRequest"),
) {}

/**
 * Body of `POST /v1/client/scores`: account, game and device come from the session.
 *
 * @since 0.1.0
 * @category models
 */
export class ClientScoreCreateRequest extends Schema.Class<ClientScoreCreateRequest>(
  "ScoreClientCreateRequest",
)(submissionFields, wireName("ScoreClientCreateRequest")) {}

/**
 * Body of `PATCH /v1/scores/{score_id}`.
 *
 * @since 0.1.0
 * @category models
 */
export class ScoreUpdateRequest extends Schema.Class<ScoreUpdateRequest>("ScoreUpdateRequest")(
  {
    player_name: OptionalNullable(PlayerName),
    value: OptionalNullable(ScoreValue),
    value_display: OptionalNullable(Schema.String),
    timezone: OptionalNullable(Schema.String),
    country: OptionalNullable(Schema.String),
    city: OptionalNullable(Schema.String),
    metadata: OptionalNullable(Schema.Unknown),
    deleted: OptionalNullable(Schema.Boolean),
  },
  wireName("ScoreUpdateRequest"),
) {}
