/**
 * Device sessions against the real local server: start, single-flight refresh,
 * refresh after a 401, and nonces with one retry on 412.
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { DeviceSession, Fingerprint, LeadrClient, Score } from "@leadr-toolkit/core"
import { startLocalServer } from "@leadr-toolkit/server"
import { Effect, Layer, Redacted, TestClock } from "effect"

/** A real HTTP client that counts the requests it sends, by path. */
const countingHttpClient = () => {
  const counts = new Map<string, number>()
  const layer = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.tapRequest(client, (request) =>
        Effect.sync(() => {
          const path = request.url.replace(/^https?:\/\/[^/]+/, "").split("?")[0] ?? ""
          counts.set(path, (counts.get(path) ?? 0) + 1)
        }),
      ),
    ),
  ).pipe(Layer.provide(FetchHttpClient.layer))
  return { counts, layer, count: (path: string) => counts.get(path) ?? 0 }
}

const fingerprintOf = (gameId: string, installId: string) =>
  Fingerprint.make({ secret: Redacted.make("a-test-secret-of-32-characters!!"), gameId, installId })

type Started = Awaited<ReturnType<typeof startLocalServer>>

const realSleep = (ms: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, ms)))

describe("DeviceSession", () => {
  let server: Started
  let shortLived: Started
  beforeAll(async () => {
    server = await startLocalServer({ seedDemo: true })
    shortLived = await startLocalServer({ seedDemo: true, accessTokenTtlSeconds: 1 })
  })
  afterAll(async () => {
    await server.close()
    await shortLived.close()
  })

  it.scoped(
    "starts a session, resumes the same device for the same fingerprint, and submits with a nonce",
    () =>
      Effect.gen(function* () {
        const gameId = server.demo!.gameId
        const fingerprint = yield* fingerprintOf(gameId, "install-start")
        const http = countingHttpClient()
        const session = yield* DeviceSession.start({ baseUrl: server.url, gameId, fingerprint }).pipe(
          Effect.provide(http.layer),
        )
        const device = yield* session.device
        expect(device.id).toMatch(/^dev_/)
        expect(device.status).toBe("active")

        const again = yield* DeviceSession.start({ baseUrl: server.url, gameId, fingerprint }).pipe(
          Effect.provide(http.layer),
        )
        expect((yield* again.device).id).toBe(device.id)

        const score = yield* session.submitScore(
          new Score.ClientScoreCreateRequest({
            board_id: server.demo!.boardId,
            player_name: "Ada",
            value: 42,
          }),
        )
        expect(score.value).toBe(42)
        expect(http.count("/v1/client/nonce")).toBe(1)
        expect(http.count("/v1/client/scores")).toBe(1)
      }),
  )

  it.scoped("100 concurrent calls during expiry cause exactly one refresh request", () =>
    Effect.gen(function* () {
      const gameId = server.demo!.gameId
      const fingerprint = yield* fingerprintOf(gameId, "install-single-flight")
      const http = countingHttpClient()
      const session = yield* DeviceSession.start({ baseUrl: server.url, gameId, fingerprint }).pipe(
        Effect.provide(http.layer),
      )
      const before = yield* session.accessToken
      // The server issues 15-minute tokens; 14 minutes later less than the 2-minute margin remains.
      yield* TestClock.adjust("14 minutes")
      const pages = yield* Effect.all(
        Array.from({ length: 100 }, () =>
          session.client.client.listBoards({ urlParams: { game_id: gameId } }),
        ),
        { concurrency: "unbounded" },
      )
      expect(pages).toHaveLength(100)
      expect(pages.every((page) => page.data.some((board) => board.id === server.demo!.boardId))).toBe(true)
      expect(http.count("/v1/client/sessions/refresh")).toBe(1)
      const after = yield* session.accessToken
      expect(after).not.toBe(before)
      // Fresh again: no further refresh.
      yield* session.client.client.listBoards({ urlParams: {} })
      expect(http.count("/v1/client/sessions/refresh")).toBe(1)
    }),
  )

  it.scoped("refreshes once after a 401 and retries the call", () =>
    Effect.gen(function* () {
      const gameId = shortLived.demo!.gameId
      const fingerprint = yield* fingerprintOf(gameId, "install-401")
      const http = countingHttpClient()
      const session = yield* DeviceSession.start({ baseUrl: shortLived.url, gameId, fingerprint }).pipe(
        Effect.provide(http.layer),
      )
      // The session's clock (TestClock) does not move, so it believes the token is fresh;
      // the server's real clock expires it: the call meets a 401.
      yield* realSleep(2_100)
      const calls = yield* Effect.all(
        Array.from({ length: 10 }, () => session.client.client.listBoards({ urlParams: {} })),
        { concurrency: "unbounded" },
      )
      expect(calls).toHaveLength(10)
      expect(http.count("/v1/client/sessions/refresh")).toBe(1)
    }),
  )

  it.scoped("fetches a fresh nonce per mutation and retries once with a new one on 412", () =>
    Effect.gen(function* () {
      const gameId = server.demo!.gameId
      const boardId = server.demo!.boardId
      const fingerprint = yield* fingerprintOf(gameId, "install-nonce")
      const http = countingHttpClient()
      const session = yield* DeviceSession.start({ baseUrl: server.url, gameId, fingerprint }).pipe(
        Effect.provide(http.layer),
      )
      const submit = (nonce: string, value: number) =>
        session.client.client.createScore({
          urlParams: {},
          headers: { "leadr-client-nonce": nonce },
          payload: new Score.ClientScoreCreateRequest({ board_id: boardId, player_name: "Nonce", value }),
        })
      // Spend a nonce, then hand the spent one to the first attempt: 412, then a new nonce.
      const spent = yield* session.withNonce((nonce) => Effect.as(submit(nonce, 1), nonce))
      let attempts = 0
      const score = yield* session.withNonce((nonce) => {
        attempts++
        return submit(attempts === 1 ? spent : nonce, 2)
      })
      expect(score.value).toBe(2)
      expect(attempts).toBe(2)
      expect(http.count("/v1/client/nonce")).toBe(3)

      // Twice in a row a bad nonce: the second 412 reaches the caller.
      const error = yield* Effect.flip(session.withNonce(() => submit(spent, 3)))
      expect(error._tag).toBe("PreconditionFailed")
    }),
  )

  it.scoped("a banned device cannot submit: the session surfaces 403 Forbidden", () =>
    Effect.gen(function* () {
      const gameId = server.demo!.gameId
      const fingerprint = yield* fingerprintOf(gameId, "install-banned")
      const session = yield* DeviceSession.start({ baseUrl: server.url, gameId, fingerprint }).pipe(
        Effect.provide(FetchHttpClient.layer),
      )
      const admin = yield* LeadrClient.make({
        baseUrl: server.url,
        apiKey: Redacted.make(server.superadminKey),
      }).pipe(Effect.provide(FetchHttpClient.layer))
      const device = yield* session.device
      yield* admin.devices.update({
        path: { device_id: device.id },
        urlParams: {},
        payload: { status: "banned" },
      })
      const error = yield* Effect.flip(
        session.submitScore(
          new Score.ClientScoreCreateRequest({
            board_id: server.demo!.boardId,
            player_name: "Cheat",
            value: 9,
          }),
        ),
      )
      expect(error._tag).toBe("Forbidden")
    }),
  )
})
