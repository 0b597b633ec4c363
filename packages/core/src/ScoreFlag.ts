/**
 * Score flags: what the anti-cheat raised about a score, and its review.
 *
 * @since 0.1.0
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { JsonObject, Nullable, OptionalNullable, Timestamp, wireName } from "./internal/fields.js"

/**
 * The rule that raised a flag.
 *
 * @since 0.1.0
 * @category models
 */
export const FlagType = Schema.Literal("velocity", "duplicate", "rate_limit")

/**
 * @since 0.1.0
 * @category models
 */
export type FlagType = typeof FlagType.Type

/**
 * How sure the rule is.
 *
 * @since 0.1.0
 * @category models
 */
export const FlagConfidence = Schema.Literal("low", "medium", "high")

/**
 * @since 0.1.0
 * @category models
 */
export type FlagConfidence = typeof FlagConfidence.Type

/**
 * Where a flag's review stands.
 *
 * @since 0.1.0
 * @category models
 */
export const FlagStatus = Schema.Literal("pending", "confirmed_cheat", "false_positive", "dismissed")

/**
 * @since 0.1.0
 * @category models
 */
export type FlagStatus = typeof FlagStatus.Type

const flagFields = {
  id: Schema.String,
  flag_type: FlagType,
  confidence: FlagConfidence,
  metadata: Schema.optionalWith(JsonObject, { default: () => ({}) }),
  status: FlagStatus,
  reviewed_at: Nullable(Timestamp),
  reviewer_id: Nullable(Schema.String),
  reviewer_decision: Nullable(Schema.String),
  created_at: Timestamp,
  updated_at: Timestamp,
}

/**
 * A score flag. The flagged score's id is `score_event_id`, the name of the
 * seed pages; the public spec calls it `score_id`. Use {@link ScoreFlagResponse}
 * to decode either from the wire.
 *
 * @since 0.1.0
 * @category models
 */
export class ScoreFlag extends Schema.Class<ScoreFlag>("ScoreFlag")({
  ...flagFields,
  score_event_id: Schema.String,
}) {}

/**
 * The wire form of a {@link ScoreFlag}: encodes the seed's `score_event_id` and
 * decodes both `score_event_id` and the spec's `score_id`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ScoreFlagResponse = Schema.transformOrFail(
  Schema.Struct({
    ...flagFields,
    score_event_id: Schema.optional(Schema.String),
    score_id: Schema.optional(Schema.String),
  }),
  Schema.typeSchema(ScoreFlag),
  {
    strict: true,
    decode: ({ score_id, score_event_id, ...rest }, _, ast) => {
      const id = score_event_id ?? score_id
      return id === undefined
        ? ParseResult.fail(new ParseResult.Type(ast, rest, "a score flag needs score_event_id or score_id"))
        : ParseResult.succeed(new ScoreFlag({ ...rest, score_event_id: id }))
    },
    encode: (flag) => ParseResult.succeed({ ...flag }),
  },
).annotations({ identifier: "ScoreFlagResponse" })

/**
 * Body of `PATCH /v1/score-flags/{flag_id}`: review (status, decision) or soft-delete.
 *
 * `status` is a plain string on the wire so the server can answer an unknown
 * status with the service's 400.
 *
 * @since 0.1.0
 * @category models
 */
export class ScoreFlagUpdateRequest extends Schema.Class<ScoreFlagUpdateRequest>("ScoreFlagUpdateRequest")(
  {
    status: OptionalNullable(Schema.String),
    reviewer_decision: OptionalNullable(Schema.String),
    deleted: OptionalNullable(Schema.Boolean),
  },
  wireName("ScoreFlagUpdateRequest"),
) {}
