/**
 * The OpenAPI document generated from the one API definition describes the
 * seed endpoints as the seed pages do: method, path, parameter names, response
 * and request schema names, and authentication. The pages are parsed at test
 * time, so a page that changes changes the test.
 */
import * as OpenApi from "@effect/platform/OpenApi"
import { describe, expect, it } from "@effect/vitest"
import { LeadrApi } from "@leadr-toolkit/core"
import { type SeedEndpoint, type SpecSchema, seedEndpoints, spec } from "./reference.js"

const document = OpenApi.fromApi(LeadrApi.LeadrApi)

type Operation = OpenApi.OpenAPISpecOperation
type JsonSchema = {
  readonly $ref?: string
  readonly allOf?: ReadonlyArray<JsonSchema>
  readonly anyOf?: ReadonlyArray<JsonSchema>
  readonly type?: string
}

const operation = (endpoint: SeedEndpoint): Operation | undefined => {
  const item = document.paths[endpoint.path] as Record<string, Operation | undefined> | undefined
  return item?.[endpoint.method]
}

/** The component names a schema refers to, directly or through one `allOf`/`anyOf`. */
const refNames = (schema: JsonSchema | undefined): ReadonlyArray<string> =>
  schema === undefined
    ? []
    : [schema, ...(schema.allOf ?? []), ...(schema.anyOf ?? [])].flatMap((s) =>
        s.$ref === undefined ? [] : [s.$ref.replace("#/components/schemas/", "")],
      )

const jsonContent = (content: OpenApi.OpenApiSpecContent | undefined): JsonSchema | undefined =>
  content?.["application/json"]?.schema as JsonSchema | undefined

const parameters = (op: Operation, where: "query" | "path" | "header") =>
  op.parameters.filter((parameter) => parameter.in === where)

const seedParameters = (endpoint: SeedEndpoint, where: "query" | "path" | "header" | "body") =>
  endpoint.parameters.filter((parameter) => parameter.in === where)

const label = (endpoint: SeedEndpoint) =>
  `${endpoint.method.toUpperCase()} ${endpoint.path} (${endpoint.title})`

describe("OpenAPI document of LeadrApi", () => {
  it("the seed pages parse into their ten endpoints", () => {
    expect(seedEndpoints.map((endpoint) => `${endpoint.method} ${endpoint.path}`)).toEqual([
      "get /v1/devices",
      "get /v1/devices/{device_id}",
      "patch /v1/devices/{device_id}",
      "post /v1/boards",
      "get /v1/boards",
      "get /v1/boards/{board_id}",
      "patch /v1/boards/{board_id}",
      "get /v1/score-flags",
      "get /v1/score-flags/{flag_id}",
      "patch /v1/score-flags/{flag_id}",
    ])
    for (const endpoint of seedEndpoints) {
      expect(endpoint.parameters.length, label(endpoint)).toBeGreaterThan(0)
      expect(endpoint.responses.size, label(endpoint)).toBeGreaterThan(0)
    }
  })

  describe.each(seedEndpoints.map((endpoint) => [label(endpoint), endpoint] as const))(
    "%s",
    (_, endpoint) => {
      const op = operation(endpoint)

      it("is present with the seed's method and path", () => {
        expect(op).toBeDefined()
      })

      it("has the seed's path parameters, required strings", () => {
        const ours = parameters(op!, "path")
        expect(ours.map((p) => p.name).sort()).toEqual(
          seedParameters(endpoint, "path")
            .map((p) => p.name)
            .sort(),
        )
        for (const parameter of ours) {
          expect(parameter.required).toBe(true)
          expect((parameter.schema as JsonSchema).type).toBe("string")
        }
      })

      it("has exactly the seed's query parameters, all optional", () => {
        const seed = seedParameters(endpoint, "query")
        const ours = parameters(op!, "query")
        expect(ours.map((p) => p.name).sort()).toEqual(seed.map((p) => p.name).sort())
        for (const parameter of seed) {
          const mine = ours.find((p) => p.name === parameter.name)!
          expect(mine.required, parameter.name).toBe(parameter.required)
          // The pages type optional filters `any` (string | null); only typed ones are compared.
          if (parameter.type === "integer")
            expect((mine.schema as JsonSchema).type, parameter.name).toBe("integer")
        }
      })

      it("has the spec's query parameters too", () => {
        const specOp = spec.paths[endpoint.path]?.[endpoint.method]
        expect(specOp).toBeDefined()
        const specQuery = (specOp!.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name)
        expect(
          parameters(op!, "query")
            .map((p) => p.name)
            .sort(),
        ).toEqual(specQuery.sort())
      })

      it("covers the seed's headers with security schemes, not loose header parameters", () => {
        const headers = seedParameters(endpoint, "header").map((p) => p.name)
        expect(headers).toEqual(expect.arrayContaining(["leadr-api-key", "authorization"]))
        // leadr-api-key: the apiKey scheme, required by every seed (admin) endpoint.
        expect(op!.security).toContainEqual({ apiKey: [] })
        expect(document.components.securitySchemes.apiKey).toEqual({
          type: "apiKey",
          name: "leadr-api-key",
          in: "header",
        })
        // authorization: the bearer scheme (device access tokens).
        expect(document.components.securitySchemes.bearer).toEqual({ type: "http", scheme: "bearer" })
        // Neither is repeated as a header parameter.
        expect(parameters(op!, "header").map((p) => p.name)).not.toContain("leadr-api-key")
        expect(parameters(op!, "header").map((p) => p.name)).not.toContain("authorization")
      })

      it("names the seed's response schemas", () => {
        for (const [status, schemaName] of endpoint.responses) {
          const response = op!.responses[status]
          expect(response, `${status}`).toBeDefined()
          expect(refNames(jsonContent(response!.content)), `${status}`).toContain(schemaName)
        }
      })

      it("names the seed's request body schema", () => {
        const body = seedParameters(endpoint, "body")
        if (body.length === 0) {
          expect(op!.requestBody).toBeUndefined()
          return
        }
        expect(body).toHaveLength(1)
        expect(op!.requestBody?.required).toBe(true)
        expect(refNames(jsonContent(op!.requestBody?.content))).toEqual([body[0]!.type])
      })
    },
  )

  it("refers every success response to a named component, 201s included", () => {
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(item as Record<string, Operation>)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (!status.startsWith("2") || response.content === undefined) continue
          expect(refNames(jsonContent(response.content)), `${method} ${path} ${status}`).toHaveLength(1)
        }
      }
    }
  })

  it("declares the nonce header on client mutations, where the seed's leadr-client-nonce applies", () => {
    const createScore = document.paths["/v1/client/scores"]?.post
    expect(createScore?.parameters.filter((p) => p.in === "header").map((p) => p.name)).toContain(
      "leadr-client-nonce",
    )
    expect(createScore?.security).toContainEqual({ bearer: [] })
  })

  describe("component schemas shared with the spec", () => {
    const ours = document.components.schemas as Record<string, SpecSchema>
    const shared = Object.keys(ours).filter((name) => spec.components.schemas[name] !== undefined)
    const isRequest = (name: string) => name.endsWith("Request")

    it("include every schema the seed pages name", () => {
      const named = seedEndpoints.flatMap((endpoint) => [
        ...endpoint.responses.values(),
        ...seedParameters(endpoint, "body").map((p) => p.type),
      ])
      expect(shared).toEqual(expect.arrayContaining([...new Set(named)]))
    })

    it.each(shared)("%s has the spec's property names and enum values", (name) => {
      const mine = ours[name]!
      const theirs = spec.components.schemas[name]!
      // ScoreFlagResponse also decodes and encodes the seed pages' `score_event_id`.
      const extra = name === "ScoreFlagResponse" ? ["score_event_id"] : []
      expect(Object.keys(mine.properties ?? {}).sort()).toEqual(
        [...Object.keys(theirs.properties ?? {}), ...extra].sort(),
      )
      if (theirs.enum !== undefined) expect(mine.enum).toEqual(theirs.enum)
    })

    it.each(shared)("%s requires what the service needs, and no more", (name) => {
      const mine = new Set(ours[name]!.required ?? [])
      const theirs = new Set(spec.components.schemas[name]!.required ?? [])
      if (isRequest(name)) {
        // A request without a field the service requires would be a 422.
        for (const field of theirs) expect(mine, field).toContain(field)
      } else {
        // A response may omit what the spec requires (decoded as null or a default),
        // but must not need what the spec does not promise. FastAPI always sends
        // HTTPValidationError.detail, though the spec leaves it optional.
        const allowed = name === "HTTPValidationError" ? new Set([...theirs, "detail"]) : theirs
        for (const field of mine) expect(allowed, field).toContain(field)
      }
    })
  })
})
