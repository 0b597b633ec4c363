/**
 * The process-wide half of the plugin: one per game server, shared by every
 * room. It owns what must not be per room: the LEADR client (and with it the
 * API key), the device cache, the board feeds, the link to the worker, and
 * the background fibers that refresh them. Rooms reach it through
 * `LeadrPlugin`.
 *
 * Build it as an Effect `Layer` ({@link layer}, {@link layerConfig}) or from
 * plain TypeScript ({@link create}).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Fingerprint, LeadrClient } from "@leadr-toolkit/core"
import { type Operation, Worker } from "@leadr-toolkit/worker"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Runtime from "effect/Runtime"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as BoardFeed from "./BoardFeed.js"
import * as DeviceRegistry from "./DeviceRegistry.js"
import * as LeadrConfig from "./LeadrConfig.js"
import { NotQueued, type ValidScore } from "./ScoreSubmission.js"

/**
 * What the plugin needs from the worker: the `Worker.Worker` service (or its
 * Promise facade, through {@link fromPromiseWorker}).
 *
 * @since 0.1.0
 * @category models
 */
export interface Delivery {
  /** Resolves once the operation is durable. */
  readonly enqueue: (op: Operation.Operation) => Effect.Effect<unknown, { readonly _tag: string }>
  /** Delivers what is queued, waiting at most `timeout`. */
  readonly flush: (timeout: Duration.Duration) => Effect.Effect<unknown, unknown>
}

/**
 * The worker's Promise facade (`createWorker(...)` of `@leadr-toolkit/worker`), as a {@link Delivery}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromPromiseWorker = (worker: {
  readonly enqueue: (op: Operation.Operation) => Promise<unknown>
  readonly flush: (timeoutMs: number) => Promise<unknown>
}): Delivery => ({
  enqueue: (op) =>
    Effect.tryPromise({
      try: () => worker.enqueue(op),
      catch: (error) => ({
        _tag:
          typeof error === "object" && error !== null && "_tag" in error
            ? String(error._tag)
            : "EnqueueFailed",
      }),
    }),
  flush: (timeout) => Effect.promise(() => worker.flush(Duration.toMillis(timeout))),
})

/**
 * Who submits a score.
 *
 * @since 0.1.0
 * @category models
 */
export interface Player {
  readonly fingerprint: string
  readonly deviceId: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly gameId: string
  readonly refreshInterval: Duration.Duration
  readonly rejectSuspended: boolean
  readonly devices: DeviceRegistry.DeviceRegistry
  readonly boards: BoardFeed.BoardFeed
  /** The fingerprint of an install, with the hints the options allow from the join's request. */
  readonly fingerprint: (
    installId: string,
    request: { readonly ip?: string | undefined; readonly userAgent?: string | undefined },
  ) => Either.Either<string, Fingerprint.InvalidFingerprintInput>
  /** Queues a validated score durably and shows it on the board's displays at once. */
  readonly submit: (player: Player, boardId: string, score: ValidScore) => Effect.Effect<void, NotQueued>
  /** Delivers what the worker holds, waiting at most `timeout` (default: the shutdown timeout). */
  readonly flush: (timeout?: Duration.DurationInput) => Effect.Effect<void>
  /** Runs an effect on this service's runtime (for the Promise-based room API). */
  readonly runPromise: <A, E>(effect: Effect.Effect<A, E>) => Promise<A>
}

/**
 * The process-wide LEADR service rooms share.
 *
 * @since 0.1.0
 * @category tags
 */
export class Leadr extends Context.Tag("@leadr-toolkit/colyseus-plugin/Leadr")<Leadr, Service>() {}

/**
 * Builds the service in a scope; closing the scope stops the refresh fibers
 * and then flushes the worker within the shutdown timeout.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  input: LeadrConfig.LeadrOptions,
  delivery: Delivery,
): Effect.Effect<Service, Fingerprint.InvalidFingerprintInput, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function* () {
    const options = LeadrConfig.resolve(input)
    const fingerprinter = yield* Fingerprint.makeFingerprinter(options.fingerprintSecret)
    const client = yield* LeadrClient.make({
      baseUrl: options.url,
      apiKey: options.apiKey,
      timeout: options.requestTimeout,
    })

    const flush = (timeout?: Duration.DurationInput) =>
      delivery
        .flush(Duration.decode(timeout ?? options.shutdownTimeout))
        .pipe(
          Effect.timeout(
            Duration.sum(Duration.decode(timeout ?? options.shutdownTimeout), Duration.seconds(1)),
          ),
          Effect.ignore,
        )
    // Registered before the fibers: finalizers run in reverse, so the
    // refreshers stop first and the flush sees everything they queued.
    yield* Effect.addFinalizer(() => flush())

    const fibers = yield* FiberSet.make<unknown, unknown>()
    const forkIn = yield* FiberSet.runtime(fibers)<never>()
    const fork = <A, E>(effect: Effect.Effect<A, E>) => forkIn(effect)
    const runtime = yield* Effect.runtime<never>()
    const runPromise = Runtime.runPromise(runtime)

    const devices = DeviceRegistry.make({
      options,
      client,
      fork,
      enqueueStartSession: (fingerprint) =>
        delivery
          .enqueue({
            _tag: "StartSession",
            game_id: options.gameId,
            client_fingerprint: fingerprint,
            ...(options.platform === undefined ? {} : { platform: options.platform }),
          })
          .pipe(Effect.ignore),
    })
    const boards = BoardFeed.make({ options, client, fork })

    yield* FiberSet.run(fibers, Effect.repeat(devices.sweep, Schedule.spaced(options.refreshInterval)))

    const fingerprint: Service["fingerprint"] = (installId, request) =>
      Effect.runSync(
        Effect.either(
          fingerprinter.fingerprint(options.gameId, installId, DeviceRegistry.hintsFor(options, request)),
        ),
      )

    const submit = (player: Player, boardId: string, score: ValidScore): Effect.Effect<void, NotQueued> => {
      const common = {
        board_id: boardId,
        game_id: options.gameId,
        player_name: score.playerName,
        value: score.value,
        ...(score.displayValue === undefined ? {} : { value_display: score.displayValue }),
        ...(score.metadata === undefined ? {} : { metadata: score.metadata }),
      }
      // The admin path needs the device id; a device still pending (LEADR was
      // down at its join) goes through its own session, keyed by fingerprint.
      const op: Operation.Operation =
        options.apiKey !== undefined && player.deviceId !== undefined
          ? { _tag: "SubmitScore", ...common, device_id: player.deviceId }
          : {
              _tag: "SubmitClientScore",
              ...common,
              client_fingerprint: player.fingerprint,
              ...(options.platform === undefined ? {} : { platform: options.platform }),
            }
      return delivery.enqueue(op).pipe(
        Effect.mapError((error) => new NotQueued({ detail: error._tag })),
        Effect.tap(() =>
          Effect.sync(() =>
            boards.accept(boardId, {
              deviceId: player.deviceId,
              playerKey: player.fingerprint,
              playerName: score.playerName,
              value: score.value,
              displayValue: score.displayValue,
            }),
          ),
        ),
        Effect.asVoid,
      )
    }

    return {
      gameId: options.gameId,
      refreshInterval: options.refreshInterval,
      rejectSuspended: options.rejectSuspended,
      devices,
      boards,
      fingerprint,
      submit,
      flush,
      runPromise,
    } satisfies Service
  })

/**
 * The service, delivering through the `Worker.Worker` service of `@leadr-toolkit/worker`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: LeadrConfig.LeadrOptions,
): Layer.Layer<Leadr, Fingerprint.InvalidFingerprintInput, HttpClient.HttpClient | Worker.Worker> =>
  Layer.scoped(
    Leadr,
    Effect.flatMap(Worker.Worker, (worker) => make(options, worker)),
  )

/**
 * {@link layer}, configured from the environment by `LeadrConfig.config`
 * (`LEADR_URL`, `LEADR_API_KEY`, `LEADR_GAME_ID`, `LEADR_FINGERPRINT_SECRET`, `LEADR_REFRESH_MS`, ...).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<
  Leadr,
  Fingerprint.InvalidFingerprintInput | ConfigError.ConfigError,
  HttpClient.HttpClient | Worker.Worker
> = Layer.scoped(
  Leadr,
  Effect.all([LeadrConfig.config, Worker.Worker]).pipe(
    Effect.flatMap(([options, worker]) => make(options, worker)),
  ),
)

/**
 * The service from plain TypeScript, with its own runtime and a keep-alive
 * HTTP client. `close()` stops the refreshers and flushes the worker within
 * the shutdown timeout; call it from `gameServer.onShutdown(...)`.
 *
 * @example
 * ```ts
 * const worker = await createWorker({ ... })
 * const leadr = await Leadr.create({ url, apiKey: Redacted.make(key), gameId, fingerprintSecret, worker })
 * gameServer.onShutdown(async () => { await leadr.close(); await worker.close() })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const create = async (
  options: LeadrConfig.LeadrOptions & {
    /** The worker's Promise facade (`createWorker(...)`), or the Effect `Worker` service as a {@link Delivery}. */
    readonly worker: Parameters<typeof fromPromiseWorker>[0] | { readonly delivery: Delivery }
  },
): Promise<Service & { readonly close: () => Promise<void> }> => {
  const delivery = "delivery" in options.worker ? options.worker.delivery : fromPromiseWorker(options.worker)
  const runtime = ManagedRuntime.make(
    Layer.scoped(Leadr, make(options, delivery)).pipe(Layer.provide(NodeHttpClient.layerUndici)),
  )
  const service = await runtime.runPromise(Leadr)
  return { ...service, close: () => runtime.dispose() }
}
