import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { clientScore, rows, session, start, str, tenant, type World } from "./support.js"

describe("admin API: auth, scoping, boards, devices, flags", () => {
  let world: World
  let a: Awaited<ReturnType<typeof tenant>>
  let b: Awaited<ReturnType<typeof tenant>>

  beforeAll(async () => {
    world = await start({ antiCheat: { velocitySeconds: 3600 } })
    a = await tenant(world, "Alpha")
    b = await tenant(world, "Beta")
  })
  afterAll(() => world.server.close())

  it("401 without or with an unknown API key, on admin endpoints", async () => {
    for (const key of [null, "", "ldr_nope"]) {
      const r = await world.anonymous("GET", "/v1/boards", { key })
      expect(r.status).toBe(401)
      expect(typeof r.body.detail).toBe("string")
    }
  })

  it("a revoked key stops working; the key list shows only the prefix", async () => {
    const user = await world.admin("POST", "/v1/users", {
      body: { account_id: a.accountId, email: "temp@example.com", display_name: "Temp" },
    })
    const created = await a.call("POST", "/v1/api-keys", {
      body: { account_id: a.accountId, user_id: user.body.id, name: "temp" },
    })
    expect(created.status).toBe(201)
    expect(str(created.body.prefix)).toBe(str(created.body.key).slice(0, 8))
    const temp = world.as(str(created.body.key))
    expect((await temp("GET", "/v1/boards")).status).toBe(200)
    const listed = await a.call("GET", "/v1/api-keys")
    expect(JSON.stringify(listed.body)).not.toContain(str(created.body.key))
    const revoked = await a.call("PATCH", `/v1/api-keys/${created.body.id}`, { body: { status: "revoked" } })
    expect(revoked.body.status).toBe("revoked")
    expect((await temp("GET", "/v1/boards")).status).toBe(401)
  })

  it("only superadmins create accounts; regular keys see only their own account", async () => {
    expect((await a.call("POST", "/v1/accounts", { body: { name: "Nope" } })).status).toBe(403)
    const mine = await a.call("GET", "/v1/accounts")
    expect(rows(mine.body).map((r) => r.id)).toEqual([a.accountId])
    expect((await a.call("GET", `/v1/accounts/${b.accountId}`)).status).toBe(403)
    expect((await a.call("GET", "/v1/accounts/acc_missing")).status).toBe(404)
    expect((await a.call("GET", `/v1/boards?account_id=${b.accountId}`)).status).toBe(403)
    const all = await world.admin("GET", "/v1/accounts?limit=100")
    expect(rows(all.body).length).toBeGreaterThanOrEqual(3)
  })

  it("games default to anti-cheat on; slugs filter and unknown slugs are 404", async () => {
    const game = await a.call("GET", `/v1/games/${a.gameId}`)
    expect(game.body.anti_cheat_enabled).toBe(true)
    expect(game.body.slug).toBe("alpha-game")
    const bySlug = await a.call("GET", "/v1/games?slug=alpha-game")
    expect(rows(bySlug.body).map((r) => r.id)).toEqual([a.gameId])
    expect((await a.call("GET", "/v1/games?slug=nope")).status).toBe(404)
    expect((await a.call("GET", `/v1/games/${b.gameId}`)).status).toBe(403)
  })

  it("boards: create rules, auto slug and short code, filters, soft delete", async () => {
    const board = await a.call("GET", `/v1/boards/${a.boardId}`)
    expect(board.status).toBe(200)
    expect(board.body).toMatchObject({
      slug: "alpha-board",
      icon: "fa-crown",
      is_active: true,
      is_published: true,
      sort_direction: "DESCENDING",
      keep_strategy: "ALL",
    })
    expect(str(board.body.short_code)).toMatch(/^[A-Z0-9]{6}$/)

    const create = (body: Record<string, unknown>, call = a.call) =>
      call("POST", "/v1/boards", { body: { account_id: a.accountId, game_id: a.gameId, name: "X", ...body } })
    expect((await create({ game_id: "gam_missing" })).status).toBe(404)
    expect((await create({ account_id: "acc_missing" }, world.admin)).status).toBe(404)
    expect((await create({ game_id: b.gameId }, world.admin)).status).toBe(400)
    expect((await create({ account_id: b.accountId, game_id: b.gameId })).status).toBe(403)
    expect((await create({ short_code: str(board.body.short_code) })).status).toBe(400)

    const weekly = await create({
      name: "Weekly Challenge",
      short_code: "WEEK01",
      is_active: false,
      starts_at: "2025-03-01T00:00:00Z",
      ends_at: "2025-03-08T00:00:00Z",
    })
    expect(weekly.status).toBe(201)
    expect(weekly.body.slug).toBe("weekly-challenge")
    const again = await create({ name: "Weekly Challenge" })
    expect(again.body.slug).toBe("weekly-challenge-2")
    expect(again.body.short_code).not.toBe(weekly.body.short_code)

    const ids = async (query: string) => {
      const r = await a.call("GET", `/v1/boards?${query}`)
      expect(r.status).toBe(200)
      return rows(r.body).map((x) => x.id)
    }
    expect(await ids("code=WEEK01")).toEqual([weekly.body.id])
    expect(await ids("is_active=false")).toEqual([weekly.body.id])
    expect(await ids("game_slug=alpha-game&slug=weekly-challenge")).toEqual([weekly.body.id])
    expect(await ids("starts_after=2025-02-01T00:00:00Z&starts_before=2025-04-01T00:00:00Z")).toEqual([
      weekly.body.id,
    ])
    expect(await ids("ends_after=2025-03-07T00:00:00Z&ends_before=2025-03-09T00:00:00Z")).toEqual([
      weekly.body.id,
    ])
    expect(await ids("starts_after=2025-04-01T00:00:00Z")).toEqual([])
    expect((await ids(`game_id=${a.gameId}`)).length).toBe(3)
    expect((await a.call("GET", "/v1/boards?slug=weekly-challenge")).status).toBe(400)
    expect((await a.call("GET", "/v1/boards?game_slug=nope")).status).toBe(404)
    expect((await a.call("GET", "/v1/boards?game_slug=beta-game")).status).toBe(404)
    expect((await a.call("GET", "/v1/boards?game_slug=alpha-game&slug=nope")).status).toBe(404)

    const updated = await a.call("PATCH", `/v1/boards/${again.body.id}`, {
      body: { name: "Renamed", keep_strategy: "BEST_ONLY" },
    })
    expect(updated.body).toMatchObject({ name: "Renamed", keep_strategy: "BEST_ONLY" })
    const deleted = await a.call("PATCH", `/v1/boards/${again.body.id}`, { body: { deleted: true } })
    expect(deleted.status).toBe(200)
    expect((await a.call("GET", `/v1/boards/${again.body.id}`)).status).toBe(404)
    expect(await ids(`game_id=${a.gameId}`)).not.toContain(again.body.id)
  })

  it("two accounts cannot see each other's boards, devices or flags", async () => {
    const da = await session(world, a.gameId, "iso-a")
    const db = await session(world, b.gameId, "iso-b")
    for (const [s, t] of [
      [da, a],
      [db, b],
    ] as const) {
      await clientScore(world, s.access_token, { board_id: t.boardId, player_name: "P", value: 1 })
      await clientScore(world, s.access_token, { board_id: t.boardId, player_name: "P", value: 1 })
    }
    const flagsA = rows((await a.call("GET", "/v1/score-flags")).body)
    const flagsB = rows((await b.call("GET", "/v1/score-flags")).body)
    expect(flagsA.length).toBeGreaterThan(0)
    expect(flagsB.length).toBeGreaterThan(0)

    const devicesA = rows((await a.call("GET", "/v1/devices")).body).map((d) => d.id)
    expect(devicesA).toContain(da.id)
    expect(devicesA).not.toContain(db.id)
    const boardsA = rows((await a.call("GET", "/v1/boards?limit=100")).body).map((x) => x.id)
    expect(boardsA).not.toContain(b.boardId)
    const flagIdsA = flagsA.map((f) => f.id)
    for (const f of flagsB) expect(flagIdsA).not.toContain(f.id)

    expect((await a.call("GET", `/v1/devices/${db.id}`)).status).toBe(403)
    expect((await a.call("PATCH", `/v1/devices/${db.id}`, { body: { status: "banned" } })).status).toBe(403)
    expect((await a.call("GET", `/v1/boards/${b.boardId}`)).status).toBe(403)
    expect((await a.call("PATCH", `/v1/boards/${b.boardId}`, { body: { name: "x" } })).status).toBe(403)
    expect((await a.call("GET", `/v1/score-flags/${flagsB[0]!.id}`)).status).toBe(403)
    expect(
      (await a.call("PATCH", `/v1/score-flags/${flagsB[0]!.id}`, { body: { status: "dismissed" } })).status,
    ).toBe(403)
    expect((await a.call("GET", "/v1/devices/dev_missing")).status).toBe(404)

    const everyone = rows((await world.admin("GET", "/v1/devices?limit=100")).body).map((d) => d.id)
    expect(everyone).toEqual(expect.arrayContaining([da.id, db.id]))
  })

  it("devices: filters by game and status; PATCH accepts only active/banned/suspended", async () => {
    const d = await session(world, a.gameId, "status-device", { platform: "pc" })
    expect((await a.call("PATCH", `/v1/devices/${d.id}`, { body: { status: "deleted" } })).status).toBe(400)
    const banned = await a.call("PATCH", `/v1/devices/${d.id}`, { body: { status: "banned" } })
    expect(banned.body.status).toBe("banned")
    const list = rows((await a.call("GET", `/v1/devices?status=banned&game_id=${a.gameId}`)).body).map(
      (x) => x.id,
    )
    expect(list).toEqual([d.id])
    expect(rows((await a.call("GET", `/v1/devices?game_id=${b.gameId}`)).body)).toEqual([])
    expect((await a.call("GET", "/v1/devices?status=gone")).status).toBe(422)
    const sorted = await a.call("GET", "/v1/devices?sort=platform:asc")
    expect(sorted.status).toBe(200)
    expect((await a.call("GET", "/v1/devices?sort=fingerprint:asc")).status).toBe(400)
  })

  it("score flags: filters, review recorded, soft delete", async () => {
    const d = await session(world, a.gameId, "flagged")
    await clientScore(world, d.access_token, { board_id: a.boardId, player_name: "F", value: 42 })
    const second = await clientScore(world, d.access_token, {
      board_id: a.boardId,
      player_name: "F",
      value: 42,
    })
    expect(second.status).toBe(201)
    const flags = rows((await a.call("GET", `/v1/score-flags?board_id=${a.boardId}&limit=100`)).body).filter(
      (f) => str(f.score_event_id) === str(second.body.id),
    )
    expect(flags.map((f) => `${f.flag_type}:${f.confidence}`).sort()).toEqual([
      "duplicate:medium",
      "velocity:high",
    ])
    const velocity = flags.find((f) => str(f.flag_type) === "velocity")!
    expect(velocity.status).toBe("pending")

    const byType = rows((await a.call("GET", "/v1/score-flags?flag_type=duplicate&limit=100")).body)
    expect(byType.every((f) => str(f.flag_type) === "duplicate")).toBe(true)
    expect((await a.call("GET", "/v1/score-flags?flag_type=bogus")).status).toBe(422)
    expect((await a.call("GET", "/v1/score-flags?status=bogus")).status).toBe(400)
    expect((await a.call("GET", `/v1/score-flags?game_id=${b.gameId}`)).body.data).toEqual([])

    expect(
      (await a.call("PATCH", `/v1/score-flags/${velocity.id}`, { body: { status: "guilty" } })).status,
    ).toBe(400)
    const reviewed = await a.call("PATCH", `/v1/score-flags/${velocity.id}`, {
      body: { status: "confirmed_cheat", reviewer_decision: "ban" },
    })
    expect(reviewed.body).toMatchObject({
      status: "confirmed_cheat",
      reviewer_decision: "ban",
      reviewer_id: a.userId,
    })
    expect(typeof reviewed.body.reviewed_at).toBe("string")
    const confirmed = rows((await a.call("GET", "/v1/score-flags?status=confirmed_cheat")).body).map(
      (f) => f.id,
    )
    expect(confirmed).toEqual([velocity.id])

    await a.call("PATCH", `/v1/score-flags/${velocity.id}`, { body: { deleted: true } })
    expect((await a.call("GET", `/v1/score-flags/${velocity.id}`)).status).toBe(404)
  })
})
