/**
 * Submitting a score, the one write path the admin and client APIs share:
 * checks (board, game, device, status), idempotency, anti-cheat, and the
 * board's keep strategy.
 *
 * Every submission is stored as a score event. The keep strategy decides which
 * of a device's events the board shows (`kept`); a rate-limited submission is
 * stored `rejected` so its flag has a score to point at, then answered with 429.
 *
 * Cost: one transaction of one read (everything the checks, the rules and the
 * keep strategy need, in one context query) and the writes (the event; when
 * they apply, the replaced event, the flags, the idempotency key), all
 * prepared once. Each statement is a round trip to SQLite's worker thread
 * under the connection's lock, so their number, not their SQL, bounds the
 * throughput.
 *
 * The response carries `rank: null`: the spec's rank is "null if not querying
 * by board_id", and counting the better scores would cost time growing with
 * the board. `GET /v1/scores?board_id=…&around_score_id=<id>` ranks it.
 *
 * @since 0.1.0
 */
import type { Board } from "@leadr-toolkit/core"
import { LeadrError } from "@leadr-toolkit/core"
import type { Sqlite } from "@leadr-toolkit/sqlite"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as AntiCheat from "./AntiCheat.js"
import type { Db, Prepared } from "./Db.js"
import * as Idempotency from "./Idempotency.js"
import * as Ids from "./Ids.js"
import { type Ranked, type ScoreRow, visible } from "./Leaderboard.js"
import type { AntiCheatConfig } from "./ServerConfig.js"
import * as Time from "./Time.js"

/**
 * A submission, wherever it came from.
 *
 * @since 0.1.0
 * @category models
 */
export interface Submission<E = never> {
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
  /**
   * Checked first, inside the submission's transaction (the client's nonce).
   * What it writes stays written even when the submission is then refused.
   */
  readonly precondition?: Effect.Effect<void, E> | undefined
}

/**
 * Why a submission is refused.
 *
 * @since 0.1.0
 * @category errors
 */
export type Refusal =
  | LeadrError.NotFound
  | LeadrError.BadRequest
  | LeadrError.Forbidden
  | LeadrError.Conflict
  | LeadrError.RateLimited

/** Everything the checks need, read at once; every column is null when its row is missing. */
interface Context extends AntiCheat.Facts {
  readonly known_hash: string | null
  readonly known_score: string | null
  readonly board_id: string | null
  readonly board_account: string
  readonly board_game: string
  readonly is_active: number
  readonly sort_direction: Board.SortDirection
  readonly keep_strategy: Board.KeepStrategy
  readonly device_id: string | null
  readonly device_game: string
  readonly device_status: string
  readonly current_id: string | null
  readonly current_value: number
}

// One row whatever exists: the joins say what is missing. The keep strategy's
// "current" event has its own partial index, so finding it is a seek.
const contextSql = `SELECT k.request_hash AS known_hash, k.score_id AS known_score,
       b.id AS board_id, b.account_id AS board_account, b.game_id AS board_game, b.is_active,
       b.sort_direction, b.keep_strategy,
       d.id AS device_id, d.game_id AS device_game, d.status AS device_status,
       c.id AS current_id, c.value AS current_value,
       ${AntiCheat.columns("g.anti_cheat_enabled")}
  FROM (SELECT 1) AS one
  LEFT JOIN idempotency_keys k ON k.scope = ? AND k.key = ?
  LEFT JOIN boards b ON b.id = ? AND b.deleted_at IS NULL
  LEFT JOIN games g ON g.id = b.game_id AND g.deleted_at IS NULL
  LEFT JOIN devices d ON d.id = ? AND d.deleted_at IS NULL
  LEFT JOIN scores c ON c.id = (
    SELECT id FROM scores WHERE device_id = ? AND board_id = ? AND is_test = ? AND ${visible}
     ORDER BY created_at DESC LIMIT 1)`

const contextParams = <E>(
  config: AntiCheatConfig,
  input: Submission<E>,
  now: string,
): ReadonlyArray<Sqlite.SqlValue> => [
  ...AntiCheat.parameters(config, {
    deviceId: input.deviceId,
    boardId: input.boardId,
    value: input.value,
    now,
  }),
  input.idempotency?.scope ?? null,
  input.idempotency?.key ?? null,
  input.boardId,
  input.deviceId,
  input.deviceId,
  input.boardId,
  input.isTest,
]

const insertSql = `INSERT INTO scores (id, account_id, game_id, board_id, device_id, player_name, value,
    value_display, metadata, timezone, country, city, is_test, kept, rejected, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const flagSql = `INSERT INTO score_flags (id, account_id, game_id, board_id, score_id, flag_type, confidence,
    metadata, status, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`

/** The statements of the write path, prepared once per server. */
interface Statements {
  readonly context: Prepared
  readonly insert: Prepared
  readonly replace: Prepared
  readonly flag: Prepared
  readonly remember: (claim: Idempotency.Claim, scoreId: string, now: string) => Effect.Effect<void>
}

const isBetter = (direction: Board.SortDirection, a: number, b: number) =>
  direction === "DESCENDING" ? a > b : a < b

/** Whether the new value goes on the board, and which older event it replaces. */
const keep = (ctx: Context, value: number): { kept: boolean; replaces: string | undefined } => {
  if (ctx.current_id === null) return { kept: true, replaces: undefined }
  switch (ctx.keep_strategy) {
    case "ALL":
      return { kept: true, replaces: undefined }
    case "FIRST_ONLY":
      return { kept: false, replaces: undefined }
    case "LATEST_ONLY":
      return { kept: true, replaces: ctx.current_id }
    case "BEST_ONLY":
      return isBetter(ctx.sort_direction, value, ctx.current_value)
        ? { kept: true, replaces: ctx.current_id }
        : { kept: false, replaces: undefined }
  }
}

/** The board and device checks, in the order the service applies them. */
const refusal = <E>(ctx: Context, input: Submission<E>): Refusal | undefined => {
  if (ctx.board_id === null) return new LeadrError.NotFound({ detail: "Board not found" })
  if (ctx.board_account !== input.accountId) {
    return new LeadrError.BadRequest({ detail: "Board does not belong to the account" })
  }
  if (ctx.board_game !== input.gameId) {
    return new LeadrError.BadRequest({ detail: "Game does not match the board's game" })
  }
  if (ctx.is_active !== 1) return new LeadrError.BadRequest({ detail: "Board is not active" })
  if (ctx.device_id === null) return new LeadrError.NotFound({ detail: "Device not found" })
  if (ctx.device_game !== ctx.board_game) {
    return new LeadrError.BadRequest({ detail: "Device does not belong to the board's game" })
  }
  if (ctx.device_status !== "active") {
    return new LeadrError.Forbidden({ detail: `Device is ${ctx.device_status} and cannot submit scores` })
  }
  return undefined
}

const store = <E>(
  db: Db,
  statements: Statements,
  config: AntiCheatConfig,
  input: Submission<E>,
): Effect.Effect<ScoreRow, Refusal | E> =>
  Effect.gen(function* () {
    if (input.precondition !== undefined) yield* input.precondition
    const now = yield* Time.now
    const ctx = (yield* statements.context.get<Context>(contextParams(config, input, now)))!
    if (ctx.known_score !== null && ctx.known_hash !== null) {
      const earlier = yield* Idempotency.replay(input.idempotency, {
        requestHash: ctx.known_hash,
        scoreId: ctx.known_score,
      })
      return (yield* db.get<ScoreRow>("SELECT * FROM scores WHERE id = ?", [earlier]))!
    }
    const refused = refusal(ctx, input)
    if (refused !== undefined) return yield* Effect.fail(refused)
    const verdict = AntiCheat.judge(config, ctx, now)
    const subject = { deviceId: input.deviceId, boardId: input.boardId, value: input.value, now }
    const limit = verdict.limited ? yield* AntiCheat.rateLimit(db, config, subject) : undefined
    const findings = limit === undefined ? verdict.findings : [limit.finding]
    const decision = verdict.limited ? { kept: false, replaces: undefined } : keep(ctx, input.value)
    if (decision.replaces !== undefined) {
      yield* statements.replace.run([now, decision.replaces])
    }
    const row: ScoreRow = {
      id: Ids.make("scr"),
      account_id: ctx.board_account,
      game_id: ctx.board_game,
      board_id: input.boardId,
      device_id: input.deviceId,
      player_name: input.playerName,
      value: input.value,
      value_display: input.valueDisplay ?? null,
      metadata:
        input.metadata === undefined || input.metadata === null ? null : JSON.stringify(input.metadata),
      timezone: input.timezone ?? null,
      country: input.country ?? null,
      city: input.city ?? null,
      is_test: input.isTest ? 1 : 0,
      kept: decision.kept ? 1 : 0,
      rejected: verdict.limited ? 1 : 0,
      created_at: now,
      updated_at: now,
    }
    yield* statements.insert.run([
      row.id,
      row.account_id,
      row.game_id,
      row.board_id,
      row.device_id,
      row.player_name,
      row.value,
      row.value_display,
      row.metadata,
      row.timezone,
      row.country,
      row.city,
      row.is_test,
      row.kept,
      row.rejected,
      row.created_at,
      row.updated_at,
    ])
    for (const finding of findings) {
      yield* statements.flag.run([
        Ids.make("flg"),
        row.account_id,
        row.game_id,
        row.board_id,
        row.id,
        finding.type,
        finding.confidence,
        JSON.stringify(finding.metadata),
        now,
        now,
      ])
    }
    if (limit !== undefined) {
      return yield* new LeadrError.RateLimited({
        detail: "Too many score submissions for this board; try again later",
        retry_after: limit.retryAfter,
      })
    }
    if (input.idempotency !== undefined) yield* statements.remember(input.idempotency, row.id, now)
    return row
  })

/**
 * Submits a score: stores it and returns it (with `rank: null`, see above).
 * Fails with 412 (the precondition), 404 (board, device), 400 (board not in
 * the account or game, device of another game, inactive board), 403 (banned or
 * suspended device), 409 (idempotency key reused with another body) or 429.
 *
 * One transaction; a refusal commits what was written before it (a spent
 * nonce, a rate-limited event and its flag), a defect rolls everything back.
 *
 * @since 0.1.0
 * @category models
 */
export type Submitter = <E = never>(input: Submission<E>) => Effect.Effect<Ranked, Refusal | E>

/**
 * The write path of a server, with its statements prepared once (finalized
 * when the scope closes).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (db: Db, config: AntiCheatConfig): Effect.Effect<Submitter, never, Scope.Scope> =>
  Effect.gen(function* () {
    const statements: Statements = {
      context: yield* db.prepare(contextSql),
      insert: yield* db.prepare(insertSql),
      replace: yield* db.prepare("UPDATE scores SET kept = 0, updated_at = ? WHERE id = ?"),
      flag: yield* db.prepare(flagSql),
      remember: yield* Idempotency.rememberer(db),
    }
    return <E = never>(input: Submission<E>) =>
      db
        .transaction(Effect.either(store(db, statements, config, input)))
        .pipe(
          Effect.flatMap(
            (result): Effect.Effect<Ranked, Refusal | E> =>
              result._tag === "Left"
                ? Effect.fail(result.left)
                : Effect.succeed({ row: result.right, rank: null, placeholder: false }),
          ),
        )
  })
