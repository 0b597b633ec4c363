/**
 * Device sessions on the wire: starting one for a fingerprint, refreshing it, and nonces.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ClientFingerprint, DeviceStatus } from "./Device.js"
import { JsonObject, Nullable, OptionalNullable, Timestamp, wireName } from "./internal/fields.js"

/**
 * Body of `POST /v1/client/sessions`.
 *
 * @since 0.1.0
 * @category models
 */
export class StartSessionRequest extends Schema.Class<StartSessionRequest>("StartSessionRequest")(
  {
    game_id: Schema.String,
    client_fingerprint: ClientFingerprint,
    platform: OptionalNullable(Schema.String.pipe(Schema.maxLength(64))),
    metadata: OptionalNullable(JsonObject),
    test_mode: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  },
  wireName("StartSessionRequest"),
) {}

/**
 * The device and its tokens (`StartSessionResponse`). `id` is the device id.
 *
 * @since 0.1.0
 * @category models
 */
export class StartSessionResponse extends Schema.Class<StartSessionResponse>("StartSessionResponse")(
  {
    id: Schema.String,
    game_id: Schema.String,
    client_fingerprint: Schema.String,
    account_id: Schema.String,
    platform: Nullable(Schema.String),
    status: DeviceStatus,
    metadata: Schema.optionalWith(JsonObject, { default: () => ({}) }),
    access_token: Schema.String,
    refresh_token: Schema.String,
    expires_in: Schema.Int,
    first_seen_at: Timestamp,
    last_seen_at: Timestamp,
    test_mode: Schema.Boolean,
  },
  wireName("StartSessionResponse"),
) {}

/**
 * Body of `POST /v1/client/sessions/refresh`.
 *
 * @since 0.1.0
 * @category models
 */
export class RefreshTokenRequest extends Schema.Class<RefreshTokenRequest>("RefreshTokenRequest")(
  {
    refresh_token: Schema.String,
  },
  wireName("RefreshTokenRequest"),
) {}

/**
 * New tokens; the refresh token used to get them is no longer valid.
 *
 * @since 0.1.0
 * @category models
 */
export class RefreshTokenResponse extends Schema.Class<RefreshTokenResponse>("RefreshTokenResponse")(
  {
    access_token: Schema.String,
    refresh_token: Schema.String,
    expires_in: Schema.Int,
  },
  wireName("RefreshTokenResponse"),
) {}

/**
 * A single-use nonce for one mutating client request, valid 60 seconds.
 *
 * @since 0.1.0
 * @category models
 */
export class Nonce extends Schema.Class<Nonce>("NonceResponse")(
  {
    nonce_value: Schema.String,
    expires_at: Timestamp,
  },
  wireName("NonceResponse"),
) {}
