/**
 * One incarnation of the crash test: enqueues its share of scores at a steady
 * pace, printing `ack <seq>` for each one once `enqueue` resolved (durable),
 * then drains. The parent kills it with SIGKILL at random moments.
 *
 * argv: <url> <apiKey> <outbox file> <json config>
 */
import { createWorker } from "@leadr-toolkit/worker"

interface ChildConfig {
  readonly gameId: string
  readonly boardId: string
  readonly devices: ReadonlyArray<string>
  readonly from: number
  readonly count: number
  readonly perTick: number
}

const [url, apiKey, filename, json] = process.argv.slice(2)
const config = JSON.parse(json!) as ChildConfig
const worker = await createWorker({
  filename: filename!,
  baseUrl: url!,
  apiKey: apiKey!,
  concurrency: 8,
  retry: { baseMs: 50, capMs: 1_000, circuitCapMs: 1_000 },
})
process.stdout.write("ready\n")

const pending: Array<Promise<void>> = []
let next = config.from
const end = config.from + config.count
await new Promise<void>((resolve) => {
  const tick = () => {
    for (let i = 0; i < config.perTick && next < end; i++) {
      const seq = next++
      const device = config.devices[seq % config.devices.length]!
      pending.push(
        worker
          .enqueue({
            _tag: "SubmitScore",
            board_id: config.boardId,
            game_id: config.gameId,
            device_id: device,
            player_name: `p${seq}`,
            value: seq,
            metadata: { seq },
          })
          .then(() => {
            process.stdout.write(`ack ${seq}\n`)
          }),
      )
    }
    if (next < end) setTimeout(tick, 5)
    else resolve()
  }
  tick()
})
await Promise.all(pending)
process.stdout.write("enqueued\n")
for (;;) {
  const result = await worker.flush(30_000)
  if (result.drained) break
}
await worker.close()
process.stdout.write("drained\n")
