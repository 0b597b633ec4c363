/**
 * @since 0.1.0
 */
export * as BoardFeed from "./BoardFeed.js"
export * as BoardRanking from "./BoardRanking.js"
export * as BoardState from "./BoardState.js"
export * as BoundedCache from "./BoundedCache.js"
export * as DeviceRegistry from "./DeviceRegistry.js"
export * as Leadr from "./Leadr.js"
export * as LeadrConfig from "./LeadrConfig.js"
export * as LeadrPlugin from "./LeadrPlugin.js"
export * as ScoreSubmission from "./ScoreSubmission.js"
