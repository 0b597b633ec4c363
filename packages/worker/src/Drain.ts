/**
 * The drain fiber: takes pending rows from the outbox and delivers them.
 *
 * - Ordered per key: a key's rows go out one after another, by one fiber; a
 *   key whose oldest pending row waits for its retry time waits as a whole.
 * - Concurrent across keys, up to `concurrency` groups at once, over the
 *   HTTP client's keep-alive connections.
 * - Coalesced: a group of score writes for one (board, device) is planned
 *   by {@link Coalescing.plan}; superseded rows are acknowledged only once the
 *   write that supersedes them is delivered.
 * - Retried per {@link Retry}: the failed row and the rest of its group get a
 *   `next_attempt_at`; outage failures feed the circuit, which pauses every
 *   group. Permanent failures dead-letter the row and the group goes on.
 *
 * @since 0.1.0
 */
import type { LeadrError } from "@leadr-toolkit/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import type * as Scope from "effect/Scope"
import * as Coalescing from "./Coalescing.js"
import type { Delivery } from "./Delivery.js"
import { isScore, type ScoreOperation } from "./Operation.js"
import type { OutboxItem, OutboxService } from "./Outbox.js"
import * as Retry from "./Retry.js"
import * as WorkerMetrics from "./WorkerMetrics.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface DrainOptions {
  /** Groups (keys) delivered at once. Default 16. */
  readonly concurrency?: number | undefined
  /** Pending rows looked at per scan. Default 1,000. */
  readonly window?: number | undefined
  /** Most rows of one key taken in one group. Default 25. */
  readonly maxGroup?: number | undefined
  /**
   * Least time between two score sends for one (board, device) on a board
   * that keeps one score per device: later writes wait and coalesce, and the
   * player never trips the service's velocity rule (2 s by default) because
   * of the worker. Default 2,000 ms; 0 turns it off.
   */
  readonly scoreSpacingMs?: number | undefined
  /** Longest sleep when nothing is due (new enqueues wake it sooner). Default 1 s. */
  readonly idleMs?: number | undefined
  readonly retry?: Partial<Retry.RetryPolicy> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Drain {
  /** Looks for work now. */
  readonly wake: () => void
  /** Groups on the wire. */
  readonly inFlight: () => number
  readonly circuit: (now: number) => Retry.CircuitState
  /** Stops taking new groups and waits for the ones on the wire. */
  readonly stop: Effect.Effect<void>
}

interface Group {
  readonly key: string
  readonly items: Array<OutboxItem>
}

/** A wake-up any fiber can wait for and any callback can fire. */
const makeSignal = () => {
  let waiter: (() => void) | undefined
  let fired = false
  return {
    fire: () => {
      fired = true
      const w = waiter
      waiter = undefined
      if (w !== undefined) w()
    },
    /** Waits for the next `fire` (or one that came since the last wait), at most `ms`. */
    wait: (ms: number) =>
      Effect.async<void>((resume) => {
        if (fired) {
          fired = false
          return resume(Effect.void)
        }
        const timer = setTimeout(
          () => {
            waiter = undefined
            resume(Effect.void)
          },
          Math.max(0, ms),
        )
        waiter = () => {
          clearTimeout(timer)
          fired = false
          resume(Effect.void)
        }
        return Effect.sync(() => {
          clearTimeout(timer)
          waiter = undefined
        })
      }),
  }
}

/**
 * Starts the drain in the current scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  outbox: OutboxService,
  delivery: Delivery,
  counters: WorkerMetrics.Counters,
  options: DrainOptions = {},
): Effect.Effect<Drain, never, Scope.Scope> =>
  Effect.gen(function* () {
    const concurrency = options.concurrency ?? 16
    const window = options.window ?? 1_000
    const maxGroup = options.maxGroup ?? 25
    const idleMs = options.idleMs ?? 1_000
    const spacingMs = options.scoreSpacingMs ?? 2_000
    /** Keys of single-score boards that sent recently, and until when they wait. */
    const spacedUntil = new Map<string, number>()
    const policy: Retry.RetryPolicy = { ...Retry.defaultPolicy, ...options.retry }
    const circuit = new Retry.Circuit(policy)
    const signal = makeSignal()
    const busy = new Set<string>()
    let stopping = false
    let idle: Array<() => void> = []
    const fibers = yield* FiberSet.make()
    /** Earliest due time of the writes committed since the last scan. */
    let dueHint = Number.POSITIVE_INFINITY
    /**
     * When the sleeping loop wakes up; while a round runs, or while nothing
     * new could go sooner (circuit open, every slot busy), -Infinity: commits
     * only record their due time. A burst of commits so costs a scan per due
     * time, not one per commit.
     */
    let wakeAt = Number.NEGATIVE_INFINITY
    outbox.onCommit((dueAt) => {
      if (dueAt < dueHint) dueHint = dueAt
      if (dueAt < wakeAt) signal.fire()
    })

    const settle = (group: Group) =>
      Effect.sync(() => {
        busy.delete(group.key)
        signal.fire()
        if (busy.size === 0) {
          const waiting = idle
          idle = []
          for (const done of waiting) done()
        }
      })

    /** Puts rows back for a later round; `failed` names the row whose attempt failed. */
    const putBack = (
      rows: ReadonlyArray<OutboxItem>,
      notBefore: number,
      failed?: { readonly id: number; readonly error: string },
    ) =>
      outbox.release(
        rows.map((r) => r.id),
        notBefore,
        failed,
      )

    const onFailure = (item: OutboxItem, rest: ReadonlyArray<OutboxItem>, error: LeadrError.LeadrError) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const verdict = Retry.classify(error)
        const detail = Retry.describe(error)
        if (verdict._tag === "Permanent") {
          circuit.success()
          yield* outbox.deadLetter(item, detail)
          yield* WorkerMetrics.count(counters, "deadLettered")
          return "continue" as const
        }
        const delay = Retry.backoff(policy, item.attempts, verdict.minDelayMs, Math.random())
        if (now + delay > item.createdAt + policy.budgetMs) {
          yield* outbox.deadLetter(
            item,
            `retry budget exhausted after ${item.attempts + 1} attempts: ${detail}`,
          )
          yield* WorkerMetrics.count(counters, "deadLettered")
          return "continue" as const
        }
        if (verdict.outage) circuit.failure(now)
        const notBefore = Math.max(now + delay, circuit.resumesAt(now))
        yield* putBack([item, ...rest], notBefore, { id: item.id, error: detail })
        yield* WorkerMetrics.count(counters, "retried")
        return "stop" as const
      })

    const deliverGroup = (group: Group) =>
      Effect.gen(function* () {
        const first = group.items[0]!
        let plan: Coalescing.Plan<OutboxItem> = { send: group.items, superseded: [] }
        if (isScore(first.op)) {
          const rules = yield* Effect.either(delivery.rules(first.op))
          if (rules._tag === "Left") {
            if (Retry.classify(rules.left)._tag === "Retry") {
              counters.requests += 1
              yield* onFailure(first, group.items.slice(1), rules.left)
              return
            }
            // An unknown board: send every write and let each one meet its own answer.
          } else {
            plan = Coalescing.plan(rules.right, group.items, (item) => (item.op as ScoreOperation).value)
            if (rules.right.keep !== "ALL" && spacingMs > 0) {
              spacedUntil.set(group.key, (yield* Clock.currentTimeMillis) + spacingMs)
            }
          }
        }
        for (let i = 0; i < plan.send.length; i++) {
          const item = plan.send[i]!
          const now = yield* Clock.currentTimeMillis
          if (circuit.state(now) === "open") {
            yield* putBack([...plan.send.slice(i), ...plan.superseded], circuit.resumesAt(now))
            return
          }
          counters.requests += 1
          const result = yield* Effect.either(delivery.send(item.op, item.idempotencyKey))
          if (result._tag === "Right") {
            circuit.success()
            yield* outbox.ack(item.id, item.bytes, false)
            yield* WorkerMetrics.count(counters, "delivered")
            continue
          }
          const next = yield* onFailure(item, [...plan.send.slice(i + 1), ...plan.superseded], result.left)
          if (next === "stop") return
          if (plan.superseded.length > 0) {
            // The surviving write was refused: the superseded ones get planned again, without it.
            yield* putBack(plan.superseded, 0)
            return
          }
        }
        // Acknowledged together, so they share one group commit.
        yield* Effect.forEach(plan.superseded, (item) => outbox.ack(item.id, item.bytes, true), {
          concurrency: "unbounded",
          discard: true,
        })
        if (plan.superseded.length > 0)
          yield* WorkerMetrics.count(counters, "coalesced", plan.superseded.length)
      }).pipe(
        Effect.catchAllCause((cause) =>
          // A failed outbox write: leave the rows in flight (they are retried after a restart) and say so.
          Effect.logError("worker: could not record a delivery outcome", cause),
        ),
        Effect.ensuring(settle(group)),
      )

    /**
     * Keys found eligible by the last scan and not dispatched yet. Scanning
     * costs a query over the window, so one scan feeds many dispatches; the
     * next scan happens once these are gone.
     */
    let ready: Array<string> = []
    let nextDue = Number.POSITIVE_INFINITY

    const scan = (now: number) =>
      Effect.gen(function* () {
        // Before the query: a write committed while it runs either is in its answer or sets the hint again.
        dueHint = Number.POSITIVE_INFINITY
        const rows = yield* outbox.pending(window)
        const eligible = new Set<string>()
        const skipped = new Set<string>()
        nextDue = Number.POSITIVE_INFINITY
        for (const row of rows) {
          const key = row.orderingKey
          if (busy.has(key) || skipped.has(key) || eligible.has(key)) continue
          // The oldest pending row of a key decides for the key: the rest may not overtake it.
          const due = Math.max(row.nextAttemptAt, spacedUntil.get(key) ?? 0)
          if (due > now) {
            skipped.add(key)
            nextDue = Math.min(nextDue, due)
          } else {
            eligible.add(key)
          }
        }
        ready = [...eligible]
        for (const [key, until] of spacedUntil) if (until <= now) spacedUntil.delete(key)
      })

    /**
     * One scheduling round: returns when to wake up for the next (at once if
     * not later than now) and whether a newly committed write may bring that
     * forward.
     */
    const round = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const state = circuit.state(now)
      if (state === "open") return { wakeAt: circuit.resumesAt(now), commits: false }
      const slots = (state === "half-open" ? 1 : concurrency) - busy.size
      // A finished group fires the signal.
      if (slots <= 0) return { wakeAt: now + idleMs, commits: false }
      if (ready.length === 0) yield* scan(now)
      if (ready.length === 0) return { wakeAt: Math.min(now + idleMs, nextDue, dueHint), commits: true }
      const chosen = ready.slice(0, slots)
      ready = ready.slice(slots)
      const items = yield* outbox.claim(chosen, maxGroup)
      const byKey = new Map<string, Group>()
      for (const item of items) {
        const group = byKey.get(item.orderingKey)
        if (group === undefined) byKey.set(item.orderingKey, { key: item.orderingKey, items: [item] })
        else group.items.push(item)
      }
      for (const group of byKey.values()) {
        busy.add(group.key)
        yield* FiberSet.run(fibers, deliverGroup(group))
      }
      return { wakeAt: now, commits: false }
    })

    const loop = Effect.gen(function* () {
      while (!stopping) {
        const next = yield* round.pipe(
          Effect.catchAllCause((cause) =>
            Effect.zipRight(
              Effect.logError("worker: drain round failed", cause),
              Effect.map(Clock.currentTimeMillis, (now) => ({ wakeAt: now + idleMs, commits: false })),
            ),
          ),
        )
        const now = yield* Clock.currentTimeMillis
        if (next.wakeAt <= now) continue
        // A write committed during the round may already be due sooner than the round thought.
        const until = next.commits ? Math.min(next.wakeAt, dueHint) : next.wakeAt
        if (until <= now) continue
        wakeAt = next.commits ? until : Number.NEGATIVE_INFINITY
        yield* signal.wait(until - now)
        wakeAt = Number.NEGATIVE_INFINITY
      }
    })
    yield* Effect.forkScoped(loop)

    return {
      wake: signal.fire,
      inFlight: () => busy.size,
      circuit: (now) => circuit.state(now),
      stop: Effect.suspend(() => {
        stopping = true
        signal.fire()
        return Effect.async<void>((resume) => {
          if (busy.size === 0) resume(Effect.void)
          else idle.push(() => resume(Effect.void))
        })
      }),
    }
  })
