/**
 * The service as an Effect Layer, configured through `Config`, over the
 * worker's `Worker.Worker` and a real local server.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Leadr } from "@leadr-toolkit/colyseus-plugin"
import { Worker } from "@leadr-toolkit/worker"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestLeadr, type TestLeadr } from "./support/Leadr.js"

let leadr: TestLeadr
let dir: string

beforeAll(async () => {
  leadr = await startTestLeadr()
  dir = await mkdtemp(join(tmpdir(), "leadr-plugin-layer-"))
})

afterAll(async () => {
  await leadr?.close()
  await rm(dir, { recursive: true, force: true })
})

describe("Leadr.layerConfig", () => {
  it("reads its configuration through Config, registers devices and queues scores through the Worker service", async () => {
    const config = ConfigProvider.fromMap(
      new Map([
        ["LEADR_URL", leadr.url],
        ["LEADR_API_KEY", leadr.apiKey],
        ["LEADR_GAME_ID", leadr.gameId],
        ["LEADR_FINGERPRINT_SECRET", "layer-tests-fingerprint-secret-0123456789"],
        ["LEADR_REFRESH_MS", "250"],
      ]),
    )
    const worker = Worker.layer({
      baseUrl: leadr.url,
      apiKey: Redacted.make(leadr.apiKey),
      filename: join(dir, "outbox.sqlite"),
    })
    const live = Leadr.layerConfig.pipe(
      Layer.provideMerge(worker),
      Layer.provide(NodeHttpClient.layerUndici),
      Layer.provide(Layer.setConfigProvider(config)),
    )
    const program = Effect.gen(function* () {
      const service = yield* Leadr.Leadr
      expect(Duration.toMillis(service.refreshInterval)).toBe(250)
      const fingerprint = Either.getOrThrow(
        service.fingerprint("layer-install", { userAgent: "Mozilla/5.0 Chrome/120" }),
      )
      const first = yield* service.devices.admit(fingerprint)
      expect(first.fromCache).toBe(false)
      expect(first.device.status).toBe("active")
      const again = yield* service.devices.admit(fingerprint)
      expect(again.fromCache).toBe(true)
      yield* service.submit({ fingerprint, deviceId: first.device.id }, leadr.boardId, {
        value: 42,
        playerName: "Layer",
        displayValue: undefined,
        metadata: undefined,
      })
      const flushed = yield* (yield* Worker.Worker).flush("10 seconds")
      expect(flushed.drained).toBe(true)
      return first.device.id
    })
    const deviceId = await Effect.runPromise(
      Effect.scoped(Layer.build(live).pipe(Effect.flatMap((ctx) => Effect.provide(program, ctx)))),
    )
    const scores = await leadr.admin((admin) =>
      admin.scores.list({ urlParams: { board_id: leadr.boardId, device_id: deviceId } }),
    )
    expect(scores.data.map((s) => s.value)).toEqual([42])
  })
})
