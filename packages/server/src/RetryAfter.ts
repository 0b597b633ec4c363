/**
 * A 429 carries `Retry-After` as well as the body's `retry_after`, as HTTP clients expect.
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { LeadrApi, LeadrError } from "@leadr-toolkit/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/**
 * @since 0.1.0
 * @category middleware
 */
export const layer = HttpApiBuilder.middleware(LeadrApi.LeadrApi, (app) =>
  Effect.catchAllCause(app, (cause) => {
    const failure: Option.Option<unknown> = Cause.failureOption(cause)
    if (Option.isSome(failure) && failure.value instanceof LeadrError.RateLimited) {
      const error = failure.value
      const body =
        error.retry_after === undefined
          ? { detail: error.detail }
          : { detail: error.detail, retry_after: error.retry_after }
      return Effect.succeed(
        HttpServerResponse.unsafeJson(body, {
          status: 429,
          headers:
            error.retry_after === undefined ? {} : { "retry-after": String(Math.ceil(error.retry_after)) },
        }),
      )
    }
    return Effect.failCause(cause)
  }),
)
