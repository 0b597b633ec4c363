/**
 * Games: what boards and devices belong to.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Nullable, OptionalNullable, Tags, Timestamp, wireName } from "./internal/fields.js"

/**
 * A game as the service returns it (`GameResponse`).
 *
 * @since 0.1.0
 * @category models
 */
export class Game extends Schema.Class<Game>("GameResponse")(
  {
    id: Schema.String,
    account_id: Schema.String,
    name: Schema.String,
    slug: Schema.String,
    steam_app_id: Nullable(Schema.String),
    default_board_id: Nullable(Schema.String),
    anti_cheat_enabled: Schema.Boolean,
    description: Nullable(Schema.String),
    tags: Tags,
    page_url: Nullable(Schema.String),
    created_at: Timestamp,
    updated_at: Timestamp,
    url: Nullable(Schema.String),
  },
  wireName("GameResponse"),
) {}

/**
 * Body of `POST /v1/games`; anti-cheat is on unless turned off.
 *
 * @since 0.1.0
 * @category models
 */
export class GameCreateRequest extends Schema.Class<GameCreateRequest>("GameCreateRequest")(
  {
    account_id: Schema.String,
    name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)),
    slug: OptionalNullable(Schema.String),
    steam_app_id: OptionalNullable(Schema.String),
    default_board_id: OptionalNullable(Schema.String),
    anti_cheat_enabled: Schema.optionalWith(Schema.Boolean, { default: () => true }),
    description: OptionalNullable(Schema.String),
    tags: OptionalNullable(Schema.Array(Schema.String)),
    page_url: OptionalNullable(Schema.String),
  },
  wireName("GameCreateRequest"),
) {}

/**
 * Body of `PATCH /v1/games/{game_id}`.
 *
 * @since 0.1.0
 * @category models
 */
export class GameUpdateRequest extends Schema.Class<GameUpdateRequest>("GameUpdateRequest")(
  {
    name: OptionalNullable(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200))),
    steam_app_id: OptionalNullable(Schema.String),
    default_board_id: OptionalNullable(Schema.String),
    anti_cheat_enabled: OptionalNullable(Schema.Boolean),
    description: OptionalNullable(Schema.String),
    tags: OptionalNullable(Schema.Array(Schema.String)),
    page_url: OptionalNullable(Schema.String),
    deleted: OptionalNullable(Schema.Boolean),
  },
  wireName("GameUpdateRequest"),
) {}
