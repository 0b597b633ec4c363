/**
 * `LeadrClient.stream` over a real list: the local server's boards, paged by 7.
 */
import { FetchHttpClient } from "@effect/platform"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Board, LeadrClient } from "@leadr-toolkit/core"
import { startLocalServer } from "@leadr-toolkit/server"
import { Chunk, Effect, Redacted, Stream } from "effect"

describe("LeadrClient.stream", () => {
  let server: Awaited<ReturnType<typeof startLocalServer>>
  beforeAll(async () => {
    server = await startLocalServer({ seedDemo: true })
  })
  afterAll(() => server.close())

  it.live("walks every page of a list once, in the server's order, lazily", () =>
    Effect.gen(function* () {
      const client = yield* LeadrClient.make({
        baseUrl: server.url,
        apiKey: Redacted.make(server.superadminKey),
      })
      const { accountId, gameId } = server.demo!
      for (let i = 0; i < 30; i++) {
        yield* client.boards.create({
          urlParams: {},
          payload: new Board.BoardCreateRequest({
            account_id: accountId,
            game_id: gameId,
            name: `Board ${i}`,
          }),
        })
      }
      let pages = 0
      const counted: typeof client.boards.list = (request) =>
        client.boards.list(request).pipe(Effect.tap(() => Effect.sync(() => pages++)))
      const request = { urlParams: { game_id: gameId, limit: 7, sort: "name:asc" } }
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(LeadrClient.stream(counted, request)))
      expect(all).toHaveLength(31)
      expect(new Set(all.map((b) => b.id)).size).toBe(31)
      const names = all.map((b) => b.name)
      expect(names).toEqual([...names].sort())
      expect(pages).toBe(5)

      pages = 0
      const firstTen = yield* Stream.runCollect(LeadrClient.stream(counted, request).pipe(Stream.take(10)))
      expect(Chunk.size(firstTen)).toBe(10)
      expect(pages).toBe(2)
    }).pipe(Effect.provide(FetchHttpClient.layer)),
  )
})
