/**
 * `/v1/client/sessions`: a game client trades its fingerprint for tokens.
 * Starting is idempotent per game and fingerprint (the same device, a new
 * session, `last_seen_at` moved); refreshing rotates, so a refresh token works once.
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { LeadrApi, LeadrError, Session } from "@leadr-toolkit/core"
import type { Sqlite } from "@leadr-toolkit/sqlite"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Db, json } from "./Db.js"
import type { DeviceRow } from "./Devices.js"
import * as Devices from "./Devices.js"
import * as Games from "./Games.js"
import * as Ids from "./Ids.js"
import * as Time from "./Time.js"
import { Tokens } from "./Tokens.js"

const decodeStarted = Schema.decodeUnknownSync(Session.StartSessionResponse)

/**
 * Finds or registers the device of a fingerprint in a game, marking it seen.
 *
 * @since 0.1.0
 * @category commands
 */
export const upsertDevice = (db: Db, request: Session.StartSessionRequest) =>
  Effect.gen(function* () {
    const game = yield* Games.load(db, request.game_id)
    if (game === undefined) return yield* new LeadrError.NotFound({ detail: "Game not found" })
    const now = yield* Time.now
    const existing = yield* db.get<DeviceRow & { deleted_at: string | null }>(
      "SELECT * FROM devices WHERE game_id = ? AND client_fingerprint = ?",
      [game.id, request.client_fingerprint],
    )
    if (existing !== undefined) {
      if (existing.deleted_at !== null)
        return yield* new LeadrError.Forbidden({ detail: "Device has been removed" })
      const metadata =
        request.metadata === undefined || request.metadata === null
          ? existing.metadata
          : JSON.stringify({ ...(json(existing.metadata, {}) as object), ...request.metadata })
      yield* db.run(
        "UPDATE devices SET last_seen_at = ?, updated_at = ?, platform = COALESCE(?, platform), metadata = ? WHERE id = ?",
        [now, now, request.platform ?? null, metadata, existing.id],
      )
      return (yield* Devices.load(db, existing.id))!
    }
    const id = Ids.make("dev")
    yield* db.run(
      `INSERT INTO devices (id, account_id, game_id, client_fingerprint, platform, status, metadata,
                            first_seen_at, last_seen_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)`,
      [
        id,
        game.account_id,
        game.id,
        request.client_fingerprint,
        request.platform ?? null,
        JSON.stringify(request.metadata ?? {}),
        now,
        now,
        now,
        now,
      ],
    )
    return (yield* Devices.load(db, id))!
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  HttpApiGroup.ApiGroup<"leadr", "sessions">,
  never,
  Sqlite.Sqlite | Tokens
> = HttpApiBuilder.group(LeadrApi.LeadrApi, "sessions", (handlers) =>
  Effect.gen(function* () {
    const db = yield* Db
    const tokens = yield* Tokens
    return handlers
      .handle("start", ({ payload }) =>
        Effect.gen(function* () {
          const { device, sessionId } = yield* db.transaction(
            Effect.gen(function* () {
              const device = yield* upsertDevice(db, payload)
              const sessionId = Ids.make("ses")
              const now = yield* Time.now
              yield* db.run(
                `INSERT INTO device_sessions (id, device_id, token_version, test_mode, created_at, updated_at)
                   VALUES (?, ?, 1, ?, ?, ?)`,
                [sessionId, device.id, payload.test_mode, now, now],
              )
              return { device, sessionId }
            }),
          )
          const issued = yield* tokens.issue(
            {
              deviceId: device.id,
              gameId: device.game_id,
              accountId: device.account_id,
              sessionId,
              testMode: payload.test_mode,
            },
            1,
          )
          return decodeStarted({
            ...Devices.toDeviceWire(device),
            access_token: issued.accessToken,
            refresh_token: issued.refreshToken,
            expires_in: issued.expiresIn,
            test_mode: payload.test_mode,
          })
        }),
      )
      .handle("refresh", ({ payload }) =>
        Effect.gen(function* () {
          const invalid = new LeadrError.Unauthorized({ detail: "Invalid or expired refresh token" })
          const claims = yield* tokens.verifyRefresh(payload.refresh_token)
          if (Option.isNone(claims)) return yield* invalid
          const { sessionId, version } = claims.value
          const session = yield* db.transaction(
            Effect.gen(function* () {
              const now = yield* Time.now
              const bumped = yield* db.run(
                "UPDATE device_sessions SET token_version = token_version + 1, updated_at = ? WHERE id = ? AND token_version = ?",
                [now, sessionId, version],
              )
              if (bumped.changes !== 1) return undefined
              return yield* db.get<{
                device_id: string
                test_mode: number
                account_id: string
                game_id: string
              }>(
                `SELECT s.device_id, s.test_mode, d.account_id, d.game_id
                     FROM device_sessions s JOIN devices d ON d.id = s.device_id
                    WHERE s.id = ? AND d.deleted_at IS NULL`,
                [sessionId],
              )
            }),
          )
          if (session === undefined) return yield* invalid
          const issued = yield* tokens.issue(
            {
              deviceId: session.device_id,
              gameId: session.game_id,
              accountId: session.account_id,
              sessionId,
              testMode: session.test_mode === 1,
            },
            version + 1,
          )
          return new Session.RefreshTokenResponse({
            access_token: issued.accessToken,
            refresh_token: issued.refreshToken,
            expires_in: issued.expiresIn,
          })
        }),
      )
  }),
)
