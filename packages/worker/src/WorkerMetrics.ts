/**
 * The worker's Effect `Metric`s (exported by whatever metrics backend the
 * application wires up) and the counters behind `stats()`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"

/**
 * Live rows in the outbox (pending and in flight).
 *
 * @since 0.1.0
 * @category metrics
 */
export const queueDepth = Metric.gauge("leadr_worker_queue_depth", {
  description: "Writes waiting in the outbox (pending and in flight)",
})

/**
 * Age of the oldest live row, in seconds.
 *
 * @since 0.1.0
 * @category metrics
 */
export const oldestItemAge = Metric.gauge("leadr_worker_oldest_item_age_seconds", {
  description: "Age of the oldest write waiting in the outbox",
})

/**
 * Writes LEADR accepted.
 *
 * @since 0.1.0
 * @category metrics
 */
export const delivered = Metric.counter("leadr_worker_delivered_total", {
  description: "Writes delivered to LEADR",
  incremental: true,
})

/**
 * Failed attempts that were scheduled again.
 *
 * @since 0.1.0
 * @category metrics
 */
export const retried = Metric.counter("leadr_worker_retried_total", {
  description: "Delivery attempts that failed and were scheduled again",
  incremental: true,
})

/**
 * Writes moved to the dead letters.
 *
 * @since 0.1.0
 * @category metrics
 */
export const deadLettered = Metric.counter("leadr_worker_dead_lettered_total", {
  description: "Writes LEADR refused for good",
  incremental: true,
})

/**
 * Writes made redundant by a later write to the same board and device, never sent.
 *
 * @since 0.1.0
 * @category metrics
 */
export const coalesced = Metric.counter("leadr_worker_coalesced_total", {
  description: "Writes superseded by coalescing and never sent",
  incremental: true,
})

/**
 * The counters of one worker, for `stats()`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counters {
  delivered: number
  retried: number
  deadLettered: number
  coalesced: number
  requests: number
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const makeCounters = (): Counters => ({
  delivered: 0,
  retried: 0,
  deadLettered: 0,
  coalesced: 0,
  requests: 0,
})

/**
 * Counts `n` on a worker's counter and on the matching metric.
 *
 * @since 0.1.0
 * @category updates
 */
export const count = (
  counters: Counters,
  name: "delivered" | "retried" | "deadLettered" | "coalesced",
  n = 1,
): Effect.Effect<void> =>
  Effect.suspend(() => {
    counters[name] += n
    return Metric.incrementBy({ delivered, retried, deadLettered, coalesced }[name], n)
  })

/**
 * Sets the gauges.
 *
 * @since 0.1.0
 * @category updates
 */
export const observe = (depth: number, oldestAgeMs: number): Effect.Effect<void> =>
  Effect.zipRight(Metric.set(queueDepth, depth), Metric.set(oldestItemAge, oldestAgeMs / 1000))
