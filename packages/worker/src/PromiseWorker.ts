/**
 * The worker for plain TypeScript callers: Promises in, Promises out.
 *
 * ```ts
 * const worker = await createWorker({ filename: "data/outbox.sqlite", baseUrl, apiKey: process.env.LEADR_API_KEY })
 * await worker.enqueue({ _tag: "SubmitScore", board_id, game_id, device_id, player_name: "ada", value: 42 })
 * await worker.close()
 * ```
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { DeadLetter } from "./DeadLetters.js"
import type { Operation } from "./Operation.js"
import type { Receipt } from "./Outbox.js"
import * as Worker from "./Worker.js"

/**
 * {@link Worker.WorkerOptions} with the API key as a plain string (it is
 * wrapped in `Redacted` at once and never logged).
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateWorkerOptions extends Omit<Worker.WorkerOptions, "apiKey"> {
  readonly apiKey?: string | Redacted.Redacted<string> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PromiseWorker {
  /** Resolves once the write is durable; rejects with `OutboxFull` or `OutboxError`. */
  readonly enqueue: (op: Operation) => Promise<Receipt>
  /** Waits until everything queued is delivered, at most `timeoutMs`. */
  readonly flush: (timeoutMs: number) => Promise<Worker.FlushResult>
  readonly stats: () => Promise<Worker.WorkerStats>
  readonly deadLetters: () => Promise<ReadonlyArray<DeadLetter>>
  readonly replay: (deadLetterId: number) => Promise<Option.Option<Receipt>>
  /** Graceful close: lets requests on the wire finish, commits accepted writes, closes the file. */
  readonly close: () => Promise<void>
}

/**
 * Starts a worker.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createWorker = async (options: CreateWorkerOptions): Promise<PromiseWorker> => {
  const apiKey = typeof options.apiKey === "string" ? Redacted.make(options.apiKey) : options.apiKey
  const runtime = ManagedRuntime.make(Worker.layer({ ...options, apiKey }))
  const worker = await runtime.runPromise(Worker.Worker)
  return {
    // The hot path skips the fiber: one callback from the group commit resolves the Promise.
    enqueue: (op) =>
      new Promise((resolve, reject) =>
        worker.outbox.unsafeEnqueue(op, (failure, receipt) =>
          failure === undefined ? resolve(receipt!) : reject(Cause.squash(failure)),
        ),
      ),
    flush: (timeoutMs) => runtime.runPromise(worker.flush(timeoutMs)),
    stats: () => runtime.runPromise(worker.stats),
    deadLetters: () => runtime.runPromise(worker.deadLetters),
    replay: (id) => runtime.runPromise(worker.replay(id)),
    close: () => runtime.dispose(),
  }
}
