/**
 * The room half of the plugin: a Colyseus 0.18 `RoomPlugin`.
 *
 * ```ts
 * class ArenaRoom extends Room<{ state: ArenaState }> {
 *   plugins = definePlugins([new LeadrPlugin(leadr)])
 *   onCreate() { this.state.leaderboard = this.plugins.leadr.display("default") }
 *   messages = {
 *     score: (client, msg) => this.plugins.leadr.submitScore(client, "default", msg?.value),
 *   }
 * }
 * ```
 *
 * - `onAuth` (runs before the room's own): fingerprint from the game id, the
 *   `installId` join option and coarse request hints; the device from the
 *   process cache or LEADR (time-boxed); banned devices rejected with
 *   {@link JoinErrorCode}. The device lands in `client.userData.leadr`.
 * - A room with its own static `onAuth` skips instance and plugin `onAuth`
 *   (Colyseus' rule): the plugin then admits the player in `onJoin` instead,
 *   without request hints.
 * - `onJoin`: a generated install id is sent as `leadr:install`; the device is
 *   watched, so a ban made in LEADR kicks the player within a refresh interval.
 * - `display(board)` returns a `BoardDisplay` for the room state, kept live
 *   from the process-wide board feed, with each player's "around me" window
 *   behind their own `StateView`.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import { type AuthContext, type Client, RoomPlugin, ServerError } from "@colyseus/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import { AroundWindows, type WindowOwner } from "./AroundWindows.js"
import type { BoardInfo, BoardRef, BoardSnapshot } from "./BoardFeed.js"
import { better } from "./BoardRanking.js"
import { BoardDisplay, syncEntries } from "./BoardState.js"
import type { DeviceRecord, DeviceState } from "./DeviceRegistry.js"
import type { Service } from "./Leadr.js"
import { checkPlayerName, NotAllowed, NotQueued, type ScoreError, validate } from "./ScoreSubmission.js"

/**
 * Join error and kick close codes: the client's join promise rejects with
 * this `code` (and a message starting with the code's name); a kicked client
 * receives an error and a close with the same code.
 *
 * @since 0.1.0
 * @category constants
 */
export const JoinErrorCode = {
  DEVICE_BANNED: 4403,
  DEVICE_SUSPENDED: 4423,
} as const

/**
 * What `client.userData.leadr` holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlayerDevice {
  /** The LEADR device id; undefined while `pending`. */
  readonly id: string | undefined
  readonly status: DeviceState
  readonly playerName: string
}

/**
 * The result of {@link LeadrPlugin.submitScore}: it never rejects, so a bad
 * value cannot become an unhandled rejection in a message handler.
 *
 * @since 0.1.0
 * @category models
 */
export type ScoreOutcome =
  | { readonly _tag: "Accepted"; readonly boardId: string; readonly value: number }
  | { readonly _tag: "Rejected"; readonly error: ScoreError }

/**
 * @since 0.1.0
 * @category models
 */
export interface LeadrPluginOptions {
  /** Rows a display shows. Default 10. */
  readonly top?: number | undefined
  /** Rows before and after a player's own row in their "around me" window; 0 turns it off. Default 2. */
  readonly aroundRadius?: number | undefined
}

interface Player {
  readonly client: Client
  readonly fingerprint: string
  readonly installId: string
  readonly generatedInstallId: boolean
  readonly playerName: string
  device: DeviceRecord
  unwatch: (() => void) | undefined
  /** Best accepted score this session, per board id. */
  readonly best: Map<string, number>
}

interface Display {
  readonly display: BoardDisplay
  readonly top: number
  board: BoardInfo | undefined
  unsubscribe: (() => void) | undefined
  last: BoardSnapshot | undefined
  windows: AroundWindows | undefined
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const rejection = (status: "banned" | "suspended") =>
  status === "banned"
    ? new ServerError(
        JoinErrorCode.DEVICE_BANNED,
        "LEADR_DEVICE_BANNED: this device is banned from this game",
      )
    : new ServerError(JoinErrorCode.DEVICE_SUSPENDED, "LEADR_DEVICE_SUSPENDED: this device is suspended")

/**
 * The plugin. One instance per room (Colyseus builds `plugins` with the
 * room), sharing the process-wide {@link Service}.
 *
 * @since 0.1.0
 * @category plugins
 */
export class LeadrPlugin extends RoomPlugin {
  override readonly pluginName = "leadr" as const
  private readonly players = new Map<string, Player>()
  private readonly displays: Array<Display> = []
  private disposed = false

  /**
   * @param leadr the process-wide service, or a function returning it (for
   *   room classes declared before the service exists)
   */
  constructor(
    private readonly leadr: Service | (() => Service),
    private readonly pluginOptions: LeadrPluginOptions = {},
  ) {
    super()
  }

  private get service(): Service {
    return typeof this.leadr === "function" ? this.leadr() : this.leadr
  }

  protected override async onAuth(client: Client, options: unknown, context: AuthContext): Promise<void> {
    await this.admit(client, options, {
      ip: context.ip,
      userAgent: context.headers.get("user-agent") ?? undefined,
    })
  }

  protected override async onJoin(client: Client, options?: unknown): Promise<void> {
    // Rooms with their own static onAuth skip the plugin's onAuth.
    if (!this.players.has(client.sessionId)) await this.admit(client, options, {})
    const player = this.players.get(client.sessionId)
    if (player === undefined) return
    if (player.generatedInstallId) client.send("leadr:install", { installId: player.installId })
    player.unwatch = this.service.devices.watch(player.fingerprint, (device) =>
      this.deviceChanged(player, device),
    )
    // The registration may have landed between admission and now.
    const latest = this.service.devices.peek(player.fingerprint)
    if (latest !== undefined) this.deviceChanged(player, latest)
  }

  protected override onLeave(client: Client): void {
    const player = this.players.get(client.sessionId)
    if (player === undefined) return
    player.unwatch?.()
    this.players.delete(client.sessionId)
    for (const display of this.displays) display.windows?.remove(client.sessionId)
  }

  protected override onDispose(): void {
    this.disposed = true
    for (const display of this.displays) display.unsubscribe?.()
    for (const player of this.players.values()) player.unwatch?.()
    this.players.clear()
  }

  /**
   * The LEADR device of a client (also in `client.userData.leadr`).
   *
   * @since 0.1.0
   */
  device(client: Client): PlayerDevice | undefined {
    const player = this.players.get(client.sessionId)
    return player === undefined
      ? undefined
      : { id: player.device.id, status: player.device.status, playerName: player.playerName }
  }

  /**
   * A live display of a board for the room state. Assign it to a field of
   * type `BoardDisplay` once (e.g. in `onCreate`); the plugin keeps it up to
   * date in place.
   *
   * @since 0.1.0
   */
  display(board: BoardRef = "default", options: { readonly top?: number } = {}): BoardDisplay {
    const display: Display = {
      display: new BoardDisplay(),
      top: Math.max(1, Math.min(100, options.top ?? this.pluginOptions.top ?? 10)),
      board: undefined,
      unsubscribe: undefined,
      last: undefined,
      windows: undefined,
    }
    this.displays.push(display)
    const service = this.service
    // LEADR may be down when the room is created: keep trying every interval.
    const resolve = service.boards.resolve(board).pipe(
      Effect.tapError((error) => Effect.logWarning(`LEADR board display: ${error._tag}`)),
      Effect.retry({
        while: (error) => error._tag !== "UnknownBoard",
        schedule: Schedule.spaced(service.refreshInterval),
      }),
    )
    service
      .runPromise(resolve)
      .then((info) => {
        if (this.disposed) return
        display.board = info
        display.display.boardId = info.id
        display.display.name = info.name
        display.display.sortDirection = info.sortDirection
        display.windows = new AroundWindows(
          display.display,
          this.pluginOptions.aroundRadius ?? 2,
          service.boards,
          service.runPromise,
        )
        display.unsubscribe = service.boards.subscribe(info, (snapshot) => this.show(display, snapshot))
      })
      .catch(() => {
        // Unknown board: already logged; the display stays empty.
      })
    return display.display
  }

  /**
   * Validates and queues a score for `client` on `board` (a board id, or a
   * reference resolved like {@link display}'s). Accepted scores show on the
   * room's displays at once. Never rejects: failures are a typed
   * `ScoreError` in the outcome.
   *
   * @since 0.1.0
   */
  async submitScore(
    client: Client,
    board: BoardRef,
    value: unknown,
    extras?: unknown,
  ): Promise<ScoreOutcome> {
    const player = this.players.get(client.sessionId)
    if (player === undefined) return { _tag: "Rejected", error: new NotAllowed({ reason: "unknown_client" }) }
    if (player.device.status === "banned" || player.device.status === "suspended") {
      return { _tag: "Rejected", error: new NotAllowed({ reason: player.device.status }) }
    }
    const valid = validate(value, player.playerName, extras)
    if (Either.isLeft(valid)) return { _tag: "Rejected", error: valid.left }
    const service = this.service
    const boardId =
      typeof board === "string" && board !== "default"
        ? board
        : await service
            .runPromise(Effect.either(service.boards.resolve(board)))
            .then((r) => (Either.isRight(r) ? r.right.id : undefined))
    if (boardId === undefined) {
      return { _tag: "Rejected", error: new NotQueued({ detail: "board not resolved (LEADR unreachable?)" }) }
    }
    const queued = await service.runPromise(
      Effect.either(
        service.submit({ fingerprint: player.fingerprint, deviceId: player.device.id }, boardId, valid.right),
      ),
    )
    if (Either.isLeft(queued)) return { _tag: "Rejected", error: queued.left }
    const shown = this.displays.find((d) => d.board?.id === boardId)?.board
    const previous = player.best.get(boardId)
    if (
      shown !== undefined &&
      (previous === undefined || better(shown.sortDirection, valid.right.value, previous))
    ) {
      player.best.set(boardId, valid.right.value)
    }
    return { _tag: "Accepted", boardId, value: valid.right.value }
  }

  private async admit(
    client: Client,
    options: unknown,
    request: { readonly ip?: string | undefined; readonly userAgent?: string | undefined },
  ): Promise<void> {
    const service = this.service
    const given = isRecord(options) ? options : {}
    let installId = typeof given.installId === "string" ? given.installId : undefined
    let fingerprint =
      installId === undefined ? undefined : Either.getRight(service.fingerprint(installId, request))
    let generatedInstallId = false
    if (fingerprint === undefined || fingerprint._tag === "None") {
      // Missing or unusable (empty, oversized, non-printable): a fresh install id, sent to the client.
      installId = randomUUID()
      generatedInstallId = true
      fingerprint = Either.getRight(service.fingerprint(installId, request))
    }
    if (fingerprint._tag === "None" || installId === undefined) {
      throw new ServerError(4400, "LEADR_BAD_JOIN: cannot derive a device fingerprint")
    }
    const fp = fingerprint.value
    const playerName = Either.getOrElse(checkPlayerName(given.name), () => `Player-${fp.slice(0, 4)}`)
    // Returning devices take the synchronous path: no fiber, no request.
    const device = service.devices.cached(fp) ?? (await service.runPromise(service.devices.admit(fp))).device
    if (device.status === "banned" || (device.status === "suspended" && service.rejectSuspended)) {
      throw rejection(device.status)
    }
    const player: Player = {
      client,
      fingerprint: fp,
      installId,
      generatedInstallId,
      playerName,
      device,
      unwatch: undefined,
      best: new Map(),
    }
    this.players.set(client.sessionId, player)
    this.publishDevice(player)
  }

  private publishDevice(player: Player): void {
    const leadr: PlayerDevice = {
      id: player.device.id,
      status: player.device.status,
      playerName: player.playerName,
    }
    const userData: unknown = player.client.userData
    player.client.userData = isRecord(userData) ? { ...userData, leadr } : { leadr }
  }

  private deviceChanged(player: Player, device: DeviceRecord): void {
    if (device.id === player.device.id && device.status === player.device.status) return
    player.device = device
    this.publishDevice(player)
    if (device.status === "banned" || (device.status === "suspended" && this.service.rejectSuspended)) {
      const error = rejection(device.status)
      player.client.error(error.code, error.message)
      player.client.leave(error.code, error.message.split(":")[0])
      return
    }
    for (const display of this.displays)
      if (display.last !== undefined) this.showAround(display, display.last)
  }

  private show(display: Display, snapshot: BoardSnapshot): void {
    if (this.disposed) return
    display.last = snapshot
    syncEntries(display.display.entries, snapshot.rows.slice(0, display.top))
    this.showAround(display, snapshot)
  }

  private showAround(display: Display, snapshot: BoardSnapshot): void {
    if (display.windows === undefined) return
    const owners: Array<WindowOwner> = []
    for (const [sessionId, player] of this.players) {
      owners.push({
        sessionId,
        client: player.client,
        playerKey: player.device.id ?? player.fingerprint,
        playerName: player.playerName,
        best: player.best.get(snapshot.board.id),
      })
    }
    display.windows.update(snapshot, owners)
  }
}
