/**
 * What a fresh database needs: a superadmin key, and, for the example, a demo
 * account, game and board. Both are idempotent across restarts.
 *
 * @since 0.1.0
 */
import { Board, type LeadrError } from "@leadr-toolkit/core"
import * as Effect from "effect/Effect"
import * as Accounts from "./Accounts.js"
import * as ApiKeys from "./ApiKeys.js"
import * as Boards from "./Boards.js"
import type { Db } from "./Db.js"
import * as Games from "./Games.js"
import * as Ids from "./Ids.js"
import * as Users from "./Users.js"

/**
 * The outcome of ensuring a superadmin key.
 *
 * @since 0.1.0
 * @category models
 */
export interface Superadmin {
  /** The plaintext, when this start created a key it was not given (show it once). */
  readonly generated: string | undefined
}

const systemUser = (db: Db) =>
  Effect.gen(function* () {
    const existing = yield* db.get<{ id: string; account_id: string }>(
      "SELECT id, account_id FROM users WHERE super_admin = 1 AND deleted_at IS NULL ORDER BY created_at LIMIT 1",
    )
    if (existing !== undefined) return existing
    const account =
      (yield* db.get<{ id: string }>("SELECT id FROM accounts WHERE slug = 'leadr-local'")) ??
      (yield* Accounts.insert(db, { name: "LEADR Local", slug: "leadr-local" }))
    const id = yield* Users.insert(db, {
      account_id: account.id,
      email: "superadmin@leadr.local",
      display_name: "Superadmin",
      super_admin: true,
    })
    return { id, account_id: account.id }
  })

/**
 * With `key`: makes sure that plaintext is an active superadmin key. Without:
 * creates a key only if no superadmin key exists, and returns its plaintext.
 *
 * @since 0.1.0
 * @category bootstrap
 */
export const ensureSuperadmin = (
  db: Db,
  key: string | undefined,
): Effect.Effect<Superadmin, LeadrError.BadRequest> =>
  db.transaction(
    Effect.gen(function* () {
      if (key !== undefined) {
        const row = yield* db.get("SELECT 1 FROM api_keys WHERE key_hash = ?", [Ids.hashKey(key)])
        if (row === undefined) {
          const user = yield* systemUser(db)
          yield* ApiKeys.insert(db, {
            account_id: user.account_id,
            user_id: user.id,
            name: "superadmin",
            key,
          })
        } else {
          yield* db.run(
            "UPDATE api_keys SET status = 'active', deleted_at = NULL, expires_at = NULL WHERE key_hash = ?",
            [Ids.hashKey(key)],
          )
        }
        return { generated: undefined } satisfies Superadmin
      }
      const any = yield* db.get(
        `SELECT 1 FROM api_keys k JOIN users u ON u.id = k.user_id
          WHERE u.super_admin = 1 AND k.status = 'active' AND k.deleted_at IS NULL AND u.deleted_at IS NULL`,
      )
      if (any !== undefined) return { generated: undefined } satisfies Superadmin
      const user = yield* systemUser(db)
      const created = yield* ApiKeys.insert(db, {
        account_id: user.account_id,
        user_id: user.id,
        name: "superadmin",
      })
      return { generated: created.key } satisfies Superadmin
    }),
  )

/**
 * The demo objects, and the demo account's API key the first time they are made.
 *
 * @since 0.1.0
 * @category models
 */
export interface Demo {
  readonly accountId: string
  readonly gameId: string
  readonly boardId: string
  readonly apiKey?: string | undefined
}

/**
 * Creates (once) the demo account `demo`, its game `demo-game` and its board
 * `main` (DESCENDING, BEST_ONLY).
 *
 * @since 0.1.0
 * @category bootstrap
 */
export const seedDemo = (db: Db): Effect.Effect<Demo, LeadrError.BadRequest | LeadrError.NotFound> =>
  db.transaction(
    Effect.gen(function* () {
      let apiKey: string | undefined
      let account = yield* db.get<{ id: string }>("SELECT id FROM accounts WHERE slug = 'demo'")
      if (account === undefined) {
        account = yield* Accounts.insert(db, { name: "Demo", slug: "demo" })
        const userId = yield* Users.insert(db, {
          account_id: account.id,
          email: "demo@leadr.local",
          display_name: "Demo",
        })
        apiKey = (yield* ApiKeys.insert(db, { account_id: account.id, user_id: userId, name: "demo" })).key
      }
      const game =
        (yield* db.get<{ id: string }>("SELECT id FROM games WHERE slug = 'demo-game'")) ??
        (yield* Games.insert(db, {
          account_id: account.id,
          name: "Demo Game",
          slug: "demo-game",
          anti_cheat_enabled: true,
        }))
      const board =
        (yield* db.get<{ id: string }>("SELECT id FROM boards WHERE game_id = ? AND slug = 'main'", [
          game.id,
        ])) ??
        (yield* Boards.insert(
          db,
          new Board.BoardCreateRequest({
            account_id: account.id,
            game_id: game.id,
            name: "Main",
            slug: "main",
            sort_direction: "DESCENDING",
            keep_strategy: "BEST_ONLY",
          }),
        ))
      return { accountId: account.id, gameId: game.id, boardId: board.id, apiKey } satisfies Demo
    }),
  )
