/**
 * Device session tokens: HS256 JWTs signed with a secret the database keeps, so
 * tokens survive a restart on the same file. Access tokens name the device and
 * session; refresh tokens carry the session's token version, which rotation
 * bumps so a used refresh token is rejected.
 *
 * @since 0.1.0
 */
import type { Auth } from "@leadr-toolkit/core"
import { Sqlite } from "@leadr-toolkit/sqlite"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { type JWTPayload, jwtVerify, SignJWT } from "jose"
import * as Ids from "./Ids.js"
import { ServerConfig } from "./ServerConfig.js"

/**
 * A freshly issued pair.
 *
 * @since 0.1.0
 * @category models
 */
export interface Issued {
  readonly accessToken: string
  readonly refreshToken: string
  readonly expiresIn: number
}

/**
 * What a refresh token names.
 *
 * @since 0.1.0
 * @category models
 */
export interface RefreshClaims {
  readonly sessionId: string
  readonly version: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface TokensService {
  readonly issue: (caller: Auth.DeviceCaller, version: number) => Effect.Effect<Issued>
  readonly verifyAccess: (token: string) => Effect.Effect<Option.Option<Auth.DeviceCaller>>
  readonly verifyRefresh: (token: string) => Effect.Effect<Option.Option<RefreshClaims>>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Tokens extends Context.Tag("@leadr-toolkit/server/Tokens")<Tokens, TokensService>() {}

const issuer = "leadr-local"

/**
 * Loads (or creates, once) the signing secret and builds the service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function* () {
  const db = yield* Sqlite.Sqlite
  const settings = yield* ServerConfig
  yield* db.run("INSERT OR IGNORE INTO settings (key, value) VALUES ('jwt_secret', ?)", [Ids.token(32)])
  const row = yield* db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'jwt_secret'")
  // Imported once: jose would import a raw secret again on every sign and verify.
  const secret = yield* Effect.promise(() =>
    crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(Option.getOrThrow(row).value),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    ),
  )
  const nowSeconds = Effect.map(Clock.currentTimeMillis, (ms) => Math.floor(ms / 1000))

  const sign = (claims: Record<string, unknown>, subject: string, ttl: number) =>
    Effect.flatMap(nowSeconds, (now) =>
      Effect.promise(() =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: "HS256" })
          .setIssuer(issuer)
          .setSubject(subject)
          .setJti(Ids.token(9))
          .setIssuedAt(now)
          .setExpirationTime(now + ttl)
          .sign(secret),
      ),
    )

  const verify = (token: string, typ: string): Effect.Effect<Option.Option<JWTPayload>> =>
    Effect.flatMap(Clock.currentTimeMillis, (ms) =>
      Effect.tryPromise(() =>
        jwtVerify(token, secret, { issuer, algorithms: ["HS256"], currentDate: new Date(ms) }),
      ).pipe(
        Effect.map(({ payload }) => Option.liftPredicate(payload, (p) => p.typ === typ)),
        Effect.orElseSucceed(() => Option.none<JWTPayload>()),
      ),
    )

  const service: TokensService = {
    issue: (caller, version) =>
      Effect.all({
        accessToken: sign(
          {
            typ: "access",
            gid: caller.gameId,
            aid: caller.accountId,
            sid: caller.sessionId,
            tm: caller.testMode,
          },
          caller.deviceId,
          settings.accessTokenTtlSeconds,
        ),
        refreshToken: sign(
          { typ: "refresh", sid: caller.sessionId, ver: version },
          caller.deviceId,
          settings.refreshTokenTtlSeconds,
        ),
      }).pipe(Effect.map((pair) => ({ ...pair, expiresIn: settings.accessTokenTtlSeconds }))),
    verifyAccess: (token) =>
      Effect.map(
        verify(token, "access"),
        Option.flatMap((p) =>
          typeof p.sub === "string" &&
          typeof p.gid === "string" &&
          typeof p.aid === "string" &&
          typeof p.sid === "string"
            ? Option.some({
                deviceId: p.sub,
                gameId: p.gid,
                accountId: p.aid,
                sessionId: p.sid,
                testMode: p.tm === true,
              })
            : Option.none(),
        ),
      ),
    verifyRefresh: (token) =>
      Effect.map(
        verify(token, "refresh"),
        Option.flatMap((p) =>
          typeof p.sid === "string" && typeof p.ver === "number"
            ? Option.some({ sessionId: p.sid, version: p.ver })
            : Option.none(),
        ),
      ),
  }
  return service
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = Layer.effect(Tokens, make)
