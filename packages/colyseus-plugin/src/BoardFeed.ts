/**
 * The process-wide board cache: one feed per board, shared by every room that
 * shows it. A feed with subscribers reads the board from LEADR once per
 * refresh interval, whatever the number of rooms (R rooms showing one board
 * cause one read per interval, not R), ranks it together with the scores this
 * process accepted since (optimistic rows, see `BoardRanking`) and hands the
 * rows to its subscribers. A feed nobody watches stops reading and stays in a
 * bounded cache, so a room created a moment later shows the last rows at once.
 *
 * @since 0.1.0
 */
import type { Board, LeadrClient, LeadrError } from "@leadr-toolkit/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import {
  type BoardRules,
  type ConfirmedScore,
  isConfirmed,
  type OptimisticScore,
  type RankedRow,
  rank,
} from "./BoardRanking.js"
import { BoundedCache } from "./BoundedCache.js"
import type { ResolvedOptions } from "./LeadrConfig.js"

/**
 * Which board: `"default"` (the game's first active board), a board id, or
 * a slug (of the configured game unless `gameSlug` says otherwise).
 *
 * @since 0.1.0
 * @category models
 */
export type BoardRef =
  | string
  | { readonly id: string }
  | { readonly slug: string; readonly gameSlug?: string }

/**
 * @since 0.1.0
 * @category models
 */
export interface BoardInfo extends BoardRules {
  readonly id: string
  readonly name: string
}

/**
 * What subscribers receive: the board and its ranked rows (at most
 * {@link FETCH_LIMIT}).
 *
 * @since 0.1.0
 * @category models
 */
export interface BoardSnapshot {
  readonly board: BoardInfo
  readonly rows: ReadonlyArray<RankedRow>
}

/**
 * No board matches the reference.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownBoard extends Schema.TaggedError<UnknownBoard>()("UnknownBoard", {
  ref: Schema.String,
}) {
  override get message(): string {
    return `no board matches ${this.ref}`
  }
}

/**
 * How many rows a read fetches: one page. Displays show a prefix of it, and
 * "around me" windows are cut from it.
 *
 * @since 0.1.0
 * @category constants
 */
export const FETCH_LIMIT = 100

/**
 * @since 0.1.0
 * @category models
 */
export interface BoardFeed {
  readonly resolve: (ref: BoardRef) => Effect.Effect<BoardInfo, UnknownBoard | LeadrError.LeadrError>
  /** Starts the feed's reads on the first subscriber; the listener gets the current rows at once if any. */
  readonly subscribe: (board: BoardInfo, listener: (snapshot: BoardSnapshot) => void) => () => void
  /** Shows an accepted score on every display of the board now; the next reads reconcile it. */
  readonly accept: (boardId: string, score: Omit<OptimisticScore, "expiresAt">) => void
  readonly snapshot: (boardId: string) => BoardSnapshot | undefined
  /**
   * The rows around where `value` ranks (`around_score_value`), for players
   * beyond the fetched page. One read per board and value per refresh
   * interval, shared by everyone asking; empty when LEADR cannot answer. The
   * row standing for `value` itself has the key {@link AROUND_SELF}.
   */
  readonly aroundValue: (
    board: BoardInfo,
    value: number,
    radius: number,
  ) => Effect.Effect<ReadonlyArray<RankedRow>>
  /** Top-of-board reads made so far (every board). */
  readonly reads: () => number
  /** "Around" reads made so far. */
  readonly aroundReads: () => number
}

/**
 * The key of the row an {@link BoardFeed.aroundValue} read places at the asked value.
 *
 * @since 0.1.0
 * @category constants
 */
export const AROUND_SELF = "\u0000self"

/**
 * @since 0.1.0
 * @category models
 */
export interface FeedDeps {
  readonly options: ResolvedOptions
  readonly client: LeadrClient.Client
  readonly fork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.RuntimeFiber<A, E>
}

interface Feed {
  readonly board: BoardInfo
  confirmed: ReadonlyArray<ConfirmedScore>
  optimistic: Array<OptimisticScore>
  rows: ReadonlyArray<RankedRow>
  loaded: boolean
  readonly listeners: Set<(snapshot: BoardSnapshot) => void>
  poller: Fiber.RuntimeFiber<unknown, unknown> | undefined
}

const refKey = (ref: BoardRef): string =>
  typeof ref === "string"
    ? ref === "default"
      ? "default"
      : `id:${ref}`
    : "id" in ref
      ? `id:${ref.id}`
      : `slug:${ref.gameSlug ?? ""}/${ref.slug}`

const infoOf = (board: Board.Board): BoardInfo => ({
  id: board.id,
  name: board.name,
  sortDirection: board.sort_direction,
  keepStrategy: board.keep_strategy,
})

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (deps: FeedDeps): BoardFeed => {
  const { options, client } = deps
  const resolved = new BoundedCache<string, BoardInfo>(options.boardCacheSize)
  const active = new Map<string, Feed>()
  const idle = new BoundedCache<string, Feed>(options.boardCacheSize)
  let reads = 0
  let aroundReads = 0
  const arounds = new BoundedCache<
    string,
    { readonly expiresAt: number; readonly rows: Effect.Effect<ReadonlyArray<RankedRow>> }
  >(1024)
  // Unconfirmed optimistic rows give way to LEADR's answer after a few reads.
  const optimisticTtl = Math.max(3 * Duration.toMillis(options.refreshInterval), 10_000)

  const resolve = (ref: BoardRef): Effect.Effect<BoardInfo, UnknownBoard | LeadrError.LeadrError> =>
    Effect.suspend(() => {
      const key = refKey(ref)
      const known = resolved.get(key)
      if (known !== undefined) return Effect.succeed(known)
      const lookup: Effect.Effect<Board.Board | undefined, LeadrError.LeadrError> =
        typeof ref === "string" && ref === "default"
          ? Effect.map(
              client.boards.list({ urlParams: { game_id: options.gameId, is_active: true, limit: 100 } }),
              (page) => [...page.data].sort((a, b) => a.created_at.epochMillis - b.created_at.epochMillis)[0],
            )
          : typeof ref === "string" || "id" in ref
            ? client.boards
                .get({ path: { board_id: typeof ref === "string" ? ref : ref.id }, urlParams: {} })
                .pipe(Effect.catchTag("NotFound", () => Effect.succeed(undefined)))
            : Effect.gen(function* () {
                const gameSlug =
                  ref.gameSlug ??
                  (yield* client.games.get({ path: { game_id: options.gameId }, urlParams: {} })).slug
                const page = yield* client.boards.list({
                  urlParams: { game_slug: gameSlug, slug: ref.slug, limit: 1 },
                })
                return page.data[0]
              })
      return lookup.pipe(
        Effect.flatMap((board) =>
          board === undefined ? Effect.fail(new UnknownBoard({ ref: key })) : Effect.succeed(infoOf(board)),
        ),
        Effect.tap((info) => Effect.sync(() => resolved.set(key, info))),
      )
    })

  const publish = (feed: Feed): void => {
    const snapshot: BoardSnapshot = { board: feed.board, rows: feed.rows }
    for (const listener of [...feed.listeners]) {
      try {
        listener(snapshot)
      } catch {
        // One display failing must not starve the others.
      }
    }
  }

  const rerank = (feed: Feed, now: number): void => {
    feed.optimistic = feed.optimistic.filter(
      (score) => score.expiresAt > now && !isConfirmed(feed.board, feed.confirmed, score),
    )
    feed.rows = rank(feed.board, feed.confirmed, feed.optimistic, FETCH_LIMIT)
  }

  const read = (feed: Feed) =>
    Effect.gen(function* () {
      reads++
      const direction = feed.board.sortDirection === "DESCENDING" ? "desc" : "asc"
      const page = yield* client.scores.list({
        urlParams: {
          board_id: feed.board.id,
          limit: FETCH_LIMIT,
          sort: `value:${direction},created_at:asc`,
        },
      })
      feed.confirmed = page.data.map(
        (score): ConfirmedScore => ({
          deviceId: score.device_id,
          playerName: score.player_name,
          value: score.value,
          displayValue: score.value_display,
        }),
      )
      feed.loaded = true
      rerank(feed, yield* Clock.currentTimeMillis)
      publish(feed)
    }).pipe(
      // LEADR down: rooms keep showing the last rows, the next interval tries again.
      Effect.catchAll((error) => Effect.logDebug("LEADR board read failed", error._tag)),
    )

  const feedFor = (board: BoardInfo): Feed => {
    const existing = active.get(board.id) ?? idle.peek(board.id)
    if (existing !== undefined) return existing
    return {
      board,
      confirmed: [],
      optimistic: [],
      rows: [],
      loaded: false,
      listeners: new Set(),
      poller: undefined,
    }
  }

  const subscribe = (board: BoardInfo, listener: (snapshot: BoardSnapshot) => void) => {
    const feed = feedFor(board)
    feed.listeners.add(listener)
    if (!active.has(board.id)) {
      idle.delete(board.id)
      active.set(board.id, feed)
    }
    if (feed.poller === undefined) {
      feed.poller = deps.fork(Effect.repeat(read(feed), Schedule.fixed(options.refreshInterval)))
    }
    if (feed.loaded || feed.rows.length > 0) listener({ board: feed.board, rows: feed.rows })
    return () => {
      feed.listeners.delete(listener)
      if (feed.listeners.size > 0) return
      const poller = feed.poller
      feed.poller = undefined
      if (poller !== undefined) deps.fork(poller.interruptAsFork(poller.id()))
      active.delete(board.id)
      idle.set(board.id, feed)
    }
  }

  const accept = (boardId: string, score: Omit<OptimisticScore, "expiresAt">) => {
    const feed = active.get(boardId) ?? idle.peek(boardId)
    if (feed === undefined) return
    const now = Date.now()
    feed.optimistic.push({ ...score, expiresAt: now + optimisticTtl })
    rerank(feed, now)
    publish(feed)
  }

  const readAround = (board: BoardInfo, value: number, radius: number) =>
    Effect.suspend(() => {
      aroundReads++
      return client.scores.list({
        urlParams: {
          board_id: board.id,
          around_score_value: value,
          limit: Math.min(FETCH_LIMIT, 2 * radius + 1),
        },
      })
    }).pipe(
      Effect.map((page) =>
        page.data.map(
          (score): RankedRow => ({
            rank: score.rank ?? 0,
            playerKey: score.is_placeholder ? AROUND_SELF : score.device_id,
            playerName: score.player_name,
            value: score.value,
            displayValue: score.value_display ?? String(score.value),
            pending: false,
          }),
        ),
      ),
      Effect.catchAll(() => Effect.succeed<ReadonlyArray<RankedRow>>([])),
    )

  const aroundValue = (board: BoardInfo, value: number, radius: number) =>
    Effect.suspend(() => {
      const key = `${board.id}|${value}|${radius}`
      const now = Date.now()
      const hit = arounds.get(key)
      if (hit !== undefined && hit.expiresAt > now) return hit.rows
      // Memoized: everyone asking within the interval shares one request.
      const rows = Effect.runSync(Effect.cached(readAround(board, value, radius)))
      arounds.set(key, { expiresAt: now + Duration.toMillis(options.refreshInterval), rows })
      return rows
    })

  return {
    resolve,
    subscribe,
    accept,
    aroundValue,
    aroundReads: () => aroundReads,
    snapshot: (boardId) => {
      const feed = active.get(boardId) ?? idle.peek(boardId)
      return feed === undefined ? undefined : { board: feed.board, rows: feed.rows }
    },
    reads: () => reads,
  }
}
