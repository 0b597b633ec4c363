/**
 * The local server in its own process for the benchmark, so that the worker
 * and the server do not share one event loop. Prints its URL as one line.
 *
 * argv: <superadmin key>
 */
import { startLocalServer } from "@leadr-toolkit/server"

const server = await startLocalServer({ port: 0, superadminKey: process.argv[2] })
process.stdout.write(`${server.url}\n`)
process.on("SIGTERM", () => {
  void server.close().then(() => process.exit(0))
})
