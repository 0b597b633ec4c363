/**
 * Collision check of `Fingerprint` over random installs (1,000,000 by default).
 *
 *     npm run bench:fingerprint               # 1,000,000 installs
 *     npm run bench:fingerprint -- 250000     # another count
 *
 * The script runs on Node 22's type stripping against the compiled `dist/` of
 * `@leadr-toolkit/core` (the npm script type-checks and builds it first). It
 * prints the figures, then one JSON object on the last line, and exits 1 if
 * two installs share a fingerprint.
 */
import { randomBytes, randomUUID } from "node:crypto"
import { performance } from "node:perf_hooks"
import { Fingerprint } from "@leadr-toolkit/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

const installs = Number(process.argv[2] ?? 1_000_000)
if (!Number.isInteger(installs) || installs < 1) {
  console.error(`usage: fingerprint-collisions.ts [installs], got ${process.argv[2]}`)
  process.exit(2)
}

// A fresh deployment secret per run, as a real deployment would have.
const secret = Redacted.make(randomBytes(32).toString("hex"))
const gameId = "bench_game"

// Install ids as game clients make them (random UUIDs), generated before the clock starts.
const ids = Array.from({ length: installs }, () => randomUUID())

const program = Effect.gen(function* () {
  const fingerprinter = yield* Fingerprint.makeFingerprinter(secret)
  const fingerprints = new Array<string>(installs)
  const started = performance.now()
  for (let i = 0; i < installs; i++) {
    fingerprints[i] = yield* fingerprinter.fingerprint(gameId, ids[i]!)
  }
  const seconds = (performance.now() - started) / 1000
  return { fingerprints, seconds }
})

const { fingerprints, seconds } = Effect.runSync(program)
const distinctInstalls = new Set(ids).size
const distinctFingerprints = new Set(fingerprints).size
const wellFormed = fingerprints.every((fp) => /^[0-9a-f]{64}$/.test(fp))
const result = {
  installs,
  distinctInstalls,
  distinctFingerprints,
  collisions: distinctInstalls - distinctFingerprints,
  wellFormed,
  seconds: Number(seconds.toFixed(3)),
  fingerprintsPerSecond: Math.round(installs / seconds),
  node: process.version,
}

const figure = (label: string, value: number | string | boolean) =>
  console.log(`${label.padEnd(22)} ${typeof value === "number" ? value.toLocaleString("en-US") : value}`)
console.log("Fingerprint collision check (HMAC-SHA-256, per-game key, one game)")
figure("installs", result.installs)
figure("distinct installs", result.distinctInstalls)
figure("distinct fingerprints", result.distinctFingerprints)
figure("collisions", result.collisions)
figure("all 64 lowercase hex", result.wellFormed)
figure("seconds", result.seconds)
figure("fingerprints/s", result.fingerprintsPerSecond)
figure("node", result.node)
console.log(JSON.stringify(result))

if (result.collisions !== 0 || !result.wellFormed) process.exit(1)
