import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { beforeAll, expect, it } from "vitest"
import { runCrash } from "../bench/crash.js"

const worker = join(dirname(fileURLToPath(import.meta.url)), "..")
const child = join(worker, "bench/dist/child/crash-child.js")

beforeAll(() => {
  // The child runs as plain Node on compiled output, exactly as a game server would. Type errors are the
  // root `tsc -b`'s business; tsc still emits, and what matters here is a fresh child script.
  spawnSync(
    process.execPath,
    [join(worker, "../../node_modules/typescript/bin/tsc"), "-b", join(worker, "bench/child")],
    {
      stdio: "inherit",
    },
  )
  if (!existsSync(child)) throw new Error(`the crash child was not built: ${child}`)
}, 120_000)

it("SIGKILL at 20 random moments while enqueueing 10,000 scores: every acknowledged write is delivered, none twice", async () => {
  const result = await runCrash({ total: 10_000, kills: 20, child })
  expect(result.acknowledged).toBe(10_000)
  expect(result.lost).toBe(0)
  expect(result.duplicates).toBe(0)
  expect(result.delivered).toBe(10_000)
}, 300_000)
