/**
 * Request validation the way the service answers it, mapped once for the whole
 * API: a request that does not match its schema (or is not JSON at all) is a
 * 422 `{"detail":[{"loc":[...],"msg":...,"type":...}]}`, never HttpApi's 400;
 * an unknown route a 404; and nothing a client sends becomes an empty 500.
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type { HttpApiDecodeError } from "@effect/platform/HttpApiError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { LeadrApi, LeadrError } from "@leadr-toolkit/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as BodyLimit from "./BodyLimit.js"

type Location = "body" | "query" | "header" | "path"

const issueType = (tag: string): { readonly type: string; readonly msg?: string } => {
  switch (tag) {
    case "Missing":
      return { type: "missing", msg: "Field required" }
    case "Unexpected":
      return { type: "extra_forbidden", msg: "Extra inputs are not permitted" }
    case "Type":
      return { type: "type_error" }
    default:
      return { type: "value_error" }
  }
}

/** The decode error does not say which part failed; the request does. */
const locate = (request: HttpServerRequest.HttpServerRequest, key: PropertyKey | undefined): Location => {
  if (typeof key === "string") {
    const query = new URL(request.url, "http://localhost").searchParams
    if (query.has(key)) return "query"
    if (key.toLowerCase() in request.headers) return "header"
  }
  return request.method === "POST" || request.method === "PATCH" || request.method === "PUT"
    ? "body"
    : "query"
}

/**
 * An optional field's schema is a union with `undefined`, so a bad value is
 * reported twice: by the real schema and as "Expected undefined". Keep the first.
 */
const withoutUndefinedBranch = (issues: HttpApiDecodeError["issues"]): HttpApiDecodeError["issues"] => {
  const samePath = (a: ReadonlyArray<PropertyKey>, b: ReadonlyArray<PropertyKey>) =>
    a.length === b.length && a.every((p, i) => p === b[i])
  const isUndefinedBranch = (issue: HttpApiDecodeError["issues"][number]) =>
    issue._tag === "Type" && issue.message.startsWith("Expected undefined, actual")
  return issues.filter(
    (issue) =>
      !isUndefinedBranch(issue) ||
      !issues.some(
        (other) => other !== issue && !isUndefinedBranch(other) && samePath(other.path, issue.path),
      ),
  )
}

/**
 * The service's 422 for an HttpApi decode failure.
 *
 * @since 0.1.0
 * @category mapping
 */
export const fromDecodeError = (
  error: HttpApiDecodeError,
  request: HttpServerRequest.HttpServerRequest,
): LeadrError.ValidationFailed =>
  new LeadrError.ValidationFailed({
    detail: withoutUndefinedBranch(error.issues).map((issue) => {
      const { type, msg } = issueType(issue._tag)
      const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)))
      return new LeadrError.ValidationIssue({
        loc: [locate(request, issue.path[0]), ...path],
        msg: (msg ?? issue.message).slice(0, 500),
        type,
      })
    }),
  })

const isDecodeError = (u: unknown): u is HttpApiDecodeError =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "HttpApiDecodeError"

const json = (status: number, body: unknown) => HttpServerResponse.unsafeJson(body, { status })

const fromDefect = (defect: unknown) => {
  const tag = (defect as { _tag?: unknown } | null)?._tag
  if (tag === "RequestError") {
    const cause = (defect as { cause?: unknown }).cause
    if (cause instanceof Error && cause.message === "maxBytes exceeded") {
      return Effect.succeed(BodyLimit.tooLarge)
    }
    return Effect.succeed(
      json(422, {
        detail: [{ loc: ["body"], msg: "JSON decode error", type: "json_invalid" }],
      }),
    )
  }
  return Effect.logError("Unhandled defect", defect).pipe(
    Effect.as(json(500, { detail: "Internal Server Error" })),
  )
}

/**
 * The API-level middleware: decode failures as 422, route misses as JSON 404,
 * defects as JSON 500 (logged). (Body size: `BodyLimit`.)
 *
 * @since 0.1.0
 * @category middleware
 */
export const layer = HttpApiBuilder.middleware(LeadrApi.LeadrApi, (app) =>
  Effect.catchAllCause(app, (cause) => {
    const failure = Cause.failureOption(cause)
    if (Option.isSome(failure)) {
      const error: unknown = failure.value
      if (isDecodeError(error)) {
        return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
          Effect.fail(fromDecodeError(error, request)),
        )
      }
      if ((error as { _tag?: unknown } | null)?._tag === "RouteNotFound") {
        return Effect.succeed(json(404, { detail: "Not Found" }))
      }
      return Effect.failCause(cause)
    }
    const defect = Cause.dieOption(cause)
    if (Option.isSome(defect)) return fromDefect(defect.value)
    return Effect.failCause(cause)
  }),
)
