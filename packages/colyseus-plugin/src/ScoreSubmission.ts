/**
 * Validating a score before it is queued: whatever a client sent, a bad value
 * becomes a typed error the room can answer, never an exception that takes
 * the room down, and never a write the worker would retry forever.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

/**
 * Which part of a submission was rejected.
 *
 * @since 0.1.0
 * @category models
 */
export const ScoreField = Schema.Literal("value", "playerName", "displayValue", "metadata", "boardId")

/**
 * @since 0.1.0
 * @category models
 */
export type ScoreField = typeof ScoreField.Type

/**
 * A submission that cannot be a score. `reason` is for people; the
 * submitted value is not copied into it.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidScore extends Schema.TaggedError<InvalidScore>()("InvalidScore", {
  field: ScoreField,
  reason: Schema.String,
}) {
  override get message(): string {
    return `${this.field} ${this.reason}`
  }
}

/**
 * The player may not submit: banned, or suspended, or not admitted by the
 * plugin (e.g. a client that never joined through it).
 *
 * @since 0.1.0
 * @category errors
 */
export class NotAllowed extends Schema.TaggedError<NotAllowed>()("NotAllowed", {
  reason: Schema.Literal("banned", "suspended", "unknown_client"),
}) {
  override get message(): string {
    return this.reason === "unknown_client"
      ? "client was not admitted by the LEADR plugin"
      : `device is ${this.reason}`
  }
}

/**
 * The worker could not store the score durably (outbox full or failing).
 *
 * @since 0.1.0
 * @category errors
 */
export class NotQueued extends Schema.TaggedError<NotQueued>()("NotQueued", {
  detail: Schema.String,
}) {}

/**
 * Why a score was not accepted.
 *
 * @since 0.1.0
 * @category errors
 */
export type ScoreError = InvalidScore | NotAllowed | NotQueued

/**
 * Optional parts of a submission.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScoreExtras {
  /** What the board shows instead of the number, e.g. `"1:02.5"`. At most 100 characters. */
  readonly displayValue?: string | undefined
  /** Overrides the player's name for this score (1-100 characters). */
  readonly playerName?: string | undefined
  /** Free-form JSON object stored with the score; at most 4 KiB as JSON. */
  readonly metadata?: Record<string, unknown> | undefined
}

/**
 * A submission that passed validation.
 *
 * @since 0.1.0
 * @category models
 */
export interface ValidScore {
  readonly value: number
  readonly playerName: string
  readonly displayValue: string | undefined
  readonly metadata: Record<string, unknown> | undefined
}

/**
 * The longest metadata accepted, as JSON bytes.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_METADATA_BYTES = 4096

// Control and invisible formatting characters make names that look alike
// differ and can break the page that shows them.
const nonPrintable = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u

const fail = (field: ScoreField, reason: string) => Either.left(new InvalidScore({ field, reason }))

/**
 * Checks a player name: a string of 1 to 100 printable characters after trimming.
 *
 * @since 0.1.0
 * @category validation
 */
export const checkPlayerName = (name: unknown): Either.Either<string, InvalidScore> => {
  if (typeof name !== "string") return fail("playerName", "must be a string")
  const trimmed = name.trim()
  if (trimmed.length === 0) return fail("playerName", "is empty")
  if (trimmed.length > 100) return fail("playerName", "is longer than 100 characters")
  if (nonPrintable.test(trimmed)) return fail("playerName", "contains non-printable characters")
  return Either.right(trimmed)
}

const checkMetadata = (
  metadata: unknown,
): Either.Either<Record<string, unknown> | undefined, InvalidScore> => {
  if (metadata === undefined || metadata === null) return Either.right(undefined)
  if (typeof metadata !== "object" || Array.isArray(metadata))
    return fail("metadata", "must be a JSON object")
  let json: string
  try {
    json = JSON.stringify(metadata)
  } catch {
    return fail("metadata", "is not serializable as JSON")
  }
  if (Buffer.byteLength(json, "utf8") > MAX_METADATA_BYTES) {
    return fail("metadata", `is larger than ${MAX_METADATA_BYTES} bytes as JSON`)
  }
  // A round trip drops functions, undefined and prototypes: what is stored is what was checked.
  return Either.right(JSON.parse(json) as Record<string, unknown>)
}

/**
 * Validates a submission: `value` a finite number (not NaN, not an
 * infinity, not a numeric string), the name and display value bounded and
 * printable, metadata a small JSON object.
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = (
  value: unknown,
  defaultPlayerName: string,
  extras: unknown,
): Either.Either<ValidScore, InvalidScore> => {
  if (typeof value !== "number") return fail("value", "must be a number")
  if (!Number.isFinite(value)) return fail("value", "must be finite")
  const given: Partial<Record<keyof ScoreExtras, unknown>> =
    extras !== null && typeof extras === "object" ? (extras as Record<string, unknown>) : {}
  if (extras !== undefined && extras !== null && typeof extras !== "object") {
    return fail("metadata", "extras must be an object")
  }
  return Either.gen(function* () {
    const playerName = yield* checkPlayerName(given.playerName ?? defaultPlayerName)
    let displayValue: string | undefined
    if (given.displayValue !== undefined && given.displayValue !== null) {
      if (typeof given.displayValue !== "string") return yield* fail("displayValue", "must be a string")
      if (given.displayValue.length > 100) return yield* fail("displayValue", "is longer than 100 characters")
      if (nonPrintable.test(given.displayValue)) {
        return yield* fail("displayValue", "contains non-printable characters")
      }
      displayValue = given.displayValue
    }
    const metadata = yield* checkMetadata(given.metadata)
    return { value, playerName, displayValue, metadata }
  })
}
