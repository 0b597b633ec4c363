/**
 * End to end in a real browser: the arena started the way `npm start` starts
 * it (its compiled entry point, embedded LEADR, worker and plugin), on free
 * ports and a temporary data folder; two Chromium pages (separate profiles,
 * so two devices) join, play a run each, and both boards end up showing both
 * players' scores.
 *
 * Chromium comes from Debian (`/usr/bin/chromium`, installed by `.ci/run`);
 * it is never downloaded here. Without it this test fails.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
const root = join(import.meta.dirname, "..")
const node = join(root, "node_modules", ".bin", "node")

let dir: string
let arena: ChildProcess | undefined
let output = ""
let url: string
let browser: Browser | undefined

const started = (child: ChildProcess) =>
  new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /game server listening on (http:\/\/localhost:\d+)/.exec(output)
      if (match) resolve(match[1]!)
    }
    child.stdout?.on("data", onData)
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.on("exit", (code) => reject(new Error(`the arena exited (${code}) before listening:\n${output}`)))
  })

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install it with 'apt-get install -y chromium' (.ci/run does)`,
    )
  }
  // What `npm start` runs, built the way it builds it (only the arena's project graph).
  await promisify(execFile)(join(root, "node_modules", ".bin", "tsc"), ["-b", "examples/arena"], {
    cwd: root,
  })
  dir = await mkdtemp(join(tmpdir(), "arena-e2e-"))
  arena = spawn(node, [join(root, "examples/arena/dist/main.js")], {
    cwd: root,
    env: {
      ...process.env,
      PORT: "0",
      LEADR_PORT: "0",
      DATA_DIR: dir,
      LEADR_REFRESH_MS: "300",
      ARENA_RUN_MS: "4000",
      LEADR_URL: "",
      LEADR_API_KEY: "",
      LEADR_GAME_ID: "",
    },
    stdio: ["ignore", "pipe", "pipe"],
  })
  url = await started(arena)
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  })
}, 180_000)

afterAll(async () => {
  await browser?.close()
  if (arena !== undefined && arena.exitCode === null) {
    const exited = new Promise((resolve) => arena!.once("exit", resolve))
    arena.kill("SIGTERM")
    await exited
  }
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

const play = async (page: Page, name: string, clicks: number) => {
  await page.goto(url)
  await page.fill("#name", name)
  await page.click("#join")
  await page.waitForSelector("body[data-joined=true]")
  await page.click("#start")
  await page.waitForSelector("#click:not([disabled])")
  for (let i = 0; i < clicks; i++) await page.click("#click")
  // The run ends on its own; the page then sends its score.
  await page.waitForFunction(() => document.querySelector("#timer")?.textContent === "done", undefined, {
    timeout: 20_000,
  })
}

const boardRows = (page: Page) =>
  page.$$eval("#leaderboard tbody tr", (rows) =>
    rows.map((row) => Array.from(row.querySelectorAll("td")).map((td) => td.textContent ?? "")),
  )

describe("the arena in Chromium", () => {
  it("two players play, and both boards show both players' scores", async () => {
    // Two contexts: two profiles, two install ids, two LEADR devices.
    const ada = await (await browser!.newContext()).newPage()
    const bob = await (await browser!.newContext()).newPage()
    await Promise.all([play(ada, "Ada", 7), play(bob, "Bob", 4)])

    for (const page of [ada, bob]) {
      await page.waitForFunction(
        () => {
          const text = document.querySelector("#leaderboard tbody")?.textContent ?? ""
          return text.includes("Ada") && text.includes("Bob")
        },
        undefined,
        { timeout: 30_000 },
      )
      const rows = await boardRows(page)
      expect(rows).toContainEqual(["1", "Ada", "7"])
      expect(rows).toContainEqual(["2", "Bob", "4"])
    }
    // The page at / is the arena's, and the SDK came from the game server itself.
    expect(await ada.title()).toMatch(/Arena/)
    expect(await ada.evaluate(() => typeof (window as unknown as { Colyseus?: unknown }).Colyseus)).toBe(
      "object",
    )
  }, 120_000)
})
