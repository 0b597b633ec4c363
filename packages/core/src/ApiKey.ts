/**
 * API keys: how a game server authenticates to the admin API. The plaintext is
 * returned once, at creation; the service keeps only a hash.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Nullable, OptionalNullable, Timestamp, wireName } from "./internal/fields.js"

/**
 * @since 0.1.0
 * @category models
 */
export const ApiKeyStatus = Schema.Literal("active", "revoked").annotations({ identifier: "APIKeyStatus" })

/**
 * An API key without its secret (`APIKeyResponse`); `prefix` is its first 8 characters.
 *
 * @since 0.1.0
 * @category models
 */
export class ApiKey extends Schema.Class<ApiKey>("APIKeyResponse")(
  {
    id: Schema.String,
    account_id: Schema.String,
    user_id: Schema.String,
    name: Schema.String,
    prefix: Schema.String,
    status: ApiKeyStatus,
    last_used_at: Nullable(Timestamp),
    expires_at: Nullable(Timestamp),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  wireName("APIKeyResponse"),
) {}

/**
 * Body of `POST /v1/api-keys`.
 *
 * @since 0.1.0
 * @category models
 */
export class ApiKeyCreateRequest extends Schema.Class<ApiKeyCreateRequest>("CreateAPIKeyRequest")(
  {
    account_id: Schema.String,
    user_id: Schema.String,
    name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(100)),
    expires_at: OptionalNullable(Timestamp),
  },
  wireName("CreateAPIKeyRequest"),
) {}

/**
 * The response to `POST /v1/api-keys`: the only time the plaintext `key` is seen.
 *
 * @since 0.1.0
 * @category models
 */
export class ApiKeyCreated extends Schema.Class<ApiKeyCreated>("CreateAPIKeyResponse")(
  {
    id: Schema.String,
    name: Schema.String,
    key: Schema.Redacted(Schema.String),
    prefix: Schema.String,
    status: ApiKeyStatus,
    expires_at: Nullable(Timestamp),
    created_at: Timestamp,
  },
  wireName("CreateAPIKeyResponse"),
) {}

/**
 * Body of `PATCH /v1/api-keys/{key_id}`: revoke, or soft-delete.
 *
 * @since 0.1.0
 * @category models
 */
export class ApiKeyUpdateRequest extends Schema.Class<ApiKeyUpdateRequest>("UpdateAPIKeyRequest")(
  {
    status: OptionalNullable(ApiKeyStatus),
    deleted: OptionalNullable(Schema.Boolean),
  },
  wireName("UpdateAPIKeyRequest"),
) {}
