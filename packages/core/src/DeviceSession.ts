/**
 * A device session: the tokens LEADR issues to one device (one fingerprint of
 * one game), kept fresh, and a nonce fetched for every mutation.
 *
 * - Refreshes before expiry (when less than `refreshMargin`, 2 minutes by
 *   default, remains, as the official SDKs do; at half-life for tokens shorter
 *   than twice that) and after a 401.
 * - Single-flight: however many calls find the token stale at once, one
 *   refresh request goes out and all of them wait for it.
 * - Rotation: each refresh returns a new refresh token and the old one stops
 *   working, so the session always keeps the newest.
 * - A refresh token the service no longer accepts starts a new session for the
 *   same fingerprint (the service resumes the same device).
 * - Mutations get a fresh single-use nonce; a 412 (nonce used or expired)
 *   retries once with a new one.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type { DeviceStatus } from "./Device.js"
import * as LeadrClient from "./LeadrClient.js"
import type { LeadrError } from "./LeadrError.js"
import type { ClientScore, ClientScoreCreateRequest } from "./Score.js"
import { StartSessionRequest, type StartSessionResponse } from "./Session.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface DeviceSessionOptions {
  readonly baseUrl: string | URL
  readonly gameId: string
  /** 64 lowercase hex; see `Fingerprint`. */
  readonly fingerprint: string
  readonly platform?: string | undefined
  readonly metadata?: Record<string, unknown> | undefined
  readonly testMode?: boolean | undefined
  /** Refresh when less than this remains of the access token. Default 2 minutes. */
  readonly refreshMarginMs?: number | undefined
  readonly timeout?: LeadrClient.LeadrClientOptions["timeout"]
}

/**
 * The device a session belongs to.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionDevice {
  readonly id: string
  readonly gameId: string
  readonly accountId: string
  readonly status: DeviceStatus
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DeviceSession {
  /** The device, as of the last session start. */
  readonly device: Effect.Effect<SessionDevice>
  /**
   * The client API as this device: every call carries a fresh access token and
   * is retried once after a 401 with a refreshed one.
   */
  readonly client: LeadrClient.Client
  /** A valid access token, refreshed first if needed. */
  readonly accessToken: Effect.Effect<string, LeadrError>
  /** Runs a mutation with a fresh nonce; retries once with a new nonce on 412. */
  readonly withNonce: <A>(
    mutation: (nonce: string) => Effect.Effect<A, LeadrError>,
  ) => Effect.Effect<A, LeadrError>
  /** `POST /v1/client/scores` with a nonce (and an optional idempotency key). */
  readonly submitScore: (
    score: ClientScoreCreateRequest,
    idempotencyKey?: string,
  ) => Effect.Effect<ClientScore, LeadrError>
}

interface Tokens {
  readonly access: string
  readonly refresh: string
  /** When to refresh: `refreshMargin` before expiry, but never before half the lifetime. */
  readonly refreshAt: number
}

const toDevice = (response: StartSessionResponse): SessionDevice => ({
  id: response.id,
  gameId: response.game_id,
  accountId: response.account_id,
  status: response.status,
})

/**
 * Starts (or resumes: the service is idempotent per game and fingerprint) a
 * session and returns it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = (
  options: DeviceSessionOptions,
): Effect.Effect<DeviceSession, LeadrError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const margin = options.refreshMarginMs ?? 120_000
    const anonymous = yield* LeadrClient.make({ baseUrl: options.baseUrl, timeout: options.timeout })

    const startRequest = new StartSessionRequest({
      game_id: options.gameId,
      client_fingerprint: options.fingerprint,
      platform: options.platform,
      metadata: options.metadata,
      test_mode: options.testMode ?? false,
    })
    const tokensOf = (access: string, refresh: string, expiresIn: number) =>
      Effect.map(
        Clock.currentTimeMillis,
        (now): Tokens => ({
          access,
          refresh,
          // Short-lived tokens (shorter than twice the margin) would otherwise be refreshed on every call.
          refreshAt: now + Math.max(expiresIn * 1000 - margin, (expiresIn * 1000) / 2),
        }),
      )

    const first = yield* anonymous.sessions.start({ payload: startRequest })
    const device = yield* Ref.make(toDevice(first))
    const tokens = yield* Ref.make(yield* tokensOf(first.access_token, first.refresh_token, first.expires_in))
    const refreshLock = yield* Effect.makeSemaphore(1)

    const restart = Effect.gen(function* () {
      const response = yield* anonymous.sessions.start({ payload: startRequest })
      yield* Ref.set(device, toDevice(response))
      return yield* tokensOf(response.access_token, response.refresh_token, response.expires_in)
    })

    const exchange = (current: Tokens) =>
      anonymous.sessions.refresh({ payload: { refresh_token: current.refresh } }).pipe(
        Effect.flatMap((r) => tokensOf(r.access_token, r.refresh_token, r.expires_in)),
        // A rotated-away or expired refresh token: the fingerprint still identifies the device.
        Effect.catchTag("Unauthorized", () => restart),
      )

    /** Refreshes unless someone else already did while this fiber waited for the lock. */
    const refreshIfStill = (isStale: (current: Tokens, now: number) => boolean) =>
      refreshLock.withPermits(1)(
        Effect.gen(function* () {
          const current = yield* Ref.get(tokens)
          const now = yield* Clock.currentTimeMillis
          if (!isStale(current, now)) return current.access
          const next = yield* exchange(current)
          yield* Ref.set(tokens, next)
          return next.access
        }),
      )

    const expiring = (current: Tokens, now: number) => now >= current.refreshAt

    const accessToken: Effect.Effect<string, LeadrError> = Effect.gen(function* () {
      const current = yield* Ref.get(tokens)
      const now = yield* Clock.currentTimeMillis
      return expiring(current, now) ? yield* refreshIfStill(expiring) : current.access
    })

    const authorized = yield* LeadrClient.make({
      baseUrl: options.baseUrl,
      timeout: options.timeout,
      authorize: (request) =>
        Effect.map(Ref.get(tokens), (t) =>
          HttpClientRequest.setHeader(request, "authorization", `Bearer ${t.access}`),
        ),
    })

    const client = LeadrClient.mapMethods(
      authorized,
      (method) => (request) =>
        Effect.flatMap(accessToken, (used) =>
          method(request).pipe(
            Effect.catchTag("Unauthorized", (error) =>
              Effect.gen(function* () {
                // Only the first caller to see `used` rejected refreshes; the rest reuse its result.
                const renewed = yield* refreshIfStill((current) => current.access === used)
                if (renewed === used) return yield* Effect.fail(error)
                return yield* method(request)
              }),
            ),
          ),
        ),
    )

    const nonce = Effect.map(client.client.nonce({ urlParams: {} }), (n) => n.nonce_value)
    const withNonce = <A>(mutation: (nonce: string) => Effect.Effect<A, LeadrError>) =>
      Effect.flatMap(nonce, mutation).pipe(
        Effect.catchTag("PreconditionFailed", () => Effect.flatMap(nonce, mutation)),
      )

    return {
      device: Ref.get(device),
      client,
      accessToken,
      withNonce,
      submitScore: (score, idempotencyKey) =>
        withNonce((value) =>
          client.client.createScore({
            urlParams: {},
            headers: {
              "leadr-client-nonce": value,
              ...(idempotencyKey === undefined ? {} : { "idempotency-key": idempotencyKey }),
            },
            payload: score,
          }),
        ),
    } satisfies DeviceSession
  })
