/**
 * `leadr-local serve --port <P> --db <FILE> [--seed-demo]`.
 *
 * Prints `listening on http://127.0.0.1:<port>` on stdout once requests are
 * accepted; a generated superadmin key and the demo ids go to stderr, once.
 * SIGINT/SIGTERM stop accepting, finish in-flight requests and close the database.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { LocalServer, layer } from "./LocalServer.js"

const usage = "usage: leadr-local serve [--port <port>] [--db <file>|:memory:] [--host <host>] [--seed-demo]"

interface Args {
  readonly port: number
  readonly db: string
  readonly host: string
  readonly seedDemo: boolean
}

const parse = (argv: ReadonlyArray<string>): Args | string => {
  const [command, ...rest] = argv
  if (command !== "serve") return usage
  let port = 8000
  let db = "data/leadr.sqlite"
  let host = "127.0.0.1"
  let seedDemo = false
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]
    const value = rest[i + 1]
    switch (flag) {
      case "--port": {
        const n = Number(value)
        if (!Number.isInteger(n) || n < 0 || n > 65535) return `invalid --port: ${value}`
        port = n
        i++
        break
      }
      case "--db":
        if (value === undefined) return "missing value for --db"
        db = value
        i++
        break
      case "--host":
        if (value === undefined) return "missing value for --host"
        host = value
        i++
        break
      case "--seed-demo":
        seedDemo = true
        break
      default:
        return `unknown argument: ${flag}\n${usage}`
    }
  }
  return { port, db, host, seedDemo }
}

const program = Effect.gen(function* () {
  const args = parse(process.argv.slice(2))
  if (typeof args === "string") {
    yield* Console.error(args)
    return yield* Effect.sync(() => process.exit(2))
  }
  if (args.db !== ":memory:") {
    const { mkdirSync } = yield* Effect.promise(() => import("node:fs"))
    const { dirname } = yield* Effect.promise(() => import("node:path"))
    mkdirSync(dirname(args.db), { recursive: true })
  }
  const key = yield* Config.option(Config.redacted("LEADR_SUPERADMIN_API_KEY"))
  const superadminKey = Option.getOrUndefined(
    Option.filter(Option.map(key, Redacted.value), (k) => k.trim() !== ""),
  )
  yield* Effect.gen(function* () {
    const server = yield* LocalServer
    if (server.superadminKeyGenerated && server.superadminKey !== undefined) {
      yield* Console.error(`superadmin API key (shown once, stored hashed): ${server.superadminKey}`)
    }
    if (server.demo !== undefined) {
      yield* Console.error(
        `demo account ${server.demo.accountId}, game ${server.demo.gameId}, board ${server.demo.boardId}`,
      )
      if (server.demo.apiKey !== undefined) {
        yield* Console.error(`demo API key (shown once, stored hashed): ${server.demo.apiKey}`)
      }
    }
    yield* Console.log(`listening on ${server.url}`)
    return yield* Effect.never
  }).pipe(
    Effect.provide(
      layer({ port: args.port, db: args.db, host: args.host, seedDemo: args.seedDemo, superadminKey }),
    ),
  )
})

NodeRuntime.runMain(program)
