/**
 * Players as LEADR devices, per process: fingerprint → device (id, status).
 *
 * - **Returning devices cost nothing**: a device registered once is kept in a
 *   bounded LRU cache; its next join is a lookup, with no request to LEADR.
 * - **Single flight**: concurrent joins of one device share one
 *   `POST /v1/client/sessions`.
 * - **Outages never block a join**: {@link DeviceRegistry.admit} waits at most
 *   the join timeout. After that the join goes on with a `pending` device, the
 *   registration keeps going in the background (retried, and queued durably
 *   through the worker's `StartSession` so it survives a restart), and
 *   watchers hear about the device when it lands.
 * - **Statuses stay fresh**: every refresh interval, one sweep lists the
 *   game's banned and suspended devices (admin path) and updates every cached
 *   and watched device; watchers hear about each change (that is how banned
 *   players still connected get kicked).
 *
 * @since 0.1.0
 */
import type { Device, LeadrError } from "@leadr-toolkit/core"
import { Fingerprint, LeadrClient, Pagination, Session } from "@leadr-toolkit/core"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { BoundedCache } from "./BoundedCache.js"
import type { ResolvedOptions } from "./LeadrConfig.js"

/**
 * A device's status as the plugin knows it: LEADR's, or `pending` while the
 * registration has not completed.
 *
 * @since 0.1.0
 * @category models
 */
export type DeviceState = Device.DeviceStatus | "pending"

/**
 * @since 0.1.0
 * @category models
 */
export interface DeviceRecord {
  readonly fingerprint: string
  /** Undefined while `pending`. */
  readonly id: string | undefined
  readonly status: DeviceState
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Admission {
  readonly device: DeviceRecord
  /** True when the cache answered: no request was made. */
  readonly fromCache: boolean
}

/**
 * @since 0.1.0
 * @category models
 */
export interface RegistryStats {
  readonly cached: number
  readonly watched: number
  readonly registrations: number
  readonly cacheHits: number
  readonly sweeps: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DeviceRegistry {
  /** The device for a fingerprint: from the cache, or registered within the join timeout, or `pending`. */
  readonly admit: (fingerprint: string) => Effect.Effect<Admission>
  /** The cached record, if any, without any request. */
  readonly peek: (fingerprint: string) => DeviceRecord | undefined
  /** The join fast path: a registered (not pending) cached device, marked recently used; no fiber, no request. */
  readonly cached: (fingerprint: string) => DeviceRecord | undefined
  /** Calls `listener` on every change of this device (registration landing, status change). Returns the unsubscribe. */
  readonly watch: (fingerprint: string, listener: (device: DeviceRecord) => void) => () => void
  /** One status sweep (runs every refresh interval on its own). */
  readonly sweep: Effect.Effect<void>
  readonly stats: () => RegistryStats
}

/**
 * What the registry needs from its surroundings.
 *
 * @since 0.1.0
 * @category models
 */
export interface RegistryDeps {
  readonly options: ResolvedOptions
  readonly client: LeadrClient.Client
  /** Queues a durable `StartSession` for a registration the join could not wait for. */
  readonly enqueueStartSession: (fingerprint: string) => Effect.Effect<void>
  /** Runs an effect in the background, in the registry owner's scope. */
  readonly fork: <A, E>(effect: Effect.Effect<A, E>) => void
}

const sameRecord = (a: DeviceRecord | undefined, b: DeviceRecord) =>
  a !== undefined && a.id === b.id && a.status === b.status

// Registrations in the background back off from 200 ms up to 5 s between tries, 8 tries at most;
// after that the next sweep starts over.
const backoff = Schedule.exponential("200 millis").pipe(
  Schedule.jittered,
  Schedule.union(Schedule.spaced("5 seconds")),
  Schedule.intersect(Schedule.recurs(8)),
)

/** Pages of the sweep, at most: 100 devices each. */
const MAX_SWEEP_PAGES = 50

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (deps: RegistryDeps): DeviceRegistry => {
  const { options, client } = deps
  const cache = new BoundedCache<string, DeviceRecord>(options.deviceCacheSize)
  // Watched devices are connected players: they outlive cache eviction.
  const live = new Map<string, DeviceRecord>()
  const watchers = new Map<string, Set<(device: DeviceRecord) => void>>()
  const inflight = new Map<string, Deferred.Deferred<DeviceRecord>>()
  let registrations = 0
  let cacheHits = 0
  let sweeps = 0

  const current = (fingerprint: string) => live.get(fingerprint) ?? cache.peek(fingerprint)

  const store = (record: DeviceRecord): void => {
    const previous = current(record.fingerprint)
    cache.set(record.fingerprint, record)
    if (live.has(record.fingerprint)) live.set(record.fingerprint, record)
    if (sameRecord(previous, record)) return
    const listeners = watchers.get(record.fingerprint)
    if (listeners === undefined) return
    for (const listener of [...listeners]) {
      try {
        listener(record)
      } catch {
        // A room's listener must not stop the others from hearing the change.
      }
    }
  }

  const startSession = (fingerprint: string) =>
    client.sessions.start({
      payload: new Session.StartSessionRequest({
        game_id: options.gameId,
        client_fingerprint: fingerprint,
        platform: options.platform,
        test_mode: false,
      }),
    })

  const registerOnce = (fingerprint: string): Effect.Effect<DeviceRecord, LeadrError.LeadrError> =>
    startSession(fingerprint).pipe(
      Effect.map((r): DeviceRecord => ({ fingerprint, id: r.id, status: r.status })),
      // The service refuses sessions to banned devices on some deployments.
      Effect.catchTag("Forbidden", () =>
        Effect.succeed<DeviceRecord>({ fingerprint, id: current(fingerprint)?.id, status: "banned" }),
      ),
    )

  /** Starts (or joins) the one registration of this fingerprint; it runs to its end in the background. */
  const register = (fingerprint: string): Deferred.Deferred<DeviceRecord> => {
    const existing = inflight.get(fingerprint)
    if (existing !== undefined) return existing
    const done = Deferred.unsafeMake<DeviceRecord>(FiberId.none)
    inflight.set(fingerprint, done)
    registrations++
    deps.fork(
      registerOnce(fingerprint).pipe(
        Effect.retry({
          while: LeadrClient.retryable,
          schedule: backoff,
        }),
        Effect.tap((record) => Effect.sync(() => store(record))),
        Effect.orElseSucceed(
          (): DeviceRecord => current(fingerprint) ?? { fingerprint, id: undefined, status: "pending" },
        ),
        Effect.flatMap((record) =>
          Effect.sync(() => inflight.delete(fingerprint)).pipe(
            Effect.zipRight(Deferred.succeed(done, record)),
          ),
        ),
      ),
    )
    return done
  }

  const cached = (fingerprint: string): DeviceRecord | undefined => {
    const hit = cache.get(fingerprint) ?? live.get(fingerprint)
    if (hit === undefined || hit.status === "pending") return undefined
    cacheHits++
    return hit
  }

  const admit = (fingerprint: string): Effect.Effect<Admission> =>
    Effect.suspend(() => {
      const hit = cached(fingerprint)
      if (hit !== undefined) return Effect.succeed({ device: hit, fromCache: true })
      const done = register(fingerprint)
      return Deferred.await(done).pipe(
        Effect.timeoutTo({
          duration: options.joinTimeout,
          onSuccess: (device): Admission => ({ device, fromCache: false }),
          onTimeout: (): Admission => {
            // Durable fallback: if this process dies before LEADR is back,
            // the worker still registers the device on its next start.
            deps.fork(deps.enqueueStartSession(fingerprint))
            const pending: DeviceRecord = { fingerprint, id: undefined, status: "pending" }
            return { device: pending, fromCache: false }
          },
        }),
      )
    })

  const watch = (fingerprint: string, listener: (device: DeviceRecord) => void) => {
    let listeners = watchers.get(fingerprint)
    if (listeners === undefined) {
      listeners = new Set()
      watchers.set(fingerprint, listeners)
      const known = current(fingerprint)
      live.set(fingerprint, known ?? { fingerprint, id: undefined, status: "pending" })
    }
    listeners.add(listener)
    return () => {
      const set = watchers.get(fingerprint)
      if (set === undefined) return
      set.delete(listener)
      if (set.size === 0) {
        watchers.delete(fingerprint)
        const record = live.get(fingerprint)
        live.delete(fingerprint)
        if (record !== undefined && record.status !== "pending") cache.set(fingerprint, record)
      }
    }
  }

  const idsWithStatus = (status: Device.DeviceStatus) =>
    Pagination.paginate((cursor) =>
      client.devices.list({
        urlParams: {
          game_id: options.gameId,
          status,
          limit: 100,
          ...(Option.isSome(cursor) ? { cursor: cursor.value } : {}),
        },
      }),
    ).pipe(
      Stream.take(100 * MAX_SWEEP_PAGES),
      Stream.map((device) => device.id),
      Stream.runCollect,
      Effect.map((ids) => new Set(Chunk.toReadonlyArray(ids))),
    )

  /** Admin path: two lists per sweep, whatever the number of players. */
  const sweepByList = Effect.gen(function* () {
    const [banned, suspended] = yield* Effect.all([idsWithStatus("banned"), idsWithStatus("suspended")], {
      concurrency: 2,
    })
    const known = new Map<string, DeviceRecord>()
    for (const record of cache.values()) known.set(record.fingerprint, record)
    for (const record of live.values()) known.set(record.fingerprint, record)
    for (const record of known.values()) {
      if (record.id === undefined) continue
      const status: Device.DeviceStatus = banned.has(record.id)
        ? "banned"
        : suspended.has(record.id)
          ? "suspended"
          : "active"
      if (status !== record.status) store({ ...record, status })
    }
  })

  /** Device path (no API key): restart the sessions of connected players only. */
  const sweepBySessions = Effect.forEach(
    [...live.keys()],
    (fingerprint) =>
      registerOnce(fingerprint).pipe(
        Effect.tap((record) => Effect.sync(() => store(record))),
        Effect.ignore,
      ),
    { concurrency: 4, discard: true },
  )

  const sweep = Effect.suspend(() => {
    sweeps++
    for (const record of live.values()) {
      // A registration that gave up (LEADR down longer than its retries) starts over.
      if (record.status === "pending" && !inflight.has(record.fingerprint)) register(record.fingerprint)
    }
    return options.apiKey === undefined ? Effect.suspend(() => sweepBySessions) : sweepByList
  }).pipe(Effect.ignore)

  return {
    admit,
    peek: current,
    cached,
    watch,
    sweep,
    stats: () => ({ cached: cache.size, watched: live.size, registrations, cacheHits, sweeps }),
  }
}

/**
 * The hints a fingerprint is computed with, from the join's request, as the
 * options allow.
 *
 * @since 0.1.0
 * @category fingerprints
 */
export const hintsFor = (
  options: ResolvedOptions,
  request: { readonly ip?: string | undefined; readonly userAgent?: string | undefined },
): Fingerprint.Hints =>
  Fingerprint.coarseHints({
    ip: options.fingerprintHints.includes("network") ? request.ip : undefined,
    userAgent: options.fingerprintHints.includes("userAgentFamily") ? request.userAgent : undefined,
    platform: options.platform,
  })
