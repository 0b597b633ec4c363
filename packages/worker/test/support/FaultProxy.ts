/**
 * A fault-injecting HTTP proxy in front of the real local server: the only
 * fake in the worker's tests, and it fakes nothing but the network.
 */
import * as http from "node:http"
import type { AddressInfo, Socket } from "node:net"

export interface Faults {
  /** Every connection is reset at once, as if the server were gone. */
  readonly down?: boolean
  /** Share of requests answered 503 without reaching the server. */
  readonly serverErrors?: number
  /** Share of requests answered 429 with `Retry-After`. */
  readonly rateLimits?: number
  readonly retryAfterSeconds?: number
  /** Share of requests forwarded, then cut: the server applied the write, the client sees a reset. */
  readonly resets?: number
  /** Delay added before forwarding. */
  readonly slowMs?: number
}

export interface FaultProxy {
  readonly url: string
  /** Requests (and refused connections) seen, by method and path without the query. */
  readonly seen: () => ReadonlyMap<string, number>
  /** Total requests and refused connections. */
  readonly total: () => number
  readonly set: (faults: Faults) => void
  readonly close: () => Promise<void>
}

export const startFaultProxy = async (
  upstream: string,
  random: () => number = Math.random,
): Promise<FaultProxy> => {
  const target = new URL(upstream)
  const agent = new http.Agent({ keepAlive: true })
  let faults: Faults = {}
  const seen = new Map<string, number>()
  let total = 0
  const sockets = new Set<Socket>()
  const count = (key: string) => {
    total += 1
    seen.set(key, (seen.get(key) ?? 0) + 1)
  }

  const server = http.createServer((req, res) => {
    const key = `${req.method} ${(req.url ?? "").split("?")[0]}`
    count(key)
    const roll = random()
    const f = faults
    const serverErrors = f.serverErrors ?? 0
    const rateLimits = f.rateLimits ?? 0
    const resets = f.resets ?? 0
    if (roll < serverErrors) {
      req.resume()
      res.writeHead(503, { "content-type": "text/html" }).end("<html>503 Service Unavailable</html>")
      return
    }
    if (roll < serverErrors + rateLimits) {
      req.resume()
      res
        .writeHead(429, {
          "content-type": "application/json",
          "retry-after": String(f.retryAfterSeconds ?? 1),
        })
        .end(JSON.stringify({ detail: "slow down" }))
      return
    }
    const cut = roll < serverErrors + rateLimits + resets
    const forward = () => {
      const upstreamReq = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent,
        },
        (upstreamRes) => {
          if (cut) {
            // The server has answered (and committed); the client never hears it.
            upstreamRes.resume()
            req.socket.destroy()
            return
          }
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers)
          upstreamRes.pipe(res)
        },
      )
      upstreamReq.on("error", () => req.socket.destroy())
      req.pipe(upstreamReq)
    }
    if ((f.slowMs ?? 0) > 0) setTimeout(forward, f.slowMs)
    else forward()
  })
  server.keepAliveTimeout = 30_000
  server.on("connection", (socket: Socket) => {
    if (faults.down) {
      count("refused")
      socket.destroy()
      return
    }
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    seen: () => seen,
    total: () => total,
    set: (next) => {
      faults = next
      // Going down also drops the connections already open, as a crashed server would.
      if (next.down) for (const socket of sockets) socket.destroy()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        agent.destroy()
        server.close(() => resolve())
      }),
  }
}
