/**
 * A counting HTTP proxy in front of the local LEADR server: tests count the
 * requests the plugin makes, and inject outages (refuse, or hang) without
 * touching the server.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http"
import type { AddressInfo, Socket } from "node:net"

export type ProxyMode = "forward" | "hang" | "fail"

export interface CountingProxy {
  readonly url: string
  /** Requests seen, as `METHOD /path` (query string dropped). */
  readonly requests: Array<string>
  count(predicate: (line: string) => boolean): number
  setMode(mode: ProxyMode): void
  close(): Promise<void>
}

export const startCountingProxy = async (target: string): Promise<CountingProxy> => {
  const upstream = new URL(target)
  const requests: Array<string> = []
  const hanging = new Set<ServerResponse>()
  const sockets = new Set<Socket>()
  let mode: ProxyMode = "forward"
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0]
    requests.push(`${req.method} ${path}`)
    if (mode === "hang") {
      hanging.add(res)
      res.on("close", () => hanging.delete(res))
      return
    }
    if (mode === "fail") {
      res.writeHead(503, { "content-type": "application/json" })
      res.end(JSON.stringify({ detail: "proxy: LEADR unavailable" }))
      return
    }
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    forward.on("error", () => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    req.pipe(forward)
  })
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (predicate) => requests.filter(predicate).length,
    setMode: (next) => {
      mode = next
      if (next !== "hang") {
        for (const res of hanging) res.destroy()
        hanging.clear()
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
