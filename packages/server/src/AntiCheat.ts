/**
 * The anti-cheat rules a submission meets when its game has anti-cheat on:
 * velocity (too soon after the last one), duplicate (the same value again
 * within a window) and rate limit (too many this hour: rejected).
 *
 * The facts the rules need are read by the submission's one context query
 * (`columns`, `parameters`), so that anti-cheat costs no statement of its own;
 * the rules themselves (`judge`) are a pure function of those facts.
 *
 * @since 0.1.0
 */
import type { ScoreFlag } from "@leadr-toolkit/core"
import type { Sqlite } from "@leadr-toolkit/sqlite"
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
  /** The velocity and duplicate flags (the rate limit's flag comes from {@link rateLimit}). */
  readonly findings: ReadonlyArray<Finding>
  /** Whether the submission is over the hourly limit (stored rejected, flagged, answered 429). */
  readonly limited: boolean
}

/**
 * What the rules look at: the device's earlier accepted submissions to the board.
 *
 * @since 0.1.0
 * @category models
 */
export interface Facts {
  /** Whether the game has anti-cheat on (null when the board or game is missing). */
  readonly ac_enabled: number | null
  /** 1 when the device already has `rateLimitPerHour` accepted submissions to the board this hour. */
  readonly ac_at_limit: number | null
  readonly ac_last_id: string | null
  readonly ac_last_at: string | null
  /** The latest accepted submission of the same value within the duplicate window. */
  readonly ac_duplicate_id: string | null
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Subject {
  readonly deviceId: string
  readonly boardId: string
  readonly value: number
  readonly now: string
}

const mine = "device_id = ? AND board_id = ? AND rejected = 0"

/**
 * The select-list columns that read {@link Facts}, evaluated only when the SQL
 * expression `enabled` is 1 (SQLite does not run the scalar subquery of a
 * `CASE` branch it does not take). Every subquery is a seek on
 * `scores_device_board` and a walk bounded by the limit or the window: no
 * derived tables, which SQLite would materialize whether or not the branch is
 * taken. The text is constant, so the query holding it can be prepared once;
 * {@link parameters} gives its parameters, in textual order.
 *
 * @since 0.1.0
 * @category queries
 */
export const columns = (enabled: string): string => {
  const guard = (query: string, alias: keyof Facts) =>
    `CASE WHEN ${enabled} = 1 THEN (${query}) END AS ${alias}`
  const latest = (column: string) =>
    `SELECT ${column} FROM scores WHERE ${mine} ORDER BY created_at DESC LIMIT 1`
  return [
    `${enabled} AS ac_enabled`,
    guard(
      `SELECT 1 FROM scores WHERE ${mine} AND created_at > ? ORDER BY created_at DESC LIMIT 1 OFFSET ?`,
      "ac_at_limit",
    ),
    guard(latest("id"), "ac_last_id"),
    guard(latest("created_at"), "ac_last_at"),
    guard(
      `SELECT id FROM scores WHERE ${mine} AND value = ? AND created_at > ? ORDER BY created_at DESC LIMIT 1`,
      "ac_duplicate_id",
    ),
  ].join(",\n")
}

/**
 * The parameters of {@link columns} for one submission.
 *
 * @since 0.1.0
 * @category queries
 */
export const parameters = (config: AntiCheatConfig, subject: Subject): ReadonlyArray<Sqlite.SqlValue> => {
  const { deviceId, boardId, value, now } = subject
  return [
    deviceId,
    boardId,
    Time.plusSeconds(now, -3600),
    Math.max(0, Math.ceil(config.rateLimitPerHour) - 1),
    deviceId,
    boardId,
    deviceId,
    boardId,
    deviceId,
    boardId,
    value,
    Time.plusSeconds(now, -config.duplicateWindowSeconds),
  ]
}

/**
 * Judges a submission at `now` from the facts about the device's earlier ones.
 *
 * @since 0.1.0
 * @category rules
 */
export const judge = (config: AntiCheatConfig, facts: Facts, now: string): Verdict => {
  if (facts.ac_enabled !== 1) return { findings: [], limited: false }
  if (config.rateLimitPerHour <= 0 || facts.ac_at_limit === 1) return { findings: [], limited: true }
  const findings: Array<Finding> = []
  if (facts.ac_last_id !== null && facts.ac_last_at !== null) {
    const seconds = (Date.parse(now) - Date.parse(facts.ac_last_at)) / 1000
    if (seconds < config.velocitySeconds) {
      findings.push({
        type: "velocity",
        confidence: "high",
        metadata: {
          previous_score_id: facts.ac_last_id,
          seconds_since_previous: seconds,
          threshold_seconds: config.velocitySeconds,
        },
      })
    }
  }
  if (facts.ac_duplicate_id !== null) {
    findings.push({
      type: "duplicate",
      confidence: "medium",
      metadata: { duplicate_of: facts.ac_duplicate_id, window_seconds: config.duplicateWindowSeconds },
    })
  }
  return { findings, limited: false }
}

/**
 * What a rate-limited submission is told and flagged with: the device's
 * accepted submissions to the board this hour, and the seconds until the
 * oldest of them is an hour old (when it may submit again). Only a refused
 * submission pays for this count.
 *
 * @since 0.1.0
 * @category rules
 */
export const rateLimit = (
  db: Db,
  config: AntiCheatConfig,
  subject: Subject,
): Effect.Effect<{ readonly finding: Finding; readonly retryAfter: number }> =>
  Effect.map(
    db.get<{ n: number; oldest: string | null }>(
      `SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM scores WHERE ${mine} AND created_at > ?`,
      [subject.deviceId, subject.boardId, Time.plusSeconds(subject.now, -3600)],
    ),
    (row) => {
      const freeAt = Date.parse(row?.oldest ?? subject.now) + 3600_000
      return {
        finding: {
          type: "rate_limit",
          confidence: "high",
          metadata: { submissions_last_hour: row?.n ?? 0, limit_per_hour: config.rateLimitPerHour },
        },
        retryAfter: Math.max(1, Math.ceil((freeAt - Date.parse(subject.now)) / 1000)),
      }
    },
  )
