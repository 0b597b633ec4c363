/**
 * The local server driven through the typed client (`LeadrClient.make` over
 * `FetchHttpClient`), the way applications use it: every request encoded and
 * every answer decoded by the core's one API definition, and every refusal a
 * tagged `LeadrError` with its detail.
 */
import { FetchHttpClient, HttpClientRequest } from "@effect/platform"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import {
  Account,
  ApiKey,
  Board,
  Device,
  DeviceSession,
  Fingerprint,
  Game,
  LeadrClient,
  type LeadrError,
  Score,
  ScoreFlag,
} from "@leadr-toolkit/core"
import { Chunk, Duration, Effect, Either, Option, Redacted, Stream } from "effect"
import { type Started, startLocalServer } from "../src/LocalServer.js"

const secret = Redacted.make("typed-client-test-secret-32-chars!!")

/** The error a call failed with; fails the test if it succeeded. */
const failure = <A>(effect: Effect.Effect<A, LeadrError.LeadrError>) =>
  Effect.flatMap(Effect.either(effect), (result) =>
    Either.isLeft(result) ? Effect.succeed(result.left) : Effect.dieMessage("expected a failure"),
  )

/** An account of its own, with a user, an API key and a client using that key. */
const tenant = (admin: LeadrClient.Client, url: string, name: string) =>
  Effect.gen(function* () {
    const account = yield* admin.accounts.create({
      urlParams: {},
      payload: new Account.AccountCreateRequest({ name }),
    })
    const user = yield* admin.users.create({
      urlParams: {},
      payload: new Account.UserCreateRequest({
        account_id: account.id,
        email: `${name.toLowerCase().replace(/\W/g, "")}@example.com`,
        display_name: name,
      }),
    })
    const key = yield* admin.apiKeys.create({
      urlParams: {},
      payload: new ApiKey.ApiKeyCreateRequest({ account_id: account.id, user_id: user.id, name: "typed" }),
    })
    const client = yield* LeadrClient.make({ baseUrl: url, apiKey: key.key })
    return { account, user, client, key }
  })

describe("the local server through the typed client", () => {
  let server: Started
  beforeAll(async () => {
    server = await startLocalServer({ antiCheat: { rateLimitPerHour: 2, velocitySeconds: 3600 } })
  })
  afterAll(() => server.close())

  const admin = () => LeadrClient.make({ baseUrl: server.url, apiKey: Redacted.make(server.superadminKey) })

  it.live("creates an account, a game and boards, and lists boards with filters as a stream", () =>
    Effect.gen(function* () {
      const { account, client, key } = yield* tenant(yield* admin(), server.url, "Typed Boards")
      expect(key.prefix).toBe(Redacted.value(key.key).slice(0, 8))
      const game = yield* client.games.create({
        urlParams: {},
        payload: new Game.GameCreateRequest({ account_id: account.id, name: "Typed Game" }),
      })
      expect(game.anti_cheat_enabled).toBe(true)
      for (let i = 0; i < 9; i++) {
        yield* client.boards.create({
          urlParams: {},
          payload: new Board.BoardCreateRequest({
            account_id: account.id,
            game_id: game.id,
            name: `Level ${i}`,
            is_active: i % 3 !== 0,
            keep_strategy: "BEST_ONLY",
          }),
        })
      }
      const all = (urlParams: Parameters<typeof client.boards.list>[0]["urlParams"]) =>
        Effect.map(
          Stream.runCollect(LeadrClient.stream(client.boards.list, { urlParams })),
          Chunk.toReadonlyArray,
        )

      const every = yield* all({ game_id: game.id, limit: 2, sort: "name:asc" })
      expect(every.map((b) => b.name)).toEqual(Array.from({ length: 9 }, (_, i) => `Level ${i}`))
      expect(every.every((b) => b instanceof Board.Board && b.keep_strategy === "BEST_ONLY")).toBe(true)
      const active = yield* all({ game_id: game.id, is_active: true, limit: 4 })
      expect(active.map((b) => b.name).sort()).toEqual(
        ["Level 1", "Level 2", "Level 4", "Level 5", "Level 7", "Level 8"].sort(),
      )
      const bySlug = yield* all({ game_slug: game.slug, slug: "level-4" })
      expect(bySlug.map((b) => b.name)).toEqual(["Level 4"])
      const byCode = yield* all({ code: every[3]!.short_code })
      expect(byCode.map((b) => b.id)).toEqual([every[3]!.id])

      // A board slug without its game's slug is the service's 400.
      const bad = yield* failure(client.boards.list({ urlParams: { slug: "level-4" } }))
      expect(bad._tag).toBe("BadRequest")
      const missing = yield* failure(client.boards.get({ path: { board_id: "brd_missing" }, urlParams: {} }))
      expect(missing).toMatchObject({ _tag: "NotFound", detail: "Board not found" })

      // Another account's board is 403; naming another account is 403 too.
      const other = yield* tenant(yield* admin(), server.url, "Typed Other")
      const foreign = yield* failure(
        other.client.boards.get({ path: { board_id: every[0]!.id }, urlParams: {} }),
      )
      expect(foreign._tag).toBe("Forbidden")
      const named = yield* failure(other.client.boards.list({ urlParams: { account_id: account.id } }))
      expect(named._tag).toBe("Forbidden")
    }).pipe(Effect.provide(FetchHttpClient.layer)),
  )

  it.live("a device session submits, raises flags the admin reviews, and a banned device is refused", () =>
    Effect.gen(function* () {
      const { account, user, client } = yield* tenant(yield* admin(), server.url, "Typed Scores")
      const game = yield* client.games.create({
        urlParams: {},
        payload: new Game.GameCreateRequest({ account_id: account.id, name: "Typed Arena" }),
      })
      const board = yield* client.boards.create({
        urlParams: {},
        payload: new Board.BoardCreateRequest({ account_id: account.id, game_id: game.id, name: "Arena" }),
      })
      const fingerprint = yield* Fingerprint.make({ secret, gameId: game.id, installId: "install-1" })
      const session = yield* DeviceSession.start({ baseUrl: server.url, gameId: game.id, fingerprint })
      const device = yield* session.device
      expect(device).toMatchObject({ gameId: game.id, accountId: account.id, status: "active" })

      const score = (value: number) =>
        new Score.ClientScoreCreateRequest({ board_id: board.id, player_name: "Typed", value })
      const first = yield* session.submitScore(score(10))
      expect(first).toBeInstanceOf(Score.ClientScore)
      expect(first).toMatchObject({ board_id: board.id, value: 10, rank: null, is_test: false })
      const second = yield* session.submitScore(score(20), "retry-key")
      expect((yield* session.submitScore(score(20), "retry-key")).id).toBe(second.id)
      const reused = yield* failure(session.submitScore(score(21), "retry-key"))
      expect(reused._tag).toBe("Conflict")

      // Ranked when listed by board; the second came within the velocity window: a flag.
      const ranked = yield* session.client.client.listScores({ urlParams: { board_id: board.id } })
      expect(ranked.data.map((s) => [s.value, s.rank])).toEqual([
        [20, 1],
        [10, 2],
      ])
      const flags = yield* client.scoreFlags.list({
        urlParams: { board_id: board.id, flag_type: "velocity" },
      })
      expect(flags.data.map((f) => f.score_event_id)).toEqual([second.id])
      const reviewed = yield* client.scoreFlags.update({
        path: { flag_id: flags.data[0]!.id },
        urlParams: {},
        payload: new ScoreFlag.ScoreFlagUpdateRequest({
          status: "confirmed_cheat",
          reviewer_decision: "too fast",
        }),
      })
      expect(reviewed).toMatchObject({ status: "confirmed_cheat", reviewer_decision: "too fast" })
      expect(reviewed.reviewer_id).toBe(user.id)
      expect(reviewed.reviewed_at).not.toBeNull()
      const confirmed = yield* client.scoreFlags.list({ urlParams: { status: "confirmed_cheat" } })
      expect(confirmed.data.map((f) => f.id)).toEqual([reviewed.id])
      const unknownStatus = yield* failure(
        client.scoreFlags.update({
          path: { flag_id: reviewed.id },
          urlParams: {},
          payload: new ScoreFlag.ScoreFlagUpdateRequest({ status: "guilty" }),
        }),
      )
      expect(unknownStatus._tag).toBe("BadRequest")

      // Over the hourly limit (2): 429 with the time to wait, typed.
      const limited = yield* failure(session.submitScore(score(30)))
      expect(limited._tag).toBe("RateLimited")
      if (limited._tag === "RateLimited") {
        const wait = Option.getOrThrow(limited.retryAfter)
        expect(Duration.toSeconds(wait)).toBeGreaterThan(3000)
        expect(LeadrClient.retryable(limited)).toBe(true)
      }

      // A nonce is required: without one, 412.
      const noNonce = yield* failure(
        session.client.client.createScore({ urlParams: {}, headers: {}, payload: score(1) }),
      )
      expect(noNonce._tag).toBe("PreconditionFailed")

      // PATCH status: only active/banned/suspended; a banned device is refused with 403.
      const wrong = yield* failure(
        client.devices.update({
          path: { device_id: device.id },
          urlParams: {},
          payload: new Device.DeviceUpdateRequest({ status: "deleted" }),
        }),
      )
      expect(wrong._tag).toBe("BadRequest")
      const banned = yield* client.devices.update({
        path: { device_id: device.id },
        urlParams: {},
        payload: new Device.DeviceUpdateRequest({ status: "banned" }),
      })
      expect(banned.status).toBe("banned")
      const bannedList = yield* client.devices.list({ urlParams: { game_id: game.id, status: "banned" } })
      expect(bannedList.data.map((d) => d.id)).toEqual([device.id])
      const refused = yield* failure(session.submitScore(score(5)))
      expect(refused._tag).toBe("Forbidden")
      expect(LeadrClient.retryable(refused)).toBe(false)
    }).pipe(Effect.provide(FetchHttpClient.layer)),
  )

  it.live(
    "401 for an unknown key; 422 with its parsed detail when the server is stricter than the request",
    () =>
      Effect.gen(function* () {
        const stranger = yield* LeadrClient.make({
          baseUrl: server.url,
          apiKey: Redacted.make("ldr_not_a_key"),
        })
        const unauthorized = yield* failure(stranger.boards.list({ urlParams: {} }))
        expect(unauthorized).toMatchObject({ _tag: "Unauthorized", detail: "Invalid API key" })
        const anonymous = yield* LeadrClient.make({ baseUrl: server.url })
        expect((yield* failure(anonymous.devices.list({ urlParams: {} })))._tag).toBe("Unauthorized")

        // The typed client cannot send limit=500 (its schema says 1..100); a request
        // rewritten on the way, as an older client or a proxy might, gets the 422.
        const drifting = yield* LeadrClient.make({
          baseUrl: server.url,
          apiKey: Redacted.make(server.superadminKey),
          authorize: (request) => Effect.succeed(HttpClientRequest.setUrlParam(request, "limit", "500")),
        })
        const invalid = yield* failure(drifting.boards.list({ urlParams: {} }))
        expect(invalid._tag).toBe("ValidationFailed")
        if (invalid._tag === "ValidationFailed") {
          expect(invalid.detail).toHaveLength(1)
          expect(invalid.detail[0]).toMatchObject({ loc: ["query", "limit"], type: "value_error" })
          expect(invalid.message).toMatch(/^query\.limit: /)
        }
        const local = yield* failure((yield* admin()).boards.list({ urlParams: { limit: 500 } }))
        expect(local._tag).toBe("DecodeError")
      }).pipe(Effect.provide(FetchHttpClient.layer)),
  )
})
