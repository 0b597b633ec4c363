import { BoundedCache } from "@leadr-toolkit/colyseus-plugin"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"

type Op = { readonly kind: "get" | "set" | "delete"; readonly key: number }

const ops = fc.array(
  fc.record({
    kind: fc.constantFrom<Op["kind"]>("get", "set", "delete"),
    key: fc.integer({ min: 0, max: 20 }),
  }),
  { maxLength: 200 },
)

describe("BoundedCache", () => {
  it("never holds more than its capacity and behaves as an LRU model", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), ops, (capacity, script) => {
        const cache = new BoundedCache.BoundedCache<number, number>(capacity)
        // The model: keys, least recently used first.
        let model: Array<number> = []
        for (const op of script) {
          if (op.kind === "set") {
            cache.set(op.key, op.key * 10)
            model = model.filter((k) => k !== op.key)
            model.push(op.key)
            if (model.length > capacity) model.shift()
          } else if (op.kind === "get") {
            const value = cache.get(op.key)
            expect(value).toBe(model.includes(op.key) ? op.key * 10 : undefined)
            if (model.includes(op.key)) model = [...model.filter((k) => k !== op.key), op.key]
          } else {
            cache.delete(op.key)
            model = model.filter((k) => k !== op.key)
          }
          expect(cache.size).toBeLessThanOrEqual(capacity)
          expect([...cache.values()]).toEqual(model.map((k) => k * 10))
        }
      }),
    )
  })

  it("refuses a capacity that is not a positive integer", () => {
    expect(() => new BoundedCache.BoundedCache(0)).toThrow(RangeError)
    expect(() => new BoundedCache.BoundedCache(1.5)).toThrow(RangeError)
  })
})
