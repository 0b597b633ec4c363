/**
 * An in-process Colyseus server on a free port, with a test room that uses
 * the plugin the way a game would.
 */
import type { AddressInfo } from "node:net"
import { type Client, definePlugins, Room, Server } from "@colyseus/core"
import { type SchemaType, schema } from "@colyseus/schema"
import { Client as SdkClient, type Room as SdkRoom } from "@colyseus/sdk"
import { WebSocketTransport } from "@colyseus/ws-transport"
import { type BoardFeed, BoardState, type Leadr, LeadrPlugin } from "@leadr-toolkit/colyseus-plugin"

// Colyseus loads @pm2/io when present, which reports metrics over the
// process's IPC channel: in a vitest fork that channel is vitest's own.
// Its messages (all typed `axm:*`) are dropped here; vitest's pass through.
const send = process.send?.bind(process)
if (send !== undefined) {
  const filtered = (message: unknown, ...rest: Array<never>) => {
    const type =
      typeof message === "object" && message !== null ? (message as { type?: unknown }).type : undefined
    return typeof type === "string" && type.startsWith("axm:") ? true : send(message, ...rest)
  }
  process.send = filtered as NonNullable<typeof process.send>
}

export const TestState = schema({ leaderboard: BoardState.BoardDisplay }, "TestState")
export type TestState = SchemaType<typeof TestState>

export const makeTestRoom = (
  leadr: Leadr.Service,
  board: BoardFeed.BoardRef,
  options: LeadrPlugin.LeadrPluginOptions = {},
): (new () => Room<{ state: TestState }>) =>
  class TestRoom extends Room<{ state: TestState }> {
    override state = new TestState()
    override plugins = definePlugins([new LeadrPlugin.LeadrPlugin(leadr, options)])
    override messages = {
      score: async (client: Client, message: unknown) => {
        const m = (typeof message === "object" && message !== null ? message : {}) as {
          value?: unknown
          extras?: unknown
        }
        const outcome = await this.plugins.leadr.submitScore(client, board, m.value, m.extras)
        client.send(
          "score:outcome",
          outcome._tag === "Accepted"
            ? { tag: "Accepted", value: outcome.value }
            : { tag: "Rejected", error: outcome.error._tag, message: outcome.error.message },
        )
      },
      whoami: (client: Client) => {
        client.send("whoami", {
          device: this.plugins.leadr.device(client) ?? null,
          userData: client.userData ?? null,
        })
      },
    }
    override onCreate(): void {
      this.state.leaderboard = this.plugins.leadr.display(board)
    }
  }

export interface TestGameServer {
  readonly url: string
  readonly sdk: SdkClient
  close(): Promise<void>
}

export const startGameServer = async (rooms: Record<string, new () => Room>): Promise<TestGameServer> => {
  const server = new Server({ transport: new WebSocketTransport(), greet: false, gracefullyShutdown: false })
  for (const [name, room] of Object.entries(rooms)) server.define(name, room)
  await server.listen(0, "127.0.0.1")
  const { port } = server.transport.server!.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    sdk: new SdkClient(url),
    close: () => server.gracefullyShutdown(false),
  }
}

/** The next message of a type, with everything a room sent recorded in `seen`. */
export const nextMessage = <T = unknown>(room: SdkRoom, type: string): Promise<T> =>
  new Promise((resolve) => {
    const off = room.onMessage(type, (payload: T) => {
      off()
      resolve(payload)
    })
  })

/** Polls `check` until it returns a value other than undefined (or fails after `timeoutMs`). */
export const eventually = async <A>(
  check: () => A | undefined | Promise<A | undefined>,
  timeoutMs = 20_000,
) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error("condition not met in time")
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

export interface WhoAmI {
  readonly device: { id?: string; status: string; playerName: string } | null
  readonly userData: { leadr?: { id?: string; status: string } } | null
}

export const whoami = async (room: SdkRoom): Promise<WhoAmI> => {
  const answer = nextMessage<WhoAmI>(room, "whoami")
  room.send("whoami")
  return answer
}
