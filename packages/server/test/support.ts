/**
 * Wire-level helpers for driving a real local server over HTTP.
 */
import { createHash } from "node:crypto"
import type { Options } from "../src/LocalServer.js"
import { type Started, startLocalServer } from "../src/LocalServer.js"

/** A JSON body as the tests poke at it; assertions check the shapes. */
export interface Wire {
  readonly [key: string]: Wire
}

export interface Reply {
  readonly status: number
  readonly body: Wire
  readonly headers: Headers
}

/** The `data` of a page. */
export const rows = (body: Wire): Array<Wire> => body.data as unknown as Array<Wire>

/** A field as a string. */
export const str = (value: Wire | undefined): string => value as unknown as string

export type Call = (
  method: string,
  path: string,
  init?: {
    body?: unknown
    raw?: string
    headers?: Record<string, string>
    key?: string | null
    token?: string
  },
) => Promise<Reply>

export const caller =
  (url: string, defaultKey?: string): Call =>
  async (method, path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers }
    const key = init.key === undefined ? defaultKey : init.key
    if (key !== undefined && key !== null) headers["leadr-api-key"] = key
    if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`
    let body: string | undefined
    if (init.raw !== undefined) body = init.raw
    else if (init.body !== undefined) body = JSON.stringify(init.body)
    if (body !== undefined && headers["content-type"] === undefined)
      headers["content-type"] = "application/json"
    const response = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    })
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = text === "" ? null : JSON.parse(text)
    } catch {}
    return { status: response.status, body: parsed as Wire, headers: response.headers }
  }

export const fingerprint = (seed: string): string => createHash("sha256").update(seed).digest("hex")

export interface World {
  readonly server: Started
  readonly admin: Call
  readonly as: (key: string) => Call
  readonly anonymous: Call
}

export const start = async (options: Options = {}): Promise<World> => {
  const server = await startLocalServer(options)
  return {
    server,
    admin: caller(server.url, server.superadminKey),
    as: (key) => caller(server.url, key),
    anonymous: caller(server.url),
  }
}

/** An account with its own user, API key, game and board; returns a caller scoped to it. */
export const tenant = async (
  world: World,
  name: string,
  board: Record<string, unknown> = {},
  game: Record<string, unknown> = {},
) => {
  const account = await world.admin("POST", "/v1/accounts", { body: { name } })
  if (account.status !== 201) throw new Error(`account: ${JSON.stringify(account.body)}`)
  const accountId = str(account.body.id)
  const user = await world.admin("POST", "/v1/users", {
    body: {
      account_id: accountId,
      email: `${name.toLowerCase().replace(/\W/g, "")}@example.com`,
      display_name: name,
    },
  })
  const created = await world.admin("POST", "/v1/api-keys", {
    body: { account_id: accountId, user_id: user.body.id, name: "test" },
  })
  const call = world.as(str(created.body.key))
  const g = await call("POST", "/v1/games", {
    body: { account_id: accountId, name: `${name} Game`, ...game },
  })
  if (g.status !== 201) throw new Error(`game: ${JSON.stringify(g.body)}`)
  const b = await call("POST", "/v1/boards", {
    body: { account_id: accountId, game_id: g.body.id, name: `${name} Board`, ...board },
  })
  if (b.status !== 201) throw new Error(`board: ${JSON.stringify(b.body)}`)
  return {
    accountId,
    userId: str(user.body.id),
    key: str(created.body.key),
    call,
    gameId: str(g.body.id),
    boardId: str(b.body.id),
  }
}

/** Starts a device session for a fingerprint seed in a game. */
export const session = async (
  world: World,
  gameId: string,
  seed: string,
  extra: Record<string, unknown> = {},
) => {
  const r = await world.anonymous("POST", "/v1/client/sessions", {
    body: { game_id: gameId, client_fingerprint: fingerprint(seed), ...extra },
  })
  if (r.status !== 201) throw new Error(`session: ${r.status} ${JSON.stringify(r.body)}`)
  return {
    id: str(r.body.id),
    access_token: str(r.body.access_token),
    refresh_token: str(r.body.refresh_token),
    status: str(r.body.status),
    last_seen_at: str(r.body.last_seen_at),
  }
}

/** Submits a client score with a fresh nonce. */
export const clientScore = async (
  world: World,
  token: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) => {
  const nonce = await world.anonymous("GET", "/v1/client/nonce", { token })
  return world.anonymous("POST", "/v1/client/scores", {
    token,
    body,
    headers: { "leadr-client-nonce": str(nonce.body.nonce_value), ...headers },
  })
}
