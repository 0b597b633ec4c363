/**
 * How the drain fiber reacts to a failed delivery: which errors are worth
 * another try, how long to wait (exponential backoff with full jitter, at
 * least the service's `Retry-After`), and a circuit that pauses all delivery
 * while the service is down, so that an outage costs a few probes rather than
 * one request per queued write.
 *
 * Delays become the row's `next_attempt_at`, so a retry schedule survives a
 * restart.
 *
 * @since 0.1.0
 */
import type { LeadrError } from "@leadr-toolkit/core"

/**
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  /** First backoff ceiling. Default 200 ms. */
  readonly baseMs: number
  /** Largest backoff ceiling per item. Default 60 s. */
  readonly capMs: number
  /** How long an item may keep failing (from its enqueue) before it is dead-lettered. Default 24 h. */
  readonly budgetMs: number
  /** Consecutive retryable failures that open the circuit. Default 3. */
  readonly circuitThreshold: number
  /** Longest pause of the circuit between probes. Default 30 s. */
  readonly circuitCapMs: number
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const defaultPolicy: RetryPolicy = {
  baseMs: 200,
  capMs: 60_000,
  budgetMs: 24 * 60 * 60 * 1000,
  circuitThreshold: 3,
  circuitCapMs: 30_000,
}

/**
 * What a failure means for the item.
 *
 * - `Retry`: the same request may succeed later; `minDelayMs` is what the
 *   service asked for (429), `outage` says whether the failure says something
 *   about the service as a whole (transport, 5xx, 429) rather than this item
 *   (409 idempotency key in flight, 412 nonce).
 * - `Permanent`: the service gave an answer that will not change.
 *
 * @since 0.1.0
 * @category models
 */
export type Verdict =
  | { readonly _tag: "Retry"; readonly minDelayMs: number; readonly outage: boolean }
  | { readonly _tag: "Permanent" }

/**
 * Transport errors, 5xx (and undeclared statuses such as 408), 429, 409 and
 * 412 are retried; every other 4xx is permanent.
 *
 * @since 0.1.0
 * @category classification
 */
export const classify = (error: LeadrError.LeadrError): Verdict => {
  switch (error._tag) {
    case "TransportError":
      return { _tag: "Retry", minDelayMs: 0, outage: true }
    case "ServerError":
      return error.status >= 500 || error.status === 408 || error.status === 429
        ? { _tag: "Retry", minDelayMs: 0, outage: error.status !== 408 }
        : { _tag: "Permanent" }
    case "RateLimited":
      return { _tag: "Retry", minDelayMs: (error.retry_after ?? 0) * 1000, outage: true }
    case "Conflict":
    case "PreconditionFailed":
      return { _tag: "Retry", minDelayMs: 0, outage: false }
    default:
      return { _tag: "Permanent" }
  }
}

/**
 * A one-line description of a failure, kept as the row's last error.
 *
 * @since 0.1.0
 * @category classification
 */
export const describe = (error: LeadrError.LeadrError): string => {
  switch (error._tag) {
    case "ServerError":
      return `ServerError ${error.status}: ${error.detail}`
    case "ValidationFailed":
      return `ValidationFailed: ${error.message}`
    default:
      return `${error._tag}: ${error.detail}`
  }
}

/**
 * The delay before attempt `attempts + 1`: uniformly random in
 * `[0, min(cap, base × 2^attempts)]` ("full jitter"), so that writes failing
 * together do not come back together; never less than `minDelayMs`.
 *
 * @since 0.1.0
 * @category backoff
 */
export const backoff = (
  policy: RetryPolicy,
  attempts: number,
  minDelayMs: number,
  random: number,
): number => {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempts, 30))
  return Math.max(minDelayMs, Math.floor(random * ceiling))
}

/**
 * The state of the circuit.
 *
 * @since 0.1.0
 * @category models
 */
export type CircuitState = "closed" | "open" | "half-open"

/**
 * Pauses delivery after `circuitThreshold` consecutive outage failures, for a
 * jittered, doubling time; then lets one group through as a probe
 * (half-open); a success closes it. A 429 counts like any overload signal;
 * its `Retry-After` delays the item (and its key), not every key, because the
 * service also rate-limits single devices.
 *
 * @since 0.1.0
 * @category circuit
 */
export class Circuit {
  private failures = 0
  private openUntil = 0
  constructor(
    private readonly policy: RetryPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** The circuit at `now`. */
  state(now: number): CircuitState {
    if (now < this.openUntil) return "open"
    return this.failures >= this.policy.circuitThreshold ? "half-open" : "closed"
  }

  /** When delivery may resume (0 if it may now). */
  resumesAt(now: number): number {
    return now < this.openUntil ? this.openUntil : 0
  }

  /** Records a failure that says the service is down or overloaded. */
  failure(now: number): void {
    // Requests sent before the circuit opened report their failures late: the same outage, counted once.
    if (now < this.openUntil) return
    this.failures += 1
    const over = this.failures - this.policy.circuitThreshold
    if (over < 0) return
    // Equal jitter: at least half the ceiling, so probes stay spaced out during a long outage.
    const ceiling = Math.min(this.policy.circuitCapMs, this.policy.baseMs * 2 ** Math.min(over + 1, 30))
    this.openUntil = Math.max(this.openUntil, now + ceiling / 2 + this.random() * (ceiling / 2))
  }

  /** Records an answer from the service: it is up. */
  success(): void {
    this.failures = 0
  }
}
