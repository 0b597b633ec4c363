/**
 * `/v1/devices`: the installs that started sessions; admins list them and change
 * their status (only active, banned or suspended; anything else is a 400).
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Auth, Device, LeadrApi, LeadrError } from "@leadr-toolkit/core"
import type { Sqlite } from "@leadr-toolkit/sqlite"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as AccountScope from "./AccountScope.js"
import { Db, json } from "./Db.js"
import * as Time from "./Time.js"

/**
 * @since 0.1.0
 * @category rows
 */
export interface DeviceRow {
  readonly id: string
  readonly account_id: string
  readonly game_id: string
  readonly client_fingerprint: string
  readonly platform: string | null
  readonly status: Device.DeviceStatus
  readonly metadata: string
  readonly first_seen_at: string
  readonly last_seen_at: string
  readonly created_at: string
  readonly updated_at: string
}

const decode = Schema.decodeUnknownSync(Device.Device)

/**
 * @since 0.1.0
 * @category rows
 */
export const toDevice = (row: DeviceRow): Device.Device => decode(toDeviceWire(row))

/**
 * A device row in its wire shape (the session response embeds it).
 *
 * @since 0.1.0
 * @category rows
 */
export const toDeviceWire = (row: DeviceRow) => ({ ...row, metadata: json(row.metadata, {}) })

const sortFields = {
  id: "id",
  platform: "COALESCE(platform, '')",
  created_at: "created_at",
  updated_at: "updated_at",
}

/**
 * A live device by id.
 *
 * @since 0.1.0
 * @category queries
 */
export const load = (db: Db, id: string) =>
  db.get<DeviceRow>("SELECT * FROM devices WHERE id = ? AND deleted_at IS NULL", [id])

const isStatus = Schema.is(Device.DeviceStatus)

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  HttpApiGroup.ApiGroup<"leadr", "devices">,
  never,
  Sqlite.Sqlite | Auth.AdminAuth
> = HttpApiBuilder.group(LeadrApi.LeadrApi, "devices", (handlers) =>
  Effect.gen(function* () {
    const db = yield* Db
    return handlers
      .handle("list", ({ urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          const account = yield* AccountScope.target(admin, urlParams.account_id)
          const where = ["deleted_at IS NULL"]
          const params: Array<string> = []
          if (account !== undefined) where.push("account_id = ?") && params.push(account)
          if (urlParams.game_id !== undefined) where.push("game_id = ?") && params.push(urlParams.game_id)
          if (urlParams.status !== undefined) where.push("status = ?") && params.push(urlParams.status)
          const page = yield* db.page<DeviceRow>(
            {
              select: "*",
              from: "devices",
              where,
              params,
              filters: { account, game: urlParams.game_id, status: urlParams.status },
            },
            sortFields,
            urlParams,
          )
          return { data: page.rows.map(toDevice), pagination: page.pagination }
        }),
      )
      .handle("get", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          return toDevice(
            yield* AccountScope.owned(admin, urlParams.account_id, load(db, path.device_id!), "Device"),
          )
        }),
      )
      .handle("update", ({ path, urlParams, payload }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          const id = path.device_id!
          const row = yield* AccountScope.owned(admin, urlParams.account_id, load(db, id), "Device")
          const status = payload.status ?? undefined
          if (status === undefined) return toDevice(row)
          if (!isStatus(status)) {
            return yield* new LeadrError.BadRequest({
              detail: `Invalid status: '${status.slice(0, 50)}'. Must be one of: active, banned, suspended`,
            })
          }
          const now = yield* Time.now
          yield* db.run("UPDATE devices SET status = ?, updated_at = ? WHERE id = ?", [status, now, id])
          return toDevice((yield* load(db, id))!)
        }),
      )
  }),
)
