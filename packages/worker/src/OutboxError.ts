/**
 * The outbox's failures, as tagged errors a caller can `catchTag`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The outbox is at its cap: the write was not accepted. The caller decides
 * (drop, keep in memory, tell the player); the worker never drops silently.
 *
 * @since 0.1.0
 * @category errors
 */
export class OutboxFull extends Schema.TaggedError<OutboxFull>()("OutboxFull", {
  limit: Schema.Literal("items", "bytes"),
  items: Schema.Number,
  bytes: Schema.Number,
  maxItems: Schema.Number,
  maxBytes: Schema.Number,
}) {}

/**
 * The outbox could not read or write its file, is closed, or was handed
 * something that is not an `Operation`.
 *
 * @since 0.1.0
 * @category errors
 */
export class OutboxError extends Schema.TaggedError<OutboxError>()("OutboxError", {
  reason: Schema.Literal("Sql", "Closed", "Invalid"),
  detail: Schema.String,
}) {}
