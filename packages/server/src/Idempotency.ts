/**
 * `Idempotency-Key` on score creation: the same key with the same body gives
 * the first result and no second score; the same key with another body is a 409.
 * Keys are scoped to the caller (an account for admin keys, a device for clients).
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import { LeadrError } from "@leadr-toolkit/core"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Db } from "./Db.js"
import { stableJson } from "./Keyset.js"

/**
 * A key as a request carries it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Claim {
  readonly scope: string
  readonly key: string
  readonly requestHash: string
}

/**
 * The claim of a request, if it sent a key (`body` is only encoded then).
 *
 * @since 0.1.0
 * @category constructors
 */
export const claim = (scope: string, key: string | undefined, body: () => unknown): Claim | undefined =>
  key === undefined || key === ""
    ? undefined
    : { scope, key, requestHash: createHash("sha256").update(stableJson(body())).digest("hex") }

/**
 * The score a previous request with this key created, given what the store
 * holds for the key (read with the submission's context); 409 if that request
 * had another body.
 *
 * @since 0.1.0
 * @category commands
 */
export const replay = (
  claim: Claim | undefined,
  stored: { readonly requestHash: string; readonly scoreId: string },
): Effect.Effect<string, LeadrError.Conflict> =>
  stored.requestHash === claim?.requestHash
    ? Effect.succeed(stored.scoreId)
    : Effect.fail(
        new LeadrError.Conflict({ detail: "Idempotency-Key was already used with a different request body" }),
      )

/**
 * Records the score a key created: `remember(claim, scoreId, now)`, one
 * prepared insert (finalized with the scope).
 *
 * @since 0.1.0
 * @category commands
 */
export const rememberer = (
  db: Db,
): Effect.Effect<(claim: Claim, scoreId: string, now: string) => Effect.Effect<void>, never, Scope.Scope> =>
  Effect.map(
    db.prepare(
      "INSERT INTO idempotency_keys (scope, key, request_hash, score_id, created_at) VALUES (?, ?, ?, ?, ?)",
    ),
    (insert) => (claim, scoreId, now) =>
      Effect.asVoid(insert.run([claim.scope, claim.key, claim.requestHash, scoreId, now])),
  )
