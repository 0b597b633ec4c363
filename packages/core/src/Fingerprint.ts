/**
 * Device fingerprints for players who never talk to LEADR themselves.
 *
 * The game server registers each player as a LEADR device under a
 * `client_fingerprint`. This module derives that fingerprint from the player's
 * install id (a random id the game client keeps) and a few optional coarse
 * hints, as HMAC-SHA-256 under a per-deployment secret, salted per game:
 *
 *     gameKey     = HMAC(secret, "leadr-fingerprint/v1|" + gameId)
 *     fingerprint = HMAC(gameKey, JSON([installId, platform, network, userAgentFamily]))
 *
 * - The same install gives the same fingerprint on every reconnect and every
 *   restart of the server (nothing is random, nothing is stored).
 * - Different games give unrelated fingerprints for the same install: a game
 *   cannot join its devices with another game's.
 * - Nothing raw is recoverable: without the secret the digest reveals neither
 *   the install id nor the hints, and hints are coarsened before they are
 *   used ({@link coarseHints}). Nothing is logged or sent: errors name the
 *   field and the reason, never the value.
 *
 * Every hint becomes part of the identity: pass only hints that stay the same
 * for an install. A network prefix gives a new device whenever the player
 * changes network; leave it out unless that is what you want.
 *
 * @since 0.1.0
 */
import { createHmac } from "node:crypto"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as coarse from "./internal/coarse.js"

/**
 * A client fingerprint: 64 lowercase hex characters, as `Device.ClientFingerprint` validates.
 *
 * @since 0.1.0
 * @category models
 */
export type ClientFingerprint = string

/**
 * The longest install id or game id accepted, in UTF-16 code units.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_ID_LENGTH = 128

/**
 * The shortest secret accepted, in UTF-8 bytes. Use 32 random bytes
 * (`openssl rand -hex 32`).
 *
 * @since 0.1.0
 * @category constants
 */
export const MIN_SECRET_BYTES = 16

/**
 * Domain-separation label of the per-game key; a new derivation gets a new label.
 *
 * @since 0.1.0
 * @category constants
 */
export const KEY_LABEL = "leadr-fingerprint/v1|"

/**
 * Which input was rejected.
 *
 * @since 0.1.0
 * @category models
 */
export const InvalidField = Schema.Literal(
  "secret",
  "gameId",
  "installId",
  "hints.platform",
  "hints.network",
  "hints.userAgentFamily",
)

/**
 * @since 0.1.0
 * @category models
 */
export type InvalidField = typeof InvalidField.Type

/**
 * Why an input was rejected.
 *
 * @since 0.1.0
 * @category models
 */
export const InvalidReason = Schema.Literal("empty", "too_long", "not_printable", "too_short", "malformed")

/**
 * @since 0.1.0
 * @category models
 */
export type InvalidReason = typeof InvalidReason.Type

const reasonText: Record<InvalidReason, string> = {
  empty: "is empty",
  too_long: `is longer than ${MAX_ID_LENGTH} characters`,
  not_printable: "contains non-printable characters",
  too_short: `is shorter than ${MIN_SECRET_BYTES} bytes`,
  malformed: "is not in the expected form",
}

/**
 * An input a fingerprint cannot be made from. It carries the field and the
 * reason only: the rejected value is never copied into the error, so logging
 * it cannot leak an install id or a secret.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidFingerprintInput extends Schema.TaggedError<InvalidFingerprintInput>()(
  "InvalidFingerprintInput",
  { field: InvalidField, reason: InvalidReason },
) {
  /** For example "installId is longer than 128 characters". */
  override get message(): string {
    return `${this.field} ${reasonText[this.reason]}`
  }
}

/**
 * The user-agent families kept as a hint: the browser engine, nothing finer.
 *
 * @since 0.1.0
 * @category models
 */
export const UserAgentFamily = Schema.Literal("chrome", "firefox", "safari", "other")

/**
 * @since 0.1.0
 * @category models
 */
export type UserAgentFamily = typeof UserAgentFamily.Type

/**
 * Optional coarse hints mixed into a fingerprint. `network` is an IP address
 * or the prefix {@link coarseHints} produces; either way only its /24 (IPv4)
 * or /48 (IPv6) is used.
 *
 * @since 0.1.0
 * @category models
 */
export interface Hints {
  /** A platform name such as `ios`, `android`, `pc`, `web` (lowercased; 1-32 of `a-z 0-9 . _ -` and space). */
  readonly platform?: string | undefined
  /** An IP address or a `/24` or `/48` prefix. */
  readonly network?: string | undefined
  /** The user agent's family, from {@link userAgentFamily}. */
  readonly userAgentFamily?: UserAgentFamily | undefined
}

/**
 * What {@link make} needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface FingerprintInput {
  /** The per-deployment secret, at least {@link MIN_SECRET_BYTES} bytes. */
  readonly secret: Redacted.Redacted<string>
  readonly gameId: string
  /** The random id the game client keeps for its install. */
  readonly installId: string
  readonly hints?: Hints | undefined
}

/**
 * Raw request data to reduce to {@link Hints}.
 *
 * @since 0.1.0
 * @category models
 */
export interface RawRequestData {
  readonly ip?: string | undefined
  readonly userAgent?: string | undefined
  readonly platform?: string | undefined
}

const invalid = (field: InvalidField, reason: InvalidReason) =>
  Either.left(new InvalidFingerprintInput({ field, reason }))

// Lone surrogates would be replaced by U+FFFD when hashed (two ids, one
// fingerprint); control and invisible format characters make ids that look
// equal differ. Ids with any of them are rejected rather than normalized.
const nonPrintable = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u

const checkId = (
  field: "gameId" | "installId",
  value: string,
): Either.Either<string, InvalidFingerprintInput> =>
  value.trim().length === 0
    ? invalid(field, "empty")
    : value.length > MAX_ID_LENGTH
      ? invalid(field, "too_long")
      : nonPrintable.test(value)
        ? invalid(field, "not_printable")
        : Either.right(value)

const checkSecret = (secret: Redacted.Redacted<string>): Either.Either<Buffer, InvalidFingerprintInput> => {
  const bytes = Buffer.from(Redacted.value(secret), "utf8")
  return bytes.length < MIN_SECRET_BYTES ? invalid("secret", "too_short") : Either.right(bytes)
}

/**
 * Truncates an IP address to its network: an IPv4 address (or an IPv4-mapped
 * IPv6 address such as `::ffff:203.0.113.7`, as Node reports IPv4 peers on a
 * dual-stack socket) to `a.b.c.0/24`, an IPv6 address to `x:y:z::/48`. A zone
 * (`%eth0`) is dropped. Accepts its own output unchanged. `undefined` when the
 * input is not an address.
 *
 * @since 0.1.0
 * @category hints
 */
export const coarseNetwork: (ip: string) => string | undefined = coarse.coarseNetwork

/**
 * Reduces a user-agent string to its browser family. Chromium-based browsers
 * (Chrome, Edge, Opera, Chrome on iOS) are `chrome`; game engines, CLIs and
 * anything unrecognised are `other`.
 *
 * @since 0.1.0
 * @category hints
 */
export const userAgentFamily: (userAgent: string) => UserAgentFamily = coarse.userAgentFamily

/**
 * Coarsens raw request data into {@link Hints}: the IP truncated to its /24 or
 * /48, the user agent reduced to its family, the platform lowercased. A value
 * that cannot be read (a malformed IP, an odd platform) is left out rather
 * than failing, since raw request data is whatever the peer sent.
 *
 * @since 0.1.0
 * @category hints
 */
export const coarseHints = (raw: RawRequestData): Hints => {
  const network = raw.ip === undefined ? undefined : coarseNetwork(raw.ip)
  const platform = raw.platform === undefined ? undefined : coarse.normalizePlatform(raw.platform)
  return {
    ...(platform === undefined ? {} : { platform }),
    ...(network === undefined ? {} : { network }),
    ...(raw.userAgent === undefined || raw.userAgent.trim() === ""
      ? {}
      : { userAgentFamily: userAgentFamily(raw.userAgent) }),
  }
}

const isUserAgentFamily = Schema.is(UserAgentFamily)

/** Hints in their canonical form: each one normalized, or `null` when absent. */
const canonicalHints = (
  hints: Hints | undefined,
): Either.Either<readonly [string | null, string | null, string | null], InvalidFingerprintInput> => {
  const { platform, network, userAgentFamily: family } = hints ?? {}
  const canonicalPlatform = platform === undefined ? null : (coarse.normalizePlatform(platform) ?? false)
  if (canonicalPlatform === false) return invalid("hints.platform", "malformed")
  const canonicalNetwork = network === undefined ? null : (coarseNetwork(network) ?? false)
  if (canonicalNetwork === false) return invalid("hints.network", "malformed")
  if (family !== undefined && !isUserAgentFamily(family)) {
    return invalid("hints.userAgentFamily", "malformed")
  }
  return Either.right([canonicalPlatform, canonicalNetwork, family ?? null] as const)
}

const gameKey = (secret: Buffer, gameId: string): Buffer =>
  createHmac("sha256", secret)
    .update(KEY_LABEL + gameId, "utf8")
    .digest()

const digest = (
  key: Buffer,
  installId: string,
  hints: Hints | undefined,
): Either.Either<ClientFingerprint, InvalidFingerprintInput> =>
  Either.flatMap(checkId("installId", installId), (id) =>
    Either.map(canonicalHints(hints), (canonical) =>
      // A JSON array keeps the fields apart: no install id and hints can
      // concatenate to the same message as another.
      createHmac("sha256", key)
        .update(JSON.stringify([id, ...canonical]), "utf8")
        .digest("hex"),
    ),
  )

/**
 * The fingerprint of one install of one game: 64 lowercase hex.
 *
 * Fails with {@link InvalidFingerprintInput} for a secret shorter than
 * {@link MIN_SECRET_BYTES}, an empty, oversized or non-printable game id or
 * install id, or a malformed hint.
 *
 * @example
 * ```ts
 * const secret = yield* Config.redacted("LEADR_FINGERPRINT_SECRET")
 * const fingerprint = yield* Fingerprint.make({
 *   secret,
 *   gameId: "game_123",
 *   installId: "7d0c8a3e-...", // what the game client sent
 *   hints: Fingerprint.coarseHints({ platform: "ios" }),
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (input: FingerprintInput): Effect.Effect<ClientFingerprint, InvalidFingerprintInput> =>
  Effect.suspend(() =>
    checkSecret(input.secret).pipe(
      Either.flatMap((secret) =>
        Either.map(checkId("gameId", input.gameId), (gameId) => gameKey(secret, gameId)),
      ),
      Either.flatMap((key) => digest(key, input.installId, input.hints)),
    ),
  )

/**
 * The fingerprinting service: one secret, validated once, for every game.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The fingerprint of `installId` in `gameId`; see {@link make}. */
  readonly fingerprint: (
    gameId: string,
    installId: string,
    hints?: Hints,
  ) => Effect.Effect<ClientFingerprint, InvalidFingerprintInput>
}

/**
 * The fingerprinting service, as a dependency.
 *
 * @since 0.1.0
 * @category tags
 */
export class Fingerprinter extends Context.Tag("@leadr-toolkit/core/Fingerprinter")<
  Fingerprinter,
  Service
>() {}

// A deployment has a handful of games; the cap only guards against a caller
// that feeds arbitrary game ids.
const GAME_KEY_CACHE_SIZE = 256

/**
 * Builds the service from a secret. The per-game keys are cached, so each
 * fingerprint costs one HMAC.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFingerprinter = (
  secret: Redacted.Redacted<string>,
): Effect.Effect<Service, InvalidFingerprintInput> =>
  Effect.map(
    Effect.suspend(() => checkSecret(secret)),
    (secretBytes): Service => {
      const keys = new Map<string, Buffer>()
      const keyFor = (gameId: string) =>
        Either.map(checkId("gameId", gameId), (id) => {
          const cached = keys.get(id)
          if (cached !== undefined) return cached
          if (keys.size >= GAME_KEY_CACHE_SIZE) keys.clear()
          const key = gameKey(secretBytes, id)
          keys.set(id, key)
          return key
        })
      return {
        fingerprint: (gameId, installId, hints) =>
          Effect.suspend(() => Either.flatMap(keyFor(gameId), (key) => digest(key, installId, hints))),
      }
    },
  )

/**
 * The service from a secret given in code.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  secret: Redacted.Redacted<string>,
): Layer.Layer<Fingerprinter, InvalidFingerprintInput> =>
  Layer.effect(Fingerprinter, makeFingerprinter(secret))

/**
 * The service with its secret from `LEADR_FINGERPRINT_SECRET`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<Fingerprinter, ConfigError.ConfigError | InvalidFingerprintInput> =
  Layer.effect(Fingerprinter, Effect.flatMap(Config.redacted("LEADR_FINGERPRINT_SECRET"), makeFingerprinter))
