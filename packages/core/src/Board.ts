/**
 * Boards: leaderboards of a game, with a sort direction and a keep strategy.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Nullable, OptionalNullable, Tags, Timestamp, wireName } from "./internal/fields.js"

/**
 * Which way a board ranks: DESCENDING puts the highest value first.
 *
 * @since 0.1.0
 * @category models
 */
export const SortDirection = Schema.Literal("ASCENDING", "DESCENDING").annotations({
  identifier: "SortDirection",
})

/**
 * @since 0.1.0
 * @category models
 */
export type SortDirection = typeof SortDirection.Type

/**
 * Which of a device's scores a board keeps.
 *
 * @since 0.1.0
 * @category models
 */
export const KeepStrategy = Schema.Literal("FIRST_ONLY", "BEST_ONLY", "LATEST_ONLY", "ALL").annotations({
  identifier: "KeepStrategy",
})

/**
 * @since 0.1.0
 * @category models
 */
export type KeepStrategy = typeof KeepStrategy.Type

/**
 * A board as the service returns it (`BoardResponse`).
 *
 * @since 0.1.0
 * @category models
 */
export class Board extends Schema.Class<Board>("BoardResponse")(
  {
    id: Schema.String,
    account_id: Schema.String,
    game_id: Schema.String,
    name: Schema.String,
    slug: Schema.String,
    icon: Nullable(Schema.String),
    short_code: Schema.String,
    unit: Nullable(Schema.String),
    is_active: Schema.Boolean,
    is_published: Schema.Boolean,
    sort_direction: SortDirection,
    keep_strategy: KeepStrategy,
    created_from_template_id: Nullable(Schema.String),
    template_name: Nullable(Schema.String),
    starts_at: Nullable(Timestamp),
    ends_at: Nullable(Timestamp),
    tags: Tags,
    description: Nullable(Schema.String),
    created_at: Timestamp,
    updated_at: Timestamp,
    url_short: Nullable(Schema.String),
  },
  wireName("BoardResponse"),
) {}

/**
 * Body of `POST /v1/boards`, with the service's defaults: icon `fa-crown`,
 * active and published, DESCENDING, keep ALL.
 *
 * @since 0.1.0
 * @category models
 */
export class BoardCreateRequest extends Schema.Class<BoardCreateRequest>("BoardCreateRequest")(
  {
    account_id: Schema.String,
    game_id: Schema.String,
    name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)),
    slug: OptionalNullable(Schema.String),
    icon: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => "fa-crown" }),
    short_code: OptionalNullable(Schema.String),
    unit: OptionalNullable(Schema.String),
    is_active: Schema.optionalWith(Schema.Boolean, { default: () => true }),
    is_published: Schema.optionalWith(Schema.Boolean, { default: () => true }),
    sort_direction: Schema.optionalWith(SortDirection, { default: () => "DESCENDING" as const }),
    keep_strategy: Schema.optionalWith(KeepStrategy, { default: () => "ALL" as const }),
    created_from_template_id: OptionalNullable(Schema.String),
    template_name: OptionalNullable(Schema.String),
    starts_at: OptionalNullable(Timestamp),
    ends_at: OptionalNullable(Timestamp),
    tags: OptionalNullable(Schema.Array(Schema.String)),
    description: OptionalNullable(Schema.String),
  },
  wireName("BoardCreateRequest"),
) {}

/**
 * Body of `PATCH /v1/boards/{board_id}`: every field optional; `deleted: true` soft-deletes.
 *
 * @since 0.1.0
 * @category models
 */
export class BoardUpdateRequest extends Schema.Class<BoardUpdateRequest>("BoardUpdateRequest")(
  {
    name: OptionalNullable(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200))),
    icon: OptionalNullable(Schema.String),
    short_code: OptionalNullable(Schema.String),
    unit: OptionalNullable(Schema.String),
    is_active: OptionalNullable(Schema.Boolean),
    is_published: OptionalNullable(Schema.Boolean),
    sort_direction: OptionalNullable(SortDirection),
    keep_strategy: OptionalNullable(KeepStrategy),
    created_from_template_id: OptionalNullable(Schema.String),
    template_name: OptionalNullable(Schema.String),
    starts_at: OptionalNullable(Timestamp),
    ends_at: OptionalNullable(Timestamp),
    tags: OptionalNullable(Schema.Array(Schema.String)),
    description: OptionalNullable(Schema.String),
    deleted: OptionalNullable(Schema.Boolean),
  },
  wireName("BoardUpdateRequest"),
) {}
