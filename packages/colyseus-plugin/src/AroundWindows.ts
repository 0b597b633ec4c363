/**
 * Each player's "around me" window on a board display: their own row and a
 * few on each side, in `BoardDisplay.around` under their session id, added to
 * their own `StateView` only. No client receives another's window, and no
 * board is copied per player.
 *
 * A player within the feed's fetched page gets a window cut from it (no
 * request). A player ranked below it, with a score accepted this session,
 * gets one from an `around_score_value` read, shared per board and value per
 * refresh interval.
 *
 * @since 0.1.0
 */
import type { Client } from "@colyseus/core"
import { StateView } from "@colyseus/schema"
import type * as Effect from "effect/Effect"
import { AROUND_SELF, type BoardFeed, type BoardSnapshot } from "./BoardFeed.js"
import { around, type RankedRow } from "./BoardRanking.js"
import { AroundWindow, type BoardDisplay, syncEntries } from "./BoardState.js"

/**
 * A player a window is kept for.
 *
 * @since 0.1.0
 * @category models
 */
export interface WindowOwner {
  readonly sessionId: string
  readonly client: Client
  /** The device id, or the fingerprint while the device is pending. */
  readonly playerKey: string
  readonly playerName: string
  /** The player's best score accepted this session on this board, if any. */
  readonly best: number | undefined
}

/**
 * The windows of one display.
 *
 * @since 0.1.0
 * @category models
 */
export class AroundWindows {
  private readonly owners = new Map<string, WindowOwner>()

  constructor(
    private readonly display: BoardDisplay,
    private readonly radius: number,
    private readonly feed: BoardFeed,
    private readonly run: <A>(effect: Effect.Effect<A>) => Promise<A>,
  ) {}

  /** Brings every owner's window up to date with `snapshot`. */
  update(snapshot: BoardSnapshot, owners: Iterable<WindowOwner>): void {
    if (this.radius <= 0) return
    for (const owner of owners) {
      this.owners.set(owner.sessionId, owner)
      const rows = around(snapshot.rows, owner.playerKey, this.radius)
      if (rows.length > 0 || owner.best === undefined) {
        if (rows.length > 0 || this.display.around.has(owner.sessionId)) this.show(owner, rows)
        continue
      }
      const best = owner.best
      this.run(this.feed.aroundValue(snapshot.board, best, this.radius)).then((far) => {
        const current = this.owners.get(owner.sessionId)
        if (current === undefined || current.best !== best) return
        this.show(current, this.placeSelf(current, far))
      })
    }
  }

  /** Drops a player's window (they left). */
  remove(sessionId: string): void {
    this.owners.delete(sessionId)
    this.display.around.delete(sessionId)
  }

  /** The player's own row: theirs if LEADR returned it, else the placeholder at their value. */
  private placeSelf(owner: WindowOwner, rows: ReadonlyArray<RankedRow>): Array<RankedRow> {
    const ownRow = rows.some((r) => r.playerKey === owner.playerKey)
    return rows
      .filter((r) => !(ownRow && r.playerKey === AROUND_SELF))
      .map((r) =>
        r.playerKey === AROUND_SELF ? { ...r, playerKey: owner.playerKey, playerName: owner.playerName } : r,
      )
  }

  private show(owner: WindowOwner, rows: ReadonlyArray<RankedRow>): void {
    let window = this.display.around.get(owner.sessionId)
    if (window === undefined) {
      window = new AroundWindow()
      this.display.around.set(owner.sessionId, window)
      try {
        owner.client.view ??= new StateView()
        owner.client.view.add(window)
      } catch {
        // The display is not in the room state yet: try again on the next refresh.
        this.display.around.delete(owner.sessionId)
        return
      }
    }
    syncEntries(window.entries, rows)
  }
}
