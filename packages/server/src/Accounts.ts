/**
 * `/v1/accounts`: superadmins create and see every account; a regular key sees
 * and edits only its own.
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
import { Db, updateRow } from "./Db.js"
import * as Ids from "./Ids.js"
import * as Time from "./Time.js"

/**
 * @since 0.1.0
 * @category rows
 */
export interface AccountRow {
  readonly id: string
  readonly name: string
  readonly slug: string
  readonly status: string
  readonly created_at: string
  readonly updated_at: string
}

const decode = Schema.decodeUnknownSync(Account.Account)

/**
 * @since 0.1.0
 * @category rows
 */
export const toAccount = (row: AccountRow): Account.Account => decode(row)

const sortFields = {
  id: "id",
  name: "name",
  slug: "slug",
  created_at: "created_at",
  updated_at: "updated_at",
}

/**
 * A slug not yet taken in `table` (scoped by `where`): the wanted one, or it with `-2`, `-3`, ...
 *
 * @since 0.1.0
 * @category slugs
 */
export const freeSlug = (
  db: Db,
  table: string,
  base: string,
  scope: { readonly column: string; readonly value: string } | undefined,
) =>
  Effect.gen(function* () {
    for (let n = 1; ; n++) {
      const slug = n === 1 ? base : `${base}-${n}`
      const clash = yield* db.get(
        `SELECT 1 FROM ${table} WHERE slug = ?${scope === undefined ? "" : ` AND ${scope.column} = ?`}`,
        scope === undefined ? [slug] : [slug, scope.value],
      )
      if (clash === undefined) return slug
    }
  })

/**
 * Inserts an account (the bootstrap and the handler share it).
 *
 * @since 0.1.0
 * @category commands
 */
export const insert = (db: Db, input: { readonly name: string; readonly slug?: string | null | undefined }) =>
  Effect.gen(function* () {
    let slug: string
    if (input.slug !== undefined && input.slug !== null) {
      const clash = yield* db.get("SELECT 1 FROM accounts WHERE slug = ?", [input.slug])
      if (clash !== undefined)
        return yield* new LeadrError.BadRequest({ detail: "Account slug already exists" })
      slug = input.slug
    } else {
      slug = yield* freeSlug(db, "accounts", Ids.slugify(input.name), undefined)
    }
    const now = yield* Time.now
    const row: AccountRow = {
      id: Ids.make("acc"),
      name: input.name,
      slug,
      status: "active",
      created_at: now,
      updated_at: now,
    }
    yield* db.run(
      "INSERT INTO accounts (id, name, slug, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
      [row.id, row.name, row.slug, row.status, now, now],
    )
    return row
  })

const load = (db: Db, id: string) =>
  db.get<AccountRow>("SELECT * FROM accounts WHERE id = ? AND deleted_at IS NULL", [id])

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  HttpApiGroup.ApiGroup<"leadr", "accounts">,
  never,
  Sqlite.Sqlite | Auth.AdminAuth
> = HttpApiBuilder.group(LeadrApi.LeadrApi, "accounts", (handlers) =>
  Effect.gen(function* () {
    const db = yield* Db
    const superOnly = (admin: Auth.Admin) =>
      admin.superAdmin
        ? Effect.void
        : Effect.fail(new LeadrError.Forbidden({ detail: "Only superadmins can do this" }))
    return handlers
      .handle("create", ({ payload }) =>
        Effect.gen(function* () {
          yield* superOnly(yield* Auth.AdminPrincipal)
          return toAccount(yield* db.transaction(insert(db, payload)))
        }),
      )
      .handle("list", ({ urlParams }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          const account = yield* AccountScope.target(admin, urlParams.account_id)
          const where = ["deleted_at IS NULL"]
          const params: Array<string> = []
          if (account !== undefined) where.push("id = ?") && params.push(account)
          if (urlParams.slug !== undefined) where.push("slug = ?") && params.push(urlParams.slug)
          const page = yield* db.page<AccountRow>(
            { select: "*", from: "accounts", where, params, filters: { account, slug: urlParams.slug } },
            sortFields,
            urlParams,
          )
          if (urlParams.slug !== undefined && page.rows.length === 0 && urlParams.cursor === undefined) {
            return yield* new LeadrError.NotFound({ detail: "Account not found" })
          }
          return { data: page.rows.map(toAccount), pagination: page.pagination }
        }),
      )
      .handle("get", ({ path }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          return toAccount(
            yield* AccountScope.owned(
              admin,
              undefined,
              Effect.map(load(db, path.account_id!), (r) =>
                r === undefined ? r : { ...r, account_id: r.id },
              ),
              "Account",
            ),
          )
        }),
      )
      .handle("update", ({ path, payload }) =>
        Effect.gen(function* () {
          const admin = yield* Auth.AdminPrincipal
          yield* AccountScope.owned(
            admin,
            undefined,
            Effect.map(load(db, path.account_id!), (r) => (r === undefined ? r : { ...r, account_id: r.id })),
            "Account",
          )
          if ((payload.status ?? payload.deleted ?? undefined) !== undefined) yield* superOnly(admin)
          if (payload.slug !== undefined && payload.slug !== null) {
            const clash = yield* db.get("SELECT 1 FROM accounts WHERE slug = ? AND id <> ?", [
              payload.slug,
              path.account_id!,
            ])
            if (clash !== undefined) {
              return yield* new LeadrError.BadRequest({ detail: "Account slug already exists" })
            }
          }
          const now = yield* Time.now
          const row = yield* updateRow<AccountRow>(db, "accounts", path.account_id!, {
            name: payload.name ?? undefined,
            slug: payload.slug ?? undefined,
            status: payload.status ?? undefined,
            deleted_at: payload.deleted === true ? now : undefined,
            updated_at: now,
          })
          return toAccount(row)
        }),
      )
  }),
)
