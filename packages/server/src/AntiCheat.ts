/**
 * The anti-cheat rules a submission meets when its game has anti-cheat on:
 * velocity (too soon after the last one), duplicate (the same value again
 * within a window) and rate limit (too many this hour: rejected).
 *
 * @since 0.1.0
 */
import type { ScoreFlag } from "@leadr-toolkit/core"
import * as Effect from "effect/Effect"
import type { Db } from "./Db.js"
import type { AntiCheatConfig } from "./ServerConfig.js"
import * as Time from "./Time.js"

/**
 * A flag to raise on the submission.
 *
 * @since 0.1.0
 * @category models
 */
export interface Finding {
  readonly type: ScoreFlag.FlagType
  readonly confidence: ScoreFlag.FlagConfidence
  readonly metadata: Record<string, unknown>
}

/**
 * What the rules say about one submission.
 *
 * @since 0.1.0
 * @category models
 */
export interface Verdict {
  readonly findings: ReadonlyArray<Finding>
  /** Seconds until the device may submit to the board again, when rate-limited. */
  readonly retryAfter: number | undefined
}

/**
 * Judges a submission of `value` by `deviceId` to `boardId` at `now`, against
 * the device's earlier accepted submissions to that board.
 *
 * @since 0.1.0
 * @category rules
 */
export const evaluate = (
  db: Db,
  config: AntiCheatConfig,
  input: {
    readonly deviceId: string
    readonly boardId: string
    readonly value: number
    readonly now: string
  },
): Effect.Effect<Verdict> =>
  Effect.gen(function* () {
    const { deviceId, boardId, value, now } = input
    const mine = "device_id = ? AND board_id = ? AND rejected = 0"
    const hourAgo = Time.plusSeconds(now, -3600)
    const rate = yield* db.get<{ n: number; oldest: string | null }>(
      `SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM scores WHERE ${mine} AND created_at > ?`,
      [deviceId, boardId, hourAgo],
    )
    if (rate !== undefined && rate.n >= config.rateLimitPerHour) {
      const freeAt = Date.parse(rate.oldest ?? now) + 3600_000
      const retryAfter = Math.max(1, Math.ceil((freeAt - Date.parse(now)) / 1000))
      return {
        findings: [
          {
            type: "rate_limit",
            confidence: "high",
            metadata: { submissions_last_hour: rate.n, limit_per_hour: config.rateLimitPerHour },
          },
        ],
        retryAfter,
      }
    }
    const findings: Array<Finding> = []
    const last = yield* db.get<{ id: string; created_at: string }>(
      `SELECT id, created_at FROM scores WHERE ${mine} ORDER BY created_at DESC LIMIT 1`,
      [deviceId, boardId],
    )
    if (last !== undefined) {
      const seconds = (Date.parse(now) - Date.parse(last.created_at)) / 1000
      if (seconds < config.velocitySeconds) {
        findings.push({
          type: "velocity",
          confidence: "high",
          metadata: {
            previous_score_id: last.id,
            seconds_since_previous: seconds,
            threshold_seconds: config.velocitySeconds,
          },
        })
      }
    }
    const duplicate = yield* db.get<{ id: string }>(
      `SELECT id FROM scores WHERE ${mine} AND value = ? AND created_at > ? ORDER BY created_at DESC LIMIT 1`,
      [deviceId, boardId, value, Time.plusSeconds(now, -config.duplicateWindowSeconds)],
    )
    if (duplicate !== undefined) {
      findings.push({
        type: "duplicate",
        confidence: "medium",
        metadata: { duplicate_of: duplicate.id, window_seconds: config.duplicateWindowSeconds },
      })
    }
    return { findings, retryAfter: undefined }
  })
