/**
 * Devices: the game installs LEADR knows, identified per game by a client fingerprint.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { JsonObject, Nullable, OptionalNullable, Timestamp, wireName } from "./internal/fields.js"

/**
 * The moderation state of a device. Banned and suspended devices cannot submit scores.
 *
 * @since 0.1.0
 * @category models
 */
export const DeviceStatus = Schema.Literal("active", "banned", "suspended").annotations({
  identifier: "DeviceStatus",
})

/**
 * @since 0.1.0
 * @category models
 */
export type DeviceStatus = typeof DeviceStatus.Type

/**
 * A client fingerprint: 64 lowercase hex characters (a SHA-256 digest).
 *
 * @since 0.1.0
 * @category models
 */
export const ClientFingerprint = Schema.String.pipe(
  Schema.pattern(/^[0-9a-f]{64}$/, {
    message: () => "client_fingerprint must be 64 lowercase hex characters",
  }),
)

/**
 * A device as the service returns it (`DeviceResponse`).
 *
 * `status` is typed as the known statuses but decoded leniently by the service's
 * spec (a plain string); an unknown status from a newer server is a decode error
 * here on purpose: code that gates joins on it must not guess.
 *
 * @since 0.1.0
 * @category models
 */
export class Device extends Schema.Class<Device>("DeviceResponse")(
  {
    id: Schema.String,
    game_id: Schema.String,
    client_fingerprint: Schema.String,
    account_id: Schema.String,
    platform: Nullable(Schema.String),
    status: DeviceStatus,
    first_seen_at: Timestamp,
    last_seen_at: Timestamp,
    metadata: Schema.optionalWith(JsonObject, { default: () => ({}) }),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  wireName("DeviceResponse"),
) {}

/**
 * Body of `PATCH /v1/devices/{device_id}`.
 *
 * `status` is a plain string on the wire so that the server can answer an unknown
 * status with the service's 400 rather than a schema 422.
 *
 * @since 0.1.0
 * @category models
 */
export class DeviceUpdateRequest extends Schema.Class<DeviceUpdateRequest>("DeviceUpdateRequest")(
  {
    status: OptionalNullable(Schema.String),
  },
  wireName("DeviceUpdateRequest"),
) {}
