/**
 * Submitting a score, the one write path the admin and client APIs share:
 * checks (board, game, device, status), idempotency, anti-cheat, and the
 * board's keep strategy.
 *
 * Every submission is stored as a score event. The keep strategy decides which
 * of a device's events the board shows (`kept`); a rate-limited submission is
 * stored `rejected` so its flag has a score to point at, then answered with 429.
 *
 * @since 0.1.0
 */
import type { Board } from "@leadr-toolkit/core"
import { LeadrError } from "@leadr-toolkit/core"
import * as Effect from "effect/Effect"
import * as AntiCheat from "./AntiCheat.js"
import type { BoardRow } from "./Boards.js"
import * as Boards from "./Boards.js"
import { bool, type Db } from "./Db.js"
import * as Devices from "./Devices.js"
import * as Games from "./Games.js"
import * as Idempotency from "./Idempotency.js"
import * as Ids from "./Ids.js"
import { type Ranked, rankOf, type ScoreRow, visible } from "./Leaderboard.js"
import type { AntiCheatConfig } from "./ServerConfig.js"
import * as Time from "./Time.js"

/**
 * A submission, wherever it came from.
 *
 * @since 0.1.0
 * @category models
 */
export interface Submission {
  readonly accountId: string
  readonly gameId: string
  readonly boardId: string
  readonly deviceId: string
  readonly playerName: string
  readonly value: number
  readonly valueDisplay?: string | null | undefined
  readonly metadata?: unknown
  readonly timezone?: string | null | undefined
  readonly country?: string | null | undefined
  readonly city?: string | null | undefined
  readonly isTest: boolean
  readonly idempotency: Idempotency.Claim | undefined
}

const isBetter = (direction: Board.SortDirection, a: number, b: number) =>
  direction === "DESCENDING" ? a > b : a < b

/** Whether the new value goes on the board, and which older event it replaces. */
const keep = (board: BoardRow, current: ScoreRow | undefined, value: number) => {
  if (current === undefined) return { kept: true, replaces: undefined }
  switch (board.keep_strategy) {
    case "ALL":
      return { kept: true, replaces: undefined }
    case "FIRST_ONLY":
      return { kept: false, replaces: undefined }
    case "LATEST_ONLY":
      return { kept: true, replaces: current.id }
    case "BEST_ONLY":
      return isBetter(board.sort_direction, value, current.value)
        ? { kept: true, replaces: current.id }
        : { kept: false, replaces: undefined }
  }
}

type Outcome =
  | { readonly _tag: "Stored"; readonly row: ScoreRow }
  | { readonly _tag: "Limited"; readonly retryAfter: number }

/**
 * Stores a submission and returns it ranked (rank null when the board's keep
 * strategy does not show it). Fails with 404 (board, device), 400 (board not in
 * the account or game, device of another game, inactive board), 403 (banned or
 * suspended device), 409 (idempotency key reused with another body) or 429.
 *
 * @since 0.1.0
 * @category commands
 */
export const submit = (db: Db, config: AntiCheatConfig, input: Submission) =>
  Effect.gen(function* () {
    const outcome: Outcome = yield* db.transaction(
      Effect.gen(function* () {
        if (input.idempotency !== undefined) {
          const earlier = yield* Idempotency.recall(db, input.idempotency)
          if (earlier !== undefined) {
            const row = yield* db.get<ScoreRow>("SELECT * FROM scores WHERE id = ?", [earlier])
            return { _tag: "Stored", row: row! } as const
          }
        }
        const board = yield* Boards.load(db, input.boardId)
        if (board === undefined) return yield* new LeadrError.NotFound({ detail: "Board not found" })
        if (board.account_id !== input.accountId) {
          return yield* new LeadrError.BadRequest({ detail: "Board does not belong to the account" })
        }
        if (board.game_id !== input.gameId) {
          return yield* new LeadrError.BadRequest({ detail: "Game does not match the board's game" })
        }
        if (!bool(board.is_active)) return yield* new LeadrError.BadRequest({ detail: "Board is not active" })
        const device = yield* Devices.load(db, input.deviceId)
        if (device === undefined) return yield* new LeadrError.NotFound({ detail: "Device not found" })
        if (device.game_id !== board.game_id) {
          return yield* new LeadrError.BadRequest({ detail: "Device does not belong to the board's game" })
        }
        if (device.status !== "active") {
          return yield* new LeadrError.Forbidden({
            detail: `Device is ${device.status} and cannot submit scores`,
          })
        }
        const game = yield* Games.load(db, board.game_id)
        const now = yield* Time.now
        const verdict =
          game !== undefined && bool(game.anti_cheat_enabled)
            ? yield* AntiCheat.evaluate(db, config, {
                deviceId: device.id,
                boardId: board.id,
                value: input.value,
                now,
              })
            : { findings: [], retryAfter: undefined }
        const limited = verdict.retryAfter !== undefined
        const current = limited
          ? undefined
          : yield* db.get<ScoreRow>(
              `SELECT * FROM scores WHERE device_id = ? AND board_id = ? AND is_test = ? AND ${visible}
                ORDER BY created_at DESC LIMIT 1`,
              [device.id, board.id, input.isTest],
            )
        const decision = limited ? { kept: false, replaces: undefined } : keep(board, current, input.value)
        if (decision.replaces !== undefined) {
          yield* db.run("UPDATE scores SET kept = 0, updated_at = ? WHERE id = ?", [now, decision.replaces])
        }
        const id = Ids.make("scr")
        yield* db.run(
          `INSERT INTO scores (id, account_id, game_id, board_id, device_id, player_name, value, value_display,
             metadata, timezone, country, city, is_test, kept, rejected, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            id,
            board.account_id,
            board.game_id,
            board.id,
            device.id,
            input.playerName,
            input.value,
            input.valueDisplay ?? null,
            input.metadata === undefined || input.metadata === null ? null : JSON.stringify(input.metadata),
            input.timezone ?? null,
            input.country ?? null,
            input.city ?? null,
            input.isTest,
            decision.kept,
            limited,
            now,
            now,
          ],
        )
        for (const finding of verdict.findings) {
          yield* db.run(
            `INSERT INTO score_flags (id, account_id, game_id, board_id, score_id, flag_type, confidence, metadata,
               status, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
            [
              Ids.make("flg"),
              board.account_id,
              board.game_id,
              board.id,
              id,
              finding.type,
              finding.confidence,
              JSON.stringify(finding.metadata),
              now,
              now,
            ],
          )
        }
        if (verdict.retryAfter !== undefined)
          return { _tag: "Limited", retryAfter: verdict.retryAfter } as const
        if (input.idempotency !== undefined) yield* Idempotency.remember(db, input.idempotency, id)
        const row = yield* db.get<ScoreRow>("SELECT * FROM scores WHERE id = ?", [id])
        return { _tag: "Stored", row: row! } as const
      }),
    )
    if (outcome._tag === "Limited") {
      return yield* new LeadrError.RateLimited({
        detail: "Too many score submissions for this board; try again later",
        retry_after: outcome.retryAfter,
      })
    }
    return yield* ranked(db, outcome.row)
  })

/**
 * A stored score with its rank on its board (null when the board does not show it).
 *
 * @since 0.1.0
 * @category queries
 */
export const ranked = (db: Db, row: ScoreRow): Effect.Effect<Ranked> =>
  Effect.gen(function* () {
    if (row.kept !== 1 || row.rejected !== 0) return { row, rank: null, placeholder: false }
    const board = yield* db.get<BoardRow>("SELECT * FROM boards WHERE id = ?", [row.board_id])
    if (board === undefined) return { row, rank: null, placeholder: false }
    return { row, rank: yield* rankOf(db, board, row.value, row.is_test === 1), placeholder: false }
  })
