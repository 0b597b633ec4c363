/**
 * The arena: a click race. Each player starts a run, clicks as fast as they
 * can for a few seconds, and the run's clicks are their score. Everyone in
 * the room sees everyone's clicks live, and the game's LEADR board.
 *
 * The LEADR part is the plugin line, one `display(...)` and one
 * `submitScore(...)`.
 *
 * @since 0.1.0
 */
import { type Client, definePlugins, Room } from "@colyseus/core"
import { type BoardFeed, type Leadr, LeadrPlugin } from "@leadr-toolkit/colyseus-plugin"
import { ArenaState, Racer } from "./ArenaState.js"

/**
 * How long a run lasts, by default.
 *
 * @since 0.1.0
 * @category constants
 */
export const RUN_MS = 10_000

/**
 * The room class for a LEADR service and the board the arena plays on.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeArenaRoom = (
  leadr: Leadr.Service,
  board: BoardFeed.BoardRef = "default",
  runMs: number = RUN_MS,
): (new () => Room<{ state: ArenaState }>) =>
  class ArenaRoom extends Room<{ state: ArenaState }> {
    override maxClients = 32
    override state = new ArenaState()
    override plugins = definePlugins([new LeadrPlugin.LeadrPlugin(leadr, { top: 10 })])

    override messages = {
      start: (client: Client) => {
        const racer = this.state.racers.get(client.sessionId)
        if (racer === undefined || racer.running) return
        racer.clicks = 0
        racer.running = true
        this.clock.setTimeout(() => {
          racer.running = false
        }, runMs)
      },
      click: (client: Client) => {
        const racer = this.state.racers.get(client.sessionId)
        if (racer?.running) racer.clicks++
      },
      score: async (client: Client, message: unknown) => {
        const value =
          typeof message === "object" && message !== null ? (message as { value?: unknown }).value : undefined
        const outcome = await this.plugins.leadr.submitScore(client, board, value)
        if (outcome._tag === "Accepted") {
          const racer = this.state.racers.get(client.sessionId)
          if (racer !== undefined && outcome.value > racer.best)
            racer.best = Math.max(0, Math.floor(outcome.value))
          client.send("score:accepted", { value: outcome.value })
        } else {
          client.send("score:rejected", { error: outcome.error._tag, message: outcome.error.message })
        }
      },
    }

    override onCreate(): void {
      this.state.runMs = runMs
      this.state.leaderboard = this.plugins.leadr.display(board)
    }

    override onJoin(client: Client): void {
      const racer = new Racer()
      racer.name = this.plugins.leadr.device(client)?.playerName ?? "Player"
      racer.clicks = 0
      racer.best = 0
      racer.running = false
      this.state.racers.set(client.sessionId, racer)
    }

    override onLeave(client: Client): void {
      this.state.racers.delete(client.sessionId)
    }
  }
