/**
 * The writes the worker delivers, as a tagged union that is stored as JSON in
 * the outbox and sent by the drain fiber.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const Metadata = Schema.optional(Schema.Unknown)

/**
 * A score submitted on the admin path: the game server's API key vouches for
 * the device.
 *
 * @since 0.1.0
 * @category models
 */
export const SubmitScore = Schema.TaggedStruct("SubmitScore", {
  board_id: Schema.String,
  game_id: Schema.String,
  device_id: Schema.String,
  player_name: Schema.String,
  value: Schema.Number,
  value_display: Schema.optional(Schema.String),
  metadata: Metadata,
})

/**
 * @since 0.1.0
 * @category models
 */
export type SubmitScore = typeof SubmitScore.Type

/**
 * A score submitted on the client path, for deployments without an API key:
 * the worker holds a device session for the fingerprint and sends a fresh
 * nonce with every submission.
 *
 * @since 0.1.0
 * @category models
 */
export const SubmitClientScore = Schema.TaggedStruct("SubmitClientScore", {
  board_id: Schema.String,
  game_id: Schema.String,
  client_fingerprint: Schema.String,
  player_name: Schema.String,
  value: Schema.Number,
  value_display: Schema.optional(Schema.String),
  metadata: Metadata,
  platform: Schema.optional(Schema.String),
})

/**
 * @since 0.1.0
 * @category models
 */
export type SubmitClientScore = typeof SubmitClientScore.Type

/**
 * A moderation change of a device (admin path).
 *
 * @since 0.1.0
 * @category models
 */
export const SetDeviceStatus = Schema.TaggedStruct("SetDeviceStatus", {
  device_id: Schema.String,
  status: Schema.Literal("active", "banned", "suspended"),
})

/**
 * @since 0.1.0
 * @category models
 */
export type SetDeviceStatus = typeof SetDeviceStatus.Type

/**
 * Registers a device in the background by starting a session for its
 * fingerprint (the service resumes the same device on a repeat).
 *
 * @since 0.1.0
 * @category models
 */
export const StartSession = Schema.TaggedStruct("StartSession", {
  game_id: Schema.String,
  client_fingerprint: Schema.String,
  platform: Schema.optional(Schema.String),
  metadata: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
})

/**
 * @since 0.1.0
 * @category models
 */
export type StartSession = typeof StartSession.Type

/**
 * Everything the worker can deliver.
 *
 * @since 0.1.0
 * @category models
 */
export const Operation = Schema.Union(SubmitScore, SubmitClientScore, SetDeviceStatus, StartSession)

/**
 * @since 0.1.0
 * @category models
 */
export type Operation = typeof Operation.Type

/**
 * The operations that put a score on a board, and so can be coalesced.
 *
 * @since 0.1.0
 * @category models
 */
export type ScoreOperation = SubmitScore | SubmitClientScore

/**
 * Whether an operation submits a score.
 *
 * @since 0.1.0
 * @category guards
 */
export const isScore = (op: Operation): op is ScoreOperation =>
  op._tag === "SubmitScore" || op._tag === "SubmitClientScore"

/**
 * The key within which delivery is strictly ordered: a board and a device for
 * scores, a device for status changes, a fingerprint for registrations. Writes
 * with different keys are independent and go out concurrently.
 *
 * @since 0.1.0
 * @category ordering
 */
export const orderingKey = (op: Operation): string => {
  switch (op._tag) {
    case "SubmitScore":
      return `score:${op.board_id}:${op.device_id}`
    case "SubmitClientScore":
      return `client-score:${op.board_id}:${op.client_fingerprint}`
    case "SetDeviceStatus":
      return `device:${op.device_id}`
    case "StartSession":
      return `session:${op.game_id}:${op.client_fingerprint}`
  }
}
