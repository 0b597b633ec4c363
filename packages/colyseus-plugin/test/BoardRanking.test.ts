import { BoardRanking } from "@leadr-toolkit/colyseus-plugin"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"

const direction = fc.constantFrom("ASCENDING" as const, "DESCENDING" as const)
const keep = fc.constantFrom(
  "FIRST_ONLY" as const,
  "BEST_ONLY" as const,
  "LATEST_ONLY" as const,
  "ALL" as const,
)
const player = fc.constantFrom("dev_a", "dev_b", "dev_c", "dev_d")
const value = fc.integer({ min: -50, max: 50 })

const confirmed = fc.array(
  fc.record({ deviceId: player, playerName: fc.constant("p"), value, displayValue: fc.constant(null) }),
  { maxLength: 10 },
)
const optimistic = fc.array(
  fc.record({
    deviceId: player,
    playerKey: fc.constant("fp"),
    playerName: fc.constant("q"),
    value,
    displayValue: fc.constant(undefined),
    expiresAt: fc.constant(Number.MAX_SAFE_INTEGER),
  }),
  { maxLength: 10 },
)

describe("BoardRanking.rank", () => {
  it("sorts by the board's direction, ranks 1..n with ties sharing a rank, and respects the limit", () => {
    fc.assert(
      fc.property(
        direction,
        keep,
        confirmed,
        optimistic,
        fc.integer({ min: 1, max: 30 }),
        (d, k, c, o, limit) => {
          const rows = BoardRanking.rank({ sortDirection: d, keepStrategy: k }, c, o, limit)
          expect(rows.length).toBeLessThanOrEqual(limit)
          rows.forEach((row, i) => {
            if (i === 0) {
              expect(row.rank).toBe(1)
              return
            }
            const previous = rows[i - 1]!
            expect(BoardRanking.better(d, row.value, previous.value)).toBe(false)
            expect(row.rank).toBe(previous.value === row.value ? previous.rank : i + 1)
          })
        },
      ),
    )
  })

  it("keeps one row per player unless the board keeps ALL, and BEST_ONLY keeps each player's best", () => {
    fc.assert(
      fc.property(direction, confirmed, optimistic, (d, c, o) => {
        // A board keeping the best holds, per device, the best confirmed score.
        const best = new Map<string, number>()
        for (const s of c) {
          const known = best.get(s.deviceId)
          if (known === undefined || BoardRanking.better(d, s.value, known)) best.set(s.deviceId, s.value)
        }
        const unique = [...best].map(([deviceId, v]) => ({
          deviceId,
          playerName: "p",
          value: v,
          displayValue: null,
        }))
        const rows = BoardRanking.rank({ sortDirection: d, keepStrategy: "BEST_ONLY" }, unique, o, 100)
        const keys = rows.map((r) => r.playerKey)
        expect(new Set(keys).size).toBe(keys.length)
        for (const s of [...unique, ...o]) {
          const row = rows.find((r) => r.playerKey === s.deviceId)!
          expect(row.value === s.value || BoardRanking.better(d, row.value, s.value)).toBe(true)
        }
      }),
    )
  })

  it("marks optimistic rows pending, and a read confirms them", () => {
    const rules = { sortDirection: "DESCENDING" as const, keepStrategy: "BEST_ONLY" as const }
    const score = {
      deviceId: "dev_a",
      playerKey: "fp",
      playerName: "A",
      value: 10,
      displayValue: undefined,
      expiresAt: Number.MAX_SAFE_INTEGER,
    }
    expect(BoardRanking.rank(rules, [], [score], 10)).toMatchObject([{ rank: 1, value: 10, pending: true }])
    const read = [{ deviceId: "dev_a", playerName: "A", value: 12, displayValue: null }]
    expect(BoardRanking.isConfirmed(rules, read, score)).toBe(true)
    expect(BoardRanking.isConfirmed(rules, [{ ...read[0]!, value: 9 }], score)).toBe(false)
  })

  it("cuts a player's window around their row", () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({
      rank: i + 1,
      playerKey: `k${i}`,
      playerName: `p${i}`,
      value: 100 - i,
      displayValue: String(100 - i),
      pending: false,
    }))
    expect(BoardRanking.around(rows, "k5", 2).map((r) => r.rank)).toEqual([4, 5, 6, 7, 8])
    expect(BoardRanking.around(rows, "k0", 2).map((r) => r.rank)).toEqual([1, 2, 3])
    expect(BoardRanking.around(rows, "nobody", 2)).toEqual([])
  })
})
