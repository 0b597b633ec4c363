/**
 * `/v1/users`: the people of an account; only superadmins grant superadmin.
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Account, Auth, LeadrApi, LeadrError } from "@leadr-toolkit/core"
import type { Sqlite } from "@leadr-toolkit/sqlite"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as AccountScope from "./AccountScope.js"
import { bool, Db, updateRow } from "./Db.js"
import * as Ids from "./Ids.js"
import * as Time from "./Time.js"

/**
 * @since 0.1.0
 * @category rows
 */
export interface UserRow {
  readonly id: string
  readonly account_id: string
  readonly email: string
  readonly display_name: string
  readonly super_admin: number
  readonly status: string
  readonly created_at: string
  readonly updated_at: string
}

const decode = Schema.decodeUnknownSync(Account.User)
const toUser = (row: UserRow) => decode({ ...row, super_admin: bool(row.super_admin) })

const sortFields = {
  id: "id",
  email: "email",
  display_name: "display_name",
  created_at: "created_at",
  updated_at: "updated_at",
}

/**
 * Inserts a user (the bootstrap and the handler share it).
 *
 * @since 0.1.0
 * @category commands
 */
export const insert = (
  db: Db,
  input: {
    readonly account_id: string
    readonly email: string
    readonly display_name: string
    readonly super_admin?: boolean
  },
) =>
  Effect.gen(function* () {
    const now = yield* Time.now
    const id = Ids.make("usr")
    yield* db.run(
      `INSERT INTO users (id, account_id, email, display_name, super_admin, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'active', ?, ?)`,
      [id, input.account_id, input.email, input.display_name, input.super_admin === true, now, now],
    )
    return id
  })

/**
 * Fails with 404 unless the account exists.
 *
 * @since 0.1.0
 * @category checks
 */
export const accountExists = (db: Db, accountId: string) =>
  Effect.flatMap(db.get("SELECT 1 FROM accounts WHERE id = ? AND deleted_at IS NULL", [accountId]), (row) =>
    row === undefined ? Effect.fail(new LeadrError.NotFound({ detail: "Account not found" })) : Effect.void,
  )

const load = (db: Db, id: string) =>
  db.get<UserRow>("SELECT * FROM users WHERE id = ? AND deleted_at IS NULL", [id])

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  HttpApiGroup.ApiGroup<"leadr", "users">,
  never,
  Sqlite.Sqlite | Auth.AdminAuth
> = HttpApiBuilder.group(LeadrApi.LeadrApi, "users", (handlers) =>
  Effect.gen(function* () {
    const db = yield* Db
    return handlers
      .handle("create", ({ payload, urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          yield* AccountScope.target(admin, urlParams.account_id)
          yield* AccountScope.check(admin, payload.account_id)
          yield* accountExists(db, payload.account_id)
          const id = yield* insert(db, payload)
          return toUser((yield* load(db, id))!)
        }),
      )
      .handle("list", ({ urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          const account = yield* AccountScope.target(admin, urlParams.account_id)
          const where = ["deleted_at IS NULL"]
          const params: Array<string> = []
          if (account !== undefined) where.push("account_id = ?") && params.push(account)
          const page = yield* db.page<UserRow>(
            { select: "*", from: "users", where, params, filters: { account } },
            sortFields,
            urlParams,
          )
          return { data: page.rows.map(toUser), pagination: page.pagination }
        }),
      )
      .handle("get", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          return toUser(
            yield* AccountScope.owned(admin, urlParams.account_id, load(db, path.user_id!), "User"),
          )
        }),
      )
      .handle("update", ({ path, urlParams, payload }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          const id = path.user_id!
          yield* AccountScope.owned(admin, urlParams.account_id, load(db, id), "User")
          if (payload.super_admin !== undefined && payload.super_admin !== null && !admin.superAdmin) {
            return yield* new LeadrError.Forbidden({ detail: "Only superadmins can grant superadmin" })
          }
          const now = yield* Time.now
          return toUser(
            yield* updateRow<UserRow>(db, "users", id, {
              email: payload.email ?? undefined,
              display_name: payload.display_name ?? undefined,
              super_admin: payload.super_admin ?? undefined,
              status: payload.status ?? undefined,
              deleted_at: payload.deleted === true ? now : undefined,
              updated_at: now,
            }),
          )
        }),
      )
  }),
)
