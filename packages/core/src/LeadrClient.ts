/**
 * The typed LEADR client, derived from {@link LeadrApi}: every endpoint as a
 * method, every failure a tagged {@link LeadrError}.
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import type * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import type * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Stream from "effect/Stream"
import { LeadrApi } from "./LeadrApi.js"
import {
  BadRequest,
  Conflict,
  DecodeError,
  Forbidden,
  type LeadrError,
  NotFound,
  PreconditionFailed,
  RateLimited,
  ServerError,
  TransportError,
  Unauthorized,
  ValidationFailed,
} from "./LeadrError.js"
import { type Page, paginate } from "./Pagination.js"

type Groups = typeof LeadrApi extends HttpApi.HttpApi<infer _Id, infer G, infer _E, infer _R> ? G : never

/**
 * One endpoint as a client method: its request (path, urlParams, headers,
 * payload as the API declares them) to its decoded success, failing with a
 * {@link LeadrError}.
 *
 * @since 0.1.0
 * @category models
 */
export type Method<Endpoint extends HttpApiEndpoint.HttpApiEndpoint.Any> = (
  request: HttpApiEndpoint.HttpApiEndpoint.ClientRequest<
    HttpApiEndpoint.HttpApiEndpoint.PathParsed<Endpoint>,
    HttpApiEndpoint.HttpApiEndpoint.UrlParams<Endpoint>,
    HttpApiEndpoint.HttpApiEndpoint.Payload<Endpoint>,
    HttpApiEndpoint.HttpApiEndpoint.Headers<Endpoint>,
    false
  >,
) => Effect.Effect<HttpApiEndpoint.HttpApiEndpoint.Success<Endpoint>, LeadrError>

/**
 * The client: `client.<group>.<endpoint>(request)`, e.g.
 * `client.boards.list({ urlParams: { game_id } })`.
 *
 * @since 0.1.0
 * @category models
 */
export type Client = {
  readonly [Group in Groups as HttpApiGroup.HttpApiGroup.Name<Group>]: {
    readonly [Endpoint in HttpApiGroup.HttpApiGroup.Endpoints<Group> as HttpApiEndpoint.HttpApiEndpoint.Name<Endpoint>]: Method<Endpoint>
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface LeadrClientOptions {
  /** Where the service is, e.g. `https://api.leadr.gg` or `http://127.0.0.1:8000`. */
  readonly baseUrl: string | URL
  /** The admin API key, sent as `leadr-api-key`. Leave out for device-only use. */
  readonly apiKey?: Redacted.Redacted<string> | undefined
  /** A deadline per call, transport and decoding included. Default 10 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** A last word on each request, e.g. a device session adding its bearer token. */
  readonly authorize?:
    | ((request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientRequest.HttpClientRequest>)
    | undefined
}

/** The request headers that must never reach a log or a trace. */
const redactedHeaders = ["leadr-api-key", "authorization", "leadr-client-nonce"]

const isLeadrError = (error: unknown): error is LeadrError =>
  error instanceof BadRequest ||
  error instanceof Unauthorized ||
  error instanceof Forbidden ||
  error instanceof NotFound ||
  error instanceof Conflict ||
  error instanceof PreconditionFailed ||
  error instanceof ValidationFailed ||
  error instanceof RateLimited ||
  error instanceof ServerError ||
  error instanceof TransportError ||
  error instanceof DecodeError

/**
 * An error status the endpoint does not declare (a gateway's 429 on a read, a
 * 409 from a newer server): classified by status from the normalized body.
 */
const fromStatus = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<LeadrError> =>
  Effect.map(
    Effect.orElseSucceed(response.json, () => ({})),
    (json): LeadrError => {
      const body = Predicate.isRecord(json) ? json : {}
      const detail = typeof body.detail === "string" ? body.detail : `HTTP ${response.status}`
      switch (response.status) {
        case 400:
          return new BadRequest({ detail })
        case 401:
          return new Unauthorized({ detail })
        case 403:
          return new Forbidden({ detail })
        case 404:
          return new NotFound({ detail })
        case 408:
          return new TransportError({ reason: "Timeout", detail })
        case 409:
          return new Conflict({ detail })
        case 412:
          return new PreconditionFailed({ detail })
        case 422:
          return new ValidationFailed({ detail: [] })
        case 429:
          return new RateLimited({
            detail,
            ...(typeof body.retry_after === "number" ? { retry_after: body.retry_after } : {}),
          })
        default:
          return new ServerError({ status: response.status, detail })
      }
    },
  )

/** What a failed call becomes: the API's own errors pass through, the rest are classified. */
const toLeadrError = (error: unknown): Effect.Effect<LeadrError> => {
  if (isLeadrError(error)) return Effect.succeed(error)
  if (HttpClientError.isHttpClientError(error)) {
    if (error._tag === "RequestError") {
      return Effect.succeed(new TransportError({ reason: "Transport", detail: error.message }))
    }
    return error.response.status >= 400
      ? fromStatus(error.response)
      : Effect.succeed(new DecodeError({ detail: error.message }))
  }
  if (ParseResult.isParseError(error)) return Effect.succeed(new DecodeError({ detail: error.message }))
  if (Predicate.isTagged(error, "HttpApiDecodeError")) {
    // A server built on Effect's defaults answered a validation failure with 400.
    return Effect.succeed(
      new BadRequest({ detail: String((error as { message?: unknown }).message ?? "bad request") }),
    )
  }
  return Effect.succeed(new DecodeError({ detail: String(error) }))
}

const parseRetryAfter = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000)
}

/**
 * Gives every error response the service's shape before the API decodes it:
 * a proxy's HTML 502 or a bare 404 gets a `detail`, a string 422 detail
 * becomes one issue, and a 429's `Retry-After` header lands in the body.
 */
const normalizeErrorResponse = (
  response: HttpClientResponse.HttpClientResponse,
): Effect.Effect<HttpClientResponse.HttpClientResponse> => {
  if (response.status < 400) return Effect.succeed(response)
  return Effect.gen(function* () {
    const text = yield* Effect.orElseSucceed(response.text, () => "")
    let body: Record<string, unknown>
    try {
      const parsed: unknown = JSON.parse(text)
      body = Predicate.isRecord(parsed) ? { ...parsed } : { detail: text }
    } catch {
      body = { detail: text.length > 0 ? text.slice(0, 500) : `HTTP ${response.status}` }
    }
    if (body.detail === undefined) body.detail = `HTTP ${response.status}`
    if (response.status === 422 && !Array.isArray(body.detail)) {
      body.detail = [{ loc: [], msg: String(body.detail), type: "value_error" }]
    } else if (response.status !== 422 && typeof body.detail !== "string") {
      body.detail = JSON.stringify(body.detail)
    }
    if (response.status === 429 && body.retry_after === undefined) {
      const retryAfter = parseRetryAfter(response.headers["retry-after"])
      if (retryAfter !== undefined) body.retry_after = retryAfter
    }
    const headers = new globalThis.Headers(response.headers)
    headers.set("content-type", "application/json")
    headers.delete("content-length")
    return HttpClientResponse.fromWeb(
      response.request,
      new Response(JSON.stringify(body), { status: response.status, headers }),
    )
  })
}

/**
 * Builds a client. Needs an `HttpClient` (e.g. `NodeHttpClient.layerUndici`
 * for keep-alive connections, or `FetchHttpClient.layer`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: LeadrClientOptions): Effect.Effect<Client, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const timeout = Duration.decode(options.timeout ?? Duration.seconds(10))
    const apiKey = options.apiKey
    const authorize = options.authorize
    const raw = yield* HttpApiClient.make(LeadrApi, {
      baseUrl: options.baseUrl,
      transformClient: (client) =>
        client.pipe(
          apiKey === undefined
            ? (c) => c
            : HttpClient.mapRequest(HttpClientRequest.setHeader("leadr-api-key", Redacted.value(apiKey))),
          authorize === undefined ? (c) => c : HttpClient.mapRequestEffect(authorize),
          HttpClient.transformResponse(Effect.flatMap(normalizeErrorResponse)),
        ),
    })
    const wrap =
      (method: (request: unknown) => Effect.Effect<unknown, unknown>) =>
      (request: unknown): Effect.Effect<unknown, LeadrError> =>
        method(request).pipe(
          Effect.timeoutFail({
            duration: timeout,
            onTimeout: () =>
              new TransportError({
                reason: "Timeout",
                detail: `no response within ${Duration.format(timeout)}`,
              }),
          }),
          Effect.catchAll((error) => Effect.flatMap(toLeadrError(error), Effect.fail)),
          Effect.locallyWith(Headers.currentRedactedNames, (names) => names.concat(redactedHeaders)),
        )
    // The mapped object has exactly the shape `Client` describes: same groups, same methods, errors classified.
    return mapMethods(raw as unknown as Client, wrap)
  })

/**
 * Rebuilds a client with every method passed through `f` (e.g. to refresh a
 * token first); the shape stays the same.
 *
 * @since 0.1.0
 * @category combinators
 */
export const mapMethods = (
  client: Client,
  f: (
    method: (request: unknown) => Effect.Effect<unknown, LeadrError>,
  ) => (request: unknown) => Effect.Effect<unknown, LeadrError>,
): Client => {
  const mapped: Record<string, Record<string, unknown>> = {}
  for (const [group, methods] of Object.entries(
    client as unknown as Record<string, Record<string, unknown>>,
  )) {
    const wrapped: Record<string, unknown> = {}
    for (const [name, method] of Object.entries(methods)) {
      wrapped[name] = f(method as (request: unknown) => Effect.Effect<unknown, LeadrError>)
    }
    mapped[group] = wrapped
  }
  return mapped as unknown as Client
}

/**
 * The admin client of the application.
 *
 * @since 0.1.0
 * @category tags
 */
export class LeadrClient extends Context.Tag("@leadr-toolkit/core/LeadrClient")<LeadrClient, Client>() {}

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: LeadrClientOptions): Layer.Layer<LeadrClient, never, HttpClient.HttpClient> =>
  Layer.effect(LeadrClient, make(options))

/**
 * Reads `LEADR_URL` and `LEADR_API_KEY` (optional, redacted) from the `ConfigProvider`.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<LeadrClientOptions> = Config.all({
  baseUrl: Config.string("LEADR_URL"),
  apiKey: Config.option(Config.redacted("LEADR_API_KEY")).pipe(Config.map(Option.getOrUndefined)),
})

/**
 * {@link layer}, configured by {@link config}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<
  LeadrClient,
  import("effect/ConfigError").ConfigError,
  HttpClient.HttpClient
> = Layer.effect(LeadrClient, Effect.flatMap(config, make))

/**
 * Whether trying again can help: transport failures and timeouts, 429, and 5xx.
 * Everything else is an answer that will not change.
 *
 * @since 0.1.0
 * @category retries
 */
export const retryable = (error: LeadrError): boolean =>
  error._tag === "TransportError" || error._tag === "RateLimited" || error._tag === "ServerError"

/**
 * A ready retry policy for `Effect.retry`: only {@link retryable} errors,
 * exponential backoff from 200 ms with jitter, at least the service's
 * `Retry-After` on a 429, at most 5 retries.
 *
 * @since 0.1.0
 * @category retries
 */
export const retryPolicy: Schedule.Schedule<[LeadrError, Duration.Duration], LeadrError> =
  Schedule.identity<LeadrError>().pipe(
    Schedule.intersect(Schedule.jittered(Schedule.exponential("200 millis"))),
    Schedule.whileInput(retryable),
    Schedule.intersect(Schedule.recurs(5)),
    Schedule.map(([[error, delay]]) => [error, delay] as [LeadrError, Duration.Duration]),
    Schedule.modifyDelay(([error], delay) =>
      error._tag === "RateLimited"
        ? Option.match(error.retryAfter, { onNone: () => delay, onSome: (wait) => Duration.max(wait, delay) })
        : delay,
    ),
  )

/**
 * Any list call of the client as a `Stream` of its items: follows
 * `next_cursor` lazily, one page per pull, e.g.
 * `LeadrClient.stream(client.devices.list, { urlParams: { status: "banned", limit: 100 } })`.
 *
 * @since 0.1.0
 * @category pagination
 */
export const stream = <Request extends { readonly urlParams: { readonly cursor?: string | undefined } }, A>(
  list: (request: Request) => Effect.Effect<Page<A>, LeadrError>,
  request: Request,
): Stream.Stream<A, LeadrError> =>
  paginate((cursor) =>
    list(
      Option.match(cursor, {
        onNone: () => request,
        onSome: (value) => ({ ...request, urlParams: { ...request.urlParams, cursor: value } }),
      }),
    ),
  )
