import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { clientScore, session, start, tenant, type World } from "./support.js"

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
    expect(score.body.rank).toBe(1)
  })
})
