/**
 * @since 0.1.0
 */
export * as Account from "./Account.js"
export * as ApiKey from "./ApiKey.js"
export * as Auth from "./Auth.js"
export * as Board from "./Board.js"
export * as Device from "./Device.js"
export * as DeviceSession from "./DeviceSession.js"
export * as Fingerprint from "./Fingerprint.js"
export * as Game from "./Game.js"
export * as Health from "./Health.js"
export * as LeadrApi from "./LeadrApi.js"
export * as LeadrClient from "./LeadrClient.js"
export * as LeadrError from "./LeadrError.js"
export * as Pagination from "./Pagination.js"
export * as Score from "./Score.js"
export * as ScoreFlag from "./ScoreFlag.js"
export * as Session from "./Session.js"
