/**
 * Devices on join, against the real local LEADR server behind a counting
 * proxy, with real Colyseus rooms and SDK clients.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Room as SdkRoom } from "@colyseus/sdk"
import { Leadr, LeadrPlugin } from "@leadr-toolkit/colyseus-plugin"
import { Device } from "@leadr-toolkit/core"
import { createWorker, type PromiseWorker } from "@leadr-toolkit/worker"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { type CountingProxy, startCountingProxy } from "./support/CountingProxy.js"
import {
  eventually,
  makeTestRoom,
  nextMessage,
  startGameServer,
  type TestGameServer,
  whoami,
} from "./support/GameServer.js"
import { startTestLeadr, type TestLeadr } from "./support/Leadr.js"

const secret = Redacted.make("plugin-tests-fingerprint-secret-0123456789")
const sessionsStarted = (line: string) => line === "POST /v1/client/sessions"

let leadr: TestLeadr
let proxy: CountingProxy
let outage: CountingProxy
let dir: string
let workers: Array<PromiseWorker.PromiseWorker> = []
let services: Array<Awaited<ReturnType<typeof Leadr.create>>> = []
let game: TestGameServer
/** Everything clients received (messages as JSON, state snapshots), and everything logged. */
const wire: Array<string> = []
const logged: Array<string> = []

const capture = (room: SdkRoom) => {
  const target = room as unknown as { dispatchMessage: (type: string | number, message: unknown) => void }
  const dispatch = target.dispatchMessage.bind(room)
  target.dispatchMessage = (type, message) => {
    wire.push(JSON.stringify([type, message]))
    dispatch(type, message)
  }
  room.onStateChange((state) => wire.push(JSON.stringify((state as { toJSON(): unknown }).toJSON())))
  return room
}

const joinRoom = async (name: string, options: Record<string, unknown>) =>
  capture(await game.sdk.create(name, options))

beforeAll(async () => {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream)
    vi.spyOn(stream, "write").mockImplementation(((chunk: string | Uint8Array, ...rest: Array<never>) => {
      logged.push(String(chunk))
      return write(chunk, ...rest)
    }) as typeof stream.write)
  }
  leadr = await startTestLeadr()
  proxy = await startCountingProxy(leadr.url)
  outage = await startCountingProxy(leadr.url)
  dir = await mkdtemp(join(tmpdir(), "leadr-plugin-devices-"))
  const make = async (url: string, name: string, extra: Partial<Parameters<typeof Leadr.create>[0]> = {}) => {
    const worker = await createWorker({
      baseUrl: url,
      apiKey: leadr.apiKey,
      filename: join(dir, `${name}.sqlite`),
    })
    workers.push(worker)
    const service = await Leadr.create({
      url,
      apiKey: Redacted.make(leadr.apiKey),
      gameId: leadr.gameId,
      fingerprintSecret: secret,
      refreshInterval: 200,
      worker,
      ...extra,
    })
    services.push(service)
    return service
  }
  const plain = await make(proxy.url, "plain")
  const flaky = await make(outage.url, "outage", { joinTimeout: 300, requestTimeout: 1000 })
  const strict = await make(proxy.url, "strict", { rejectSuspended: true })
  const Plain = makeTestRoom(plain, leadr.boardId)
  // A room with its own static onAuth: Colyseus skips instance and plugin onAuth for it.
  class StaticAuth extends Plain {
    static async onAuth(): Promise<unknown> {
      return { via: "static onAuth" }
    }
  }
  game = await startGameServer({
    plain: Plain,
    static: StaticAuth,
    outage: makeTestRoom(flaky, leadr.boardId),
    strict: makeTestRoom(strict, leadr.boardId),
  })
})

afterAll(async () => {
  await game?.close()
  for (const service of services) await service.close()
  for (const worker of workers) await worker.close()
  await proxy?.close()
  await outage?.close()
  await leadr?.close()
  await rm(dir, { recursive: true, force: true })
  vi.restoreAllMocks()
  services = []
  workers = []
})

describe("device registration", () => {
  it("registers the player as a LEADR device and attaches it to the client", async () => {
    const before = proxy.count(sessionsStarted)
    const room = await joinRoom("plain", { installId: "install-alice", name: "Alice" })
    const me = await whoami(room)
    expect(me.device?.status).toBe("active")
    expect(me.device?.playerName).toBe("Alice")
    expect(me.device?.id).toMatch(/^dev_/)
    expect(me.userData?.leadr?.id).toBe(me.device?.id)
    expect(proxy.count(sessionsStarted)).toBe(before + 1)
    const device = await leadr.admin((admin) =>
      admin.devices.get({ path: { device_id: me.device!.id! }, urlParams: {} }),
    )
    expect(device.game_id).toBe(leadr.gameId)
    expect(device.platform).toBe(null)
    await room.leave()
  })

  it("serves returning devices from the cache: no request on their join", async () => {
    const first = await joinRoom("plain", { installId: "install-bob", name: "Bob" })
    const id = (await whoami(first)).device?.id
    await first.leave()
    const before = proxy.count(sessionsStarted)
    const again = await Promise.all([1, 2, 3].map(() => joinRoom("plain", { installId: "install-bob" })))
    for (const room of again) expect((await whoami(room)).device?.id).toBe(id)
    expect(proxy.count(sessionsStarted)).toBe(before)
    for (const room of again) await room.leave()
  })

  it("gives a client without an install id a new one, and the same device when it comes back with it", async () => {
    const room = await game.sdk.create("plain", { name: "Newcomer" })
    const install = nextMessage<{ installId: string }>(room, "leadr:install")
    capture(room)
    const { installId } = await install
    expect(installId).toMatch(/^[0-9a-f-]{36}$/)
    const id = (await whoami(room)).device?.id
    await room.leave()
    const back = await joinRoom("plain", { installId })
    expect((await whoami(back)).device?.id).toBe(id)
    await back.leave()
  })

  it("does not crash on bad join options: the player joins with a fresh install id and a default name", async () => {
    const bad: Array<Record<string, unknown>> = [
      { installId: 42, name: { evil: true } },
      { installId: "x".repeat(5000), name: "\u0000\u202e" },
      { installId: "", name: "" },
      { installId: ["array"], name: "y".repeat(500) },
    ]
    for (const options of bad) {
      const room = await joinRoom("plain", options)
      const me = await whoami(room)
      expect(me.device?.playerName).toMatch(/^Player-[0-9a-f]{4}$/)
      expect(me.device?.status).toBe("active")
      await room.leave()
    }
    const fine = await joinRoom("plain", { installId: "after-bad-options", name: "Fine" })
    expect((await whoami(fine)).device?.playerName).toBe("Fine")
    await fine.leave()
  })
})

describe("rooms with their own static onAuth", () => {
  it("admits the player in onJoin instead (no request hints there), returning devices from the cache", async () => {
    const first = await joinRoom("static", { installId: "install-static", name: "Static" })
    const me = await whoami(first)
    expect(me.device?.status).toBe("active")
    expect(me.device?.id).toMatch(/^dev_/)
    expect(me.device?.playerName).toBe("Static")
    await first.leave()
    const before = proxy.count(sessionsStarted)
    const again = await joinRoom("static", { installId: "install-static" })
    expect((await whoami(again)).device?.id).toBe(me.device?.id)
    expect(proxy.count(sessionsStarted)).toBe(before)
    await again.leave()
  })
})

describe("moderation", () => {
  it("kicks a connected player banned through the Devices API, and rejects the device at its next join", async () => {
    const room = await joinRoom("plain", { installId: "install-mallory", name: "Mallory" })
    const id = (await whoami(room)).device!.id!
    const left = new Promise<number>((resolve) => room.onLeave((code) => resolve(code)))
    const errored = new Promise<[number, string | undefined]>((resolve) =>
      room.onError((code, message) => resolve([code, message])),
    )
    await leadr.admin((admin) =>
      admin.devices.update({
        path: { device_id: id },
        urlParams: {},
        payload: new Device.DeviceUpdateRequest({ status: "banned" }),
      }),
    )
    expect(await left).toBe(LeadrPlugin.JoinErrorCode.DEVICE_BANNED)
    expect((await errored)[0]).toBe(LeadrPlugin.JoinErrorCode.DEVICE_BANNED)

    const before = proxy.count(sessionsStarted)
    const rejected = await game.sdk.create("plain", { installId: "install-mallory" }).then(
      () => undefined,
      (error: { code: number; message: string }) => error,
    )
    expect(rejected?.code).toBe(LeadrPlugin.JoinErrorCode.DEVICE_BANNED)
    expect(rejected?.message).toMatch(/^LEADR_DEVICE_BANNED/)
    // The sweep already knew: the rejection cost no request.
    expect(proxy.count(sessionsStarted)).toBe(before)
  })

  it("lets suspended devices play (by default) but not submit scores", async () => {
    const room = await joinRoom("plain", { installId: "install-sus", name: "Sus" })
    const id = (await whoami(room)).device!.id!
    await leadr.admin((admin) =>
      admin.devices.update({
        path: { device_id: id },
        urlParams: {},
        payload: new Device.DeviceUpdateRequest({ status: "suspended" }),
      }),
    )
    await eventually(async () => ((await whoami(room)).device?.status === "suspended" ? true : undefined))
    const outcome = nextMessage<{ tag: string; error: string }>(room, "score:outcome")
    room.send("score", { value: 10 })
    expect(await outcome).toMatchObject({ tag: "Rejected", error: "NotAllowed" })
    await room.leave()
    // With rejectSuspended, the same device is refused at join.
    const refused = await game.sdk.create("strict", { installId: "install-sus" }).then(
      () => undefined,
      (error: { code: number; message: string }) => error,
    )
    expect(refused?.code).toBe(LeadrPlugin.JoinErrorCode.DEVICE_SUSPENDED)
    expect(refused?.message).toMatch(/^LEADR_DEVICE_SUSPENDED/)
  })
})

describe("LEADR outage", () => {
  it("never blocks a join: the player joins pending, and the registration lands when LEADR is back", async () => {
    outage.setMode("hang")
    const room = await joinRoom("outage", { installId: "install-during-outage", name: "Patient" })
    const me = await whoami(room)
    expect(me.device?.status).toBe("pending")
    expect(me.device?.id).toBeUndefined()
    // Scores of a pending device are queued too (through its own device session).
    const outcome = nextMessage<{ tag: string }>(room, "score:outcome")
    room.send("score", { value: 5 })
    expect((await outcome).tag).toBe("Accepted")

    outage.setMode("forward")
    const registered = await eventually(async () => {
      const now = await whoami(room)
      return now.device?.status === "active" ? now : undefined
    })
    expect(registered.device?.id).toMatch(/^dev_/)
    expect(registered.userData?.leadr?.id).toBe(registered.device?.id)
    await room.leave()
  })

  it("rejects a device whose background registration reveals a ban, by kicking it", async () => {
    // Registered and banned while LEADR is reachable...
    const first = await joinRoom("plain", { installId: "install-banned-later", name: "Later" })
    const id = (await whoami(first)).device!.id!
    await first.leave()
    await leadr.admin((admin) =>
      admin.devices.update({
        path: { device_id: id },
        urlParams: {},
        payload: new Device.DeviceUpdateRequest({ status: "banned" }),
      }),
    )
    // ...then joins a process that cannot reach LEADR: it gets in, and out once LEADR answers.
    outage.setMode("hang")
    const room = await joinRoom("outage", { installId: "install-banned-later" })
    expect((await whoami(room)).device?.status).toBe("pending")
    const left = new Promise<number>((resolve) => room.onLeave((code) => resolve(code)))
    outage.setMode("forward")
    expect(await left).toBe(LeadrPlugin.JoinErrorCode.DEVICE_BANNED)
  })
})

describe("secrets", () => {
  it("never puts the API key in room state, messages or logs", () => {
    expect(wire.length).toBeGreaterThan(10)
    for (const line of [...wire, ...logged]) expect(line).not.toContain(leadr.apiKey)
  })
})
