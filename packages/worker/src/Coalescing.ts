/**
 * Which pending score writes of one (board, device) need to go out, given the
 * board's keep strategy. The service keeps, per device: the first score
 * (FIRST_ONLY), the best by the board's sort direction (BEST_ONLY), the latest
 * (LATEST_ONLY), or every score (ALL). Sending only the write that would
 * survive gives the same board as sending them all, with fewer requests: a
 * round of a thousand players making ten updates each costs a thousand
 * requests, not ten thousand, which also keeps honest players clear of the
 * service's velocity and rate-limit anti-cheat rules.
 *
 * Pure functions: the drain fiber applies them, the property tests check them
 * against a model of the service.
 *
 * @since 0.1.0
 */
import type { Board } from "@leadr-toolkit/core"

/**
 * What the service does with a device's scores on a board.
 *
 * @since 0.1.0
 * @category models
 */
export interface BoardRules {
  readonly keep: Board.KeepStrategy
  readonly sort: Board.SortDirection
}

/**
 * The writes to send (in order) and the ones made redundant by them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Plan<A> {
  readonly send: ReadonlyArray<A>
  readonly superseded: ReadonlyArray<A>
}

/**
 * Whether `candidate` beats `current` on a board sorted `sort`. Ties do not:
 * the service keeps the score it already has.
 *
 * @since 0.1.0
 * @category ordering
 */
export const beats = (sort: Board.SortDirection, candidate: number, current: number): boolean =>
  sort === "DESCENDING" ? candidate > current : candidate < current

/**
 * Plans the delivery of one (board, device)'s pending writes, given oldest
 * first. Whatever was delivered earlier does not matter: a write the service
 * would ignore (a worse or a later-than-first score) is harmless to send.
 *
 * @since 0.1.0
 * @category coalescing
 */
export const plan = <A>(rules: BoardRules, items: ReadonlyArray<A>, value: (item: A) => number): Plan<A> => {
  if (items.length <= 1 || rules.keep === "ALL") return { send: items, superseded: [] }
  let chosen = 0
  if (rules.keep === "LATEST_ONLY") chosen = items.length - 1
  else if (rules.keep === "BEST_ONLY") {
    for (let i = 1; i < items.length; i++) {
      if (beats(rules.sort, value(items[i]!), value(items[chosen]!))) chosen = i
    }
  }
  return {
    send: [items[chosen]!],
    superseded: items.filter((_, i) => i !== chosen),
  }
}
