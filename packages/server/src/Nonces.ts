/**
 * Client nonces: single use, short-lived, bound to the device that asked for one.
 *
 * @since 0.1.0
 */
import { LeadrError } from "@leadr-toolkit/core"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import type { Db } from "./Db.js"
import * as Ids from "./Ids.js"
import * as Time from "./Time.js"

/**
 * The nonces of a server.
 *
 * @since 0.1.0
 * @category models
 */
export interface Nonces {
  /** A new nonce for the device, valid `ttlSeconds`. */
  readonly issue: (deviceId: string) => Effect.Effect<{ readonly value: string; readonly expiresAt: string }>
  /**
   * Spends the nonce of a mutating request: missing, unknown, another device's,
   * used or expired is a 412.
   */
  readonly consume: (
    deviceId: string,
    value: string | undefined,
  ) => Effect.Effect<void, LeadrError.PreconditionFailed>
}

/**
 * Nonces valid `ttlSeconds`. Issuing one is one prepared insert, spending one a
 * prepared update. Expired nonces are swept on the way at most once a minute
 * (their age, not their number, decides), so a nonce costs one write, not two.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (db: Db, ttlSeconds: number): Effect.Effect<Nonces, never, Scope.Scope> =>
  Effect.gen(function* () {
    const sweptAt = yield* Ref.make(0)
    const insert = yield* db.prepare("INSERT INTO nonces (value, device_id, expires_at) VALUES (?, ?, ?)")
    const spend = yield* db.prepare(
      "UPDATE nonces SET used_at = ? WHERE value = ? AND device_id = ? AND used_at IS NULL AND expires_at > ?",
    )
    const issue = (deviceId: string) =>
      Effect.gen(function* () {
        const now = yield* Time.now
        const due = yield* Ref.modify(sweptAt, (last) => {
          const at = Date.parse(now)
          return at - last >= 60_000 ? [true, at] : [false, last]
        })
        if (due) yield* db.run("DELETE FROM nonces WHERE expires_at < ?", [Time.plusSeconds(now, -3600)])
        const value = Ids.token(24)
        const expiresAt = Time.plusSeconds(now, ttlSeconds)
        yield* insert.run([value, deviceId, expiresAt])
        return { value, expiresAt }
      })
    const consume = (deviceId: string, value: string | undefined) =>
      Effect.gen(function* () {
        if (value === undefined || value === "") {
          return yield* new LeadrError.PreconditionFailed({
            detail: "Nonce required: send leadr-client-nonce",
          })
        }
        const now = yield* Time.now
        const used = yield* spend.run([now, value, deviceId, now])
        if (used.changes === 1) return
        // Only a refusal pays for saying why.
        const row = yield* db.get<{ used_at: string | null }>(
          "SELECT used_at FROM nonces WHERE value = ? AND device_id = ?",
          [value, deviceId],
        )
        return yield* new LeadrError.PreconditionFailed({
          detail:
            row === undefined
              ? "Invalid nonce"
              : row.used_at !== null
                ? "Nonce already used"
                : "Nonce expired",
        })
      })
    return { issue, consume }
  })
