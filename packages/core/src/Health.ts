/**
 * Service health.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { wireName } from "./internal/fields.js"

/**
 * `GET /v1/health` (`HealthResponse`).
 *
 * @since 0.1.0
 * @category models
 */
export class Health extends Schema.Class<Health>("HealthResponse")(
  {
    service: Schema.String,
    status: Schema.String,
    database: Schema.String,
  },
  wireName("HealthResponse"),
) {}
