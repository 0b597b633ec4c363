/**
 * `/v1/health`: up, and whether the database answers.
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Health, LeadrApi } from "@leadr-toolkit/core"
import { Sqlite } from "@leadr-toolkit/sqlite"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  HttpApiGroup.ApiGroup<"leadr", "health">,
  never,
  Sqlite.Sqlite
> = HttpApiBuilder.group(LeadrApi.LeadrApi, "health", (handlers) =>
  Effect.gen(function* () {
    const db = yield* Sqlite.Sqlite
    return handlers.handle("check", () =>
      db.get("SELECT 1").pipe(
        Effect.match({
          onFailure: () =>
            new Health.Health({ service: "leadr-local", status: "degraded", database: "error" }),
          onSuccess: () =>
            new Health.Health({ service: "leadr-local", status: "healthy", database: "connected" }),
        }),
      ),
    )
  }),
)
