import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { clientScore, rows, session, start, tenant, type World } from "./support.js"

describe("local server smoke", () => {
  let world: World
  beforeAll(async () => {
    world = await start({ seedDemo: true })
  })
  afterAll(() => world.server.close())

  it("serves health, a seeded demo, sessions and client scores", async () => {
    const health = await world.anonymous("GET", "/v1/health")
    expect(health.body).toEqual({ service: "leadr-local", status: "healthy", database: "connected" })
    expect(world.server.demo?.boardId).toMatch(/^brd_/)
    const t = await tenant(world, "Smoke")
    const device = await session(world, t.gameId, "smoke-1")
    const score = await clientScore(world, device.access_token, {
      board_id: t.boardId,
      player_name: "Ann",
      value: 10,
    })
    expect(score.status).toBe(201)
    // A submission is not a query by board_id: its rank is null (the spec), the board listing ranks it.
    expect(score.body.rank).toBeNull()
    const listed = await t.call("GET", `/v1/scores?board_id=${t.boardId}`)
    expect(rows(listed.body).map((r) => [r.id, r.rank])).toEqual([[score.body.id, 1]])
  })
})
