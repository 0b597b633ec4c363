/**
 * The crash test: a child process enqueues 10,000 scores and is killed with
 * SIGKILL at 20 random moments; each restart resumes from the same outbox
 * file. Afterwards every acknowledged write must be on the local server, and
 * none twice.
 *
 * `npm run test:crash` runs it; its last line is
 * `crash: acknowledged=<n> delivered=<n> lost=<n> duplicates=<n>`.
 */
import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath, pathToFileURL } from "node:url"
import { startLocalServer } from "@leadr-toolkit/server"
import { listScores, setupGame } from "../test/support/fixtures.js"

export interface CrashOptions {
  readonly total?: number
  readonly kills?: number
  /** The compiled child script. */
  readonly child?: string
  readonly log?: (line: string) => void
}

export interface CrashResult {
  readonly acknowledged: number
  readonly delivered: number
  readonly lost: number
  readonly duplicates: number
  /** Writes that were committed but killed before their acknowledgement was printed, and were delivered anyway. */
  readonly unacknowledgedDelivered: number
  readonly incarnations: number
}

const here = dirname(fileURLToPath(import.meta.url))

export const runCrash = async (options: CrashOptions = {}): Promise<CrashResult> => {
  const total = options.total ?? 10_000
  const kills = options.kills ?? 20
  const child = options.child ?? join(here, "../child/crash-child.js")
  const log = options.log ?? (() => {})
  const server = await startLocalServer({ port: 0 })
  try {
    const fixture = await setupGame(server.url, server.superadminKey, {
      boards: [{ name: "crash", keep: "ALL" }],
      devices: 50,
      label: "crash",
    })
    const boardId = fixture.boards.crash!
    const outbox = join(mkdtempSync(join(tmpdir(), "leadr-crash-")), "outbox.sqlite")
    const acked = new Set<number>()
    let incarnation = 0

    const runChild = (killAfterMs: number | undefined) =>
      new Promise<{ drained: boolean; killed: boolean }>((resolve, reject) => {
        // Each incarnation numbers its writes in its own range, so a write committed but not acknowledged
        // before a kill can never be confused with a later one.
        const config = {
          gameId: fixture.gameId,
          boardId,
          devices: fixture.devices,
          from: incarnation * 1_000_000,
          count: total - acked.size,
          perTick: 10,
        }
        incarnation += 1
        const proc = spawn(
          process.execPath,
          [child, server.url, server.superadminKey, outbox, JSON.stringify(config)],
          { stdio: ["ignore", "pipe", "inherit"] },
        )
        let drained = false
        let killed = false
        createInterface({ input: proc.stdout }).on("line", (line) => {
          if (line.startsWith("ack ")) acked.add(Number(line.slice(4)))
          else if (line === "drained") drained = true
          // The clock starts once the worker is up, so every kill lands while writes are being enqueued or delivered.
          else if (line === "ready") arm()
        })
        let timer: ReturnType<typeof setTimeout> | undefined
        const arm = () => {
          if (killAfterMs === undefined || timer !== undefined) return
          timer = setTimeout(() => {
            killed = true
            proc.kill("SIGKILL")
          }, killAfterMs)
        }
        proc.on("error", reject)
        proc.on("close", () => {
          if (timer !== undefined) clearTimeout(timer)
          log(
            `incarnation ${incarnation}: ${killed ? "killed" : "exited"}, acknowledged so far ${acked.size}`,
          )
          resolve({ drained, killed })
        })
      })

    for (let i = 0; i < kills; i++) await runChild(Math.floor(Math.random() * 1_500))
    for (let attempt = 0; attempt < 5; attempt++) {
      const { drained } = await runChild(undefined)
      if (drained && acked.size >= total) break
    }

    const scores = await listScores(fixture, boardId)
    const seen = new Map<number, number>()
    for (const score of scores) seen.set(score.value, (seen.get(score.value) ?? 0) + 1)
    let delivered = 0
    for (const seq of acked) if (seen.has(seq)) delivered += 1
    let duplicates = 0
    for (const n of seen.values()) if (n > 1) duplicates += n - 1
    let unacknowledgedDelivered = 0
    for (const seq of seen.keys()) if (!acked.has(seq)) unacknowledgedDelivered += 1
    return {
      acknowledged: acked.size,
      delivered,
      lost: acked.size - delivered,
      duplicates,
      unacknowledgedDelivered,
      incarnations: incarnation,
    }
  } finally {
    await server.close()
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runCrash({ log: (line) => console.log(line) })
  console.log(
    `committed but unacknowledged at a kill, delivered anyway: ${result.unacknowledgedDelivered}; incarnations: ${result.incarnations}`,
  )
  console.log(
    `crash: acknowledged=${result.acknowledged} delivered=${result.delivered} lost=${result.lost} duplicates=${result.duplicates}`,
  )
  process.exit(result.lost === 0 && result.duplicates === 0 ? 0 : 1)
}
