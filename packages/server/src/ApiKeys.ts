/**
 * `/v1/api-keys`: the plaintext is returned once, at creation; only its SHA-256
 * and its first 8 characters are stored.
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { ApiKey, Auth, LeadrApi, LeadrError } from "@leadr-toolkit/core"
import type { Sqlite } from "@leadr-toolkit/sqlite"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as AccountScope from "./AccountScope.js"
import { Db, updateRow } from "./Db.js"
import * as Ids from "./Ids.js"
import * as Time from "./Time.js"
import { accountExists } from "./Users.js"

interface KeyRow {
  readonly id: string
  readonly account_id: string
  readonly user_id: string
  readonly name: string
  readonly prefix: string
  readonly status: string
  readonly last_used_at: string | null
  readonly expires_at: string | null
  readonly created_at: string
  readonly updated_at: string
}

const decode = Schema.decodeUnknownSync(ApiKey.ApiKey)
const decodeCreated = Schema.decodeUnknownSync(ApiKey.ApiKeyCreated)
const toKey = (row: KeyRow) => decode(row)

const sortFields = { id: "id", name: "name", created_at: "created_at", updated_at: "updated_at" }

/**
 * Stores a key with the given plaintext (generated if not given) and returns the row and the plaintext.
 *
 * @since 0.1.0
 * @category commands
 */
export const insert = (
  db: Db,
  input: {
    readonly account_id: string
    readonly user_id: string
    readonly name: string
    readonly expires_at?: string | null | undefined
    readonly key?: string | undefined
  },
) =>
  Effect.gen(function* () {
    const key = input.key ?? Ids.apiKey()
    const now = yield* Time.now
    const row: KeyRow = {
      id: Ids.make("key"),
      account_id: input.account_id,
      user_id: input.user_id,
      name: input.name,
      prefix: Ids.prefixOf(key),
      status: "active",
      last_used_at: null,
      expires_at: input.expires_at ?? null,
      created_at: now,
      updated_at: now,
    }
    yield* db.run(
      `INSERT INTO api_keys (id, account_id, user_id, name, prefix, key_hash, status, expires_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)`,
      [row.id, row.account_id, row.user_id, row.name, row.prefix, Ids.hashKey(key), row.expires_at, now, now],
    )
    return { row, key }
  })

const load = (db: Db, id: string) =>
  db.get<KeyRow>("SELECT * FROM api_keys WHERE id = ? AND deleted_at IS NULL", [id])

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  HttpApiGroup.ApiGroup<"leadr", "apiKeys">,
  never,
  Sqlite.Sqlite | Auth.AdminAuth
> = HttpApiBuilder.group(LeadrApi.LeadrApi, "apiKeys", (handlers) =>
  Effect.gen(function* () {
    const db = yield* Db
    return handlers
      .handle("create", ({ payload, urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          yield* AccountScope.target(admin, urlParams.account_id)
          yield* AccountScope.check(admin, payload.account_id)
          yield* accountExists(db, payload.account_id)
          const user = yield* db.get(
            "SELECT 1 FROM users WHERE id = ? AND account_id = ? AND deleted_at IS NULL",
            [payload.user_id, payload.account_id],
          )
          if (user === undefined) return yield* new LeadrError.NotFound({ detail: "User not found" })
          const { row, key } = yield* insert(db, {
            ...payload,
            expires_at: Time.optional(payload.expires_at),
          })
          return decodeCreated({ ...row, key })
        }),
      )
      .handle("list", ({ urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          const account = yield* AccountScope.target(admin, urlParams.account_id)
          const where = ["deleted_at IS NULL"]
          const params: Array<string> = []
          if (account !== undefined) where.push("account_id = ?") && params.push(account)
          if (urlParams.status !== undefined) where.push("status = ?") && params.push(urlParams.status)
          const page = yield* db.page<KeyRow>(
            {
              select:
                "id, account_id, user_id, name, prefix, status, last_used_at, expires_at, created_at, updated_at",
              from: "api_keys",
              where,
              params,
              filters: { account, status: urlParams.status },
            },
            sortFields,
            urlParams,
          )
          return { data: page.rows.map(toKey), pagination: page.pagination }
        }),
      )
      .handle("get", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          return toKey(
            yield* AccountScope.owned(admin, urlParams.account_id, load(db, path.key_id!), "API key"),
          )
        }),
      )
      .handle("update", ({ path, urlParams, payload }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          const id = path.key_id!
          yield* AccountScope.owned(admin, urlParams.account_id, load(db, id), "API key")
          const now = yield* Time.now
          return toKey(
            yield* updateRow<KeyRow>(db, "api_keys", id, {
              status: payload.status ?? undefined,
              deleted_at: payload.deleted === true ? now : undefined,
              updated_at: now,
            }),
          )
        }),
      )
  }),
)
