/**
 * The score write path as one transaction: concurrent submissions keep the
 * keep strategies' invariants, concurrent retries with one Idempotency-Key
 * store one score, a refused client submission still spends its nonce, and
 * the anti-cheat flags carry their facts. Plus the rules as a pure function.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as AntiCheat from "../src/AntiCheat.js"
import { clientScore, rows, session, start, str, tenant, type World } from "./support.js"

describe("submission path", () => {
  let world: World
  beforeAll(async () => {
    world = await start({ antiCheat: { rateLimitPerHour: 1000, velocitySeconds: 3600 } })
  })
  afterAll(() => world.server.close())

  const submitMany = async (keep: string, values: ReadonlyArray<number>) => {
    const t = await tenant(world, `Concurrent ${keep}`, { keep_strategy: keep, sort_direction: "DESCENDING" })
    const s = await session(world, t.gameId, `concurrent-${keep}`)
    const replies = await Promise.all(
      values.map((value) =>
        t.call("POST", "/v1/scores", {
          body: { board_id: t.boardId, game_id: t.gameId, device_id: s.id, player_name: "C", value },
        }),
      ),
    )
    expect(replies.map((r) => r.status)).toEqual(values.map(() => 201))
    const shown = rows((await t.call("GET", `/v1/scores?board_id=${t.boardId}`)).body)
    return { t, s, replies, shown }
  }

  it("concurrent submissions of one device keep one score on BEST_ONLY, LATEST_ONLY and FIRST_ONLY boards", async () => {
    const values = Array.from({ length: 24 }, (_, i) => (i * 37) % 101)
    const best = await submitMany("BEST_ONLY", values)
    expect(best.shown.map((r) => r.value)).toEqual([Math.max(...values)])
    expect(best.shown[0]!.rank).toBe(1)
    const latest = await submitMany("LATEST_ONLY", values)
    expect(latest.shown).toHaveLength(1)
    const first = await submitMany("FIRST_ONLY", values)
    expect(first.shown).toHaveLength(1)
    // Every submission is an event; the one the board shows is one of them.
    expect(first.replies.map((r) => r.body.id)).toContain(first.shown[0]!.id)
    expect(best.replies.every((r) => r.body.rank === null)).toBe(true)
  })

  it("concurrent retries with one Idempotency-Key store one score and all get it", async () => {
    const t = await tenant(world, "Retrier")
    const s = await session(world, t.gameId, "retrier")
    const body = { board_id: t.boardId, game_id: t.gameId, device_id: s.id, player_name: "R", value: 3 }
    const replies = await Promise.all(
      Array.from({ length: 12 }, () =>
        t.call("POST", "/v1/scores", { body, headers: { "idempotency-key": "once" } }),
      ),
    )
    expect(new Set(replies.map((r) => r.status))).toEqual(new Set([201]))
    expect(new Set(replies.map((r) => str(r.body.id))).size).toBe(1)
    expect(rows((await t.call("GET", `/v1/scores?device_id=${s.id}`)).body)).toHaveLength(1)
  })

  it("a refused client submission still spends its nonce", async () => {
    const t = await tenant(world, "Spender")
    const s = await session(world, t.gameId, "spender")
    const nonce = async () =>
      str((await world.anonymous("GET", "/v1/client/nonce", { token: s.access_token })).body.nonce_value)
    const post = (value: string, board: string) =>
      world.anonymous("POST", "/v1/client/scores", {
        token: s.access_token,
        body: { board_id: board, player_name: "S", value: 1 },
        headers: { "leadr-client-nonce": value },
      })
    const n1 = await nonce()
    expect((await post(n1, "brd_missing")).status).toBe(404)
    const again = await post(n1, t.boardId)
    expect(again.status).toBe(412)
    expect(again.body.detail).toMatch(/already used/)
    await t.call("PATCH", `/v1/devices/${s.id}`, { body: { status: "banned" } })
    const n2 = await nonce()
    expect((await post(n2, t.boardId)).status).toBe(403)
    await t.call("PATCH", `/v1/devices/${s.id}`, { body: { status: "active" } })
    expect((await post(n2, t.boardId)).status).toBe(412)
    expect((await post(await nonce(), t.boardId)).status).toBe(201)
  })

  it("velocity and duplicate flags point at the earlier submission", async () => {
    const t = await tenant(world, "Flagged")
    const s = await session(world, t.gameId, "flagged")
    const first = await clientScore(world, s.access_token, {
      board_id: t.boardId,
      player_name: "F",
      value: 5,
    })
    const second = await clientScore(world, s.access_token, {
      board_id: t.boardId,
      player_name: "F",
      value: 5,
    })
    expect([first.status, second.status]).toEqual([201, 201])
    const flags = rows((await t.call("GET", "/v1/score-flags")).body)
    expect(flags.map((f) => `${f.flag_type}:${f.confidence}`).sort()).toEqual([
      "duplicate:medium",
      "velocity:high",
    ])
    for (const flag of flags) expect(flag.score_event_id).toBe(second.body.id)
    const velocity = flags.find((f) => f.flag_type === ("velocity" as never))!
    expect(velocity.metadata).toMatchObject({ previous_score_id: first.body.id, threshold_seconds: 3600 })
    const duplicate = flags.find((f) => f.flag_type === ("duplicate" as never))!
    expect(duplicate.metadata).toMatchObject({ duplicate_of: first.body.id, window_seconds: 300 })
  })
})

describe("rate limit facts", () => {
  it("the 429's flag counts the hour's accepted submissions; the limit applies per board", async () => {
    const world = await start({ antiCheat: { rateLimitPerHour: 2, velocitySeconds: 0 } })
    try {
      const t = await tenant(world, "Limited")
      const other = await world.as(t.key)("POST", "/v1/boards", {
        body: { account_id: t.accountId, game_id: t.gameId, name: "Second Board" },
      })
      const s = await session(world, t.gameId, "limited")
      const submit = (board: string, value: number) =>
        clientScore(world, s.access_token, { board_id: board, player_name: "L", value })
      expect((await submit(t.boardId, 1)).status).toBe(201)
      expect((await submit(t.boardId, 2)).status).toBe(201)
      const limited = await submit(t.boardId, 3)
      expect(limited.status).toBe(429)
      expect(Number(limited.body.retry_after)).toBeGreaterThan(3500)
      expect((await submit(str(other.body.id), 4)).status).toBe(201)
      const flags = rows((await t.call("GET", "/v1/score-flags?flag_type=rate_limit")).body)
      expect(flags).toHaveLength(1)
      expect(flags[0]!.metadata).toEqual({ submissions_last_hour: 2, limit_per_hour: 2 })
      // The refused event never shows.
      expect(rows((await t.call("GET", `/v1/scores?board_id=${t.boardId}`)).body)).toHaveLength(2)
    } finally {
      await world.server.close()
    }
  })
})

describe("prepared statements", () => {
  it("are finalized before the database closes: the file is closed cleanly (no WAL left)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "leadr-close-"))
    try {
      const world = await start({ db: join(dir, "leadr.sqlite") })
      const t = await tenant(world, "Closer")
      const s = await session(world, t.gameId, "closer")
      expect(
        (await clientScore(world, s.access_token, { board_id: t.boardId, player_name: "C", value: 1 }))
          .status,
      ).toBe(201)
      expect(readdirSync(dir)).toContain("leadr.sqlite-wal")
      await world.server.close()
      expect(readdirSync(dir)).toEqual(["leadr.sqlite"])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe("AntiCheat.judge", () => {
  const config = { velocitySeconds: 2, duplicateWindowSeconds: 300, rateLimitPerHour: 100 }
  const now = "2025-01-01T00:00:10.000Z"
  const facts = fc.record({
    ac_enabled: fc.constantFrom(0, 1, null),
    ac_at_limit: fc.constantFrom(1, null),
    ac_last_id: fc.option(fc.constant("scr_last"), { nil: null }),
    ac_last_at: fc.option(
      fc.integer({ min: 0, max: 10_000 }).map((ms) => new Date(Date.parse(now) - ms).toISOString()),
      { nil: null },
    ),
    ac_duplicate_id: fc.option(fc.constant("scr_dup"), { nil: null }),
  })

  it("raises flags only with anti-cheat on; a limited submission gets no other flag", () => {
    fc.assert(
      fc.property(facts, (f) => {
        const verdict = AntiCheat.judge(config, f, now)
        if (f.ac_enabled !== 1) {
          expect(verdict).toEqual({ findings: [], limited: false })
          return
        }
        expect(verdict.limited).toBe(f.ac_at_limit === 1)
        if (verdict.limited) {
          expect(verdict.findings).toEqual([])
          return
        }
        const types = verdict.findings.map((x) => x.type)
        const recent =
          f.ac_last_id !== null && f.ac_last_at !== null && Date.parse(now) - Date.parse(f.ac_last_at) < 2000
        expect(types.includes("velocity")).toBe(recent)
        expect(types.includes("duplicate")).toBe(f.ac_duplicate_id !== null)
      }),
    )
  })

  it("a limit of zero refuses every submission of an anti-cheat game", () => {
    const facts = {
      ac_enabled: 1,
      ac_at_limit: null,
      ac_last_id: null,
      ac_last_at: null,
      ac_duplicate_id: null,
    }
    expect(AntiCheat.judge({ ...config, rateLimitPerHour: 0 }, facts, now).limited).toBe(true)
  })
})
