import { request } from "node:http"
import * as OpenApi from "@effect/platform/OpenApi"
import { LeadrApi } from "@leadr-toolkit/core"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { rows, session, start, str, tenant, type World } from "./support.js"

describe("validation, malformed input, OpenAPI and pagination over HTTP", () => {
  let world: World
  let t: Awaited<ReturnType<typeof tenant>>
  let token: string

  beforeAll(async () => {
    world = await start({ maxBodyBytes: 64 * 1024 })
    t = await tenant(world, "Validator")
    token = (await session(world, t.gameId, "validator")).access_token
  })
  afterAll(() => world.server.close())

  it("schema failures are 422 HTTPValidationError with loc/msg/type", async () => {
    const missing = await t.call("POST", "/v1/boards", { body: { account_id: t.accountId } })
    expect(missing.status).toBe(422)
    const locs = (
      missing.body.detail as unknown as Array<{ loc: Array<string>; type: string; msg: string }>
    ).map((d) => d.loc.join("."))
    expect(locs).toEqual(expect.arrayContaining(["body.game_id"]))
    const badJson = await t.call("POST", "/v1/boards", { raw: "{not json" })
    expect(badJson.status).toBe(422)
    expect(badJson.body.detail).toEqual([{ loc: ["body"], msg: "JSON decode error", type: "json_invalid" }])
    const enumValue = await t.call("POST", "/v1/boards", {
      body: { account_id: t.accountId, game_id: t.gameId, name: "x", sort_direction: "SIDEWAYS" },
    })
    expect(enumValue.status).toBe(422)
    for (const limit of ["0", "101", "abc", "1.5"]) {
      const r = await t.call("GET", `/v1/boards?limit=${limit}`)
      expect(r.status).toBe(422)
      for (const issue of r.body.detail as unknown as Array<{ loc: Array<string> }>) {
        expect(issue.loc).toEqual(["query", "limit"])
      }
    }
    expect((await t.call("GET", "/v1/boards?is_active=maybe")).status).toBe(422)
    expect((await t.call("GET", "/v1/boards?starts_after=yesterday")).status).toBe(422)
  })

  it("semantic errors are 400 with a detail string", async () => {
    for (const query of ["cursor=%%%", "cursor=bm9wZQ", "sort=secret:asc", "sort=name:sideways"]) {
      const r = await t.call("GET", `/v1/boards?${query}`)
      expect(r.status).toBe(400)
      expect(typeof r.body.detail).toBe("string")
    }
  })

  it("oversized bodies are 413, unknown routes 404, both JSON", async () => {
    const huge = await t.call("POST", "/v1/boards", {
      body: { account_id: t.accountId, game_id: t.gameId, name: "x", description: "y".repeat(200_000) },
    })
    expect(huge.status).toBe(413)
    expect(huge.body.detail).toBe("Request body too large")
    const nowhere = await t.call("GET", "/v2/whatever")
    expect(nowhere.status).toBe(404)
    expect(nowhere.body).toEqual({ detail: "Not Found" })
  })

  it("a chunked body (no Content-Length) over the limit is a 413 too, and one within it is read", async () => {
    const own = await tenant(world, "Chunky")
    /** POSTs `body` in 16 KiB chunks without declaring its length. */
    const chunked = (body: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          `${world.server.url}/v1/boards`,
          { method: "POST", headers: { "leadr-api-key": own.key, "content-type": "application/json" } },
          (res) => {
            let text = ""
            res.setEncoding("utf8")
            res.on("data", (chunk: string) => {
              text += chunk
            })
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }))
          },
        )
        req.on("error", reject)
        let at = 0
        const pump = () => {
          while (at < body.length) {
            const more = req.write(body.slice(at, at + 16_384))
            at += 16_384
            if (!more) return void req.once("drain", pump)
          }
          req.end()
        }
        pump()
      })
    const board = (description: string) =>
      JSON.stringify({ account_id: own.accountId, game_id: own.gameId, name: "Chunked", description })
    const huge = await chunked(board("y".repeat(1_000_000)))
    expect(huge).toEqual({ status: 413, body: JSON.stringify({ detail: "Request body too large" }) })
    const fits = await chunked(board("y".repeat(40_000)))
    expect(fits.status).toBe(201)
    expect(JSON.parse(fits.body)).toMatchObject({ name: "Chunked", description: "y".repeat(40_000) })
    const garbled = await chunked("{not json")
    expect(garbled.status).toBe(422)
  })

  it("no input produces a 5xx", async () => {
    const targets = [
      ["POST", "/v1/boards"],
      ["PATCH", `/v1/boards/${t.boardId}`],
      ["POST", "/v1/scores"],
      ["PATCH", "/v1/devices/dev_x"],
      ["PATCH", "/v1/score-flags/flg_x"],
      ["POST", "/v1/client/sessions"],
      ["POST", "/v1/client/sessions/refresh"],
      ["POST", "/v1/client/scores"],
      ["POST", "/v1/accounts"],
      ["POST", "/v1/api-keys"],
      ["GET", "/v1/boards"],
      ["GET", "/v1/scores"],
      ["GET", "/v1/client/scores"],
    ] as const
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...targets),
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc
            .dictionary(
              fc.constantFrom(
                "board_id",
                "value",
                "name",
                "status",
                "game_id",
                "client_fingerprint",
                "player_name",
              ),
              fc.jsonValue(),
            )
            .map((v) => JSON.stringify(v)),
        ),
        fc.dictionary(
          fc.constantFrom("limit", "cursor", "sort", "board_id", "around_score_value", "is_test"),
          fc.string(),
        ),
        async ([method, path], raw, query) => {
          const qs = new URLSearchParams(query).toString()
          const target = `${path}${qs === "" ? "" : `?${qs}`}`
          const init = method === "GET" ? { token } : { raw, token, headers: { "leadr-client-nonce": "n" } }
          const r = await t.call(method, target, init)
          expect(r.status).toBeLessThan(500)
          if (r.status >= 400) expect(r.body).toHaveProperty("detail")
        },
      ),
      { numRuns: 150 },
    )
    expect((await world.anonymous("GET", "/v1/health")).status).toBe(200)
  })

  it("serves the generated OpenAPI (422 HTTPValidationError, no HttpApiDecodeError) and /docs", async () => {
    const spec = await world.anonymous("GET", "/openapi.json")
    expect(spec.status).toBe(200)
    const text = JSON.stringify(spec.body)
    expect(text).not.toContain("HttpApiDecodeError")
    const boards = spec.body.paths!["/v1/boards"]!.get!.responses!
    expect(JSON.stringify(boards["422"])).toContain("HTTPValidationError")
    expect(Object.keys(spec.body.paths!)).toEqual(
      expect.arrayContaining(["/v1/devices", "/v1/boards", "/v1/score-flags", "/v1/client/sessions"]),
    )
    // What the server serves is the core's own document: OpenApi.fromApi(LeadrApi).
    const core = OpenApi.fromApi(LeadrApi.LeadrApi)
    expect(spec.body).toEqual(JSON.parse(JSON.stringify(core)))
    expect(text).not.toContain('"additionalProperties":false')
    const schemas = spec.body.components!.schemas!
    expect(schemas.Issue).toBeUndefined()
    expect(schemas.PropertyKey).toBeUndefined()
    // A 400 left is the service's own `{"detail": ...}`; an endpoint without one has none.
    expect(boards["400"]!.description).toBe("Bad Request")
    expect(Object.keys(boards["400"]!.content!["application/json"]!.schema!.properties!)).toEqual(["detail"])
    expect(Object.keys(spec.body.paths!["/v1/health"]!.get!.responses!)).not.toContain("400")
    expect(JSON.stringify(spec.body.paths!["/v1/health"]!.get!.responses!)).toContain("HTTPValidationError")
    const docs = await fetch(`${world.server.url}/docs`)
    expect(docs.status).toBe(200)
    expect(docs.headers.get("content-type")).toContain("text/html")
  })

  it("walks boards forward with next_cursor and back with prev_cursor through the same pages", async () => {
    for (let i = 0; i < 23; i++) {
      const r = await t.call("POST", "/v1/boards", {
        body: {
          account_id: t.accountId,
          game_id: t.gameId,
          name: `Walk ${String.fromCharCode(97 + (i % 5))}`,
        },
      })
      expect(r.status).toBe(201)
    }
    for (const sort of [undefined, "name:asc,created_at:desc", "slug:desc"]) {
      const q = (extra: string) => `/v1/boards?limit=5${sort === undefined ? "" : `&sort=${sort}`}${extra}`
      const pages: Array<Array<string>> = []
      let page = await t.call("GET", q(""))
      pages.push(rows(page.body).map((b) => str(b.id)))
      while (page.body.pagination!.has_next) {
        page = await t.call("GET", q(`&cursor=${encodeURIComponent(str(page.body.pagination!.next_cursor))}`))
        pages.push(rows(page.body).map((b) => str(b.id)))
      }
      const all = pages.flat()
      expect(all).toHaveLength(24)
      expect(new Set(all).size).toBe(24)
      const back: Array<Array<string>> = [pages.at(-1)!]
      while (page.body.pagination!.has_prev) {
        page = await t.call("GET", q(`&cursor=${encodeURIComponent(str(page.body.pagination!.prev_cursor))}`))
        back.unshift(rows(page.body).map((b) => str(b.id)))
      }
      expect(back).toEqual(pages)
    }
    const first = await t.call("GET", "/v1/boards?limit=5&sort=name:asc")
    const cursor = encodeURIComponent(str(first.body.pagination!.next_cursor))
    expect((await t.call("GET", `/v1/boards?limit=5&sort=slug:asc&cursor=${cursor}`)).status).toBe(400)
    expect((await t.call("GET", `/v1/boards?limit=5&is_active=true&cursor=${cursor}`)).status).toBe(400)
  })
})
