/**
 * Sends one outbox item to LEADR with the core's typed client, and knows the
 * keep strategy of the boards it sends to.
 *
 * - Score creations carry the item's idempotency key as `Idempotency-Key`,
 *   so a repeat after a crash or a lost response is applied once.
 * - The client path (no API key) holds one device session per fingerprint,
 *   which refreshes its tokens and fetches a nonce for every submission.
 * - Board rules come from LEADR (`GET /v1/boards/{id}`, or the client board
 *   list without an API key) and are cached for a minute.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import {
  Device as DeviceModel,
  DeviceSession,
  type LeadrClient,
  LeadrError,
  Score,
} from "@leadr-toolkit/core"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type { BoardRules } from "./Coalescing.js"
import type { Operation, ScoreOperation } from "./Operation.js"

/**
 * What the drain fiber needs from LEADR.
 *
 * @since 0.1.0
 * @category models
 */
export interface Delivery {
  /** Sends one write. */
  readonly send: (op: Operation, idempotencyKey: string) => Effect.Effect<void, LeadrError.LeadrError>
  /** The keep strategy and sort direction of the board a score goes to. */
  readonly rules: (op: ScoreOperation) => Effect.Effect<BoardRules, LeadrError.LeadrError>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DeliveryOptions {
  readonly baseUrl: string | URL
  /** The admin client (with the API key, if the deployment has one). */
  readonly client: LeadrClient.Client
  /** Whether `client` carries an API key; without one, board rules are read through a device session. */
  readonly hasApiKey: boolean
  readonly timeout?: LeadrClient.LeadrClientOptions["timeout"]
  /** Device sessions kept for the client path. Default 10,000. */
  readonly maxSessions?: number | undefined
  /** How long board rules are trusted. Default 60 s. */
  readonly rulesTtlMs?: number | undefined
}

/** Builds a request model; a write the schema refuses is a permanent failure, not a crash of the drain. */
const build = <A>(f: () => A): Effect.Effect<A, LeadrError.LeadrError> =>
  Effect.try({
    try: f,
    catch: (error) => new LeadrError.BadRequest({ detail: `invalid write: ${String(error)}` }),
  })

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: DeliveryOptions): Effect.Effect<Delivery, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const http = yield* Effect.context<HttpClient.HttpClient>()
    const client = options.client
    const ttl = options.rulesTtlMs ?? 60_000
    const sessions = new Map<string, DeviceSession.DeviceSession>()
    const maxSessions = options.maxSessions ?? 10_000
    const rulesCache = new Map<string, { readonly rules: BoardRules; readonly until: number }>()

    const session = (
      gameId: string,
      fingerprint: string,
      extra?: {
        readonly platform?: string | undefined
        readonly metadata?: Record<string, unknown> | undefined
      },
    ) =>
      Effect.suspend(() => {
        const key = `${gameId}:${fingerprint}`
        const known = sessions.get(key)
        if (known !== undefined) return Effect.succeed(known)
        return DeviceSession.start({
          baseUrl: options.baseUrl,
          gameId,
          fingerprint,
          platform: extra?.platform,
          metadata: extra?.metadata,
          timeout: options.timeout,
        }).pipe(
          Effect.tap((s) =>
            Effect.sync(() => {
              sessions.set(key, s)
              // Bounded: the oldest session goes; a later write for it starts (resumes) one again.
              if (sessions.size > maxSessions) sessions.delete(sessions.keys().next().value!)
            }),
          ),
          Effect.provide(http),
        )
      })

    const send = (op: Operation, idempotencyKey: string): Effect.Effect<void, LeadrError.LeadrError> => {
      switch (op._tag) {
        case "SubmitScore":
          return build(
            () =>
              new Score.ScoreCreateRequest({
                board_id: op.board_id,
                game_id: op.game_id,
                device_id: op.device_id,
                player_name: op.player_name,
                value: op.value,
                value_display: op.value_display,
                metadata: op.metadata,
              }),
          ).pipe(
            Effect.flatMap((payload) =>
              client.scores.create({
                urlParams: {},
                headers: { "idempotency-key": idempotencyKey },
                payload,
              }),
            ),
            Effect.asVoid,
          )
        case "SubmitClientScore":
          return Effect.all([
            session(op.game_id, op.client_fingerprint, { platform: op.platform }),
            build(
              () =>
                new Score.ClientScoreCreateRequest({
                  board_id: op.board_id,
                  player_name: op.player_name,
                  value: op.value,
                  value_display: op.value_display,
                  metadata: op.metadata,
                }),
            ),
          ]).pipe(
            Effect.flatMap(([s, payload]) => s.submitScore(payload, idempotencyKey)),
            Effect.asVoid,
          )
        case "SetDeviceStatus":
          return client.devices
            .update({
              path: { device_id: op.device_id },
              urlParams: {},
              payload: new DeviceModel.DeviceUpdateRequest({ status: op.status }),
            })
            .pipe(Effect.asVoid)
        case "StartSession":
          return Effect.asVoid(
            session(op.game_id, op.client_fingerprint, { platform: op.platform, metadata: op.metadata }),
          )
      }
    }

    const lookup = (op: ScoreOperation): Effect.Effect<BoardRules, LeadrError.LeadrError> => {
      if (op._tag === "SubmitScore" || options.hasApiKey) {
        return Effect.map(client.boards.get({ path: { board_id: op.board_id }, urlParams: {} }), (board) => ({
          keep: board.keep_strategy,
          sort: board.sort_direction,
        }))
      }
      return session(op.game_id, op.client_fingerprint, { platform: op.platform }).pipe(
        Effect.flatMap((s) => s.client.client.listBoards({ urlParams: { game_id: op.game_id, limit: 100 } })),
        Effect.flatMap((page) => {
          const board = page.data.find((b) => b.id === op.board_id)
          return board === undefined
            ? Effect.fail(new LeadrError.NotFound({ detail: `board ${op.board_id} not found` }))
            : Effect.succeed({ keep: board.keep_strategy, sort: board.sort_direction })
        }),
      )
    }

    // Single flight: the groups that find a board's rules missing at once share one request.
    const lookups = new Map<string, Deferred.Deferred<BoardRules, LeadrError.LeadrError>>()
    const rules = (op: ScoreOperation) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const cached = rulesCache.get(op.board_id)
        if (cached !== undefined && cached.until > now) return cached.rules
        const running = lookups.get(op.board_id)
        if (running !== undefined) return yield* Deferred.await(running)
        const deferred = yield* Deferred.make<BoardRules, LeadrError.LeadrError>()
        lookups.set(op.board_id, deferred)
        const exit = yield* Effect.exit(lookup(op))
        lookups.delete(op.board_id)
        if (exit._tag === "Success") rulesCache.set(op.board_id, { rules: exit.value, until: now + ttl })
        yield* Deferred.done(deferred, exit)
        return yield* exit
      })

    return { send, rules }
  })
