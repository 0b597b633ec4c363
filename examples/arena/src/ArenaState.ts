/**
 * The arena's room state: the players racing, and the LEADR board display
 * the plugin keeps live.
 *
 * @since 0.1.0
 */
import { type SchemaType, schema, t } from "@colyseus/schema"
import { BoardState } from "@leadr-toolkit/colyseus-plugin"

/**
 * @since 0.1.0
 * @category schema
 */
export const Racer = schema(
  {
    name: t.string(),
    /** Clicks in the current run. */
    clicks: t.uint32(),
    /** Best accepted score this session. */
    best: t.uint32(),
    running: t.boolean(),
  },
  "Racer",
)

/**
 * @since 0.1.0
 * @category schema
 */
export type Racer = SchemaType<typeof Racer>

/**
 * @since 0.1.0
 * @category schema
 */
export const ArenaState = schema(
  {
    racers: t.map(Racer),
    /** How long a run lasts, in milliseconds. */
    runMs: t.uint32(),
    leaderboard: BoardState.BoardDisplay,
  },
  "ArenaState",
)

/**
 * @since 0.1.0
 * @category schema
 */
export type ArenaState = SchemaType<typeof ArenaState>
