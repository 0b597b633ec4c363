/**
 * @since 0.1.0
 */

export * as Coalescing from "./Coalescing.js"
export * as Operation from "./Operation.js"
export * as Outbox from "./Outbox.js"
