/**
 * How the plugin is configured: in code ({@link LeadrOptions}) or from the
 * environment through `Config` ({@link config}).
 *
 * The API key is a `Redacted` from the moment it is read: it prints as
 * `<redacted>`, and nothing in this package puts it anywhere but the
 * `leadr-api-key` header of requests to LEADR.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"

/**
 * Which coarse request hints go into a device fingerprint. Every hint is part
 * of the identity: `network` makes a player who changes network a new device,
 * so it is off by default.
 *
 * @since 0.1.0
 * @category models
 */
export type FingerprintHint = "userAgentFamily" | "network"

/**
 * @since 0.1.0
 * @category models
 */
export interface LeadrOptions {
  /** Where LEADR is, e.g. `http://127.0.0.1:8000`. */
  readonly url: string
  /**
   * The admin API key of the game's account. Used for board reads, device
   * status sweeps and admin-path score submission. Server-side only.
   */
  readonly apiKey?: Redacted.Redacted<string> | undefined
  /** The LEADR game the rooms belong to. */
  readonly gameId: string
  /** Per-deployment secret the device fingerprints are keyed with (at least 16 bytes). */
  readonly fingerprintSecret: Redacted.Redacted<string>
  /** How often board displays and device statuses are refreshed. Default 5 seconds. */
  readonly refreshInterval?: Duration.DurationInput | undefined
  /** How long a join waits for LEADR before it proceeds without it. Default 1.5 seconds. */
  readonly joinTimeout?: Duration.DurationInput | undefined
  /** Deadline per HTTP call to LEADR. Default 5 seconds. */
  readonly requestTimeout?: Duration.DurationInput | undefined
  /** How long shutdown waits for the worker to deliver what it holds. Default 5 seconds. */
  readonly shutdownTimeout?: Duration.DurationInput | undefined
  /** Devices remembered per process. Default 10 000. */
  readonly deviceCacheSize?: number | undefined
  /** Boards remembered per process (displayed or recently displayed). Default 64. */
  readonly boardCacheSize?: number | undefined
  /** Reject suspended devices at join (and kick them) like banned ones. Default false. */
  readonly rejectSuspended?: boolean | undefined
  /** Request hints mixed into fingerprints. Default `["userAgentFamily"]`. */
  readonly fingerprintHints?: ReadonlyArray<FingerprintHint> | undefined
  /** The platform devices are registered with, e.g. `web`. */
  readonly platform?: string | undefined
}

/**
 * {@link LeadrOptions} with every default applied.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedOptions {
  readonly url: string
  readonly apiKey: Redacted.Redacted<string> | undefined
  readonly gameId: string
  readonly fingerprintSecret: Redacted.Redacted<string>
  readonly refreshInterval: Duration.Duration
  readonly joinTimeout: Duration.Duration
  readonly requestTimeout: Duration.Duration
  readonly shutdownTimeout: Duration.Duration
  readonly deviceCacheSize: number
  readonly boardCacheSize: number
  readonly rejectSuspended: boolean
  readonly fingerprintHints: ReadonlyArray<FingerprintHint>
  readonly platform: string | undefined
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (options: LeadrOptions): ResolvedOptions => ({
  url: options.url,
  apiKey: options.apiKey,
  gameId: options.gameId,
  fingerprintSecret: options.fingerprintSecret,
  refreshInterval: Duration.decode(options.refreshInterval ?? Duration.seconds(5)),
  joinTimeout: Duration.decode(options.joinTimeout ?? Duration.millis(1500)),
  requestTimeout: Duration.decode(options.requestTimeout ?? Duration.seconds(5)),
  shutdownTimeout: Duration.decode(options.shutdownTimeout ?? Duration.seconds(5)),
  deviceCacheSize: options.deviceCacheSize ?? 10_000,
  boardCacheSize: options.boardCacheSize ?? 64,
  rejectSuspended: options.rejectSuspended ?? false,
  fingerprintHints: options.fingerprintHints ?? ["userAgentFamily"],
  platform: options.platform,
})

/**
 * Reads the options from the `ConfigProvider`: `LEADR_URL`, `LEADR_API_KEY`
 * (optional, redacted), `LEADR_GAME_ID`, `LEADR_FINGERPRINT_SECRET`
 * (redacted), `LEADR_REFRESH_MS` (default 5000), `LEADR_JOIN_TIMEOUT_MS`
 * (default 1500), `LEADR_DEVICE_CACHE_SIZE` (default 10000),
 * `LEADR_BOARD_CACHE_SIZE` (default 64), `LEADR_REJECT_SUSPENDED` (default false).
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<LeadrOptions> = Config.all({
  url: Config.string("LEADR_URL"),
  apiKey: Config.option(Config.redacted("LEADR_API_KEY")).pipe(Config.map(Option.getOrUndefined)),
  gameId: Config.string("LEADR_GAME_ID"),
  fingerprintSecret: Config.redacted("LEADR_FINGERPRINT_SECRET"),
  refreshInterval: Config.integer("LEADR_REFRESH_MS").pipe(
    Config.validate({ message: "LEADR_REFRESH_MS must be positive", validation: (ms) => ms > 0 }),
    Config.withDefault(5000),
    Config.map(Duration.millis),
  ),
  joinTimeout: Config.integer("LEADR_JOIN_TIMEOUT_MS").pipe(
    Config.withDefault(1500),
    Config.map(Duration.millis),
  ),
  deviceCacheSize: Config.integer("LEADR_DEVICE_CACHE_SIZE").pipe(Config.withDefault(10_000)),
  boardCacheSize: Config.integer("LEADR_BOARD_CACHE_SIZE").pipe(Config.withDefault(64)),
  rejectSuspended: Config.boolean("LEADR_REJECT_SUSPENDED").pipe(Config.withDefault(false)),
})
