/**
 * Time as the database stores it: ISO 8601 UTC with milliseconds, read from
 * Effect's `Clock` so tests can move it.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"

/**
 * The current time as a stored timestamp.
 *
 * @since 0.1.0
 * @category time
 */
export const now: Effect.Effect<string> = Effect.map(Clock.currentTimeMillis, (ms) =>
  new Date(ms).toISOString(),
)

/**
 * A stored timestamp `seconds` after (or before, if negative) `iso`.
 *
 * @since 0.1.0
 * @category time
 */
export const plusSeconds = (iso: string, seconds: number): string =>
  new Date(Date.parse(iso) + seconds * 1000).toISOString()

/**
 * A decoded `DateTime` as a stored timestamp.
 *
 * @since 0.1.0
 * @category time
 */
export const fromDateTime = (value: DateTime.DateTime): string => DateTime.formatIso(value)

/**
 * A stored timestamp (or null) as the wire's ISO string.
 *
 * @since 0.1.0
 * @category time
 */
export const optional = (value: DateTime.DateTime | null | undefined): string | null =>
  value === null || value === undefined ? null : fromDateTime(value)
