/**
 * Which accounts an admin caller may touch: a regular key sees only its own
 * account, a superadmin sees every account.
 *
 * @since 0.1.0
 */
import { type Auth, LeadrError } from "@leadr-toolkit/core"
import * as Effect from "effect/Effect"

const forbidden = () => new LeadrError.Forbidden({ detail: "You do not have access to this account" })

/**
 * The account a request is about: the requested one if the caller may see it
 * (403 otherwise), else the caller's own. `undefined` means "every account"
 * and only happens for superadmins.
 *
 * @since 0.1.0
 * @category scoping
 */
export const target = (
  admin: Auth.Admin,
  requested: string | null | undefined,
): Effect.Effect<string | undefined, LeadrError.Forbidden> => {
  if (admin.superAdmin) return Effect.succeed(requested ?? undefined)
  if (requested === undefined || requested === null || requested === admin.accountId) {
    return Effect.succeed(admin.accountId)
  }
  return Effect.fail(forbidden())
}

/**
 * Fails with 403 unless the caller may touch `accountId`.
 *
 * @since 0.1.0
 * @category scoping
 */
export const check = (admin: Auth.Admin, accountId: string): Effect.Effect<void, LeadrError.Forbidden> =>
  admin.superAdmin || admin.accountId === accountId ? Effect.void : Effect.fail(forbidden())

/**
 * A row by id: 404 when missing or soft-deleted, 403 when another account's,
 * and 403 when the request's `account_id` names an account the caller may not see.
 *
 * @since 0.1.0
 * @category scoping
 */
export const owned = <Row extends { readonly account_id: string }, E, R>(
  admin: Auth.Admin,
  requested: string | null | undefined,
  load: Effect.Effect<Row | undefined, E, R>,
  what: string,
): Effect.Effect<Row, E | LeadrError.Forbidden | LeadrError.NotFound, R> =>
  Effect.gen(function* () {
    yield* target(admin, requested)
    const row = yield* load
    if (row === undefined) return yield* new LeadrError.NotFound({ detail: `${what} not found` })
    yield* check(admin, row.account_id)
    return row
  })
