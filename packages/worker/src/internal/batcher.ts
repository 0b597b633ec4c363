/**
 * Group commit: callers that arrive while a batch is being written wait for the
 * next one, and a single writer fiber takes everything queued at once. Callers
 * pay one array push and one wake-up, not one SQLite round trip each.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"

/**
 * Called once per input: `failure` is undefined on success. A plain callback,
 * not an `Exit`, so that a batch of a thousand successes allocates nothing per caller.
 *
 * @internal
 */
export type Done<B, E> = (failure: Cause.Cause<E> | undefined, value: B | undefined) => void

interface Entry<A, B, E> {
  readonly input: A
  readonly resume: Done<B, E>
}

/** @internal */
export interface Batcher<A, B, E> {
  readonly submit: (input: A) => Effect.Effect<B, E>
  /** The same without a fiber: `done` is called once the input is written (or failed). */
  readonly offer: (input: A, done: Done<B, E>) => void
  /** How many inputs wait for the writer. */
  readonly backlog: () => number
  /** Refuses new inputs and waits until the queued ones are written. */
  readonly close: Effect.Effect<void>
}

/**
 * Starts the writer fiber in the current scope. `write` gets at most
 * `maxBatch` inputs and returns one output per input, in order.
 *
 * @internal
 */
export const make = <A, B, E>(options: {
  readonly maxBatch: number
  readonly write: (batch: ReadonlyArray<A>) => Effect.Effect<ReadonlyArray<B>, E>
  readonly onClosed: () => E
}): Effect.Effect<Batcher<A, B, E>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const queue: Array<Entry<A, B, E>> = []
    let wake: (() => void) | undefined
    let closed = false
    let writing = false
    let idle: Array<() => void> = []

    const notify = () => {
      const w = wake
      if (w !== undefined) {
        wake = undefined
        w()
      }
    }
    const waitForWork = Effect.async<void>((resume) => {
      if (queue.length > 0) resume(Effect.void)
      else wake = () => resume(Effect.void)
      return Effect.sync(() => {
        wake = undefined
      })
    })

    const writeOnce = Effect.suspend(() => {
      const batch = queue.splice(0, options.maxBatch)
      writing = true
      return Effect.exit(options.write(batch.map((entry) => entry.input))).pipe(
        Effect.flatMap((exit) =>
          Effect.sync(() => {
            if (exit._tag === "Success") {
              for (let i = 0; i < batch.length; i++) batch[i]!.resume(undefined, exit.value[i])
            } else {
              for (const entry of batch) entry.resume(exit.cause, undefined)
            }
            writing = false
            if (queue.length === 0) {
              const waiting = idle
              idle = []
              for (const done of waiting) done()
            }
          }),
        ),
      )
    })

    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(waitForWork, writeOnce)))

    const offer = (input: A, done: Done<B, E>): void => {
      if (closed) {
        done(Cause.fail(options.onClosed()), undefined)
        return
      }
      queue.push({ input, resume: done })
      notify()
    }
    const submit = (input: A): Effect.Effect<B, E> =>
      Effect.async<B, E>((resume) =>
        offer(input, (failure, value) =>
          resume(failure === undefined ? Exit.succeed(value as B) : Exit.failCause(failure)),
        ),
      )

    const drained = Effect.async<void>((resume) => {
      if (queue.length === 0 && !writing) resume(Effect.void)
      else idle.push(() => resume(Effect.void))
    })

    const close = Effect.suspend(() => {
      closed = true
      return drained
    })
    // Runs before the writer is interrupted: everything accepted so far is written first.
    yield* Effect.addFinalizer(() => close)

    return { submit, offer, backlog: () => queue.length, close }
  })
