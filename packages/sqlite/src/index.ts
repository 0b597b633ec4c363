/**
 * @since 0.1.0
 */
export * as Sqlite from "./Sqlite.js"
