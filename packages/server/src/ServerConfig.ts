/**
 * The local server's tunables: anti-cheat thresholds, token and nonce lifetimes,
 * the request body limit.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"

/**
 * Anti-cheat thresholds, applied to games with `anti_cheat_enabled`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AntiCheatConfig {
  /** Two submissions of one device to one board closer than this are a `velocity` flag (high). */
  readonly velocitySeconds: number
  /** The same value from one device to one board within this window is a `duplicate` flag (medium). */
  readonly duplicateWindowSeconds: number
  /** More submissions than this per device per board per hour are a `rate_limit` flag (high) and a 429. */
  readonly rateLimitPerHour: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  readonly antiCheat: AntiCheatConfig
  readonly nonceTtlSeconds: number
  readonly accessTokenTtlSeconds: number
  readonly refreshTokenTtlSeconds: number
  readonly maxBodyBytes: number
}

/**
 * The defaults: the service's documented thresholds (2 s, 300 s) and 100 submissions per hour.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: Settings = {
  antiCheat: { velocitySeconds: 2, duplicateWindowSeconds: 300, rateLimitPerHour: 100 },
  nonceTtlSeconds: 60,
  accessTokenTtlSeconds: 15 * 60,
  refreshTokenTtlSeconds: 30 * 24 * 60 * 60,
  maxBodyBytes: 1024 * 1024,
}

/**
 * Options a caller may override; anything left out keeps its default.
 *
 * @since 0.1.0
 * @category models
 */
export interface SettingsInput {
  readonly antiCheat?: Partial<AntiCheatConfig> | undefined
  readonly nonceTtlSeconds?: number | undefined
  readonly accessTokenTtlSeconds?: number | undefined
  readonly refreshTokenTtlSeconds?: number | undefined
  readonly maxBodyBytes?: number | undefined
}

/**
 * Fills in the defaults.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (input: SettingsInput = {}): Settings => ({
  antiCheat: { ...defaults.antiCheat, ...stripUndefined(input.antiCheat ?? {}) },
  nonceTtlSeconds: input.nonceTtlSeconds ?? defaults.nonceTtlSeconds,
  accessTokenTtlSeconds: input.accessTokenTtlSeconds ?? defaults.accessTokenTtlSeconds,
  refreshTokenTtlSeconds: input.refreshTokenTtlSeconds ?? defaults.refreshTokenTtlSeconds,
  maxBodyBytes: input.maxBodyBytes ?? defaults.maxBodyBytes,
})

const stripUndefined = <A extends object>(value: A): Partial<A> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<A>

/**
 * The settings of the running server.
 *
 * @since 0.1.0
 * @category tags
 */
export class ServerConfig extends Context.Tag("@leadr-toolkit/server/ServerConfig")<
  ServerConfig,
  Settings
>() {}

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (input?: SettingsInput): Layer.Layer<ServerConfig> =>
  Layer.succeed(ServerConfig, make(input))
