/**
 * The server side of the API's two security middlewares: `leadr-api-key`
 * resolves to an admin principal; a bearer access token to a device principal.
 *
 * @since 0.1.0
 */
import { Auth, LeadrError } from "@leadr-toolkit/core"
import { Sqlite } from "@leadr-toolkit/sqlite"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ids from "./Ids.js"
import * as Time from "./Time.js"
import { Tokens } from "./Tokens.js"

interface KeyRow {
  readonly id: string
  readonly account_id: string
  readonly user_id: string
  readonly status: string
  readonly expires_at: string | null
  readonly last_used_at: string | null
  readonly super_admin: number
  readonly user_status: string
}

const keySql = `SELECT k.id, k.account_id, k.user_id, k.status, k.expires_at, k.last_used_at,
       u.super_admin, u.status AS user_status
  FROM api_keys k JOIN users u ON u.id = k.user_id
 WHERE k.key_hash = ? AND k.deleted_at IS NULL AND u.deleted_at IS NULL`

/**
 * Resolves an API key's plaintext to its admin, or fails with 401. `lookup`
 * is the key query prepared once (see {@link adminLayer}).
 *
 * @since 0.1.0
 * @category admin
 */
export const resolveApiKey = (db: Sqlite.SqliteService, lookup: Sqlite.Statement, key: string) =>
  Effect.gen(function* () {
    if (key === "") return yield* new LeadrError.Unauthorized({ detail: "API key required" })
    const row = Option.fromNullable((yield* lookup.all<KeyRow>([Ids.hashKey(key)]))[0])
    const now = yield* Time.now
    const found = Option.filter(
      row,
      (r) =>
        r.status === "active" &&
        r.user_status !== "suspended" &&
        (r.expires_at === null || r.expires_at > now),
    )
    if (Option.isNone(found)) return yield* new LeadrError.Unauthorized({ detail: "Invalid API key" })
    const r = found.value
    // Recording every use would make each read a write; a minute's precision is enough.
    if (r.last_used_at === null || r.last_used_at < Time.plusSeconds(now, -60)) {
      yield* db.run("UPDATE api_keys SET last_used_at = ? WHERE id = ?", [now, r.id])
    }
    const admin: Auth.Admin = {
      userId: r.user_id,
      accountId: r.account_id,
      superAdmin: r.super_admin === 1,
      apiKeyId: r.id,
    }
    return admin
  }).pipe(
    Effect.catchTag("SqlError", (e) =>
      Effect.logError("API key lookup failed", e).pipe(
        Effect.zipRight(Effect.fail(new LeadrError.Unauthorized({ detail: "Invalid API key" }))),
      ),
    ),
  )

/**
 * `AdminAuth`: the `leadr-api-key` header.
 *
 * @since 0.1.0
 * @category layers
 */
export const adminLayer = Layer.scoped(
  Auth.AdminAuth,
  Effect.gen(function* () {
    const db = yield* Sqlite.Sqlite
    const lookup = yield* Effect.orDie(db.prepare(keySql))
    return {
      apiKey: (key: Redacted.Redacted<string>) => resolveApiKey(db, lookup, Redacted.value(key)),
    }
  }),
)

/**
 * `DeviceAuth`: `authorization: Bearer <access token>` for a device that still exists.
 *
 * @since 0.1.0
 * @category layers
 */
export const deviceLayer = Layer.scoped(
  Auth.DeviceAuth,
  Effect.gen(function* () {
    const db = yield* Sqlite.Sqlite
    const tokens = yield* Tokens
    const exists = yield* Effect.orDie(
      db.prepare("SELECT id FROM devices WHERE id = ? AND deleted_at IS NULL"),
    )
    return {
      bearer: (token: Redacted.Redacted<string>) =>
        Effect.gen(function* () {
          const value = Redacted.value(token)
          if (value === "") return yield* new LeadrError.Unauthorized({ detail: "Access token required" })
          const caller = yield* tokens.verifyAccess(value)
          if (Option.isNone(caller)) {
            return yield* new LeadrError.Unauthorized({ detail: "Invalid or expired access token" })
          }
          const device = yield* Effect.orElseSucceed(
            Effect.map(exists.all([caller.value.deviceId]), (rows) => Option.fromNullable(rows[0])),
            () => Option.none(),
          )
          if (Option.isNone(device)) return yield* new LeadrError.Unauthorized({ detail: "Unknown device" })
          return caller.value
        }),
    }
  }),
)
