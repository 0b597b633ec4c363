import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { caller, rows } from "./support.js"

const root = join(import.meta.dirname, "..", "..", "..")

interface Running {
  readonly child: ChildProcessWithoutNullStreams
  readonly url: string
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exit: Promise<number | null>
}

/** Runs `leadr-local serve` as a child process and resolves once it prints its listening line. */
const serve = (args: ReadonlyArray<string>, env: Record<string, string> = {}): Promise<Running> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      join(root, "node_modules/.bin/node"),
      [join(root, "packages/server/bin/leadr-local.js"), "serve", "--port", "0", ...args],
      { cwd: root, env: { ...process.env, LEADR_SUPERADMIN_API_KEY: "", ...env } },
    )
    let out = ""
    let err = ""
    const exit = new Promise<number | null>((done) => child.on("exit", (code) => done(code)))
    child.stderr.on("data", (chunk) => {
      err += chunk
    })
    child.stdout.on("data", (chunk) => {
      out += chunk
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)
      if (match !== null) resolve({ child, url: match[1]!, stdout: () => out, stderr: () => err, exit })
    })
    child.on("exit", (code) => reject(new Error(`exited ${code} before listening: ${err}`)))
  })

/** stderr and stdout are separate pipes: the listening line may arrive before earlier stderr lines. */
const settled = async (read: () => string, pattern: RegExp) => {
  for (let i = 0; i < 100 && !pattern.test(read()); i++) await new Promise((r) => setTimeout(r, 20))
  return read()
}

const stop = async (running: Running) => {
  running.child.kill("SIGTERM")
  return running.exit
}

describe("leadr-local serve (child process)", () => {
  const dir = mkdtempSync(join(tmpdir(), "leadr-cli-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("serves :memory: with an env superadmin key, and stops cleanly on SIGTERM", async () => {
    const running = await serve(["--db", ":memory:"], {
      LEADR_SUPERADMIN_API_KEY: "ldr_test_superadmin_key_0001",
    })
    expect(running.stdout().trim().split("\n")).toEqual([`listening on ${running.url}`])
    expect(running.stderr()).not.toContain("ldr_test_superadmin_key_0001")
    const admin = caller(running.url, "ldr_test_superadmin_key_0001")
    expect((await admin("GET", "/v1/accounts")).status).toBe(200)
    expect((await caller(running.url, "ldr_wrong")("GET", "/v1/accounts")).status).toBe(401)
    expect(await stop(running)).toBe(0)
  })

  it("a file database: generated key printed once, demo seeded idempotently across restarts", async () => {
    const db = join(dir, "leadr.sqlite")
    const first = await serve(["--db", db, "--seed-demo"])
    await settled(first.stderr, /demo API key/)
    const key = /superadmin API key \(shown once, stored hashed\): (\S+)/.exec(first.stderr())?.[1]
    expect(key).toBeDefined()
    const demo = /demo account (\S+), game (\S+), board (\S+)/.exec(first.stderr())!
    const demoKey = /demo API key \(shown once, stored hashed\): (\S+)/.exec(first.stderr())?.[1]
    expect(demoKey).toBeDefined()
    const board = await caller(first.url, demoKey)("GET", `/v1/boards/${demo[3]}`)
    expect(board.body).toMatchObject({
      slug: "main",
      sort_direction: "DESCENDING",
      keep_strategy: "BEST_ONLY",
    })
    expect(await stop(first)).toBe(0)

    const second = await serve(["--db", db, "--seed-demo"])
    await settled(second.stderr, /demo account/)
    expect(second.stderr()).not.toContain("superadmin API key")
    expect(second.stderr()).not.toContain("demo API key")
    expect(/demo account (\S+), game (\S+), board (\S+)/.exec(second.stderr())![0]).toBe(demo[0])
    const accounts = await caller(second.url, key)("GET", "/v1/accounts?slug=demo")
    expect(rows(accounts.body).map((a) => a.id)).toEqual([demo[1]])
    expect(await stop(second)).toBe(0)
  })
})
