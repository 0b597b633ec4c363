/**
 * @since 0.1.0
 */
export * as AntiCheat from "./AntiCheat.js"
export * as Keyset from "./Keyset.js"
export * as LocalServer from "./LocalServer.js"
export { startLocalServer } from "./LocalServer.js"
export * as Migrations from "./Migrations.js"
export type { AntiCheatConfig } from "./ServerConfig.js"
export * as ServerConfig from "./ServerConfig.js"
export * as Validation from "./Validation.js"
