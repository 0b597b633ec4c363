import * as Schema from "effect/Schema"

/** A UTC timestamp on the wire as ISO 8601, decoded to `DateTime.Utc`. */
export const Timestamp = Schema.DateTimeUtc

/** A nullable field a newer or older server may omit: decodes a missing key as `null`. */
export const Nullable = <S extends Schema.Schema.Any>(schema: S) =>
  Schema.optionalWith(Schema.NullOr(schema), { default: () => null })

/** A request field that may be left out or sent as `null` (the service treats both as "not given"). */
export const OptionalNullable = <S extends Schema.Schema.Any>(schema: S) =>
  Schema.optional(Schema.NullOr(schema))

/** Free-form JSON object, as the service's `metadata: object`. */
export const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/** A list that a server may omit or send as `null`; decodes to an empty list. */
export const Tags = Schema.optionalWith(Schema.Array(Schema.String), { default: () => [], nullable: true })

/**
 * Class annotations that name the encoded side, so the OpenAPI document refers
 * to the service's component name (e.g. `DeviceResponse`) instead of inlining it.
 */
export const wireName = (identifier: string) => [undefined, undefined, { identifier }] as const
