/**
 * The `@colyseus/schema` structures a room shows a LEADR board with. They are
 * part of the room state, so clients receive deltas: a refresh that moves one
 * player touches one entry, not the board.
 *
 * - `BoardDisplay.entries` is the top N, shared by every client of the room.
 * - `BoardDisplay.around` holds, per session, the few entries around that
 *   player's own score. The field is `.view()`-filtered: each client's
 *   `StateView` carries only its own window, so no client receives another's
 *   and the board is never copied per player.
 *
 * Nothing in these structures is secret (no keys, no device ids, no
 * fingerprints): everything here goes to every player.
 *
 * @since 0.1.0
 */
import { type SchemaType, schema, t } from "@colyseus/schema"

/**
 * One row of a board.
 *
 * @since 0.1.0
 * @category schema
 */
export const LeaderboardEntry = schema(
  {
    rank: t.uint32(),
    playerName: t.string(),
    value: t.float64(),
    displayValue: t.string(),
    /** True while the row is this server's optimistic copy of a score LEADR has not confirmed yet. */
    pending: t.boolean(),
  },
  "LeaderboardEntry",
)

/**
 * @since 0.1.0
 * @category schema
 */
export type LeaderboardEntry = SchemaType<typeof LeaderboardEntry>

/**
 * The entries around one player's score.
 *
 * @since 0.1.0
 * @category schema
 */
export const AroundWindow = schema(
  {
    entries: t.array(LeaderboardEntry),
  },
  "AroundWindow",
)

/**
 * @since 0.1.0
 * @category schema
 */
export type AroundWindow = SchemaType<typeof AroundWindow>

/**
 * A board as a room shows it.
 *
 * @since 0.1.0
 * @category schema
 */
export const BoardDisplay = schema(
  {
    boardId: t.string(),
    name: t.string(),
    /** `DESCENDING` or `ASCENDING`. */
    sortDirection: t.string(),
    entries: t.array(LeaderboardEntry),
    /** Per session id; visible to each client through its own `StateView` only. */
    around: t.map(AroundWindow).view(),
  },
  "BoardDisplay",
)

/**
 * @since 0.1.0
 * @category schema
 */
export type BoardDisplay = SchemaType<typeof BoardDisplay>

/**
 * What a row says, independent of the schema instance showing it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Row {
  readonly rank: number
  readonly playerName: string
  readonly value: number
  readonly displayValue: string
  readonly pending: boolean
}

const assign = (entry: LeaderboardEntry, row: Row): void => {
  // Assigning an unchanged value is free for the encoder, but comparing first
  // keeps a quiet refresh from marking anything at all.
  if (entry.rank !== row.rank) entry.rank = row.rank
  if (entry.playerName !== row.playerName) entry.playerName = row.playerName
  if (entry.value !== row.value) entry.value = row.value
  if (entry.displayValue !== row.displayValue) entry.displayValue = row.displayValue
  if (entry.pending !== row.pending) entry.pending = row.pending
}

/**
 * Makes `entries` show `rows`, in place: existing entries are updated field by
 * field, extra ones are removed from the end, missing ones are appended. A
 * refresh that changes nothing changes nothing on the wire.
 *
 * @since 0.1.0
 * @category mutations
 */
export const syncEntries = (
  entries: {
    length: number
    at(index: number): LeaderboardEntry | undefined
    push(...items: Array<LeaderboardEntry>): number
    pop(): LeaderboardEntry | undefined
  },
  rows: ReadonlyArray<Row>,
): void => {
  while (entries.length > rows.length) entries.pop()
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!
    const existing = entries.at(i)
    if (existing !== undefined) {
      assign(existing, row)
    } else {
      const entry = new LeaderboardEntry()
      assign(entry, row)
      entries.push(entry)
    }
  }
}
