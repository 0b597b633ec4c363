/**
 * Ranking a board from what LEADR last returned plus the scores this process
 * accepted since (optimistic rows), the way the board's keep strategy and
 * sort direction would: a pure function, so rooms show an accepted score at
 * once and the next read reconciles it.
 *
 * @since 0.1.0
 */
import type { Board } from "@leadr-toolkit/core"
import type { Row } from "./BoardState.js"

/**
 * A score as read from LEADR, reduced to what a display needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfirmedScore {
  readonly deviceId: string
  readonly playerName: string
  readonly value: number
  readonly displayValue: string | null
}

/**
 * A score accepted by this process and not yet seen in a read.
 *
 * @since 0.1.0
 * @category models
 */
export interface OptimisticScore {
  /** The device id when known; a pending registration has none yet. */
  readonly deviceId: string | undefined
  /** Identifies the player when the device id is unknown (the fingerprint). */
  readonly playerKey: string
  readonly playerName: string
  readonly value: number
  readonly displayValue: string | undefined
  /** Epoch millis after which the row is dropped if no read confirmed it. */
  readonly expiresAt: number
}

/**
 * A ranked row, with the key of the player it belongs to (never sent to clients).
 *
 * @since 0.1.0
 * @category models
 */
export interface RankedRow extends Row {
  readonly playerKey: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface BoardRules {
  readonly sortDirection: Board.SortDirection
  readonly keepStrategy: Board.KeepStrategy
}

/**
 * Whether `a` ranks strictly before `b` on a board sorted `direction`.
 *
 * @since 0.1.0
 * @category ranking
 */
export const better = (direction: Board.SortDirection, a: number, b: number): boolean =>
  direction === "DESCENDING" ? a > b : a < b

const display = (value: number, displayValue: string | null | undefined): string =>
  displayValue ?? (Number.isInteger(value) ? String(value) : String(Number(value.toFixed(3))))

/**
 * Whether a read confirms an optimistic score: the same player has a row
 * with that value, or (keeping only the best) a better one.
 *
 * @since 0.1.0
 * @category ranking
 */
export const isConfirmed = (
  rules: BoardRules,
  confirmed: ReadonlyArray<ConfirmedScore>,
  score: OptimisticScore,
): boolean =>
  confirmed.some((c) => {
    const samePlayer =
      score.deviceId !== undefined ? c.deviceId === score.deviceId : c.playerName === score.playerName
    if (!samePlayer) return false
    if (c.value === score.value) return true
    return rules.keepStrategy === "BEST_ONLY" && better(rules.sortDirection, c.value, score.value)
  })

interface Candidate {
  playerKey: string
  playerName: string
  value: number
  displayValue: string
  pending: boolean
  order: number
}

/**
 * The ranked rows: confirmed scores in LEADR's order, optimistic ones applied
 * per the keep strategy (BEST_ONLY replaces a worse row of the same player,
 * LATEST_ONLY replaces it, FIRST_ONLY keeps it, ALL adds a row), sorted by
 * the board's direction (ties keep the earlier row first), ranked 1..n (equal
 * values share a rank), at most `limit` rows.
 *
 * @since 0.1.0
 * @category ranking
 */
export const rank = (
  rules: BoardRules,
  confirmed: ReadonlyArray<ConfirmedScore>,
  optimistic: ReadonlyArray<OptimisticScore>,
  limit: number,
): Array<RankedRow> => {
  const rows: Array<Candidate> = confirmed.map((c, order) => ({
    playerKey: c.deviceId,
    playerName: c.playerName,
    value: c.value,
    displayValue: display(c.value, c.displayValue),
    pending: false,
    order,
  }))
  let order = rows.length
  for (const score of optimistic) {
    const key = score.deviceId ?? score.playerKey
    const row: Candidate = {
      playerKey: key,
      playerName: score.playerName,
      value: score.value,
      displayValue: display(score.value, score.displayValue),
      pending: true,
      order: order++,
    }
    if (rules.keepStrategy === "ALL") {
      rows.push(row)
      continue
    }
    const index = rows.findIndex((r) => r.playerKey === key)
    if (index === -1) {
      rows.push(row)
    } else if (
      rules.keepStrategy === "LATEST_ONLY" ||
      (rules.keepStrategy === "BEST_ONLY" && better(rules.sortDirection, score.value, rows[index]!.value))
    ) {
      rows[index] = row
    }
  }
  rows.sort((a, b) =>
    a.value === b.value ? a.order - b.order : better(rules.sortDirection, a.value, b.value) ? -1 : 1,
  )
  const ranked: Array<RankedRow> = []
  for (let i = 0; i < rows.length && i < limit; i++) {
    const r = rows[i]!
    const previous = ranked[i - 1]
    ranked.push({
      rank: previous !== undefined && previous.value === r.value ? previous.rank : i + 1,
      playerKey: r.playerKey,
      playerName: r.playerName,
      value: r.value,
      displayValue: r.displayValue,
      pending: r.pending,
    })
  }
  return ranked
}

/**
 * The rows around a player's own row: up to `radius` before and after it.
 * Empty when the player is not on the ranked rows.
 *
 * @since 0.1.0
 * @category ranking
 */
export const around = (
  rows: ReadonlyArray<RankedRow>,
  playerKey: string,
  radius: number,
): Array<RankedRow> => {
  const index = rows.findIndex((r) => r.playerKey === playerKey)
  if (index === -1) return []
  return rows.slice(Math.max(0, index - radius), index + radius + 1)
}
