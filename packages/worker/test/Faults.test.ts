import { startLocalServer } from "@leadr-toolkit/server"
import { createWorker, type Operation } from "@leadr-toolkit/worker"
import { afterAll, beforeAll, expect, it } from "vitest"
import { type FaultProxy, startFaultProxy } from "./support/FaultProxy.js"
import { listScores, setupGame } from "./support/fixtures.js"
import { tempDb } from "./support/tmp.js"

let server: Awaited<ReturnType<typeof startLocalServer>>
let proxy: FaultProxy
beforeAll(async () => {
  server = await startLocalServer({ port: 0 })
  proxy = await startFaultProxy(server.url)
})
afterAll(async () => {
  await proxy.close()
  await server.close()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

it("an outage, then 30% 5xx, 429s with Retry-After, resets mid-request and slow responses: everything arrives once, with a bounded number of requests", async () => {
  const fixture = await setupGame(server.url, server.superadminKey, {
    boards: [{ name: "all", keep: "ALL" }],
    devices: 20,
  })
  const score = (i: number): Operation.SubmitScore => ({
    _tag: "SubmitScore",
    board_id: fixture.boards.all!,
    game_id: fixture.gameId,
    device_id: fixture.devices[i % 20]!,
    player_name: `p${i}`,
    value: i,
  })
  const worker = await createWorker({
    filename: tempDb(),
    baseUrl: proxy.url,
    apiKey: server.superadminKey,
    concurrency: 8,
    timeout: "2 seconds",
    retry: { baseMs: 50, capMs: 500, circuitThreshold: 3, circuitCapMs: 400 },
  })
  try {
    // LEADR is down: writes are accepted (durable) and the worker backs off as a whole.
    proxy.set({ down: true })
    const before = proxy.total()
    for (let i = 0; i < 200; i++) await worker.enqueue(score(i))
    await sleep(2_000)
    const duringOutage = proxy.total() - before
    expect((await worker.stats()).delivered).toBe(0)
    expect(await worker.deadLetters()).toEqual([])

    // It comes back flaky.
    proxy.set({ serverErrors: 0.3, rateLimits: 0.1, retryAfterSeconds: 1, resets: 0.1, slowMs: 20 })
    for (let i = 200; i < 300; i++) await worker.enqueue(score(i))
    await sleep(3_000)
    proxy.set({})
    const flushed = await worker.flush(30_000)
    expect(flushed).toEqual({ drained: true, remaining: 0 })
    const stats = await worker.stats()
    expect(stats.delivered).toBe(300)
    expect(stats.retried).toBeGreaterThan(0)
    expect(await worker.deadLetters()).toEqual([])

    // Bounded: the outage cost a handful of probes, not one request per write per backoff step.
    expect(duringOutage).toBeLessThan(60)
    expect(proxy.seen().get("POST /v1/scores") ?? 0).toBeLessThan(300 * 3)
  } finally {
    await worker.close()
  }
  // Resets happened after the server committed: the idempotency key kept those from landing twice.
  const scores = await listScores(fixture, fixture.boards.all!)
  const values = scores.map((s) => s.value).sort((a, b) => a - b)
  expect(values).toEqual(Array.from({ length: 300 }, (_, i) => i))
})
