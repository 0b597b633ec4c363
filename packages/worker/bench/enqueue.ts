/**
 * The enqueue part of `bench:worker` alone, for profiling
 * (`node --cpu-prof packages/worker/bench/dist/bench/enqueue.js`): LEADR is a
 * closed port, so the drain fiber only backs off. Arguments: bursts (default 5),
 * `outbox` for the outbox alone (no drain fiber), checkpoint interval in ms.
 * Prints one line per run.
 */
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { createWorker, type Operation, Outbox } from "@leadr-toolkit/worker"
import * as Cause from "effect/Cause"
import * as ManagedRuntime from "effect/ManagedRuntime"

const dir = mkdtempSync(join(tmpdir(), "leadr-enqueue-"))
const turn = () => new Promise<void>((resolve) => setImmediate(resolve))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const op = (i: number): Operation.SubmitScore => ({
  _tag: "SubmitScore",
  board_id: "brd_0123456789abcdef0123456789abcdef",
  game_id: "gam_0123456789abcdef0123456789abcdef",
  device_id: `dev_${(i % 1000).toString().padStart(32, "0")}`,
  player_name: `player-${i % 1000}`,
  value: i,
})

// `outbox` as the second argument: the outbox alone, without the drain fiber, to tell their costs apart.
const outboxOnly = process.argv[3] === "outbox"
const worker: { enqueue: (op: Operation.Operation) => Promise<unknown>; close: () => Promise<void> } =
  outboxOnly
    ? await (async () => {
        const runtime = ManagedRuntime.make(Outbox.layer({ filename: join(dir, "outbox.sqlite") }))
        const outbox = await runtime.runPromise(Outbox.Outbox)
        return {
          enqueue: (op) =>
            new Promise((resolve, reject) =>
              outbox.unsafeEnqueue(op, (failure, receipt) =>
                failure === undefined ? resolve(receipt) : reject(Cause.squash(failure)),
              ),
            ),
          close: () => runtime.dispose(),
        }
      })()
    : await createWorker({
        filename: join(dir, "outbox.sqlite"),
        baseUrl: "http://127.0.0.1:9",
        checkpointMs: process.argv[4] === undefined ? undefined : Number(process.argv[4]),
      })
const burst = async () => {
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  const started = performance.now()
  let done = 0
  await new Promise<void>((resolve, reject) => {
    const settle = () => {
      if (++done === 10_000) resolve()
    }
    void (async () => {
      for (let i = 0; i < 10_000; i += 250) {
        for (let j = i; j < i + 250; j++) worker.enqueue(op(j)).then(settle, reject)
        await turn()
      }
    })()
  })
  delay.disable()
  return {
    perSecond: Math.round(10_000 / ((performance.now() - started) / 1000)),
    loopP99: delay.percentile(99) / 1e6,
  }
}
const steady = async (rate: number, seconds: number) => {
  const total = rate * seconds
  const latencies = new Float64Array(total)
  let done = 0
  let finish: () => void = () => {}
  const all = new Promise<void>((resolve) => {
    finish = resolve
  })
  const started = performance.now()
  let sent = 0
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate))
    for (; sent < due; sent++) {
      const i = sent
      const t = performance.now()
      worker.enqueue(op(i)).then(() => {
        latencies[i] = performance.now() - t
        if (++done === total) finish()
      })
    }
    await sleep(1)
  }
  await all
  const sorted = Array.from(latencies).sort((a, b) => a - b)
  return { p50: sorted[total >> 1]!, p99: sorted[Math.floor(total * 0.99)]! }
}
const runs = Number(process.argv[2] ?? 5)
for (let i = 0; i < runs; i++) console.log(JSON.stringify({ burst: await burst() }))
for (let i = 0; i < 3; i++) console.log(JSON.stringify({ steady: await steady(5_000, 2) }))
await worker.close()
process.exit(0)
