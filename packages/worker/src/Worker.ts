/**
 * The worker as an Effect service: a durable outbox, a drain fiber delivering
 * it to LEADR, and the numbers to watch it by.
 *
 * ```ts
 * const program = Effect.gen(function* () {
 *   const worker = yield* Worker.Worker
 *   yield* worker.enqueue({ _tag: "SubmitScore", board_id, game_id, device_id, player_name: "ada", value: 42 })
 * }).pipe(Effect.provide(Worker.layer({ filename: "data/outbox.sqlite", baseUrl, apiKey })))
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { LeadrClient } from "@leadr-toolkit/core"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type * as DeadLetters from "./DeadLetters.js"
import * as Delivery from "./Delivery.js"
import * as Drain from "./Drain.js"
import type { Operation } from "./Operation.js"
import * as Outbox from "./Outbox.js"
import type { RetryPolicy } from "./Retry.js"
import * as WorkerMetrics from "./WorkerMetrics.js"

/**
 * What `flush` managed.
 *
 * @since 0.1.0
 * @category models
 */
export interface FlushResult {
  /** Whether the outbox was empty before the deadline. */
  readonly drained: boolean
  /** Writes still waiting. */
  readonly remaining: number
}

/**
 * A snapshot for dashboards.
 *
 * @since 0.1.0
 * @category models
 */
export interface WorkerStats {
  /** Writes waiting (pending and in flight). */
  readonly queued: number
  readonly queuedBytes: number
  /** Keys being delivered right now. */
  readonly inFlight: number
  /** Age of the oldest waiting write, 0 if none. */
  readonly oldestAgeMs: number
  readonly delivered: number
  readonly retried: number
  readonly deadLettered: number
  readonly coalesced: number
  /** Delivery requests sent (attempts included). */
  readonly requests: number
  readonly deadLetters: number
  readonly circuit: "closed" | "open" | "half-open"
}

/**
 * @since 0.1.0
 * @category models
 */
export interface WorkerService {
  /** Persists a write and returns once it is durable; delivery happens in the background. */
  readonly enqueue: (op: Operation) => Effect.Effect<Outbox.Receipt, Outbox.OutboxFull | Outbox.OutboxError>
  /** Waits until everything queued is delivered (or dead-lettered), at most `timeout`. */
  readonly flush: (timeout: Duration.DurationInput) => Effect.Effect<FlushResult>
  readonly stats: Effect.Effect<WorkerStats, Outbox.OutboxError>
  /** Writes LEADR refused for good, with the refusal. */
  readonly deadLetters: Effect.Effect<ReadonlyArray<DeadLetters.DeadLetter>, Outbox.OutboxError>
  /** Queues a dead letter again (same idempotency key); `None` if there is no such dead letter. */
  readonly replay: (deadLetterId: number) => Effect.Effect<Option.Option<Outbox.Receipt>, Outbox.OutboxError>
  /** The outbox underneath (the Promise facade's fast path uses it). */
  readonly outbox: Outbox.OutboxService
}

/**
 * The worker.
 *
 * @since 0.1.0
 * @category tags
 */
export class Worker extends Context.Tag("@leadr-toolkit/worker/Worker")<Worker, WorkerService>() {}

/**
 * @since 0.1.0
 * @category models
 */
export interface WorkerOptions extends Outbox.OutboxOptions, Drain.DrainOptions {
  /** Where LEADR is. */
  readonly baseUrl: string | URL
  /** The admin API key; without one, scores can only go through device sessions (`SubmitClientScore`). */
  readonly apiKey?: Redacted.Redacted<string> | undefined
  /** Deadline per request. Default 10 s. */
  readonly timeout?: Duration.DurationInput | undefined
  readonly retry?: Partial<RetryPolicy> | undefined
  /** How often delivered rows are deleted and gauges updated. Default 5 s. */
  readonly housekeepingMs?: number | undefined
  /** How long closing waits for requests on the wire. Default 5 s. */
  readonly closeTimeout?: Duration.DurationInput | undefined
}

/**
 * Opens the outbox, resumes what a previous process left, and starts
 * delivering. Closing the scope commits accepted enqueues, lets requests on
 * the wire finish (up to `closeTimeout`), and closes the file; what is left is
 * delivered by the next start.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: WorkerOptions,
): Effect.Effect<WorkerService, Outbox.OutboxError, Scope.Scope | HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const outbox = yield* Outbox.make(options)
    const client = yield* LeadrClient.make({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      timeout: options.timeout,
    })
    const delivery = yield* Delivery.make({
      baseUrl: options.baseUrl,
      client,
      hasApiKey: options.apiKey !== undefined,
      timeout: options.timeout,
    })
    const counters = WorkerMetrics.makeCounters()
    const drain = yield* Drain.make(outbox, delivery, counters, options)

    const oldestAge = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const oldest = yield* outbox.oldest
      return Option.match(oldest, { onNone: () => 0, onSome: (created) => Math.max(0, now - created) })
    })

    const housekeeping = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      yield* outbox.cleanup(now)
      yield* WorkerMetrics.observe(outbox.backlog().items, yield* oldestAge)
    }).pipe(
      Effect.catchAllCause((cause) => Effect.logWarning("worker: housekeeping failed", cause)),
      Effect.repeat(Schedule.spaced(Duration.millis(options.housekeepingMs ?? 5_000))),
    )
    yield* Effect.forkScoped(housekeeping)

    const flush = (timeout: Duration.DurationInput) =>
      Effect.gen(function* () {
        drain.wake()
        const empty = Effect.sync(() => outbox.backlog().items === 0)
        const drained = yield* empty.pipe(
          Effect.repeat({ until: (done) => done, schedule: Schedule.spaced(Duration.millis(5)) }),
          Effect.timeoutTo({ duration: timeout, onSuccess: () => true, onTimeout: () => false }),
        )
        return { drained, remaining: outbox.backlog().items }
      })

    const stats = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const deadLetters = yield* outbox.deadLetterCount
      const backlog = outbox.backlog()
      return {
        queued: backlog.items,
        queuedBytes: backlog.bytes,
        inFlight: drain.inFlight(),
        oldestAgeMs: yield* oldestAge,
        delivered: counters.delivered,
        retried: counters.retried,
        deadLettered: counters.deadLettered,
        coalesced: counters.coalesced,
        requests: counters.requests,
        deadLetters,
        circuit: drain.circuit(now),
      } satisfies WorkerStats
    })

    // Registered last, so it runs first: stop taking work, let the wire settle, commit what was accepted.
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        yield* Effect.timeout(drain.stop, options.closeTimeout ?? Duration.seconds(5)).pipe(Effect.ignore)
        yield* outbox.close
        yield* Effect.ignore(Effect.flatMap(Clock.currentTimeMillis, outbox.cleanup))
      }),
    )

    return {
      enqueue: outbox.enqueue,
      flush,
      stats,
      deadLetters: outbox.deadLetters,
      replay: (id: number) => Effect.tap(outbox.replay(id), () => drain.wake()),
      outbox,
    } satisfies WorkerService
  })

/**
 * The worker with its own keep-alive HTTP client (undici).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: WorkerOptions): Layer.Layer<Worker, Outbox.OutboxError> =>
  Layer.scoped(Worker, make(options)).pipe(Layer.provide(NodeHttpClient.layerUndici))

/**
 * Reads `LEADR_URL`, `LEADR_API_KEY` (optional, redacted), `LEADR_WORKER_DB`
 * (default `data/leadr-outbox.sqlite`), `LEADR_WORKER_MAX_ITEMS`,
 * `LEADR_WORKER_MAX_BYTES`, `LEADR_WORKER_CONCURRENCY` and
 * `LEADR_WORKER_SYNCHRONOUS` (`NORMAL` or `FULL`).
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<WorkerOptions> = Config.all({
  baseUrl: Config.string("LEADR_URL"),
  apiKey: Config.option(Config.redacted("LEADR_API_KEY")).pipe(Config.map(Option.getOrUndefined)),
  filename: Config.withDefault(Config.string("LEADR_WORKER_DB"), "data/leadr-outbox.sqlite"),
  maxItems: Config.withDefault(Config.integer("LEADR_WORKER_MAX_ITEMS"), 100_000),
  maxBytes: Config.withDefault(Config.integer("LEADR_WORKER_MAX_BYTES"), 64 * 1024 * 1024),
  concurrency: Config.withDefault(Config.integer("LEADR_WORKER_CONCURRENCY"), 16),
  synchronous: Config.withDefault(Config.literal("NORMAL", "FULL")("LEADR_WORKER_SYNCHRONOUS"), "NORMAL"),
})

/**
 * {@link layer}, configured by {@link config}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<Worker, Outbox.OutboxError | ConfigError.ConfigError> =
  Layer.unwrapEffect(Effect.map(config, layer))
