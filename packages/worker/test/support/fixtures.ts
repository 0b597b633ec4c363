/**
 * A game on the real local server, set up through the typed client: an
 * account, a game with anti-cheat off (these tests measure delivery, not
 * cheating), boards, and devices registered by starting sessions.
 */
import { createHash } from "node:crypto"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Account, Board, Game, LeadrClient, Pagination, type Score, Session } from "@leadr-toolkit/core"
import { Chunk, Effect, Option, Redacted, Stream } from "effect"

export interface BoardSpec {
  readonly name: string
  readonly keep: Board.KeepStrategy
  readonly sort?: Board.SortDirection
}

export interface GameFixture {
  readonly url: string
  readonly apiKey: string
  readonly accountId: string
  readonly gameId: string
  /** Board ids by spec name. */
  readonly boards: Readonly<Record<string, string>>
  readonly devices: ReadonlyArray<string>
  readonly fingerprints: ReadonlyArray<string>
}

export const fingerprint = (label: string): string => createHash("sha256").update(label).digest("hex")

export const run = <A, E>(
  effect: Effect.Effect<A, E, LeadrClient.LeadrClient>,
  url: string,
  apiKey: string,
) =>
  Effect.runPromise(
    effect.pipe(
      Effect.provide(LeadrClient.layer({ baseUrl: url, apiKey: Redacted.make(apiKey) })),
      Effect.provide(NodeHttpClient.layerUndici),
    ),
  )

export const setupGame = (
  url: string,
  apiKey: string,
  options: { readonly boards: ReadonlyArray<BoardSpec>; readonly devices: number; readonly label?: string },
): Promise<GameFixture> =>
  run(
    Effect.gen(function* () {
      const client = yield* LeadrClient.LeadrClient
      const label = options.label ?? `t${Math.random().toString(36).slice(2, 8)}`
      const account = yield* client.accounts.create({
        urlParams: {},
        payload: new Account.AccountCreateRequest({ name: `Account ${label}` }),
      })
      const game = yield* client.games.create({
        urlParams: { account_id: account.id },
        payload: new Game.GameCreateRequest({
          account_id: account.id,
          name: `Game ${label}`,
          anti_cheat_enabled: false,
        }),
      })
      const boards: Record<string, string> = {}
      for (const spec of options.boards) {
        const board = yield* client.boards.create({
          urlParams: { account_id: account.id },
          payload: new Board.BoardCreateRequest({
            account_id: account.id,
            game_id: game.id,
            name: spec.name,
            keep_strategy: spec.keep,
            sort_direction: spec.sort ?? "DESCENDING",
          }),
        })
        boards[spec.name] = board.id
      }
      const fingerprints = Array.from({ length: options.devices }, (_, i) =>
        fingerprint(`${label}-device-${i}`),
      )
      const devices = yield* Effect.forEach(
        fingerprints,
        (fp) =>
          Effect.map(
            client.sessions.start({
              payload: new Session.StartSessionRequest({
                game_id: game.id,
                client_fingerprint: fp,
                test_mode: false,
              }),
            }),
            (s) => s.id,
          ),
        { concurrency: 8 },
      )
      return { url, apiKey, accountId: account.id, gameId: game.id, boards, devices, fingerprints }
    }),
    url,
    apiKey,
  )

/** Every score of a board, all pages. */
export const listScores = (fixture: GameFixture, boardId: string): Promise<ReadonlyArray<Score.Score>> =>
  run(
    Effect.gen(function* () {
      const client = yield* LeadrClient.LeadrClient
      const scores = yield* Pagination.paginate((cursor) =>
        client.scores.list({
          urlParams: {
            account_id: fixture.accountId,
            board_id: boardId,
            limit: 100,
            ...Option.match(cursor, { onNone: () => ({}), onSome: (c) => ({ cursor: c }) }),
          },
        }),
      ).pipe(Stream.runCollect)
      return Chunk.toReadonlyArray(scores)
    }),
    fixture.url,
    fixture.apiKey,
  )
