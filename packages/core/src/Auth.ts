/**
 * Who is calling: the two ways the service authenticates, as API middleware the
 * server implements and the OpenAPI document describes.
 *
 * @since 0.1.0
 */
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import * as Context from "effect/Context"
import { UnauthorizedResponse } from "./LeadrError.js"

/**
 * The admin caller an API key resolves to.
 *
 * @since 0.1.0
 * @category models
 */
export interface Admin {
  readonly userId: string
  readonly accountId: string
  readonly superAdmin: boolean
  readonly apiKeyId: string
}

/**
 * The admin caller of the current request.
 *
 * @since 0.1.0
 * @category tags
 */
export class AdminPrincipal extends Context.Tag("@leadr-toolkit/core/AdminPrincipal")<
  AdminPrincipal,
  Admin
>() {}

/**
 * The device a client access token was issued to.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeviceCaller {
  readonly deviceId: string
  readonly gameId: string
  readonly accountId: string
  readonly sessionId: string
  readonly testMode: boolean
}

/**
 * The device calling the client API in the current request.
 *
 * @since 0.1.0
 * @category tags
 */
export class DevicePrincipal extends Context.Tag("@leadr-toolkit/core/DevicePrincipal")<
  DevicePrincipal,
  DeviceCaller
>() {}

/**
 * Admin authentication: the `leadr-api-key` header.
 *
 * @since 0.1.0
 * @category middleware
 */
export class AdminAuth extends HttpApiMiddleware.Tag<AdminAuth>()("AdminAuth", {
  failure: UnauthorizedResponse,
  provides: AdminPrincipal,
  security: { apiKey: HttpApiSecurity.apiKey({ key: "leadr-api-key", in: "header" }) },
}) {}

/**
 * Device authentication: `authorization: Bearer <access token>` from a device session.
 *
 * @since 0.1.0
 * @category middleware
 */
export class DeviceAuth extends HttpApiMiddleware.Tag<DeviceAuth>()("DeviceAuth", {
  failure: UnauthorizedResponse,
  provides: DevicePrincipal,
  security: { bearer: HttpApiSecurity.bearer },
}) {}
