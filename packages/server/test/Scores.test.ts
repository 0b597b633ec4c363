import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { clientScore, fingerprint, rows, session, start, str, tenant, type World } from "./support.js"

describe("client sessions, nonces and scores", () => {
  let world: World
  let t: Awaited<ReturnType<typeof tenant>>

  beforeAll(async () => {
    world = await start({ antiCheat: { rateLimitPerHour: 3, velocitySeconds: 0 } })
    t = await tenant(world, "Scorer")
  })
  afterAll(() => world.server.close())

  it("session start is idempotent per game and fingerprint and moves last_seen_at", async () => {
    const first = await session(world, t.gameId, "same-device", { platform: "pc" })
    const second = await session(world, t.gameId, "same-device")
    expect(second.id).toBe(first.id)
    expect(second.last_seen_at >= first.last_seen_at).toBe(true)
    expect(second.access_token).not.toBe(first.access_token)
    const unknown = await world.anonymous("POST", "/v1/client/sessions", {
      body: { game_id: "gam_missing", client_fingerprint: fingerprint("x") },
    })
    expect(unknown.status).toBe(404)
    const badPrint = await world.anonymous("POST", "/v1/client/sessions", {
      body: { game_id: t.gameId, client_fingerprint: "not-hex" },
    })
    expect(badPrint.status).toBe(422)
    expect(badPrint.body.detail).toEqual([
      expect.objectContaining({ loc: ["body", "client_fingerprint"], type: "value_error" }),
    ])
  })

  it("refresh rotates: the old refresh token is rejected after use", async () => {
    const s = await session(world, t.gameId, "refresher")
    const refreshed = await world.anonymous("POST", "/v1/client/sessions/refresh", {
      body: { refresh_token: s.refresh_token },
    })
    expect(refreshed.status).toBe(200)
    expect(refreshed.body.expires_in).toBe(900)
    const replay = await world.anonymous("POST", "/v1/client/sessions/refresh", {
      body: { refresh_token: s.refresh_token },
    })
    expect(replay.status).toBe(401)
    const next = await world.anonymous("POST", "/v1/client/sessions/refresh", {
      body: { refresh_token: refreshed.body.refresh_token },
    })
    expect(next.status).toBe(200)
    const nonce = await world.anonymous("GET", "/v1/client/nonce", { token: str(next.body.access_token) })
    expect(nonce.status).toBe(200)
    expect(
      (await world.anonymous("POST", "/v1/client/sessions/refresh", { body: { refresh_token: "x.y.z" } }))
        .status,
    ).toBe(401)
    // An access token is not a refresh token.
    expect(
      (
        await world.anonymous("POST", "/v1/client/sessions/refresh", {
          body: { refresh_token: s.access_token },
        })
      ).status,
    ).toBe(401)
  })

  it("client API: 401 without a token; 412 for missing, unknown and used nonces", async () => {
    expect((await world.anonymous("GET", "/v1/client/nonce")).status).toBe(401)
    expect((await world.anonymous("GET", "/v1/client/boards", { token: "garbage" })).status).toBe(401)
    const s = await session(world, t.gameId, "noncer")
    const body = { board_id: t.boardId, player_name: "N", value: 5 }
    const missing = await world.anonymous("POST", "/v1/client/scores", { token: s.access_token, body })
    expect(missing.status).toBe(412)
    const unknown = await world.anonymous("POST", "/v1/client/scores", {
      token: s.access_token,
      body,
      headers: { "leadr-client-nonce": "nope" },
    })
    expect(unknown.status).toBe(412)
    const nonce = str(
      (await world.anonymous("GET", "/v1/client/nonce", { token: s.access_token })).body.nonce_value,
    )
    const ok = await world.anonymous("POST", "/v1/client/scores", {
      token: s.access_token,
      body,
      headers: { "leadr-client-nonce": nonce },
    })
    expect(ok.status).toBe(201)
    expect(ok.body.device_id).toBeUndefined()
    const reused = await world.anonymous("POST", "/v1/client/scores", {
      token: s.access_token,
      body,
      headers: { "leadr-client-nonce": nonce },
    })
    expect(reused.status).toBe(412)
    expect(reused.body.detail).toMatch(/already used/)
    // Another device cannot spend this device's nonce.
    const other = await session(world, t.gameId, "noncer-2")
    const fresh = str(
      (await world.anonymous("GET", "/v1/client/nonce", { token: s.access_token })).body.nonce_value,
    )
    const stolen = await world.anonymous("POST", "/v1/client/scores", {
      token: other.access_token,
      body,
      headers: { "leadr-client-nonce": fresh },
    })
    expect(stolen.status).toBe(412)
  })

  it("client boards are the device's game's boards", async () => {
    const s = await session(world, t.gameId, "boards-reader")
    const boards = await world.anonymous("GET", "/v1/client/boards", { token: s.access_token })
    expect(rows(boards.body).map((b) => b.id)).toEqual([t.boardId])
  })

  it("banned and suspended devices cannot submit (403)", async () => {
    for (const status of ["banned", "suspended"]) {
      const s = await session(world, t.gameId, `bad-${status}`)
      await t.call("PATCH", `/v1/devices/${s.id}`, { body: { status } })
      const r = await clientScore(world, s.access_token, { board_id: t.boardId, player_name: "B", value: 1 })
      expect(r.status).toBe(403)
      const admin = await t.call("POST", "/v1/scores", {
        body: { board_id: t.boardId, game_id: t.gameId, device_id: s.id, player_name: "B", value: 1 },
      })
      expect(admin.status).toBe(403)
    }
  })

  it("rate limit: more than N per device per board per hour is 429 with Retry-After, and a high flag", async () => {
    const s = await session(world, t.gameId, "spammer")
    const statuses: Array<number> = []
    let last: Awaited<ReturnType<typeof clientScore>> | undefined
    for (let i = 0; i < 4; i++) {
      last = await clientScore(world, s.access_token, {
        board_id: t.boardId,
        player_name: "S",
        value: 100 + i,
      })
      statuses.push(last.status)
    }
    expect(statuses).toEqual([201, 201, 201, 429])
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0)
    expect(last!.body.retry_after).toBe(Number(last!.headers.get("retry-after")))
    const flags = rows((await t.call("GET", "/v1/score-flags?flag_type=rate_limit")).body)
    expect(flags).toHaveLength(1)
    expect(flags[0]!.confidence).toBe("high")
  })

  it("Idempotency-Key: same key and body give the first score; another body is 409", async () => {
    const s = await session(world, t.gameId, "idem-device")
    const body = { board_id: t.boardId, game_id: t.gameId, device_id: s.id, player_name: "I", value: 7 }
    const headers = { "idempotency-key": "k-1" }
    const first = await t.call("POST", "/v1/scores", { body, headers })
    const again = await t.call("POST", "/v1/scores", { body, headers })
    expect(first.status).toBe(201)
    expect(again.status).toBe(201)
    expect(again.body.id).toBe(first.body.id)
    const conflict = await t.call("POST", "/v1/scores", { body: { ...body, value: 8 }, headers })
    expect(conflict.status).toBe(409)
    const listed = rows((await t.call("GET", `/v1/scores?device_id=${s.id}`)).body)
    expect(listed).toHaveLength(1)

    const c1 = await clientScore(
      world,
      s.access_token,
      { board_id: t.boardId, player_name: "I", value: 9 },
      headers,
    )
    const c2 = await clientScore(
      world,
      s.access_token,
      { board_id: t.boardId, player_name: "I", value: 9 },
      headers,
    )
    expect(c2.body.id).toBe(c1.body.id)
    const c3 = await clientScore(
      world,
      s.access_token,
      { board_id: t.boardId, player_name: "I", value: 10 },
      headers,
    )
    expect(c3.status).toBe(409)
  })

  it("admin score create checks board, game and device", async () => {
    const s = await session(world, t.gameId, "admin-submitter")
    const other = await tenant(world, "Elsewhere")
    const base = { board_id: t.boardId, game_id: t.gameId, device_id: s.id, player_name: "A", value: 1 }
    expect((await t.call("POST", "/v1/scores", { body: { ...base, board_id: "brd_missing" } })).status).toBe(
      404,
    )
    expect((await t.call("POST", "/v1/scores", { body: { ...base, device_id: "dev_missing" } })).status).toBe(
      404,
    )
    expect((await t.call("POST", "/v1/scores", { body: { ...base, game_id: other.gameId } })).status).toBe(
      400,
    )
    expect(
      (await t.call("POST", "/v1/scores", { body: { ...base, account_id: other.accountId } })).status,
    ).toBe(403)
    expect((await t.call("POST", "/v1/scores", { body: { ...base, value: "high" } })).status).toBe(422)
    const ok = await t.call("POST", "/v1/scores", { body: { ...base, timezone: "UTC", country: "DE" } })
    expect(ok.status).toBe(201)
    expect(ok.body).toMatchObject({ device_id: s.id, country: "DE", is_test: false })
    const got = await t.call("GET", `/v1/scores/${ok.body.id}`)
    expect(got.body.id).toBe(ok.body.id)
    expect((await other.call("GET", `/v1/scores/${ok.body.id}`)).status).toBe(403)
    // A superadmin may omit account_id: the board's account is used.
    const superadmin = await world.admin("POST", "/v1/scores", { body: { ...base, value: 2 } })
    expect(superadmin.status).toBe(201)
    expect(superadmin.body.account_id).toBe(t.accountId)
  })
})

describe("nonce expiry", () => {
  it("a nonce past its lifetime is 412 expired", async () => {
    const world = await start({ nonceTtlSeconds: 0 })
    try {
      const t = await tenant(world, "Expiry")
      const s = await session(world, t.gameId, "late")
      const r = await clientScore(world, s.access_token, { board_id: t.boardId, player_name: "L", value: 1 })
      expect(r.status).toBe(412)
      expect(r.body.detail).toBe("Nonce expired")
    } finally {
      await world.server.close()
    }
  })
})

describe("keep strategies, rank and around", () => {
  let world: World
  beforeAll(async () => {
    world = await start({ antiCheat: { rateLimitPerHour: 1000 } })
  })
  afterAll(() => world.server.close())

  const submitAll = async (keep: string, direction: string, values: ReadonlyArray<number>) => {
    const t = await tenant(world, `Keep ${keep} ${direction}`, {
      keep_strategy: keep,
      sort_direction: direction,
    })
    const s = await session(world, t.gameId, `${keep}-${direction}`)
    const results = []
    for (const value of values) {
      const r = await clientScore(world, s.access_token, { board_id: t.boardId, player_name: "K", value })
      expect(r.status).toBe(201)
      results.push(r.body)
    }
    const listed = rows((await t.call("GET", `/v1/scores?board_id=${t.boardId}`)).body)
    return { t, s, results, shown: listed.map((x) => x.value) }
  }

  it("FIRST_ONLY, BEST_ONLY, LATEST_ONLY and ALL, in both directions", async () => {
    expect((await submitAll("FIRST_ONLY", "DESCENDING", [5, 9, 1])).shown).toEqual([5])
    expect((await submitAll("BEST_ONLY", "DESCENDING", [5, 9, 1])).shown).toEqual([9])
    expect((await submitAll("BEST_ONLY", "ASCENDING", [5, 9, 1])).shown).toEqual([1])
    expect((await submitAll("LATEST_ONLY", "DESCENDING", [5, 9, 1])).shown).toEqual([1])
    expect((await submitAll("ALL", "ASCENDING", [5, 9, 1])).shown.sort()).toEqual([1, 5, 9])
    const best = await submitAll("BEST_ONLY", "DESCENDING", [5, 3])
    expect(best.results[1]!.rank).toBeNull()
  })

  it("rank is competition rank per the board's direction; around_score_id/value center the window", async () => {
    const t = await tenant(world, "Ranked", { keep_strategy: "ALL", sort_direction: "DESCENDING" })
    const values = [10, 50, 30, 50, 20, 40, 60]
    const ids: Array<string> = []
    for (const [i, value] of values.entries()) {
      const s = await session(world, t.gameId, `ranked-${i}`)
      const r = await clientScore(world, s.access_token, { board_id: t.boardId, player_name: `P${i}`, value })
      ids.push(str(r.body.id))
    }
    const byValue = rows((await t.call("GET", `/v1/scores?board_id=${t.boardId}&sort=value:desc`)).body)
    expect(byValue.map((r) => [r.value, r.rank])).toEqual([
      [60, 1],
      [50, 2],
      [50, 2],
      [40, 4],
      [30, 5],
      [20, 6],
      [10, 7],
    ])
    expect(rows((await t.call("GET", "/v1/scores")).body).every((r) => r.rank === null)).toBe(true)

    const around = await t.call("GET", `/v1/scores?board_id=${t.boardId}&around_score_id=${ids[5]}&limit=3`)
    expect(rows(around.body).map((r) => r.value)).toEqual([50, 40, 30])
    const atTop = await t.call("GET", `/v1/scores?board_id=${t.boardId}&around_score_id=${ids[6]}&limit=3`)
    expect(rows(atTop.body).map((r) => r.value)).toEqual([60, 50, 50])
    const hypothetical = await t.call("GET", `/v1/scores?board_id=${t.boardId}&around_score_value=35&limit=5`)
    const window = rows(hypothetical.body)
    expect(window.map((r) => r.value)).toEqual([50, 40, 35, 30, 20])
    expect(window[2]).toMatchObject({ is_placeholder: true, rank: 5 })

    expect((await t.call("GET", `/v1/scores?around_score_value=35`)).status).toBe(400)
    expect(
      (
        await t.call(
          "GET",
          `/v1/scores?board_id=${t.boardId}&around_score_value=35&around_score_id=${ids[0]}`,
        )
      ).status,
    ).toBe(400)
    expect((await t.call("GET", `/v1/scores?board_id=${t.boardId}&around_score_id=scr_missing`)).status).toBe(
      404,
    )
    expect((await t.call("GET", `/v1/scores?board_id=${t.boardId}&around_score_value=abc`)).status).toBe(422)

    const s = await session(world, t.gameId, "ranked-0")
    const mine = await world.anonymous(
      "GET",
      `/v1/client/scores?board_id=${t.boardId}&around_score_value=45&limit=3`,
      {
        token: s.access_token,
      },
    )
    expect(rows(mine.body).map((r) => r.value)).toEqual([50, 45, 40])
  })

  it("test-mode sessions write test scores, hidden from the default admin listing", async () => {
    const t = await tenant(world, "Tester")
    const s = await session(world, t.gameId, "test-mode", { test_mode: true })
    const r = await clientScore(world, s.access_token, { board_id: t.boardId, player_name: "T", value: 1 })
    expect(r.body.is_test).toBe(true)
    expect(rows((await t.call("GET", `/v1/scores?board_id=${t.boardId}`)).body)).toEqual([])
    expect(rows((await t.call("GET", `/v1/scores?board_id=${t.boardId}&is_test=true`)).body)).toHaveLength(1)
    expect(rows((await t.call("GET", `/v1/scores?board_id=${t.boardId}&is_test=all`)).body)).toHaveLength(1)
  })

  it("anti-cheat off: no flags", async () => {
    const t = await tenant(world, "Trusting", {}, { anti_cheat_enabled: false })
    const s = await session(world, t.gameId, "trusted")
    await clientScore(world, s.access_token, { board_id: t.boardId, player_name: "T", value: 1 })
    await clientScore(world, s.access_token, { board_id: t.boardId, player_name: "T", value: 1 })
    expect(rows((await t.call("GET", "/v1/score-flags")).body)).toEqual([])
  })
})
