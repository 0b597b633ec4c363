/**
 * @since 0.1.0
 */
export * as Coalescing from "./Coalescing.js"
export * as DeadLetters from "./DeadLetters.js"
export * as Delivery from "./Delivery.js"
export * as Drain from "./Drain.js"
export * as Operation from "./Operation.js"
export * as Outbox from "./Outbox.js"
export * as OutboxError from "./OutboxError.js"
export * as OutboxFile from "./OutboxFile.js"
export * as PromiseWorker from "./PromiseWorker.js"
export { createWorker } from "./PromiseWorker.js"
export * as Retry from "./Retry.js"
export * as Worker from "./Worker.js"
export * as WorkerMetrics from "./WorkerMetrics.js"
