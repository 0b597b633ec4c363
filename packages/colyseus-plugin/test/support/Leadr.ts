/**
 * A real local LEADR server for a test file: in memory, demo account, game
 * and board seeded, and an API key of the demo account.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { ApiKey, LeadrClient as Client, type LeadrClient } from "@leadr-toolkit/core"
import { startLocalServer } from "@leadr-toolkit/server"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

export interface TestLeadr {
  readonly url: string
  readonly apiKey: string
  readonly gameId: string
  readonly boardId: string
  readonly accountId: string
  /** Runs a call of the admin client (the demo account's key). */
  admin<A, E>(f: (client: LeadrClient.Client) => Effect.Effect<A, E>): Promise<A>
  close(): Promise<void>
}

export const startTestLeadr = async (): Promise<TestLeadr> => {
  const local = await startLocalServer({ port: 0, seedDemo: true })
  const demo = local.demo!
  const run = <A, E>(key: string, f: (client: LeadrClient.Client) => Effect.Effect<A, E>) =>
    Effect.runPromise(
      Client.make({ baseUrl: local.url, apiKey: Redacted.make(key) }).pipe(
        Effect.flatMap(f),
        Effect.provide(NodeHttpClient.layerUndici),
      ),
    )
  const apiKey = await run(local.superadminKey, (admin) =>
    Effect.gen(function* () {
      const users = yield* admin.users.list({ urlParams: { account_id: demo.accountId, limit: 1 } })
      const created = yield* admin.apiKeys.create({
        urlParams: {},
        payload: new ApiKey.ApiKeyCreateRequest({
          account_id: demo.accountId,
          user_id: users.data[0]!.id,
          name: "plugin tests",
        }),
      })
      return Redacted.value(created.key)
    }),
  )
  return {
    url: local.url,
    apiKey,
    gameId: demo.gameId,
    boardId: demo.boardId,
    accountId: demo.accountId,
    admin: (f) => run(apiKey, f),
    close: local.close,
  }
}
