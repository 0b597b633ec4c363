/**
 * Request bodies over `maxBodyBytes` are a JSON 413, whether the client
 * declared their length or streamed them chunked.
 *
 * Node discards the rest of a request body once the response is sent, so a
 * 413 reaches the client as long as nothing destroys the request stream. A
 * declared `Content-Length` over the limit is answered before reading. A
 * chunked body is read here, up to the limit: over it, the 413 goes out at
 * once and the rest of the upload flows to nowhere (the connection stays
 * usable); within it, the handlers get the body already read. (The
 * platform's own limit destroys the stream, which resets the connection
 * before the client sees any answer.)
 *
 * @since 0.1.0
 */
import type { IncomingMessage } from "node:http"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import { LeadrApi } from "@leadr-toolkit/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { ServerConfig } from "./ServerConfig.js"

/**
 * The 413 answer.
 *
 * @since 0.1.0
 * @category responses
 */
export const tooLarge = HttpServerResponse.unsafeJson({ detail: "Request body too large" }, { status: 413 })

const unreadable = HttpServerResponse.unsafeJson(
  { detail: "Request body could not be read" },
  { status: 400 },
)

type Read = { readonly _tag: "Body"; readonly bytes: Uint8Array } | { readonly _tag: "TooLarge" | "Broken" }

/** Reads a body up to `max` bytes; past it, lets the rest flow unread instead of destroying the stream. */
const readUpTo = (source: IncomingMessage, max: number) =>
  Effect.async<Read>((resume) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const done = (read: Read) => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onError)
      source.off("aborted", onError)
      if (read._tag === "TooLarge") source.resume()
      resume(Effect.succeed(read))
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > max) done({ _tag: "TooLarge" })
      else chunks.push(chunk)
    }
    const onEnd = () => done({ _tag: "Body", bytes: Buffer.concat(chunks) })
    const onError = () => done({ _tag: "Broken" })
    source.on("data", onData)
    source.once("end", onEnd)
    source.once("error", onError)
    source.once("aborted", onError)
  })

/** The request with its body already read: what handlers decode comes from `bytes`. */
const withBody = (
  request: HttpServerRequest.HttpServerRequest,
  bytes: Uint8Array,
): HttpServerRequest.HttpServerRequest => {
  const copy = new Uint8Array(bytes)
  // The platform's `json` and `urlParamsBody` read `this.text`, so overriding the raw readers is enough.
  return Object.create(request, {
    text: { value: Effect.succeed(new TextDecoder().decode(copy)) },
    arrayBuffer: { value: Effect.succeed(copy.buffer) },
    stream: { value: Stream.succeed(copy) },
  }) as HttpServerRequest.HttpServerRequest
}

/**
 * The API-level middleware enforcing the limit.
 *
 * @since 0.1.0
 * @category middleware
 */
export const layer = HttpApiBuilder.middleware(
  LeadrApi.LeadrApi,
  Effect.map(ServerConfig, (settings) => {
    const max = settings.maxBodyBytes
    return (app) =>
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
        const declared = request.headers["content-length"]
        if (declared !== undefined) return Number(declared) > max ? Effect.succeed(tooLarge) : app
        if (request.headers["transfer-encoding"] === undefined) return app
        return Effect.flatMap(readUpTo(NodeHttpServerRequest.toIncomingMessage(request), max), (read) => {
          switch (read._tag) {
            case "TooLarge":
              return Effect.succeed(tooLarge)
            case "Broken":
              return Effect.succeed(unreadable)
            case "Body":
              return Effect.provideService(
                app,
                HttpServerRequest.HttpServerRequest,
                withBody(request, read.bytes),
              )
          }
        })
      }).pipe(
        // A last line of defence: the platform's own limit (it resets the connection, but never reads more).
        HttpIncomingMessage.withMaxBodySize(Option.some(max)),
      )
  }),
)
