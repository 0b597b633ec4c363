import { ScoreSubmission } from "@leadr-toolkit/colyseus-plugin"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"

describe("ScoreSubmission.validate", () => {
  it("accepts every finite number", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const result = ScoreSubmission.validate(value, "Player", undefined)
        expect(Either.isRight(result) && result.right.value).toBe(value)
      }),
    )
  })

  it("rejects anything else with a typed error naming the field, never the value", () => {
    const notScores = fc.oneof(
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null, undefined),
      fc.string(),
      fc.boolean(),
      fc.object(),
      fc.array(fc.integer()),
    )
    fc.assert(
      fc.property(notScores, (value) => {
        const result = ScoreSubmission.validate(value, "Player", undefined)
        expect(Either.isLeft(result)).toBe(true)
        if (Either.isLeft(result)) {
          expect(result.left._tag).toBe("InvalidScore")
          expect(result.left.field).toBe("value")
        }
      }),
    )
  })

  it("bounds names, display values and metadata", () => {
    const field = (extras: unknown) =>
      Either.match(ScoreSubmission.validate(1, "P", extras), {
        onLeft: (e) => e.field,
        onRight: () => "ok",
      })
    expect(field({ playerName: "a".repeat(101) })).toBe("playerName")
    expect(field({ playerName: "bad\u0007" })).toBe("playerName")
    expect(field({ displayValue: 12 })).toBe("displayValue")
    expect(field({ metadata: { blob: "y".repeat(ScoreSubmission.MAX_METADATA_BYTES) } })).toBe("metadata")
    expect(field({ metadata: "text" })).toBe("metadata")
    expect(field({ playerName: "  Ann  ", displayValue: "1:02", metadata: { a: 1 } })).toBe("ok")
    const ok = ScoreSubmission.validate(1, "P", { playerName: "  Ann  " })
    expect(Either.isRight(ok) && ok.right.playerName).toBe("Ann")
  })
})
