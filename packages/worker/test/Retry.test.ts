import { LeadrError } from "@leadr-toolkit/core"
import { Retry } from "@leadr-toolkit/worker"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

describe("Retry", () => {
  it("classifies transport, 5xx, 408, 409, 412 and 429 as retryable, other 4xx as permanent", () => {
    const verdict = (error: LeadrError.LeadrError) => Retry.classify(error)._tag
    expect(verdict(new LeadrError.TransportError({ reason: "Transport", detail: "ECONNRESET" }))).toBe(
      "Retry",
    )
    expect(verdict(new LeadrError.ServerError({ status: 503, detail: "" }))).toBe("Retry")
    expect(verdict(new LeadrError.ServerError({ status: 408, detail: "" }))).toBe("Retry")
    expect(verdict(new LeadrError.Conflict({ detail: "" }))).toBe("Retry")
    expect(verdict(new LeadrError.PreconditionFailed({ detail: "" }))).toBe("Retry")
    expect(Retry.classify(new LeadrError.RateLimited({ detail: "", retry_after: 3 }))).toEqual({
      _tag: "Retry",
      minDelayMs: 3_000,
      outage: true,
    })
    for (const error of [
      new LeadrError.BadRequest({ detail: "" }),
      new LeadrError.Unauthorized({ detail: "" }),
      new LeadrError.Forbidden({ detail: "" }),
      new LeadrError.NotFound({ detail: "" }),
      new LeadrError.ValidationFailed({ detail: [] }),
      new LeadrError.ServerError({ status: 418, detail: "" }),
    ]) {
      expect(verdict(error)).toBe("Permanent")
    }
  })

  it("full jitter stays within [Retry-After, min(cap, base × 2^attempts)]", () => {
    fc.assert(
      fc.property(
        fc.nat(40),
        fc.nat(120_000),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempts, minDelay, random) => {
          const policy = Retry.defaultPolicy
          const delay = Retry.backoff(policy, attempts, minDelay, random)
          const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** attempts)
          expect(delay).toBeGreaterThanOrEqual(minDelay)
          expect(delay).toBeLessThanOrEqual(Math.max(minDelay, ceiling))
        },
      ),
    )
  })

  it("the circuit opens after consecutive outage failures, counts late failures once, probes, and closes on success", () => {
    const circuit = new Retry.Circuit({ ...Retry.defaultPolicy, baseMs: 100, circuitCapMs: 1_000 }, () => 0.5)
    circuit.failure(0)
    circuit.failure(0)
    expect(circuit.state(0)).toBe("closed")
    circuit.failure(0)
    expect(circuit.state(0)).toBe("open")
    const resumes = circuit.resumesAt(0)
    expect(resumes).toBeGreaterThan(0)
    // Requests that were already on the wire fail while it is open: the same outage.
    circuit.failure(1)
    expect(circuit.resumesAt(1)).toBe(resumes)
    expect(circuit.state(resumes)).toBe("half-open")
    circuit.failure(resumes)
    expect(circuit.resumesAt(resumes) - resumes).toBeGreaterThan(resumes)
    circuit.success()
    expect(circuit.state(10_000)).toBe("closed")
  })
})
