import { Coalescing } from "@leadr-toolkit/worker"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

interface Write {
  readonly seq: number
  readonly device: number
  readonly value: number
}

/** The service, as a model: what a board keeps per device after each write. */
const apply = (rules: Coalescing.BoardRules, board: Map<number, Array<Write>>, write: Write) => {
  const kept = board.get(write.device) ?? []
  switch (rules.keep) {
    case "ALL":
      board.set(write.device, [...kept, write])
      return
    case "FIRST_ONLY":
      if (kept.length === 0) board.set(write.device, [write])
      return
    case "LATEST_ONLY":
      board.set(write.device, [write])
      return
    case "BEST_ONLY":
      if (kept.length === 0 || Coalescing.beats(rules.sort, write.value, kept[0]!.value)) {
        board.set(write.device, [write])
      }
  }
}

/** The final board as comparable data: every kept write, by device then sequence. */
const snapshot = (board: Map<number, Array<Write>>) =>
  [...board.entries()]
    .sort(([a], [b]) => a - b)
    .map(([device, writes]) => [device, writes.map((w) => w.seq)] as const)

const rulesArb = fc.record({
  keep: fc.constantFrom("FIRST_ONLY", "BEST_ONLY", "LATEST_ONLY", "ALL" as const),
  sort: fc.constantFrom("ASCENDING", "DESCENDING" as const),
})

/** Writes (small value range, so ties happen) and, per step, how many pending writes of a device one drain round takes. */
const scenarioArb = fc.record({
  rules: rulesArb,
  writes: fc.array(fc.record({ device: fc.nat(3), value: fc.integer({ min: 0, max: 5 }) }), {
    maxLength: 40,
  }),
  rounds: fc.array(
    fc.record({ device: fc.nat(3), take: fc.integer({ min: 1, max: 6 }), arrivals: fc.nat(4) }),
    {
      maxLength: 80,
    },
  ),
})

describe("Coalescing.plan", () => {
  it("any grouping of the pending writes into drain rounds gives the board that sending every write gives", () => {
    fc.assert(
      fc.property(scenarioArb, ({ rules, writes: raw, rounds }) => {
        const writes = raw.map((w, seq): Write => ({ ...w, seq }))
        const naive = new Map<number, Array<Write>>()
        for (const write of writes) apply(rules, naive, write)

        // Writes arrive over time; each round drains a prefix of one device's pending writes.
        const coalesced = new Map<number, Array<Write>>()
        const pending = new Map<number, Array<Write>>()
        let arrived = 0
        const arrive = (n: number) => {
          for (const write of writes.slice(arrived, arrived + n)) {
            pending.set(write.device, [...(pending.get(write.device) ?? []), write])
          }
          arrived = Math.min(writes.length, arrived + n)
        }
        const drain = (device: number, take: number) => {
          const queue = pending.get(device) ?? []
          const batch = queue.slice(0, take)
          pending.set(device, queue.slice(take))
          const { send, superseded } = Coalescing.plan(rules, batch, (w) => w.value)
          expect(send.length + superseded.length).toBe(batch.length)
          for (const write of send) apply(rules, coalesced, write)
        }
        for (const round of rounds) {
          arrive(round.arrivals)
          drain(round.device, round.take)
        }
        arrive(writes.length)
        for (const device of [...pending.keys()]) drain(device, Number.MAX_SAFE_INTEGER)

        expect(snapshot(coalesced)).toEqual(snapshot(naive))
      }),
      { numRuns: 2_000 },
    )
  })

  it("sends one write per device for the single-score strategies and every write, in order, for ALL", () => {
    fc.assert(
      fc.property(rulesArb, fc.array(fc.integer(), { minLength: 1, maxLength: 30 }), (rules, values) => {
        const { send, superseded } = Coalescing.plan(rules, values, (v) => v)
        if (rules.keep === "ALL") {
          expect(send).toEqual(values)
          expect(superseded).toEqual([])
        } else {
          expect(send).toHaveLength(1)
          expect(superseded).toHaveLength(values.length - 1)
        }
      }),
    )
  })

  it("picks the first, the latest, or the first of the best by sort direction", () => {
    const values = [3, 9, 1, 9, 1]
    const pick = (keep: Coalescing.BoardRules["keep"], sort: Coalescing.BoardRules["sort"]) =>
      Coalescing.plan(
        { keep, sort },
        values.map((value, index) => ({ value, index })),
        (w) => w.value,
      ).send
    expect(pick("FIRST_ONLY", "DESCENDING")).toEqual([{ value: 3, index: 0 }])
    expect(pick("LATEST_ONLY", "DESCENDING")).toEqual([{ value: 1, index: 4 }])
    expect(pick("BEST_ONLY", "DESCENDING")).toEqual([{ value: 9, index: 1 }])
    expect(pick("BEST_ONLY", "ASCENDING")).toEqual([{ value: 1, index: 2 }])
  })
})
