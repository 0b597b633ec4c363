/**
 * The failures of the LEADR API, each a tagged class a caller can `catchTag`.
 *
 * The HTTP errors are declared once, with their status, and used by the API
 * definition: the server encodes them, the client decodes them, the OpenAPI
 * document lists them. On the wire they are the service's `{"detail": ...}`
 * bodies, not Effect's tagged JSON, so the client decodes a real LEADR service
 * and the local server answers like one.
 *
 * @since 0.1.0
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { wireName } from "./internal/fields.js"

/**
 * Encodes a tagged error as the service's body (no `_tag`) and decodes that body
 * back into the class, annotated with its HTTP status.
 */
const onTheWire = <Self, I, Fields extends Schema.Struct.Fields>(
  errorClass: Schema.Schema<Self, I> & { readonly _tag: string },
  fields: Fields,
  status: number,
  description: string,
) =>
  Schema.transform(Schema.Struct(fields), errorClass, {
    strict: false,
    decode: (body) => ({ ...body, _tag: errorClass._tag }),
    encode: (error) => error,
  }).annotations(HttpApiSchema.annotations({ status, description }))

const Detail = { detail: Schema.String }

/**
 * 400: a semantic error (bad cursor, bad sort, a board slug without a game slug, ...).
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", Detail) {}

/**
 * The wire form of {@link BadRequest}: `{"detail": ...}` with status 400.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BadRequestResponse = onTheWire(BadRequest, Detail, 400, "Bad Request")

/**
 * 401: no API key or access token, or one the service does not accept.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", Detail) {}

/**
 * The wire form of {@link Unauthorized}: `{"detail": ...}` with status 401.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UnauthorizedResponse = onTheWire(Unauthorized, Detail, 401, "Unauthorized")

/**
 * 403: authenticated, but not allowed (another account's object; a banned device).
 *
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", Detail) {}

/**
 * The wire form of {@link Forbidden}: `{"detail": ...}` with status 403.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ForbiddenResponse = onTheWire(Forbidden, Detail, 403, "Forbidden")

/**
 * 404: missing or soft-deleted.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", Detail) {}

/**
 * The wire form of {@link NotFound}: `{"detail": ...}` with status 404.
 *
 * @since 0.1.0
 * @category schemas
 */
export const NotFoundResponse = onTheWire(NotFound, Detail, 404, "Not Found")

/**
 * 409: the request conflicts with the current state (e.g. an idempotency key
 * still in flight, or reused with a different body).
 *
 * @since 0.1.0
 * @category errors
 */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", Detail) {}

/**
 * The wire form of {@link Conflict}: `{"detail": ...}` with status 409.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConflictResponse = onTheWire(Conflict, Detail, 409, "Conflict")

/**
 * 412: the client nonce is missing, used or expired. Fetch a new one and retry once.
 *
 * @since 0.1.0
 * @category errors
 */
export class PreconditionFailed extends Schema.TaggedError<PreconditionFailed>()(
  "PreconditionFailed",
  Detail,
) {}

/**
 * The wire form of {@link PreconditionFailed}: `{"detail": ...}` with status 412.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PreconditionFailedResponse = onTheWire(PreconditionFailed, Detail, 412, "Precondition Failed")

/**
 * One problem with a request, as FastAPI reports it.
 *
 * @since 0.1.0
 * @category models
 */
export class ValidationIssue extends Schema.Class<ValidationIssue>("ValidationError")(
  {
    loc: Schema.Array(Schema.Union(Schema.String, Schema.Number)),
    msg: Schema.String,
    type: Schema.String,
  },
  wireName("ValidationError"),
) {}

const ValidationDetail = { detail: Schema.Array(ValidationIssue) }

/**
 * 422: the request does not match the schema; `detail` says where and why.
 *
 * @since 0.1.0
 * @category errors
 */
export class ValidationFailed extends Schema.TaggedError<ValidationFailed>()(
  "ValidationFailed",
  ValidationDetail,
) {
  /** A one-line summary of the issues. */
  override get message(): string {
    return this.detail.map((issue) => `${issue.loc.join(".")}: ${issue.msg}`).join("; ")
  }
}

/**
 * The wire form of {@link ValidationFailed}: `HTTPValidationError` with status 422.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ValidationFailedResponse = Schema.transform(
  Schema.Struct(ValidationDetail).annotations({ identifier: "HTTPValidationError" }),
  ValidationFailed,
  {
    strict: false,
    decode: (body) => ({ ...body, _tag: ValidationFailed._tag }),
    encode: ({ _tag, ...body }) => body,
  },
).annotations(HttpApiSchema.annotations({ status: 422, description: "Validation Error" }))

const RateLimitedWire = {
  detail: Schema.String,
  retry_after: Schema.optional(Schema.Number.pipe(Schema.nonNegative())),
}

/**
 * 429: too many requests. `retry_after` (seconds) comes from the `Retry-After` header.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", RateLimitedWire) {
  /** How long the service asked to wait, if it said. */
  get retryAfter(): Option.Option<Duration.Duration> {
    return Option.map(Option.fromNullable(this.retry_after), Duration.seconds)
  }
}

/**
 * The wire form of {@link RateLimited}: status 429.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RateLimitedResponse = onTheWire(RateLimited, RateLimitedWire, 429, "Too Many Requests")

/**
 * 5xx, or any status the API does not declare for the endpoint.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Schema.TaggedError<ServerError>()("ServerError", {
  status: Schema.Int,
  detail: Schema.String,
}) {}

/**
 * The request never got a response: connection refused or reset, DNS, or a timeout.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  reason: Schema.Literal("Transport", "Timeout"),
  detail: Schema.String,
}) {}

/**
 * A response (or a request being encoded) did not match its schema.
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends Schema.TaggedError<DecodeError>()("DecodeError", {
  detail: Schema.String,
}) {}

/**
 * Every failure a {@link LeadrClient} call can have.
 *
 * @since 0.1.0
 * @category errors
 */
export type LeadrError =
  | BadRequest
  | Unauthorized
  | Forbidden
  | NotFound
  | Conflict
  | PreconditionFailed
  | ValidationFailed
  | RateLimited
  | ServerError
  | TransportError
  | DecodeError
