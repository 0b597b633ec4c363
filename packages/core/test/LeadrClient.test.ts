/**
 * How the client classifies what comes back. The happy paths run against the
 * real local server in the server's and worker's suites; here a raw HTTP
 * listener produces the answers a real LEADR cannot be made to give on demand:
 * a proxy's HTML 502, a 429 with `Retry-After`, a hung connection, garbage JSON.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Board, LeadrClient, LeadrError } from "@leadr-toolkit/core"
import { Duration, Effect, Either, Fiber, Option, Redacted, TestClock } from "effect"

type Handler = (req: IncomingMessage, res: ServerResponse) => void

const listen = (handler: Handler) =>
  Effect.acquireRelease(
    Effect.async<{ url: string; server: Server; seen: Array<IncomingMessage> }>((resume) => {
      const seen: Array<IncomingMessage> = []
      const server = createServer((req, res) => {
        seen.push(req)
        handler(req, res)
      })
      server.listen(0, "127.0.0.1", () =>
        resume(
          Effect.succeed({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen }),
        ),
      )
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      }),
  )

const respond =
  (
    status: number,
    body: string,
    headers: Record<string, string> = { "content-type": "application/json" },
  ): Handler =>
  (_req, res) => {
    res.writeHead(status, headers)
    res.end(body)
  }

const clientFor = (url: string, extra: Partial<LeadrClient.LeadrClientOptions> = {}) =>
  LeadrClient.make({ baseUrl: url, apiKey: Redacted.make("sk_test_secret"), ...extra }).pipe(
    Effect.provide(FetchHttpClient.layer),
  )

const getDevice = (client: LeadrClient.Client) =>
  Effect.either(client.devices.get({ path: { device_id: "dev_1" }, urlParams: {} }))

describe("LeadrClient", () => {
  it.scoped("sends the API key header and decodes the service's error body into tagged errors", () =>
    Effect.gen(function* () {
      const statuses: Array<[number, string]> = [
        [400, "BadRequest"],
        [401, "Unauthorized"],
        [403, "Forbidden"],
        [404, "NotFound"],
      ]
      for (const [status, tag] of statuses) {
        const { url, seen } = yield* listen(respond(status, JSON.stringify({ detail: `nope ${status}` })))
        const result = yield* getDevice(yield* clientFor(url))
        expect(Either.isLeft(result)).toBe(true)
        const error = Either.getLeft(result).pipe(Option.getOrThrow)
        expect(error._tag).toBe(tag)
        expect((error as { detail: string }).detail).toBe(`nope ${status}`)
        expect(seen[0]?.headers["leadr-api-key"]).toBe("sk_test_secret")
      }
    }),
  )

  it.scoped("parses 422 detail lists, and wraps a string detail as one issue", () =>
    Effect.gen(function* () {
      const issues = [
        { loc: ["query", "limit"], msg: "limit must be an integer between 1 and 100", type: "value_error" },
      ]
      const listed = yield* listen(respond(422, JSON.stringify({ detail: issues })))
      const error = yield* Effect.flip(
        (yield* clientFor(listed.url)).devices.get({ path: { device_id: "d" }, urlParams: {} }),
      )
      expect(error._tag).toBe("ValidationFailed")
      if (error._tag === "ValidationFailed") {
        expect(error.detail[0]?.loc).toEqual(["query", "limit"])
        expect(error.message).toContain("query.limit")
      }
      const plain = yield* listen(respond(422, JSON.stringify({ detail: "bad thing" })))
      const wrapped = yield* Effect.flip(
        (yield* clientFor(plain.url)).devices.get({ path: { device_id: "d" }, urlParams: {} }),
      )
      expect(wrapped._tag === "ValidationFailed" && wrapped.detail[0]?.msg).toBe("bad thing")
    }),
  )

  it.scoped("reads Retry-After (seconds or HTTP date) into RateLimited", () =>
    Effect.gen(function* () {
      const seconds = yield* listen(
        respond(429, JSON.stringify({ detail: "slow down" }), {
          "content-type": "application/json",
          "retry-after": "7",
        }),
      )
      const error = yield* Effect.flip(
        (yield* clientFor(seconds.url)).devices.get({ path: { device_id: "d" }, urlParams: {} }),
      )
      expect(error._tag).toBe("RateLimited")
      if (error._tag === "RateLimited")
        expect(Option.map(error.retryAfter, Duration.toSeconds)).toEqual(Option.some(7))

      const date = new Date(Date.now() + 30_000).toUTCString()
      const dated = yield* listen(
        respond(429, "Too Many Requests", { "content-type": "text/plain", "retry-after": date }),
      )
      const error2 = yield* Effect.flip(
        (yield* clientFor(dated.url)).devices.get({ path: { device_id: "d" }, urlParams: {} }),
      )
      expect(error2._tag).toBe("RateLimited")
      if (error2._tag === "RateLimited") {
        const wait = Option.getOrThrow(Option.map(error2.retryAfter, Duration.toSeconds))
        expect(wait).toBeGreaterThan(20)
        expect(wait).toBeLessThanOrEqual(30)
      }
    }),
  )

  it.scoped("classifies a proxy's HTML 502 as ServerError, and garbage success bodies as DecodeError", () =>
    Effect.gen(function* () {
      const proxy = yield* listen(respond(502, "<html>Bad Gateway</html>", { "content-type": "text/html" }))
      const error = yield* Effect.flip(
        (yield* clientFor(proxy.url)).devices.get({ path: { device_id: "d" }, urlParams: {} }),
      )
      expect(error._tag).toBe("ServerError")
      if (error._tag === "ServerError") expect(error.status).toBe(502)

      const garbage = yield* listen(respond(200, JSON.stringify({ id: 42 })))
      const decode = yield* Effect.flip(
        (yield* clientFor(garbage.url)).devices.get({ path: { device_id: "d" }, urlParams: {} }),
      )
      expect(decode._tag).toBe("DecodeError")
    }),
  )

  it.scopedLive("turns refused connections and hung servers into TransportError", () =>
    Effect.gen(function* () {
      const closed = yield* listen(respond(200, "{}"))
      closed.server.close()
      closed.server.closeAllConnections()
      const refused = yield* Effect.flip((yield* clientFor(closed.url)).health.check())
      expect(refused._tag).toBe("TransportError")

      const hung = yield* listen(() => {})
      const timedOut = yield* Effect.flip(
        (yield* clientFor(hung.url, { timeout: Duration.millis(100) })).health
          .check()
          .pipe(Effect.timeout("5 seconds")),
      )
      expect(timedOut._tag === "TransportError" && timedOut.reason).toBe("Timeout")
    }),
  )

  it("decides what is retryable: transport, 429 and 5xx only", () => {
    expect(LeadrClient.retryable(new LeadrError.TransportError({ reason: "Timeout", detail: "" }))).toBe(true)
    expect(LeadrClient.retryable(new LeadrError.RateLimited({ detail: "" }))).toBe(true)
    expect(LeadrClient.retryable(new LeadrError.ServerError({ status: 503, detail: "" }))).toBe(true)
    expect(LeadrClient.retryable(new LeadrError.NotFound({ detail: "" }))).toBe(false)
    expect(LeadrClient.retryable(new LeadrError.PreconditionFailed({ detail: "" }))).toBe(false)
    expect(LeadrClient.retryable(new LeadrError.ValidationFailed({ detail: [] }))).toBe(false)
    expect(LeadrClient.retryable(new LeadrError.DecodeError({ detail: "" }))).toBe(false)
  })
})

describe("retryPolicy", () => {
  it.live("retries transport errors, 429 and 5xx, never 4xx answers, and waits at least Retry-After", () =>
    Effect.gen(function* () {
      let calls = 0
      const { url } = yield* listen((_req, res) => {
        calls++
        if (calls === 1) return respond(503, JSON.stringify({ detail: "down" }))(_req, res)
        if (calls === 2)
          return respond(429, JSON.stringify({ detail: "busy" }), {
            "content-type": "application/json",
            "retry-after": "1",
          })(_req, res)
        return respond(200, JSON.stringify({ service: "leadr", status: "healthy", database: "ok" }))(
          _req,
          res,
        )
      })
      const client = yield* clientFor(url)
      const started = Date.now()
      const health = yield* client.health.check().pipe(Effect.retry(LeadrClient.retryPolicy))
      expect(health.status).toBe("healthy")
      expect(calls).toBe(3)
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000)

      let notFoundCalls = 0
      const missing = yield* listen((req, res) => {
        notFoundCalls++
        respond(404, JSON.stringify({ detail: "no" }))(req, res)
      })
      const error = yield* Effect.flip(
        (yield* clientFor(missing.url)).boards
          .get({ path: { board_id: "brd_x" }, urlParams: {} })
          .pipe(Effect.retry(LeadrClient.retryPolicy)),
      )
      expect(error._tag).toBe("NotFound")
      expect(notFoundCalls).toBe(1)
    }).pipe(Effect.scoped),
  )

  it.effect("gives up after 5 retries, backing off exponentially", () =>
    Effect.gen(function* () {
      let calls = 0
      const failing = Effect.suspend(() => {
        calls++
        return Effect.fail<LeadrError.LeadrError>(new LeadrError.ServerError({ status: 500, detail: "boom" }))
      })
      const fiber = yield* Effect.fork(Effect.flip(Effect.retry(failing, LeadrClient.retryPolicy)))
      // 200 ms doubling with jitter in [0.8, 1.2]: the fifth retry is due within 1.2 * 6.2 s.
      yield* TestClock.adjust("1 second")
      expect(calls).toBeLessThan(6)
      yield* TestClock.adjust("10 seconds")
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("ServerError")
      expect(calls).toBe(6)
    }),
  )
})

// Keep the encoded request honest: defaults are applied and sent.
describe("requests", () => {
  it.scoped("encodes a BoardCreateRequest with the service's defaults", () =>
    Effect.gen(function* () {
      let body = ""
      const { url } = yield* listen((req, res) => {
        req.on("data", (chunk: Buffer) => {
          body += chunk.toString()
        })
        req.on("end", () => respond(404, JSON.stringify({ detail: "game not found" }))(req, res))
      })
      const client = yield* clientFor(url)
      yield* Effect.flip(
        client.boards.create({
          urlParams: {},
          payload: new Board.BoardCreateRequest({ account_id: "acc_1", game_id: "gam_1", name: "Weekly" }),
        }),
      )
      expect(JSON.parse(body)).toMatchObject({
        account_id: "acc_1",
        game_id: "gam_1",
        name: "Weekly",
        icon: "fa-crown",
        is_active: true,
        is_published: true,
        sort_direction: "DESCENDING",
        keep_strategy: "ALL",
      })
    }),
  )
})
