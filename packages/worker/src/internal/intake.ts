/**
 * The intake log: accepted writes, group-committed as one `intake` row per
 * commit, before the drain expands them into outbox rows.
 *
 * Why a log in front of the outbox table: an outbox row costs SQLite 10–15 µs
 * (its JSON fields, the row, two indexes), so a burst of 10,000 writes would
 * hold its callers for over 100 ms; an intake row costs about its bytes, a few
 * µs per write. The expansion into outbox rows happens later, on the drain's
 * schedule, and the commit that acknowledges a write is the intake's.
 *
 * Why a `Buffer`: rows are encoded into off-heap memory as they arrive, so a
 * waiting enqueue holds only its callback and its key. A burst then leaves
 * little for the young-generation GC to copy, and its pauses are what the
 * game's event loop would feel.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Receipt } from "../Outbox.js"
import type * as Batcher from "./batcher.js"

/**
 * Called once per row: `failure` is undefined once the row is committed.
 *
 * @internal
 */
export type Done<E> = Batcher.Done<Receipt, E>

/**
 * What a commit wrote: outbox ids `firstId` to `firstId + items - 1`.
 *
 * @internal
 */
export interface Committed {
  readonly firstId: number
  readonly items: number
  readonly createdAt: number
  /** Whether every row lingers (scores): the batch is due `lingerMs` after `createdAt`, not at once. */
  readonly lingers: boolean
}

/** Rows appended since the previous commit, up to `maxBatch`. */
interface Segment {
  buffer: Buffer
  used: number
  bytes: number
  lingers: boolean
  /** Closed to more rows: an id was taken after its last row. */
  sealed: boolean
  readonly firstId: number
  readonly keys: Array<string>
  readonly dones: Array<Done<never>>
}

/** @internal */
export interface Intake<E> {
  /**
   * Encodes a row (`[key, tag, ordering key, payload, payload bytes]`) and
   * queues it for the next commit. `admit` sees the payload's byte count and
   * may refuse the row (nothing is queued then); `done` is called once the
   * row is committed or its commit failed.
   */
  readonly append: (
    key: string,
    tagJson: string,
    orderingJson: string,
    payload: string,
    lingers: boolean,
    admit: (bytes: number) => E | undefined,
    done: Done<E>,
  ) => void
  /** Rows waiting for their commit. */
  readonly backlog: () => number
  /** The id the next row gets (also taken by writes that bypass the intake). */
  readonly takeId: () => number
  /** Refuses new rows and waits until the queued ones are committed. */
  readonly close: Effect.Effect<void>
}

const initialBytes = 64 * 1024

/**
 * Starts the writer fiber in the current scope. `write` commits one batch
 * (a UTF-8 JSON array of rows) whose first row takes id `firstId`.
 *
 * @internal
 */
export const make = <E>(options: {
  readonly firstId: number
  readonly maxBatch: number
  readonly write: (firstId: number, items: number, rows: Buffer, now: number) => Effect.Effect<void, E>
  readonly onCommit: (committed: Committed) => void
  /** A commit failed: its rows' bytes no longer count. */
  readonly onFailure: (items: number, bytes: number) => void
  readonly onClosed: () => E
}): Effect.Effect<Intake<E>, never, Scope.Scope> =>
  Effect.gen(function* () {
    let nextId = options.firstId
    const segments: Array<Segment> = []
    // Buffers of committed segments, reused so a steady stream allocates none.
    const spare: Array<Buffer> = []
    // Only buffers of the initial size, and a couple of them: a burst's grown buffers go back to the GC.
    const recycle = (buffer: Buffer) => {
      if (buffer.length === initialBytes && spare.length < 2) spare.push(buffer)
    }
    let waiting = 0
    let closed = false
    let writing = false
    let wake: (() => void) | undefined
    let idle: Array<() => void> = []

    const open = (): Segment => {
      const segment: Segment = {
        buffer: spare.pop() ?? Buffer.allocUnsafe(initialBytes),
        used: 0,
        bytes: 0,
        lingers: true,
        sealed: false,
        firstId: nextId,
        keys: [],
        dones: [],
      }
      segment.buffer[0] = 0x5b // "["
      segment.used = 1
      segments.push(segment)
      return segment
    }
    const reserve = (segment: Segment, more: number) => {
      if (segment.used + more <= segment.buffer.length) return
      const grown = Buffer.allocUnsafe(Math.max(segment.buffer.length * 2, segment.used + more))
      segment.buffer.copy(grown, 0, 0, segment.used)
      segment.buffer = grown
    }

    const append: Intake<E>["append"] = (key, tagJson, orderingJson, payload, lingers, admit, done) => {
      if (closed) return done(Cause.fail(options.onClosed()), undefined)
      let segment = segments[segments.length - 1]
      if (segment === undefined || segment.sealed || segment.keys.length >= options.maxBatch) segment = open()
      const start = segment.used
      // UTF-8 takes at most 3 bytes per UTF-16 code unit; the rest is punctuation and digits.
      reserve(segment, 3 * (key.length + tagJson.length + orderingJson.length + payload.length) + 32)
      const buffer = segment.buffer
      let at = start
      if (segment.keys.length > 0) buffer[at++] = 0x2c // ","
      at += buffer.write(`["${key}",${tagJson},${orderingJson},`, at, "utf8")
      const bytes = buffer.write(payload, at, "utf8")
      at += bytes
      const refused = admit(bytes)
      if (refused !== undefined) {
        if (segment.keys.length === 0) {
          segments.pop()
          recycle(segment.buffer)
        }
        return done(Cause.fail(refused), undefined)
      }
      at += buffer.write(`,${bytes}]`, at, "utf8")
      segment.used = at
      segment.bytes += bytes
      segment.lingers &&= lingers
      segment.keys.push(key)
      segment.dones.push(done as Done<never>)
      nextId += 1
      waiting += 1
      const w = wake
      if (w !== undefined) {
        wake = undefined
        w()
      }
    }

    const waitForWork = Effect.async<void>((resume) => {
      if (segments.length > 0) resume(Effect.void)
      else wake = () => resume(Effect.void)
      return Effect.sync(() => {
        wake = undefined
      })
    })

    const writeOnce = Effect.suspend(() => {
      const segment = segments.shift()!
      const items = segment.keys.length
      segment.buffer[segment.used++] = 0x5d // "]"
      writing = true
      return Clock.currentTimeMillis.pipe(
        Effect.flatMap((now) =>
          Effect.exit(
            Effect.as(
              options.write(segment.firstId, items, segment.buffer.subarray(0, segment.used), now),
              now,
            ),
          ),
        ),
        Effect.flatMap((exit) =>
          Effect.sync(() => {
            waiting -= items
            writing = false
            recycle(segment.buffer)
            if (exit._tag === "Success") {
              options.onCommit({
                firstId: segment.firstId,
                items,
                createdAt: exit.value,
                lingers: segment.lingers,
              })
              for (let i = 0; i < items; i++)
                segment.dones[i]!(undefined, { id: segment.firstId + i, idempotencyKey: segment.keys[i]! })
            } else {
              options.onFailure(items, segment.bytes)
              const cause = exit.cause as Cause.Cause<never>
              for (const done of segment.dones) done(cause, undefined)
            }
            if (segments.length === 0) {
              const done = idle
              idle = []
              for (const resume of done) resume()
            }
          }),
        ),
      )
    })

    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(waitForWork, writeOnce)))

    const drained = Effect.async<void>((resume) => {
      if (segments.length === 0 && !writing) resume(Effect.void)
      else idle.push(() => resume(Effect.void))
    })
    const close = Effect.suspend(() => {
      closed = true
      return drained
    })
    // Runs before the writer is interrupted: everything accepted so far is committed first.
    yield* Effect.addFinalizer(() => close)

    return {
      append,
      backlog: () => waiting,
      takeId: () => {
        // A row outside the intake takes an id between segments, never inside one.
        const last = segments[segments.length - 1]
        if (last !== undefined) last.sealed = true
        return nextId++
      },
      close,
    }
  })
