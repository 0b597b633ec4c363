/**
 * Client nonces: single use, short-lived, bound to the device that asked for one.
 *
 * @since 0.1.0
 */
import { LeadrError } from "@leadr-toolkit/core"
import * as Effect from "effect/Effect"
import type { Db } from "./Db.js"
import * as Ids from "./Ids.js"
import * as Time from "./Time.js"

/**
 * A new nonce for `deviceId`, valid `ttlSeconds`. Expired nonces are swept on the way.
 *
 * @since 0.1.0
 * @category commands
 */
export const issue = (db: Db, deviceId: string, ttlSeconds: number) =>
  Effect.gen(function* () {
    const now = yield* Time.now
    const value = Ids.token(24)
    const expiresAt = Time.plusSeconds(now, ttlSeconds)
    yield* db.run("DELETE FROM nonces WHERE expires_at < ?", [Time.plusSeconds(now, -3600)])
    yield* db.run("INSERT INTO nonces (value, device_id, expires_at) VALUES (?, ?, ?)", [
      value,
      deviceId,
      expiresAt,
    ])
    return { value, expiresAt }
  })

/**
 * Consumes the nonce of a mutating request: missing, unknown, another device's,
 * used or expired is a 412.
 *
 * @since 0.1.0
 * @category commands
 */
export const consume = (db: Db, deviceId: string, value: string | undefined) =>
  Effect.gen(function* () {
    if (value === undefined || value === "") {
      return yield* new LeadrError.PreconditionFailed({ detail: "Nonce required: send leadr-client-nonce" })
    }
    const now = yield* Time.now
    const used = yield* db.run(
      "UPDATE nonces SET used_at = ? WHERE value = ? AND device_id = ? AND used_at IS NULL AND expires_at > ?",
      [now, value, deviceId, now],
    )
    if (used.changes === 1) return
    const row = yield* db.get<{ used_at: string | null }>(
      "SELECT used_at FROM nonces WHERE value = ? AND device_id = ?",
      [value, deviceId],
    )
    return yield* new LeadrError.PreconditionFailed({
      detail:
        row === undefined ? "Invalid nonce" : row.used_at !== null ? "Nonce already used" : "Nonce expired",
    })
  })
